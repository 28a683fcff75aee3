// Package sim is the local runner's WeChat simulator: a phone-like chat at /_dev/ in
// which a person, chosen by openid, types, sends locations, follows, taps the account's
// menu and scans QR codes and tickets. Each action is posted to the callback (/wechat)
// signed, and sealed in the account's message mode, exactly as WeChat posts it; the
// passive replies and what the notifier sends the person through the fake WeChat API
// make up the conversation.
package sim

import (
	"context"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/privacy"
	"github.com/wentitong/wentitong/shared/web"
	"github.com/wentitong/wentitong/shared/wechat/callback"
	"github.com/wentitong/wentitong/shared/wechattest"
)

// Errors of the simulator's own routes.
var (
	ErrOpenID   = fault.New(fault.Invalid, "sim_openid_invalid", "请选择或填写 openid：字母、数字、下划线或短横线，最长 64 个字符")
	ErrAction   = fault.New(fault.Invalid, "sim_action_invalid", "不支持的操作")
	ErrText     = fault.New(fault.Invalid, "sim_text_invalid", "请输入要发送的文字（最多 600 字）")
	ErrLocation = fault.New(fault.Invalid, "sim_location_invalid", "位置无效：请在地图上选择一个点")
	ErrScan     = fault.New(fault.Invalid, "sim_scan_invalid", "请选择要扫描的二维码，或填写其内容（最多 512 个字符）")
	ErrButton   = fault.New(fault.Invalid, "sim_button_invalid", "菜单中没有这个按钮")
	ErrJSONOnly = fault.New(fault.Invalid, "sim_json_required", "请以 application/json 提交")
)

// Options are what a Simulator needs.
type Options struct {
	Callback string             // the callback's URL, http://…/wechat
	Account  wechattest.Account // the credentials WeChat signs and seals with
	Mode     string             // wechattest.ModePlain, ModeCompat or ModeSafe
	H5Base   string             // where the chat's links point (H5_BASE_URL or its default)
	Menu     []callback.Button  // the account's menu, as infra/menu publishes it
	People   []string           // openids offered first: the demo's residents and staff, the admins
	Source   Source
	Fake     *wechattest.Fake // the fake WeChat API whose sent messages join the chat; may be nil
	Now      func() time.Time
	Log      *slog.Logger
	Client   *http.Client // default: one with a 10 s timeout
}

// Simulator serves the chat and posts the person's actions to the callback.
type Simulator struct {
	o      Options
	post   *poster
	feed   *feed
	links  linker
	sendMu sync.Mutex // one delivery at a time, so a conversation stays in order
	last   map[string]int64
	lastID int64
}

// New returns a simulator.
func New(o Options) (*Simulator, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 10 * time.Second}
	}
	switch o.Mode {
	case wechattest.ModePlain, wechattest.ModeCompat, wechattest.ModeSafe:
	default:
		return nil, errors.New("sim: mode must be plain, compat or safe")
	}
	links := linker{h5Base: o.H5Base}
	s := &Simulator{
		o:     o,
		post:  &poster{url: o.Callback, account: o.Account, mode: o.Mode, client: o.Client},
		feed:  newFeed(o.Fake, links),
		links: links,
		last:  map[string]int64{},
	}
	return s, nil
}

// Register adds the simulator's routes under /_dev/ to rt: public, like the rest of the
// runner's /_dev/ (it listens on loopback unless told otherwise).
func (s *Simulator) Register(rt *web.Router) {
	rt.Handle("GET /_dev/{$}", access.Public, s.servePage)
	rt.Handle("GET /_dev/feed", access.Public, s.serveFeed)
	rt.Handle("POST /_dev/send", access.Public, s.serveSend)
	rt.Handle("GET /_dev/scenes", access.Public, s.serveScenes)
	rt.Handle("GET /_dev/tickets", access.Public, s.serveTickets)
}

var openidPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func validOpenID(s string) bool { return openidPattern.MatchString(s) }

// feedAnswer is what the page polls: the entries after its last, and whether the person
// follows the account.
type feedAnswer struct {
	Entries   []Entry `json:"entries"`
	Following bool    `json:"following"`
}

func (s *Simulator) answer(ctx context.Context, openid string, after int64) (feedAnswer, error) {
	following, err := s.o.Source.Following(ctx, openid)
	if err != nil {
		return feedAnswer{}, err
	}
	entries := s.feed.since(openid, after)
	if entries == nil {
		entries = []Entry{}
	}
	return feedAnswer{Entries: entries, Following: following}, nil
}

func (s *Simulator) serveFeed(w http.ResponseWriter, r *http.Request) {
	openid := r.URL.Query().Get("openid")
	if !validOpenID(openid) {
		web.Error(w, r, ErrOpenID)
		return
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	a, err := s.answer(r.Context(), openid, after)
	web.Answer(w, r, http.StatusOK, a, err)
}

// Action is one thing the person does, as the page posts it to /_dev/send.
type Action struct {
	OpenID string `json:"openid"`
	After  int64  `json:"after"` // the last entry the page shows
	// Do is text, location, report (the LOCATION event), follow, unfollow, click, view,
	// scan (a parametric QR code with the phone's scanner), scancode (a menu scan
	// button: scancode_push scans a parametric code, scancode_waitmsg a ticket).
	Do       string  `json:"do"`
	Text     string  `json:"text,omitempty" input:"long"` // a chat message may span lines
	Lat      float64 `json:"lat,omitempty"`
	Lng      float64 `json:"lng,omitempty"`
	Label    string  `json:"label,omitempty"` // what the person sees: the place, the code's title
	Key      string  `json:"key,omitempty"`   // the menu button's key (click, scancode) or link (view)
	Scene    string  `json:"scene,omitempty"`
	QRTicket string  `json:"qrTicket,omitempty"` // the QR code's ticket, when known
	QRURL    string  `json:"qrUrl,omitempty"`    // the QR code's URL, when known
	Result   string  `json:"result,omitempty"`   // what a scancode_waitmsg button read
}

func (s *Simulator) serveSend(w http.ResponseWriter, r *http.Request) {
	// JSON only: a cross-site form cannot send it without a preflight the runner never
	// grants, so no other site can act as someone through the simulator.
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		web.Error(w, r, ErrJSONOnly)
		return
	}
	var a Action
	if !web.Read(w, r, &a) {
		return
	}
	if err := s.Do(r.Context(), a); err != nil {
		web.Error(w, r, err)
		return
	}
	ans, err := s.answer(r.Context(), a.OpenID, a.After)
	web.Answer(w, r, http.StatusOK, ans, err)
}

// Do performs an action: it checks it, adds what the person did to their conversation,
// posts the deliveries WeChat would post and adds the reply. A refused action (bad
// input) changes nothing; a callback that fails shows in the conversation as WeChat
// shows it, and is not an error of Do.
func (s *Simulator) Do(ctx context.Context, a Action) error {
	if !validOpenID(a.OpenID) {
		return ErrOpenID
	}
	steps, mine, err := s.plan(ctx, a)
	if err != nil {
		return err
	}
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	now := s.o.Now()
	s.feed.add(a.OpenID, mine, now)
	for _, step := range steps {
		msg := step(s.stamp(a.OpenID, now))
		reply, err := s.post.post(ctx, msg, now)
		if err != nil {
			s.o.Log.Warn("simulated delivery failed", "openid", privacy.OpenID(a.OpenID), "msgType", string(msg.MsgType),
				"event", string(msg.Event), "err", privacy.Redact(err.Error()))
			s.feed.add(a.OpenID, failure(err), s.o.Now())
			return nil
		}
		if reply.MsgType != "" {
			s.feed.add(a.OpenID, s.feed.fromReply(a.OpenID, reply), s.o.Now())
		}
	}
	return nil
}

// stamp gives a delivery its CreateTime and MsgId: WeChat tells a person's events apart
// by CreateTime, so two actions within a second get successive seconds.
func (s *Simulator) stamp(openid string, now time.Time) stamped {
	at := now.Unix()
	if last := s.last[openid]; at <= last {
		at = last + 1
	}
	s.last[openid] = at
	id := now.UnixNano()
	if id <= s.lastID {
		id = s.lastID + 1
	}
	s.lastID = id
	return stamped{from: openid, at: time.Unix(at, 0), id: id}
}

type stamped struct {
	from string
	at   time.Time
	id   int64
}

// step builds one delivery of an action.
type step func(stamped) Message

// plan checks an action and returns the deliveries it makes, in order, and the entry
// showing what the person did.
func (s *Simulator) plan(ctx context.Context, a Action) ([]step, Entry, error) {
	note := func(text string) Entry { return Entry{Side: "note", Kind: "note", Parts: []Part{{Text: text}}} }
	switch a.Do {
	case "text":
		if a.Text == "" || utf8.RuneCountInString(a.Text) > 600 || !utf8.ValidString(a.Text) {
			return nil, Entry{}, ErrText
		}
		return []step{func(st stamped) Message { return TextMessage(st.from, a.Text, st.at, st.id) }},
			Entry{Side: "me", Kind: "text", Parts: []Part{{Text: a.Text}}}, nil
	case "location", "report":
		if !validPoint(a.Lat, a.Lng) || utf8.RuneCountInString(a.Label) > 100 {
			return nil, Entry{}, ErrLocation
		}
		label := a.Label
		if label == "" {
			label = "地图选点"
		}
		where := "北纬 " + strconv.FormatFloat(a.Lat, 'f', 4, 64) + "，东经 " + strconv.FormatFloat(a.Lng, 'f', 4, 64)
		if a.Do == "report" {
			return []step{func(st stamped) Message { return LocationEvent(st.from, a.Lat, a.Lng, 30, st.at) }},
				note("已上报地理位置：" + label + "（" + where + "，精度 30 米）"), nil
		}
		return []step{func(st stamped) Message { return LocationMessage(st.from, a.Lat, a.Lng, label, st.at, st.id) }},
			Entry{Side: "me", Kind: "location", Title: label, Detail: where}, nil
	case "follow":
		return []step{func(st stamped) Message { return Follow(st.from, "", "", st.at) }}, note("你关注了公众号"), nil
	case "unfollow":
		return []step{func(st stamped) Message { return Unfollow(st.from, st.at) }}, note("你取消关注了公众号"), nil
	case "click", "view":
		b, ok := s.button(a.Do, a.Key)
		if !ok {
			return nil, Entry{}, ErrButton
		}
		if a.Do == "view" {
			return []step{func(st stamped) Message { return View(st.from, b.URL, st.at) }}, note("打开菜单「" + b.Name + "」"), nil
		}
		return []step{func(st stamped) Message { return Click(st.from, b.Key, st.at) }}, note("点击菜单「" + b.Name + "」"), nil
	case "scan":
		scan, err := s.scan(ctx, a)
		if err != nil {
			return nil, Entry{}, err
		}
		return []step{scan}, note("扫描二维码：" + scanLabel(a)), nil
	case "scancode":
		b, ok := s.button(string(message.EventScancodePush), a.Key)
		if !ok {
			b, ok = s.button(string(message.EventScancodeWaitmsg), a.Key)
		}
		if !ok {
			return nil, Entry{}, ErrButton
		}
		if b.Type == string(message.EventScancodeWaitmsg) {
			if a.Result == "" || len(a.Result) > 512 || !utf8.ValidString(a.Result) {
				return nil, Entry{}, ErrScan
			}
			return []step{func(st stamped) Message {
				return ScanCode(st.from, message.EventScancodeWaitmsg, b.Key, a.Result, st.at)
			}}, note("「" + b.Name + "」扫描：" + scanLabel(a)), nil
		}
		// scancode_push: WeChat tells the account what was scanned, then, the code being
		// the account's own, opens it: the SCAN (or subscribe) event follows.
		scan, err := s.scan(ctx, a)
		if err != nil {
			return nil, Entry{}, err
		}
		result := a.QRURL // what the camera read: the code's URL
		if result == "" {
			result = a.Scene
		}
		return []step{func(st stamped) Message {
			return ScanCode(st.from, message.EventScancodePush, b.Key, result, st.at)
		}, scan}, note("「" + b.Name + "」扫描：" + scanLabel(a)), nil
	}
	return nil, Entry{}, ErrAction
}

// scan is the delivery of a parametric QR code's scan: SCAN for a follower, subscribe
// with the scene for someone who does not follow yet (WeChat follows them first).
func (s *Simulator) scan(ctx context.Context, a Action) (step, error) {
	// Any scene WeChat could carry (at most 64 characters), known to the platform or not.
	if a.Scene == "" || utf8.RuneCountInString(a.Scene) > 64 || !utf8.ValidString(a.Scene) {
		return nil, ErrScan
	}
	following, err := s.o.Source.Following(ctx, a.OpenID)
	if err != nil {
		return nil, err
	}
	if !following {
		return func(st stamped) Message { return Follow(st.from, a.Scene, a.QRTicket, st.at) }, nil
	}
	return func(st stamped) Message { return Scan(st.from, a.Scene, a.QRTicket, st.at) }, nil
}

func scanLabel(a Action) string {
	switch {
	case a.Label != "":
		return a.Label
	case a.Scene != "":
		return a.Scene
	}
	return "电子票"
}

// button finds a menu button of a type by its key (view buttons by their link).
func (s *Simulator) button(typ, key string) (callback.Button, bool) {
	for _, top := range s.o.Menu {
		for _, b := range append([]callback.Button{top}, top.Sub...) {
			if b.Type == typ && key != "" && (b.Key == key || (typ == "view" && b.URL == key)) {
				return b, true
			}
		}
	}
	return callback.Button{}, false
}

func validPoint(lat, lng float64) bool {
	return lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180 && (lat != 0 || lng != 0)
}

// failure is what WeChat shows when the account's server fails: its own apology. The
// detail (status and code) is the simulator's, for the developer.
func failure(err error) Entry {
	detail := err.Error()
	var ref *refusal
	if errors.As(err, &ref) {
		detail = "HTTP " + strconv.Itoa(ref.status)
		if ref.code != "" {
			detail += " " + ref.code
		}
	}
	return Entry{Side: "note", Kind: "failure", Parts: []Part{{Text: "该公众号暂时无法提供服务，请稍后再试"}}, Detail: detail}
}

func (s *Simulator) serveScenes(w http.ResponseWriter, r *http.Request) {
	scenes, err := s.o.Source.Scenes(r.Context(), s.o.Now())
	answerList(w, r, "scenes", scenes, err)
}

func (s *Simulator) serveTickets(w http.ResponseWriter, r *http.Request) {
	openid := r.URL.Query().Get("openid")
	if !validOpenID(openid) {
		web.Error(w, r, ErrOpenID)
		return
	}
	tickets, err := s.o.Source.Tickets(r.Context(), openid, s.o.Now())
	answerList(w, r, "tickets", tickets, err)
}

// answerList answers list under key, [] when it is empty, or err.
func answerList[T any](w http.ResponseWriter, r *http.Request, key string, list []T, err error) {
	if list == nil {
		list = []T{}
	}
	web.Answer(w, r, http.StatusOK, map[string][]T{key: list}, err)
}
