// Package wechattest provides a fake WeChat Official Account API that records what it was asked to send.
package wechattest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Op names an endpoint of the fake, for fault injection and call counts.
type Op string

// The endpoints the fake serves.
const (
	OpToken       Op = "token"        // GET /cgi-bin/token
	OpStableToken Op = "stable_token" // POST /cgi-bin/stable_token
	OpTemplate    Op = "template"     // POST /cgi-bin/message/template/send
	OpSubscribe   Op = "subscribe"    // POST /cgi-bin/message/subscribe/bizsend
	OpCustom      Op = "custom"       // POST /cgi-bin/message/custom/send
	OpQRCode      Op = "qrcode"       // POST /cgi-bin/qrcode/create
	OpOAuth       Op = "oauth"        // GET /sns/oauth2/access_token
	OpMenu        Op = "menu"         // POST /cgi-bin/menu/create
	OpTicket      Op = "ticket"       // GET /cgi-bin/ticket/getticket?type=jsapi
)

// Message is a message the fake was asked to send.
type Message struct {
	Kind        string          `json:"kind"` // "template", "subscribe", "custom" or "mini_subscribe" (the mini program's)
	ToUser      string          `json:"toUser"`
	TemplateID  string          `json:"templateId,omitempty"`
	Data        json.RawMessage `json:"data"`          // the template data; for custom messages the whole body but touser
	URL         string          `json:"url,omitempty"` // template url; subscribe page
	ClientMsgID string          `json:"clientMsgId,omitempty"`
	SentAt      time.Time       `json:"sentAt"`
}

// QRCode is a parametric QR code the fake created.
type QRCode struct {
	ActionName    string    `json:"actionName"` // QR_SCENE, QR_STR_SCENE, QR_LIMIT_SCENE or QR_LIMIT_STR_SCENE
	SceneID       int64     `json:"sceneId,omitempty"`
	SceneStr      string    `json:"sceneStr,omitempty"`
	ExpireSeconds int64     `json:"expireSeconds,omitempty"` // 0 for permanent codes
	Ticket        string    `json:"ticket"`
	URL           string    `json:"url"`
	CreatedAt     time.Time `json:"createdAt"`
}

const (
	tokenTTL    = 7200 * time.Second
	stableGrace = 5 * time.Minute  // stable_token renews a token this close to expiry
	dedupWindow = 10 * time.Minute // how long WeChat promises client_msg_id dedup
	maxBody     = 1 << 20
)

// Fake is a fake WeChat API, an http.Handler safe for concurrent use.
//
// Tokens: /cgi-bin/token issues a new token each call and invalidates the one it issued
// before (WeChat keeps the old one for five more minutes; the fake does not).
// /cgi-bin/stable_token returns the current stable token, with the seconds it has left,
// until it is within five minutes of expiry; force_refresh replaces it at once. The
// two kinds are independent, as in WeChat. Every other endpoint but OAuth needs a
// token: missing is 41001, unknown or invalidated 40001, expired 42001.
//
// Dedup: WeChat documents that it sends one template message per (touser,
// client_msg_id) within ten minutes, and promises nothing after. The fake models that:
// a repeat within ten minutes records nothing and answers success with the first
// msgid (what WeChat answers to a repeat is undocumented); a later repeat is sent again.
//
// OAuth: the code "dev:<openid>" signs in as openid, and may be used any number of
// times for convenience in local runs; WeChat accepts a code once and answers 40163
// after, which FailNext(OpOAuth, 40163, 1) imitates. The mini program's code2session
// (MiniAppID, MiniAppSecret) takes "dev:<mini program openid>" the same way; BindUnion
// makes openids of both apps one WeChat user, whose unionid both exchanges report.
type Fake struct {
	appID, appSecret string

	mu          sync.Mutex
	now         func() time.Time
	tokens      map[string]time.Time // access token → expiry
	plainToken  string               // the latest token from /cgi-bin/token
	miniToken   string               // the mini program's latest token from /cgi-bin/token
	stableToken string               // the current token from /cgi-bin/stable_token
	sent        []Message
	msgIDs      map[dedupKey]dedupEntry
	lastMsgID   int64
	qrcodes     []QRCode
	menu        json.RawMessage
	faults      map[Op]fault
	calls       map[Op]int
	jsTicket    string
	jsTicketExp time.Time
	suggested   []string          // openids the authorisation page offers
	unions      map[string]string // openid → unionid (BindUnion)
}

type dedupKey struct{ toUser, clientMsgID string }

type dedupEntry struct {
	msgID int64
	at    time.Time
}

type fault struct{ errcode, times int }

// NewFake returns a fake that accepts appID and appSecret.
func NewFake(appID, appSecret string) *Fake {
	f := &Fake{appID: appID, appSecret: appSecret, now: time.Now, tokens: map[string]time.Time{}, unions: map[string]string{}}
	f.reset()
	return f
}

// SetNow sets the clock the fake uses for token expiry, dedup and SentAt.
func (f *Fake) SetNow(now func() time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = now
}

// Sent returns the messages sent so far, newest last.
func (f *Fake) Sent() []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Message, len(f.sent))
	for i, m := range f.sent {
		m.Data = bytes.Clone(m.Data)
		out[i] = m
	}
	return out
}

// QRCodes returns the QR codes created so far, newest last.
func (f *Fake) QRCodes() []QRCode {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]QRCode(nil), f.qrcodes...)
}

// Menu returns the menu last created, or nil.
func (f *Fake) Menu() json.RawMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return bytes.Clone(f.menu)
}

// Calls returns how many calls of op the fake has answered, failed ones included.
func (f *Fake) Calls(op Op) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// FailNext makes the next times calls of op answer errcode, with WeChat's errmsg for
// it, doing nothing else; times <= 0 cancels. A token error (40001, 40014, 42001) also
// invalidates the token the call presented, as if another client had refreshed it, so
// the caller must fetch a new one.
func (f *Fake) FailNext(op Op, errcode, times int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if times <= 0 {
		delete(f.faults, op)
		return
	}
	f.faults[op] = fault{errcode: errcode, times: times}
}

// Reset forgets what was sent, QR codes, the menu, dedup, faults and call counts.
// Issued tokens stay valid, as the callers' caches still hold them.
func (f *Fake) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reset()
}

func (f *Fake) reset() {
	f.sent = nil
	f.msgIDs = map[dedupKey]dedupEntry{}
	f.qrcodes = nil
	f.menu = nil
	f.faults = map[Op]fault{}
	f.calls = map[Op]int{}
}

type endpoint struct {
	op     Op
	method string
	token  bool // needs ?access_token=
	serve  func(f *Fake, q url.Values, body []byte) any
}

var endpoints = map[string]endpoint{
	"/cgi-bin/token":                     {OpToken, http.MethodGet, false, (*Fake).token},
	"/cgi-bin/stable_token":              {OpStableToken, http.MethodPost, false, (*Fake).stable},
	"/cgi-bin/message/template/send":     {OpTemplate, http.MethodPost, true, (*Fake).template},
	"/cgi-bin/message/subscribe/bizsend": {OpSubscribe, http.MethodPost, true, (*Fake).subscribe},
	"/cgi-bin/message/custom/send":       {OpCustom, http.MethodPost, true, (*Fake).custom},
	"/cgi-bin/qrcode/create":             {OpQRCode, http.MethodPost, true, (*Fake).qrcode},
	"/sns/oauth2/access_token":           {OpOAuth, http.MethodGet, false, (*Fake).oauth},
	"/sns/jscode2session":                {OpCode2Session, http.MethodGet, false, (*Fake).code2session},
	"/wxa/business/getuserphonenumber":   {OpPhone, http.MethodPost, true, (*Fake).phoneNumber},
	"/cgi-bin/message/subscribe/send":    {OpMiniSubscribe, http.MethodPost, true, (*Fake).miniSubscribe},
	"/cgi-bin/menu/create":               {OpMenu, http.MethodPost, true, (*Fake).createMenu},
	"/cgi-bin/ticket/getticket":          {OpTicket, http.MethodGet, true, (*Fake).ticket},
}

// ServeHTTP answers like WeChat: always HTTP 200, errors as {"errcode", "errmsg"}.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == AuthorizePath {
		f.authorize(w, r)
		return
	}
	ep, found := endpoints[r.URL.Path]
	if !found {
		writeJSON(w, apiErr(40066))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	f.mu.Lock()
	reply := f.answer(ep, r.Method, r.URL.Query(), body, err)
	f.mu.Unlock()
	writeJSON(w, reply)
}

// answer checks a call in the order WeChat does, then lets the endpoint serve it.
func (f *Fake) answer(ep endpoint, method string, q url.Values, body []byte, readErr error) any {
	f.calls[ep.op]++
	if method != ep.method {
		if ep.method == http.MethodGet {
			return apiErr(43001)
		}
		return apiErr(43002)
	}
	if f.faults[ep.op].times > 0 {
		return f.injected(ep.op, q.Get("access_token"))
	}
	if ep.token {
		if code := f.checkToken(q.Get("access_token")); code != 0 {
			return apiErr(code)
		}
	}
	if readErr != nil {
		return apiErr(47001)
	}
	if ep.method == http.MethodPost && len(bytes.TrimSpace(body)) == 0 {
		return apiErr(44002)
	}
	return ep.serve(f, q, body)
}

func (f *Fake) injected(op Op, token string) apiError {
	ft := f.faults[op]
	ft.times--
	f.faults[op] = ft
	switch ft.errcode {
	case 40001, 40014, 42001:
		delete(f.tokens, token)
		if token == f.stableToken {
			f.stableToken = ""
		}
	}
	return apiErr(ft.errcode)
}

func (f *Fake) checkToken(token string) int {
	exp, ok := f.tokens[token]
	switch {
	case token == "":
		return 41001
	case !ok:
		return 40001
	case !f.now().Before(exp):
		return 42001
	}
	return 0
}

func (f *Fake) checkApp(appID, secret string) int {
	switch {
	case appID == "":
		return 41002
	case appID != f.appID:
		return 40013
	case secret == "":
		return 41004
	case secret != f.appSecret:
		return 40125
	}
	return 0
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
}

func (f *Fake) token(q url.Values, _ []byte) any {
	if q.Get("appid") == MiniAppID { // the mini program's own token, for its phone numbers
		if q.Get("secret") != MiniAppSecret {
			return apiErr(40125)
		}
		delete(f.tokens, f.miniToken)
		f.miniToken = f.issue()
		return tokenResponse{AccessToken: f.miniToken, ExpiresIn: int64(tokenTTL / time.Second)}
	}
	if code := f.checkApp(q.Get("appid"), q.Get("secret")); code != 0 {
		return apiErr(code)
	}
	if q.Get("grant_type") != "client_credential" {
		return apiErr(40002)
	}
	delete(f.tokens, f.plainToken)
	f.plainToken = f.issue()
	return tokenResponse{AccessToken: f.plainToken, ExpiresIn: int64(tokenTTL / time.Second)}
}

func (f *Fake) stable(_ url.Values, body []byte) any {
	var req struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return apiErr(47001)
	}
	if code := f.checkApp(req.AppID, req.Secret); code != 0 {
		return apiErr(code)
	}
	if req.GrantType != "client_credential" {
		return apiErr(40002)
	}
	if req.ForceRefresh {
		delete(f.tokens, f.stableToken)
		f.stableToken = ""
	}
	exp, valid := f.tokens[f.stableToken]
	if !valid || exp.Sub(f.now()) < stableGrace {
		f.stableToken = f.issue()
		exp = f.tokens[f.stableToken]
	}
	return tokenResponse{AccessToken: f.stableToken, ExpiresIn: int64(exp.Sub(f.now()) / time.Second)}
}

// issue makes a new access token valid for two hours.
func (f *Fake) issue() string {
	t := randomString(48)
	f.tokens[t] = f.now().Add(tokenTTL)
	return t
}

type okResponse struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
	MsgID   int64  `json:"msgid,omitempty"`
}

var okReply = okResponse{ErrMsg: "ok"}

func (f *Fake) template(_ url.Values, body []byte) any {
	var req struct {
		ToUser      string          `json:"touser"`
		TemplateID  string          `json:"template_id"`
		URL         string          `json:"url"`
		Data        json.RawMessage `json:"data"`
		ClientMsgID string          `json:"client_msg_id"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return apiErr(47001)
	}
	if code := checkMessage(req.ToUser, req.TemplateID, req.Data); code != 0 {
		return apiErr(code)
	}
	now := f.now()
	key := dedupKey{req.ToUser, req.ClientMsgID}
	if e, seen := f.msgIDs[key]; seen && req.ClientMsgID != "" && now.Sub(e.at) < dedupWindow {
		return okResponse{ErrMsg: "ok", MsgID: e.msgID}
	}
	f.lastMsgID++
	if req.ClientMsgID != "" {
		f.msgIDs[key] = dedupEntry{msgID: f.lastMsgID, at: now}
	}
	f.sent = append(f.sent, Message{
		Kind: "template", ToUser: req.ToUser, TemplateID: req.TemplateID, Data: req.Data,
		URL: req.URL, ClientMsgID: req.ClientMsgID, SentAt: now,
	})
	return okResponse{ErrMsg: "ok", MsgID: f.lastMsgID}
}

func (f *Fake) subscribe(_ url.Values, body []byte) any { return f.recordSubscribe("subscribe", body) }

// recordSubscribe checks and records a subscribe message (the official account's, or
// the mini program's: their bodies are alike) as kind.
func (f *Fake) recordSubscribe(kind string, body []byte) any {
	var req struct {
		ToUser     string          `json:"touser"`
		TemplateID string          `json:"template_id"`
		Page       string          `json:"page"`
		Data       json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return apiErr(47001)
	}
	if code := checkMessage(req.ToUser, req.TemplateID, req.Data); code != 0 {
		return apiErr(code)
	}
	f.sent = append(f.sent, Message{
		Kind: kind, ToUser: req.ToUser, TemplateID: req.TemplateID, Data: req.Data,
		URL: req.Page, SentAt: f.now(),
	})
	return okReply
}

func checkMessage(toUser, templateID string, data json.RawMessage) int {
	switch {
	case toUser == "":
		return 40003
	case templateID == "":
		return 40037
	case len(data) == 0 || data[0] != '{':
		return 47001
	}
	return 0
}

func (f *Fake) custom(_ url.Values, body []byte) any {
	var req map[string]json.RawMessage
	if err := json.Unmarshal(body, &req); err != nil {
		return apiErr(47001)
	}
	var toUser, msgType string
	if json.Unmarshal(req["touser"], &toUser) != nil || toUser == "" {
		return apiErr(40003)
	}
	if json.Unmarshal(req["msgtype"], &msgType) != nil || msgType == "" || req[msgType] == nil {
		return apiErr(40008)
	}
	delete(req, "touser")
	data, err := json.Marshal(req)
	if err != nil {
		return apiErr(47001)
	}
	f.sent = append(f.sent, Message{Kind: "custom", ToUser: toUser, Data: data, SentAt: f.now()})
	return okReply
}

type qrResponse struct {
	Ticket        string `json:"ticket"`
	ExpireSeconds int64  `json:"expire_seconds,omitempty"`
	URL           string `json:"url"`
}

func (f *Fake) qrcode(_ url.Values, body []byte) any {
	var req struct {
		ExpireSeconds int64  `json:"expire_seconds"`
		ActionName    string `json:"action_name"`
		ActionInfo    struct {
			Scene struct {
				SceneID  int64  `json:"scene_id"`
				SceneStr string `json:"scene_str"`
			} `json:"scene"`
		} `json:"action_info"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return apiErr(47001)
	}
	var maxID int64 // the largest scene_id; 0 for string scenes
	switch req.ActionName {
	case "QR_SCENE":
		maxID = 1<<32 - 1
	case "QR_LIMIT_SCENE":
		maxID = 100000
	case "QR_STR_SCENE", "QR_LIMIT_STR_SCENE":
	default:
		return apiErr(40097)
	}
	qr := QRCode{ActionName: req.ActionName, CreatedAt: f.now()}
	scene := req.ActionInfo.Scene
	if maxID > 0 {
		if scene.SceneID < 1 || scene.SceneID > maxID {
			return apiErr(40097)
		}
		qr.SceneID = scene.SceneID
	} else {
		if n := utf8.RuneCountInString(scene.SceneStr); n < 1 || n > 64 {
			return apiErr(40097)
		}
		qr.SceneStr = scene.SceneStr
	}
	if !strings.HasPrefix(req.ActionName, "QR_LIMIT_") {
		qr.ExpireSeconds = 60 // WeChat's default
		if req.ExpireSeconds > 0 {
			qr.ExpireSeconds = min(req.ExpireSeconds, 2592000)
		}
	}
	qr.Ticket = randomString(64)
	qr.URL = "http://weixin.qq.com/q/" + randomString(22)
	f.qrcodes = append(f.qrcodes, qr)
	// Like WeChat, success carries no errcode or errmsg: the SDK's GetQRTicket treats
	// any errmsg, even "ok", as an error.
	return qrResponse{Ticket: qr.Ticket, ExpireSeconds: qr.ExpireSeconds, URL: qr.URL}
}

type oauthResponse struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	OpenID       string `json:"openid"`
	UnionID      string `json:"unionid,omitempty"`
	Scope        string `json:"scope"`
}

func (f *Fake) oauth(q url.Values, _ []byte) any {
	if code := f.checkApp(q.Get("appid"), q.Get("secret")); code != 0 {
		return apiErr(code)
	}
	if q.Get("grant_type") != "authorization_code" {
		return apiErr(40002)
	}
	openid, found := strings.CutPrefix(q.Get("code"), "dev:")
	if !found || openid == "" {
		return apiErr(40029)
	}
	if !slices.Contains(f.suggested, openid) { // offered on the authorisation page from now on
		f.suggested = append(f.suggested, openid)
	}
	return oauthResponse{
		AccessToken:  randomString(48),
		ExpiresIn:    int64(tokenTTL / time.Second),
		RefreshToken: randomString(48),
		OpenID:       openid,
		UnionID:      f.unions[openid],
		Scope:        "snsapi_base",
	}
}

func (f *Fake) createMenu(_ url.Values, body []byte) any {
	var req struct {
		Button []json.RawMessage `json:"button"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return apiErr(47001)
	}
	if len(req.Button) == 0 || len(req.Button) > 3 {
		return apiErr(40016)
	}
	f.menu = bytes.Clone(body)
	return okReply
}

type ticketResponse struct {
	ErrCode   int    `json:"errcode"`
	ErrMsg    string `json:"errmsg"`
	Ticket    string `json:"ticket"`
	ExpiresIn int64  `json:"expires_in"`
}

// ticket issues the JS-SDK's jsapi_ticket: one per fake, valid two hours, like WeChat's
// (which keeps one ticket per account until it expires).
func (f *Fake) ticket(q url.Values, _ []byte) any {
	if q.Get("type") != "jsapi" {
		return apiErr(40097)
	}
	if f.jsTicket == "" || !f.now().Before(f.jsTicketExp) {
		f.jsTicket, f.jsTicketExp = randomString(86), f.now().Add(tokenTTL)
	}
	return ticketResponse{ErrMsg: "ok", Ticket: f.jsTicket, ExpiresIn: int64(f.jsTicketExp.Sub(f.now()) / time.Second)}
}

// JSTicket returns the jsapi_ticket the fake issued last, or "".
func (f *Fake) JSTicket() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.jsTicket
}

type apiError struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// errmsgs are WeChat's messages for the errcodes the fake answers or is asked to inject.
var errmsgs = map[int]string{
	-1:    "system error",
	40001: "invalid credential, access_token is invalid or not latest",
	40002: "invalid grant_type",
	40003: "invalid openid",
	40008: "invalid message type",
	40013: "invalid appid",
	40014: "invalid access_token",
	40016: "invalid button size",
	40029: "invalid code",
	40037: "invalid template_id",
	40066: "invalid url",
	40097: "invalid args",
	40125: "invalid appsecret",
	40163: "code been used",
	41001: "access_token missing",
	41002: "appid missing",
	41004: "appsecret missing",
	42001: "access_token expired",
	43001: "require GET method",
	43002: "require POST method",
	43004: "require subscribe",
	43101: "user refuse to accept the msg",
	44002: "empty post data",
	45009: "reach max api daily quota limit",
	45011: "api minute-quota reach limit  mustslower  retry next minute",
	45015: "response out of time limit or subscription is canceled",
	45047: "out of response count limit",
	47001: "data format error",
}

// apiErr returns WeChat's error for code. Like WeChat, the message ends with a request
// id, so callers must look at errcode, not errmsg.
func apiErr(code int) apiError {
	msg, known := errmsgs[code]
	if !known {
		msg = fmt.Sprintf("error %d", code)
	}
	return apiError{ErrCode: code, ErrMsg: msg + " rid: " + randomString(8)}
}

func writeJSON(w http.ResponseWriter, v any) {
	// HTTP 200 whatever the outcome, as WeChat does.
	if err := json.NewEncoder(w).Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// randomString returns n random hex characters.
func randomString(n int) string {
	b := make([]byte, (n+1)/2)
	rand.Read(b)
	return hex.EncodeToString(b)[:n]
}
