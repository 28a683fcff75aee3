package wechattest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"

	"github.com/wentitong/wentitong/shared/wechat/callback"
)

// The callback's message modes, as set on WeChat's admin console.
const (
	ModePlain  = "plain"  // 明文模式: the body is the message
	ModeCompat = "compat" // 兼容模式: the message and its encryption side by side
	ModeSafe   = "safe"   // 安全模式: the body carries only the encrypted message
)

// Account is what the WeChat platform holds to post to an official account's server:
// the account's AppID, its callback Token and EncodingAESKey. It signs deliveries and
// opens replies as WeChat does, with the SDK's crypto.
type Account struct {
	AppID  string
	Token  string
	AESKey string // 43 characters; needed by compat and safe mode
}

// Post is one signed delivery: the query string and the body WeChat posts.
type Post struct {
	Query url.Values
	Body  []byte
}

// Seal makes the delivery of a plaintext message (its XML) from openid (WeChat adds it
// to the query; "" leaves it out) in mode, signed at now with nonce.
func (a Account) Seal(mode, openid string, plain []byte, now time.Time, nonce string) (Post, error) {
	ts := strconv.FormatInt(now.Unix(), 10)
	q := url.Values{"timestamp": {ts}, "nonce": {nonce}, "signature": {callback.Sign(a.Token, ts, nonce)}}
	if openid != "" {
		q.Set("openid", openid)
	}
	if mode == ModePlain {
		return Post{Query: q, Body: plain}, nil
	}
	if mode != ModeCompat && mode != ModeSafe {
		return Post{}, fmt.Errorf("message mode %q: want plain, compat or safe", mode)
	}
	enc, err := util.EncryptMsg([]byte(util.RandomStr(16)), plain, a.AppID, a.AESKey)
	if err != nil {
		return Post{}, fmt.Errorf("encrypt: %w", err)
	}
	q.Set("encrypt_type", "aes")
	q.Set("msg_signature", callback.Sign(a.Token, ts, nonce, string(enc)))
	element := "<Encrypt><![CDATA[" + string(enc) + "]]></Encrypt>"
	if mode == ModeCompat {
		return Post{Query: q, Body: bytes.Replace(plain, []byte("</xml>"), []byte(element+"</xml>"), 1)}, nil
	}
	var env struct {
		ToUserName string `xml:"ToUserName"`
	}
	_ = xml.Unmarshal(plain, &env) // a message without ToUserName is sealed without it
	return Post{Query: q, Body: []byte("<xml><ToUserName><![CDATA[" + env.ToUserName + "]]></ToUserName>" + element + "</xml>")}, nil
}

// Request returns the POST of the delivery to the callback at url (…/wechat).
func (p Post) Request(callbackURL string) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, callbackURL+"?"+p.Query.Encode(), bytes.NewReader(p.Body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "text/xml")
	return req, nil
}

// ErrReplySignature is returned by Open for an encrypted reply whose MsgSignature does
// not verify with the account's token.
var ErrReplySignature = errors.New("reply MsgSignature does not verify")

// Open returns the plaintext of the callback's answer: an encrypted reply is checked
// (MsgSignature) and decrypted; a plain reply, "success" or an empty answer is returned
// as it is.
func (a Account) Open(answer []byte) ([]byte, error) {
	if !bytes.Contains(answer, []byte("<Encrypt>")) {
		return answer, nil
	}
	var env message.ResponseEncryptedXMLMsg
	if err := xml.Unmarshal(answer, &env); err != nil || env.EncryptedMsg == "" {
		return nil, fmt.Errorf("encrypted reply: %q", firstBytes(answer, 200))
	}
	if env.MsgSignature != callback.Sign(a.Token, strconv.FormatInt(env.Timestamp, 10), env.Nonce, env.EncryptedMsg) {
		return nil, ErrReplySignature
	}
	_, plain, err := util.DecryptMsg(a.AppID, env.EncryptedMsg, a.AESKey)
	if err != nil {
		return nil, fmt.Errorf("decrypt reply: %w", err)
	}
	return plain, nil
}

func firstBytes(b []byte, n int) string {
	s := string(b)
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "?")
}
