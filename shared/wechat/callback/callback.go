// Package callback is the official account's server callback (GET and POST /wechat): the
// WeChat platform's only way to talk to the platform. docs/decisions.md (28) says how it
// answers.
package callback

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/access"

	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/privacy"
	"github.com/wentitong/wentitong/shared/web"
)

// Errors of the callback.
var (
	ErrSignature    = fault.New(fault.Forbidden, "signature_invalid", "签名校验失败")
	ErrMsgSignature = fault.New(fault.Forbidden, "msg_signature_invalid", "消息签名校验失败")
	ErrReplay       = fault.New(fault.Forbidden, "timestamp_out_of_window", "请求时间戳超出允许范围")
	ErrEchostr      = fault.New(fault.Invalid, "echostr_missing", "缺少验证参数")
	ErrMessage      = fault.New(fault.Invalid, "message_invalid", "消息格式无效")
	ErrEncryptType  = fault.New(fault.Invalid, "encrypt_type_invalid", "不支持的加密方式")
	ErrPlaintext    = fault.New(fault.Forbidden, "encryption_required", "安全模式下只接受加密消息")
)

// The message modes, as the account is set in WeChat (基本配置 → 消息加解密方式) and
// configured in WECHAT_MESSAGE_MODE.
const (
	// ModePlain (明文模式): plaintext posts only; an encrypted one is refused.
	ModePlain = "plain"
	// ModeCompat (兼容模式): both, as while switching to safe mode.
	ModeCompat = "compat"
	// ModeSafe (安全模式): encrypted posts only. A plaintext post is refused, because
	// the URL signature covers only the token, timestamp and nonce: without the message
	// signature over the body, one captured URL could carry any body.
	ModeSafe = "safe"
)

// ValidMode reports whether m names a message mode.
func ValidMode(m string) bool { return m == ModePlain || m == ModeCompat || m == ModeSafe }

// MaxBodyBytes bounds a callback body; WeChat's messages are a few kilobytes.
const MaxBodyBytes = 256 << 10

// DefaultDedupTTL is how long a delivery is remembered: longer than WeChat's retries
// (three within about 15 s) and than the timestamp window, so a captured request
// replayed while its timestamp is still accepted is answered from the record.
const DefaultDedupTTL = 10 * time.Minute

// Responder answers a message or event. It must not call the WeChat API: work that may
// be slow goes to the outbox. An error means the answer could not be worked out (a
// dependency failing); nothing is recorded then, so that a retry may try again.
//
// A delivery that Once reports is claimed before Respond is called and answered once
// (retries get the recorded reply). Any other may be answered more than once when
// retries overlap, so Respond must change nothing for it, or only what a repeat leaves
// as it is (a subscription, a reported location); its reply is recorded after, in the
// same single write that tells retries apart.
type Responder interface {
	Respond(ctx context.Context, msg *message.MixMessage) (Reply, error)
	// Once reports whether answering msg changes state that a second answer would
	// change again (files a ticket, admits a ticket, routes a QR code's scan).
	Once(msg *message.MixMessage) bool
}

// Server answers the WeChat server callback.
type Server struct {
	OA    *officialaccount.OfficialAccount // the SDK's parser, AES and reply builder
	Token string                           // WECHAT_TOKEN, the key of both signatures
	Now   func() time.Time
	// MaxSkew is how far a request's timestamp may be from now (default 5 minutes);
	// older or newer requests are refused as replays.
	MaxSkew time.Duration
	// Deliveries remembers answered deliveries; nil turns deduplication off.
	Deliveries Deliveries
	// DedupTTL is how long a delivery is remembered (default DefaultDedupTTL).
	DedupTTL time.Duration
	// Chat answers messages and events; nil answers every one "success".
	Chat Responder
	// Budget bounds the work on one delivery (default 3 s), so that WeChat, which gives
	// up after 5 s, gets an answer even when a dependency is slow.
	Budget time.Duration
	// Mode is the message mode (ModePlain, ModeCompat, ModeSafe); "" accepts both, as
	// ModeCompat does.
	Mode string
}

// Handler returns the router serving GET and POST /wechat.
func (g *Server) Handler() *web.Router {
	rt := web.NewRouter(nil)
	// Public: the signatures, checked by the handlers, are WeChat's credentials.
	rt.Handle("GET /wechat", access.Public, g.verify)
	rt.Handle("POST /wechat", access.Public, g.receive)
	return rt
}

// Sign computes WeChat's signature: the hex SHA-1 of the sorted, concatenated strings.
// The URL signature signs (token, timestamp, nonce); safe mode's msg_signature signs
// (token, timestamp, nonce, Encrypt).
func Sign(parts ...string) string {
	s := append([]string(nil), parts...)
	sort.Strings(s)
	sum := sha1.Sum([]byte(strings.Join(s, "")))
	return hex.EncodeToString(sum[:])
}

// equal compares a received signature with the expected one in constant time.
func equal(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// check validates the URL signature in constant time and the timestamp's freshness.
func (g *Server) check(r *http.Request) error {
	q := r.URL.Query()
	if !equal(q.Get("signature"), Sign(g.Token, q.Get("timestamp"), q.Get("nonce"))) {
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
func (g *Server) verify(w http.ResponseWriter, r *http.Request) {
	if err := g.check(r); err != nil {
		g.refuse(w, r, err, "")
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

// checkEncrypted verifies safe mode's msg_signature over the body's Encrypt element in
// constant time, before the SDK (whose own check uses ==) decrypts anything.
func (g *Server) checkEncrypted(r *http.Request, body []byte) error {
	var env message.EncryptedXMLMsg
	if err := xml.Unmarshal(body, &env); err != nil || env.EncryptedMsg == "" {
		return ErrMessage
	}
	q := r.URL.Query()
	if !equal(q.Get("msg_signature"), Sign(g.Token, q.Get("timestamp"), q.Get("nonce"), env.EncryptedMsg)) {
		return ErrMsgSignature
	}
	return nil
}

// receive handles a message or event in plain, compatible or safe mode.
func (g *Server) receive(w http.ResponseWriter, r *http.Request) {
	if err := g.check(r); err != nil {
		g.refuse(w, r, err, "")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		g.refuse(w, r, web.ErrBodyTooLarge.Wrap(err), "")
		return
	}
	switch r.URL.Query().Get("encrypt_type") {
	case "", "raw":
		if g.Mode == ModeSafe {
			g.refuse(w, r, ErrPlaintext, "")
			return
		}
	case "aes":
		if g.Mode == ModePlain {
			g.refuse(w, r, ErrEncryptType, "encrypted post in plain mode")
			return
		}
		if err := g.checkEncrypted(r, body); err != nil {
			g.refuse(w, r, err, "")
			return
		}
	default:
		g.refuse(w, r, ErrEncryptType, "")
		return
	}
	// The SDK parses, decrypts and builds the reply into buf; what reaches the client
	// is decided below, so that a refusal is never preceded by the SDK's "success".
	r.Body = io.NopCloser(bytes.NewReader(body))
	buf := newBuffer()
	srv := g.OA.GetServer(r, buf)
	srv.SkipValidate(true) // both signatures are checked above, in constant time
	var (
		reply   *message.Reply
		invalid string // why a parsed message is refused
	)
	srv.SetMessageHandler(func(msg *message.MixMessage) *message.Reply {
		if invalid = malformed(msg); invalid != "" {
			return nil
		}
		reply = g.answer(r.Context(), msg)
		return reply
	})
	if err := srv.Serve(); err != nil {
		g.refuse(w, r, ErrMessage.Wrap(err), "sdk: "+firstLine(err.Error()))
		return
	}
	if invalid != "" {
		g.refuse(w, r, ErrMessage, invalid)
		return
	}
	if reply == nil {
		// In safe mode the SDK writes nothing for a nil reply; WeChat wants "success".
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("success"))
		return
	}
	if err := srv.Send(); err != nil {
		web.Logger(r.Context()).Error("wechat reply failed", "err", privacy.Redact(err.Error()))
		_, _ = w.Write([]byte("success"))
		return
	}
	buf.copyTo(w)
}

// malformed names what makes a parsed message unusable, or returns "".
func malformed(msg *message.MixMessage) string {
	switch {
	case msg.FromUserName == "":
		return "no FromUserName"
	case msg.ToUserName == "":
		return "no ToUserName"
	case msg.MsgType == "":
		return "no MsgType"
	case msg.CreateTime <= 0:
		return "no CreateTime"
	case msg.MsgType == message.MsgTypeEvent && msg.Event == "":
		return "event without Event"
	}
	return ""
}

// answer works out the reply to one delivery. A delivery the chat must answer once is
// claimed first (retries in flight get "success", later ones the recorded reply) and
// its reply recorded after: two writes. Any other, the common case, is answered first
// and then claimed with its reply in one write; a retry that finds the record answers
// with the recorded reply. A delivery with no reply to record (LOCATION, unsubscribe)
// writes no record: answering it again changes nothing. A failure becomes a short
// apology that is not remembered, so a retry may do better.
func (g *Server) answer(ctx context.Context, msg *message.MixMessage) *message.Reply {
	budget := g.Budget
	if budget <= 0 {
		budget = 3 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	log := web.Logger(ctx).With(slog.String("openid", privacy.OpenID(string(msg.FromUserName))),
		slog.String("msgType", string(msg.MsgType)), slog.String("event", string(msg.Event)))
	key := DeliveryKey(msg)
	now := g.Now()
	// The apology only where WeChat shows a reply; LOCATION and the like get "success".
	busy := Busy.sdk()
	if !Replies(msg) {
		busy = nil
	}
	once := g.Deliveries != nil && g.Chat != nil && g.Chat.Once(msg)
	if once {
		d, err := g.Deliveries.Claim(ctx, key, now, g.ttl())
		if err != nil {
			log.Error("claim delivery", "err", privacy.Redact(err.Error()))
			return busy
		}
		if !d.Claimed {
			return g.recorded(log, d)
		}
	}
	var reply Reply
	if g.Chat != nil {
		var err error
		reply, err = g.Chat.Respond(ctx, msg)
		if err != nil {
			log.Error("wechat message failed", "err", privacy.Redact(err.Error()))
			if once {
				// The budget may be spent: release on a short deadline of its own.
				rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 500*time.Millisecond)
				defer cancel()
				if err := g.Deliveries.Release(rctx, key); err != nil {
					log.Error("release delivery", "err", privacy.Redact(err.Error()))
				}
			}
			return busy
		}
	}
	switch {
	case once:
		if err := g.Deliveries.Answer(ctx, key, reply.encode(), now, g.ttl()); err != nil {
			log.Error("record answer", "err", privacy.Redact(err.Error()))
		}
	case g.Deliveries != nil && !reply.IsZero():
		d, err := g.Deliveries.Record(ctx, key, reply.encode(), now, g.ttl())
		if err != nil {
			log.Error("record delivery", "err", privacy.Redact(err.Error()))
		} else if !d.Claimed {
			return g.recorded(log, d)
		}
	}
	return reply.sdk()
}

// recorded answers a retry from what the record of its first delivery says: nothing
// ("success") while the first is being answered, else the first's reply.
func (g *Server) recorded(log *slog.Logger, d Delivery) *message.Reply {
	log.Info("wechat retry answered from the record", "answered", d.Answered)
	if !d.Answered {
		return nil
	}
	stored, err := decodeReply(d.Reply)
	if err != nil {
		log.Error("stored reply", "err", err)
		return nil
	}
	return stored.sdk()
}

func (g *Server) ttl() time.Duration {
	if g.DedupTTL > 0 {
		return g.DedupTTL
	}
	return DefaultDedupTTL
}

// refuse answers a refused request and logs only the code, the masked openid and the
// reason, never the body or the query.
func (g *Server) refuse(w http.ResponseWriter, r *http.Request, err error, reason string) {
	attrs := []any{slog.String("code", fault.CodeOf(err)), slog.String("openid", privacy.OpenID(r.URL.Query().Get("openid")))}
	if reason != "" {
		attrs = append(attrs, slog.String("reason", privacy.Redact(reason)))
	}
	web.Logger(r.Context()).Warn("wechat callback refused", attrs...)
	web.Error(w, r, err)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// buffer is the ResponseWriter handed to the SDK.
type buffer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newBuffer() *buffer                      { return &buffer{header: http.Header{}} }
func (b *buffer) Header() http.Header         { return b.header }
func (b *buffer) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *buffer) WriteHeader(status int)      { b.status = status }

func (b *buffer) copyTo(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	if b.status != 0 {
		w.WriteHeader(b.status)
	}
	_, _ = w.Write(b.body.Bytes())
}
