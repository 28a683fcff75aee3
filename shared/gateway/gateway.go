// Package gateway is the official account's server callback (GET and POST /wechat): the
// WeChat platform's only way to talk to the platform.
package gateway

import (
	"bytes"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/privacy"
	"github.com/wentitong/wentitong/shared/web"
)

// Errors of the callback.
var (
	ErrSignature = fault.New(fault.Forbidden, "signature_invalid", "签名校验失败")
	ErrReplay    = fault.New(fault.Forbidden, "timestamp_out_of_window", "请求时间戳超出允许范围")
	ErrEchostr   = fault.New(fault.Invalid, "echostr_missing", "缺少 echostr 参数")
	ErrMessage   = fault.New(fault.Invalid, "message_invalid", "消息格式无效")
)

// MaxBodyBytes bounds a callback body; WeChat's messages are a few kilobytes.
const MaxBodyBytes = 256 << 10

// Gateway answers the WeChat server callback.
type Gateway struct {
	OA    *officialaccount.OfficialAccount
	Token string // WECHAT_TOKEN, the key of the URL signature
	Now   func() time.Time
	// MaxSkew is how far a request's timestamp may be from now (default 5 minutes);
	// older or newer requests are refused as replays.
	MaxSkew time.Duration
	// Reply answers a message or event; nil means "success" (no reply).
	Reply func(r *http.Request, msg *message.MixMessage) *message.Reply
}

// Handler returns the router serving GET and POST /wechat.
func (g *Gateway) Handler() *web.Router {
	rt := web.NewRouter()
	rt.Handle("GET /wechat", g.verify)
	rt.Handle("POST /wechat", g.receive)
	return rt
}

// Sign computes WeChat's URL signature: the SHA-1 of the sorted, concatenated strings.
func Sign(parts ...string) string {
	s := append([]string(nil), parts...)
	sort.Strings(s)
	sum := sha1.Sum([]byte(strings.Join(s, "")))
	return hex.EncodeToString(sum[:])
}

// check validates the URL signature in constant time and the timestamp's freshness.
func (g *Gateway) check(r *http.Request) error {
	q := r.URL.Query()
	want := Sign(g.Token, q.Get("timestamp"), q.Get("nonce"))
	if subtle.ConstantTimeCompare([]byte(q.Get("signature")), []byte(want)) != 1 {
		return ErrSignature
	}
	ts, err := strconv.ParseInt(q.Get("timestamp"), 10, 64)
	if err != nil {
		return ErrReplay
	}
	skew := g.MaxSkew
	if skew == 0 {
		skew = 5 * time.Minute
	}
	if d := g.Now().Sub(time.Unix(ts, 0)); d > skew || d < -skew {
		return ErrReplay
	}
	return nil
}

// verify answers the platform's server verification: echostr back when signed.
func (g *Gateway) verify(w http.ResponseWriter, r *http.Request) {
	if err := g.check(r); err != nil {
		g.refuse(w, r, err)
		return
	}
	echostr := r.URL.Query().Get("echostr")
	if echostr == "" {
		web.Error(w, r, ErrEchostr)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(echostr))
}

// receive handles a message or event in plain, compatible or safe mode.
func (g *Gateway) receive(w http.ResponseWriter, r *http.Request) {
	if err := g.check(r); err != nil {
		g.refuse(w, r, err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		web.Error(w, r, web.ErrBodyTooLarge.Wrap(err))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	srv := g.OA.GetServer(r, w)
	srv.SkipValidate(true) // checked above, in constant time
	replied := false
	srv.SetMessageHandler(func(msg *message.MixMessage) *message.Reply {
		if g.Reply == nil {
			return nil
		}
		reply := g.Reply(r, msg)
		replied = reply != nil
		return reply
	})
	if err := srv.Serve(); err != nil {
		web.Logger(r.Context()).Warn("wechat message refused", "err", privacy.Redact(err.Error()))
		web.Error(w, r, ErrMessage)
		return
	}
	if !replied {
		// In safe mode the SDK writes nothing for a nil reply; WeChat wants "success".
		if r.URL.Query().Get("encrypt_type") == "aes" {
			_, _ = w.Write([]byte("success"))
		}
		return
	}
	if err := srv.Send(); err != nil {
		web.Logger(r.Context()).Error("wechat reply failed", "err", privacy.Redact(err.Error()))
	}
}

func (g *Gateway) refuse(w http.ResponseWriter, r *http.Request, err error) {
	web.Logger(r.Context()).Warn("wechat callback refused", slog.String("code", fault.CodeOf(err)),
		slog.String("openid", privacy.OpenID(r.URL.Query().Get("openid"))))
	web.Error(w, r, err)
}
