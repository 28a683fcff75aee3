package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/wentitong/wentitong/shared/wechat/callback"
)

// freshen renews the WeChat URL signature of a sample API Gateway event for now. The
// callback refuses a timestamp more than five minutes from its clock, so a signature
// stored in a file goes stale within minutes.
//
// An event whose stored signature is genuine (right for token, its timestamp and its
// nonce) gets a genuine one for now; a forged one stays forged, with a fresh timestamp,
// so that the callback refuses it for the signature alone. An event without a signature
// in its query string is returned unchanged.
func freshen(event []byte, token string, now time.Time) ([]byte, error) {
	var ev map[string]json.RawMessage
	if err := json.Unmarshal(event, &ev); err != nil {
		return nil, fmt.Errorf("freshen: %w", err)
	}
	var raw string
	if r, ok := ev["rawQueryString"]; !ok || json.Unmarshal(r, &raw) != nil {
		return event, nil
	}
	q, err := url.ParseQuery(raw)
	if err != nil || q.Get("signature") == "" {
		return event, nil
	}
	genuine := q.Get("signature") == callback.Sign(token, q.Get("timestamp"), q.Get("nonce"))
	// Safe mode's msg_signature signs the timestamp too, with the body's Encrypt.
	encrypted := encryptOf(ev["body"])
	genuineMsg := q.Get("msg_signature") != "" && q.Get("msg_signature") == callback.Sign(token, q.Get("timestamp"), q.Get("nonce"), encrypted)
	ts := strconv.FormatInt(now.Unix(), 10)
	q.Set("timestamp", ts)
	if genuine {
		q.Set("signature", callback.Sign(token, ts, q.Get("nonce")))
	}
	if genuineMsg {
		q.Set("msg_signature", callback.Sign(token, ts, q.Get("nonce"), encrypted))
	}
	set := func(m map[string]json.RawMessage, key string, v any) {
		if b, err := encodeJSON(v); err == nil {
			m[key] = b
		}
	}
	set(ev, "rawQueryString", q.Encode())
	if _, ok := ev["queryStringParameters"]; ok {
		params := map[string]string{}
		for k := range q {
			params[k] = q.Get(k)
		}
		set(ev, "queryStringParameters", params)
	}
	var rc map[string]json.RawMessage
	if json.Unmarshal(ev["requestContext"], &rc) == nil && rc != nil {
		set(rc, "timeEpoch", now.UnixMilli())
		set(rc, "time", now.UTC().Format("02/Jan/2006:15:04:05 -0700"))
		set(ev, "requestContext", rc)
	}
	return encodeJSON(ev)
}

// encryptOf returns the Encrypt element of a safe-mode event's XML body, or "".
func encryptOf(body json.RawMessage) string {
	var s string
	if json.Unmarshal(body, &s) != nil {
		return ""
	}
	var env struct {
		Encrypt string `xml:"Encrypt"`
	}
	_ = xml.Unmarshal([]byte(s), &env)
	return env.Encrypt
}

// encodeJSON writes v indented, leaving <, > and & alone (XML bodies, query strings).
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// printSigned writes the sample event in file, freshened for now with the WECHAT_TOKEN
// env.json gives the function whose events directory holds it. Events without a
// signature are written as they are.
func printSigned(w io.Writer, p *project, file string, now time.Time) error {
	abs, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	dir := filepath.Base(filepath.Dir(abs))
	fn, ok := p.functionByDir(dir)
	if !ok {
		return fmt.Errorf("%s: no function in template.yaml has CodeUri functions/%s/", file, dir)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	token := p.Env.For(fn.LogicalID)["WECHAT_TOKEN"]
	if token == "" && query(b).Get("signature") != "" {
		return fmt.Errorf("%s: %s gives %s no WECHAT_TOKEN to sign with", file, EnvFileName, fn.LogicalID)
	}
	out, err := freshen(b, token, now)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	_, err = w.Write(out)
	return err
}
