package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamodev"
	"github.com/wentitong/wentitong/shared/wechat/callback"
)

func mustProject(t *testing.T) *project {
	t.Helper()
	p, err := loadProject()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Functions) == 0 {
		t.Fatal("template.yaml has no functions")
	}
	return p
}

// decodeStrict decodes b into v, refusing fields v does not have: a misspelt
// "rawQueryStrings" would otherwise reach the function as an empty query. (Like the
// Lambda runtime, it matches field names regardless of case.)
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// decodeSample decodes a sample's body strictly as an event of type T; a body that is
// not one fails the test, saying it is not what (e.g. "an S3 event").
func decodeSample[T any](t *testing.T, s sample, what string) (T, bool) {
	t.Helper()
	var ev T
	if err := decodeStrict(s.Body, &ev); err != nil {
		t.Errorf("%s is not %s: %v", s.Name, what, err)
		return ev, false
	}
	return ev, true
}

// Every sample event parses into the aws-lambda-go type of its function's event
// source, and says what that source would say.
func TestSampleEventsParse(t *testing.T) {
	p := mustProject(t)
	dirs, err := filepath.Glob(filepath.Join(p.Root, EventsDir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			continue
		}
		if _, ok := p.functionByDir(filepath.Base(d)); !ok {
			t.Errorf("events/%s/: no function in template.yaml has CodeUri functions/%s/", filepath.Base(d), filepath.Base(d))
		}
	}
	for _, fn := range p.Functions {
		samples, err := p.samples(fn)
		if err != nil {
			t.Fatal(err)
		}
		if len(samples) == 0 {
			t.Errorf("%s has no sample events in events/%s/", fn.LogicalID, fn.Dir)
		}
		if len(fn.EventTypes) == 0 {
			t.Errorf("%s has no events in template.yaml", fn.LogicalID)
			continue
		}
		for _, s := range samples {
			switch kind := fn.EventTypes[0]; kind {
			case "HttpApi":
				checkHTTPEvent(t, fn, s)
			case "DynamoDB":
				checkStreamEvent(t, s)
			case "Schedule":
				checkScheduleEvent(t, s)
			case "S3":
				checkS3Event(t, s)
			default:
				t.Errorf("%s: %s's event type %s has no sample check here", s.Name, fn.LogicalID, kind)
			}
		}
	}
}

func checkHTTPEvent(t *testing.T, fn function, s sample) {
	t.Helper()
	ev, ok := decodeSample[events.APIGatewayV2HTTPRequest](t, s, "an API Gateway v2 HTTP request")
	if !ok {
		return
	}
	h := ev.RequestContext.HTTP
	route := h.Method + " " + ev.RawPath
	if ev.Version != "2.0" || ev.RouteKey != route || ev.RequestContext.RouteKey != route || h.Path != ev.RawPath {
		t.Errorf("%s: version %q, routeKey %q, requestContext.routeKey %q, http %s %s, rawPath %s; want 2.0 and one route throughout",
			s.Name, ev.Version, ev.RouteKey, ev.RequestContext.RouteKey, h.Method, h.Path, ev.RawPath)
	}
	if !routed(fn, h.Method, ev.RawPath) {
		t.Errorf("%s: %s is no route of %s in template.yaml", s.Name, route, fn.LogicalID)
	}
	if ev.QueryStringParameters != nil {
		q, err := url.ParseQuery(ev.RawQueryString)
		if err != nil {
			t.Errorf("%s: rawQueryString: %v", s.Name, err)
		}
		for k, v := range ev.QueryStringParameters {
			if q.Get(k) != v {
				t.Errorf("%s: queryStringParameters[%s] = %q, but rawQueryString has %q", s.Name, k, v, q.Get(k))
			}
		}
	}
}

// routed reports whether a request matches a route the template gives fn, as the
// function's router would match it (path parameters included).
func routed(fn function, method, path string) bool {
	mux := http.NewServeMux()
	for _, r := range fn.Routes {
		mux.HandleFunc(r.Pattern(), func(http.ResponseWriter, *http.Request) {})
	}
	_, pattern := mux.Handler(httptest.NewRequest(method, path, nil))
	return pattern != ""
}

func checkStreamEvent(t *testing.T, s sample) {
	t.Helper()
	ev, ok := decodeSample[events.DynamoDBEvent](t, s, "a DynamoDB stream batch")
	if !ok {
		return
	}
	if len(ev.Records) == 0 {
		t.Errorf("%s has no records", s.Name)
	}
	seqs := map[string]bool{}
	for i, r := range ev.Records {
		c := r.Change
		if r.EventSource != "aws:dynamodb" || c.StreamViewType != "NEW_AND_OLD_IMAGES" || c.SequenceNumber == "" || seqs[c.SequenceNumber] {
			t.Errorf("%s record %d: source %q, view %q, sequence number %q; want aws:dynamodb, NEW_AND_OLD_IMAGES (the template's) and a unique sequence number",
				s.Name, i, r.EventSource, c.StreamViewType, c.SequenceNumber)
		}
		seqs[c.SequenceNumber] = true
		// NEW_AND_OLD_IMAGES: an INSERT has the new image, a REMOVE the old, a MODIFY both.
		wantNew, wantOld := r.EventName != "REMOVE", r.EventName != "INSERT"
		if !slices.Contains([]string{"INSERT", "MODIFY", "REMOVE"}, r.EventName) || (c.NewImage != nil) != wantNew || (c.OldImage != nil) != wantOld {
			t.Errorf("%s record %d: %s with NewImage %v and OldImage %v", s.Name, i, r.EventName, c.NewImage != nil, c.OldImage != nil)
		}
		img := c.NewImage
		if img == nil {
			img = c.OldImage
		}
		for _, k := range []string{"PK", "SK"} {
			key, inImage := c.Keys[k], img[k]
			if key.DataType() != events.DataTypeString || inImage.DataType() != events.DataTypeString || key.String() != inImage.String() {
				t.Errorf("%s record %d: Keys.%s = %v, image's %s = %v; want the same string", s.Name, i, k, key, k, inImage)
			}
		}
		for _, im := range []map[string]events.DynamoDBAttributeValue{c.NewImage, c.OldImage} {
			if _, err := dynamodev.FromImage(im); err != nil {
				t.Errorf("%s record %d: image: %v", s.Name, i, err)
			}
		}
	}
}

func checkScheduleEvent(t *testing.T, s sample) {
	t.Helper()
	ev, ok := decodeSample[events.EventBridgeEvent](t, s, "an EventBridge event")
	if !ok {
		return
	}
	if ev.Source != "aws.events" || ev.DetailType != "Scheduled Event" || ev.Time.IsZero() || len(ev.Resources) != 1 {
		t.Errorf("%s: source %q, detail-type %q, time %v, resources %v; want a scheduled event of one rule",
			s.Name, ev.Source, ev.DetailType, ev.Time, ev.Resources)
	}
}

func checkS3Event(t *testing.T, s sample) {
	t.Helper()
	ev, ok := decodeSample[events.S3Event](t, s, "an S3 event")
	if !ok {
		return
	}
	for i, r := range ev.Records {
		if r.EventSource != "aws:s3" || !strings.HasPrefix(r.EventName, "ObjectCreated:") || r.S3.Object.Key == "" || r.S3.Bucket.Name == "" {
			t.Errorf("%s record %d: source %q, event %q, bucket %q, key %q; want an object created in a bucket",
				s.Name, i, r.EventSource, r.EventName, r.S3.Bucket.Name, r.S3.Object.Key)
		}
	}
}

// Every sample event has a check in the smoke test, and every check a sample event.
func TestEverySampleHasACheck(t *testing.T) {
	p := mustProject(t)
	var names []string
	for _, fn := range p.Functions {
		samples, err := p.samples(fn)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range samples {
			names = append(names, s.Name)
			if checks[s.Name] == nil {
				t.Errorf("events/%s has no check in infra/smoke/checks.go", s.Name)
			}
		}
	}
	for name := range checks {
		if !slices.Contains(names, name) {
			t.Errorf("checks has %s, which is no sample event of a template function", name)
		}
	}
}

// env.json gives every function every variable the template declares for it, with
// values that work: what SAM local and the smoke test run the functions with.
func TestEnvFile(t *testing.T) {
	p := mustProject(t)
	for section := range p.Env {
		if section == ParametersSection {
			continue
		}
		if !slices.ContainsFunc(p.Functions, func(fn function) bool { return fn.LogicalID == section }) {
			t.Errorf("env.json section %s is no function of template.yaml", section)
		}
	}
	everywhere := map[string]bool{}
	for _, fn := range p.Functions {
		if _, ok := p.Env[fn.LogicalID]; !ok {
			t.Errorf("env.json has no section for %s", fn.LogicalID)
		}
		if !slices.Contains(fn.Variables, "TABLE_NAME") {
			t.Errorf("%s: template variables %v lack the Globals' TABLE_NAME", fn.LogicalID, fn.Variables)
		}
		vars := p.Env.For(fn.LogicalID)
		for _, name := range fn.Variables {
			if s, ok := secretOf(name); ok {
				name = s // the smoke test puts env.json's value in the fake Secrets Manager
			}
			if vars[name] == "" {
				t.Errorf("env.json gives %s no value for %s, which template.yaml declares for it", fn.LogicalID, name)
			}
		}
		for k, v := range vars {
			if v != "" {
				everywhere[k] = true
			}
		}
	}
	for _, name := range config.Variables {
		if !everywhere[name] {
			t.Errorf("env.json gives no function a dev value for %s (config.Variables)", name)
		}
	}

	get := func(name string) string {
		v, err := p.Common(name)
		if err != nil {
			t.Error(err)
		}
		return v
	}
	if v := get("TABLE_NAME"); v != "wentitong-local" {
		t.Errorf("TABLE_NAME = %q, want wentitong-local", v)
	}
	for _, name := range []string{"DYNAMODB_ENDPOINT", "WECHAT_API_BASE"} {
		u, err := url.Parse(get(name))
		if err != nil || u.Scheme != "http" || !isLoopback(u.Hostname()) || u.Port() == "" {
			t.Errorf("%s = %q, want http://<loopback>:<port>", name, get(name))
		}
	}
	if v := get("WECHAT_ENCODING_AES_KEY"); len(v) != 43 {
		t.Errorf("WECHAT_ENCODING_AES_KEY has %d characters, want 43", len(v))
	}
	if v := get("SESSION_SECRET"); len(v) < auth.MinSecretLen {
		t.Errorf("SESSION_SECRET has %d bytes, want at least %d", len(v), auth.MinSecretLen)
	}
	if seed, err := base64.StdEncoding.DecodeString(get("TICKET_SIGNING_KEY")); err != nil || len(seed) != ed25519.SeedSize {
		t.Errorf("TICKET_SIGNING_KEY decodes to %d bytes (%v), want a base64 %d-byte Ed25519 seed", len(seed), err, ed25519.SeedSize)
	}
	if s, err := booking.NewSigner(get("TICKET_SIGNING_KEY")); err != nil || base64.StdEncoding.EncodeToString(s.PublicKey()) != get("TICKET_PUBLIC_KEY") {
		t.Errorf("TICKET_PUBLIC_KEY is not TICKET_SIGNING_KEY's public key")
	}
	plain := func(k string) string { v, _ := p.Common(k); return v } // no references: the values
	if cfg := config.From(plain); cfg.Require("WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_TOKEN") != nil {
		t.Error(cfg.Require("WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_TOKEN"))
	}
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

// A genuine signature is renewed for now and verifies; a forged one gets a fresh
// timestamp and stays forged; events without a signature are left alone.
func TestFreshen(t *testing.T) {
	p := mustProject(t)
	fn, ok := p.functionByDir("wechat")
	if !ok {
		t.Fatal("no function with CodeUri functions/wechat/")
	}
	token := p.Env.For(fn.LogicalID)["WECHAT_TOKEN"]
	now := time.Date(2026, 12, 24, 20, 0, 0, 0, time.UTC)
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(p.Root, EventsDir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	signed := func(q url.Values) bool {
		return q.Get("signature") == callback.Sign(token, q.Get("timestamp"), q.Get("nonce"))
	}
	tests := []struct {
		file       string
		wantSigned bool
	}{
		{"wechat/verify.json", true},
		{"wechat/text.json", true},
		{"wechat/text-safe.json", true},
		{"wechat/verify-forged.json", false},
	}
	for _, tt := range tests {
		before := query(read(tt.file))
		if signed(before) != tt.wantSigned {
			t.Errorf("%s as stored: signature valid = %v, want %v", tt.file, signed(before), tt.wantSigned)
		}
		out, err := freshen(read(tt.file), token, now)
		if err != nil {
			t.Fatalf("freshen(%s): %v", tt.file, err)
		}
		var ev events.APIGatewayV2HTTPRequest
		if err := decodeStrict(out, &ev); err != nil {
			t.Fatalf("freshen(%s) = %s: %v", tt.file, out, err)
		}
		q, _ := url.ParseQuery(ev.RawQueryString)
		if q.Get("timestamp") != "1798142400" || signed(q) != tt.wantSigned || ev.QueryStringParameters["signature"] != q.Get("signature") ||
			ev.RequestContext.TimeEpoch != now.UnixMilli() {
			t.Errorf("freshen(%s): query %v, queryStringParameters %v, timeEpoch %d; want timestamp 1798142400 in both, signature valid = %v",
				tt.file, q, ev.QueryStringParameters, ev.RequestContext.TimeEpoch, tt.wantSigned)
		}
		if before.Get("msg_signature") != "" {
			enc := encryptOf(mustRaw(t, ev.Body))
			if enc == "" || q.Get("msg_signature") != callback.Sign(token, q.Get("timestamp"), q.Get("nonce"), enc) {
				t.Errorf("freshen(%s): msg_signature %q does not sign the new timestamp and the body's Encrypt", tt.file, q.Get("msg_signature"))
			}
		}
		for _, k := range []string{"nonce", "echostr", "openid", "encrypt_type"} {
			if q.Get(k) != before.Get(k) {
				t.Errorf("freshen(%s): %s = %q, want it kept (%q)", tt.file, k, q.Get(k), before.Get(k))
			}
		}
		if ev.Body != "" && !strings.Contains(string(out), "<xml>") {
			t.Errorf("freshen(%s) escaped the XML body: %s", tt.file, out)
		}
	}
	for _, file := range []string{"account/signin.json", "notifier/outbox-insert.json", "scheduler/tick.json"} {
		if out, err := freshen(read(file), token, now); err != nil || !bytes.Equal(out, read(file)) {
			t.Errorf("freshen(%s) changed an event without a signature (err %v)", file, err)
		}
	}
}

// The checks refuse the answers they must refuse.
func TestChecksRefuseWrongAnswers(t *testing.T) {
	httpAnswerJSON := func(status int, body string) []byte {
		b, _ := json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: status, Body: body})
		return b
	}
	p := mustProject(t)
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(p.Root, EventsDir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	outbox := read("notifier/outbox-insert.json")
	var batch events.DynamoDBEvent
	if err := json.Unmarshal(outbox, &batch); err != nil {
		t.Fatal(err)
	}
	seq := func(i int) string { return batch.Records[i].Change.SequenceNumber }
	failures := func(ids ...string) []byte {
		var r events.DynamoDBEventResponse
		for _, id := range ids {
			r.BatchItemFailures = append(r.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: id})
		}
		b, _ := json.Marshal(r)
		return b
	}
	w, err := startWorld(context.Background(), "wentitong-check", "wx", "s")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	verify := read("wechat/verify.json")
	echostr := query(verify).Get("echostr")
	tests := []struct {
		name   string
		check  check
		event  []byte
		answer []byte
		wantOK bool
	}{
		{"verify echoes", verifyEchoes, verify, httpAnswerJSON(200, echostr), true},
		{"verify without echostr", verifyEchoes, verify, httpAnswerJSON(200, ""), false},
		{"verify refused", verifyEchoes, verify, httpAnswerJSON(403, `{"error":{"code":"signature_invalid"}}`), false},
		{"error as wanted", httpError(403, "signature_invalid"), nil, httpAnswerJSON(403, `{"error":{"code":"signature_invalid"}}`), true},
		{"error with another code", httpError(403, "signature_invalid"), nil, httpAnswerJSON(403, `{"error":{"code":"timestamp_out_of_window"}}`), false},
		{"error with another status", httpError(400, "invalid_json"), nil, httpAnswerJSON(413, `{"error":{"code":"invalid_json"}}`), false},
		{"not an HTTP answer", httpBody(200, "success"), nil, []byte(`null`), false},
		{"body as wanted", httpBody(200, "success"), nil, httpAnswerJSON(200, "success"), true},
		{"empty body", httpBody(200, "success"), nil, httpAnswerJSON(200, ""), false},
		{"outbox reported", outboxNotLost, outbox, failures(seq(0)), true},
		{"outbox lost", outboxNotLost, outbox, failures(), false},
		{"modify reported", outboxNotLost, outbox, failures(seq(0), seq(1)), false},
		{"unknown record reported", outboxNotLost, outbox, failures(seq(0), "42"), false},
		{"text reply", repliesText("电影放映"), read("wechat/text.json"), httpAnswerJSON(200,
			"<xml><ToUserName><![CDATA[o-smoke]]></ToUserName><FromUserName><![CDATA[gh]]></FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content><![CDATA[近期暂无电影放映场次，敬请关注。]]></Content></xml>"), true},
		{"text reply to another", repliesText("电影放映"), read("wechat/text.json"), httpAnswerJSON(200,
			"<xml><ToUserName><![CDATA[o-other]]></ToUserName><MsgType>text</MsgType><Content><![CDATA[近期暂无电影放映场次]]></Content></xml>"), false},
		{"text answered success", repliesText("电影放映"), read("wechat/text.json"), httpAnswerJSON(200, "success"), false},
		{"safe reply not encrypted", repliesText("电影放映"), read("wechat/text-safe.json"), httpAnswerJSON(200,
			"<xml><ToUserName><![CDATA[o-smoke]]></ToUserName><MsgType>text</MsgType><Content><![CDATA[近期暂无电影放映场次]]></Content></xml>"), false},
		{"tick", succeedsWithNothing, nil, []byte("null"), true},
		{"tick with a result", succeedsWithNothing, nil, []byte(`{"ok":true}`), false},
	}
	for _, tt := range tests {
		_, err := tt.check(context.Background(), w, invocation{Event: tt.event, Answer: tt.answer})
		if (err == nil) != tt.wantOK {
			t.Errorf("%s: check(%s) = %v, want ok = %v", tt.name, tt.answer, err, tt.wantOK)
		}
	}
	if got := functionError([]byte(`{"errorMessage":"boom","errorType":"errorString"}`)); got != "errorString: boom" {
		t.Errorf("functionError of an error payload = %q, want errorString: boom", got)
	}
	if got := functionError(httpAnswerJSON(200, "errorMessage")); got != "" {
		t.Errorf("functionError of an HTTP answer = %q, want none", got)
	}
}

// mustRaw is body as the JSON string freshen reads from an event.
func mustRaw(t *testing.T, body string) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
