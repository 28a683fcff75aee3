package sim_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wentitong/wentitong/infra/local/demo"
	"github.com/wentitong/wentitong/infra/local/sim"
	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/apptest"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/web"
	"github.com/wentitong/wentitong/shared/wechat/callback"
	"github.com/wentitong/wentitong/shared/wechattest"
)

const (
	testToken  = "sim-test-token"
	testAESKey = "simTestEncodingAESKey0123456789abcdefghijkl" // 43 characters
	h5Base     = "https://h5.test"
)

// world is the simulator in front of the real callback, on an embedded table with the
// demo's venues and activities, and the fake WeChat API the notifier sends through.
type world struct {
	app        *app.App
	wx         *wechattest.Server
	sim        *sim.Simulator
	site       *httptest.Server // the simulator's routes
	callback   string           // the callback's URL
	deliveries atomic.Int64     // posts the callback received
	// notices queues the confirmations bookings owe from the table's stream, as the
	// notifier does first (deliverDue feeds it).
	notices *dynamotest.Feed
}

func newWorld(t *testing.T, mode string) *world {
	t.Helper()
	tbl := dynamotest.New(t)
	wx := wechattest.NewServer(t)
	env := map[string]string{
		"TABLE_NAME": tbl.Name, "WECHAT_APP_ID": wechattest.AppID, "WECHAT_APP_SECRET": wechattest.AppSecret,
		"WECHAT_TOKEN": testToken, "WECHAT_ENCODING_AES_KEY": testAESKey, "WECHAT_MESSAGE_MODE": "compat", "WECHAT_API_BASE": wx.URL,
		"SESSION_SECRET": strings.Repeat("s", 40), "ADMIN_OPENIDS": "o-admin", "H5_BASE_URL": h5Base,
		"TICKET_SIGNING_KEY": "d2VudGl0b25nLWxvY2FsLWRldi10aWNrZXQtc2VlZCE=",
		"ID_HASH_KEY":        strings.Repeat("i", 40),
		"NOTIFY_TEMPLATES":   `{"booking_confirmed":{"templateId":"T-booked","fields":{"thing1":"activity","time2":"time","thing3":"venue"}}}`,
	}
	a := apptest.New(t, tbl, config.From(func(k string) string { return env[k] }), time.Time{})
	if _, err := demo.SeedBase(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	w := &world{app: a, wx: wx, notices: tbl.MustFeed(t, "NotifierFunction", a.Announcements())}
	h := apptest.HTTP(t, a, "WeChatFunction")
	cb := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.deliveries.Add(1)
		h.ServeHTTP(rw, r)
	}))
	t.Cleanup(cb.Close)
	w.callback = cb.URL + "/wechat"
	o := sim.ForApp(a, wx.Fake, cb.URL)
	o.Mode = mode
	var err error
	if w.sim, err = sim.New(o); err != nil {
		t.Fatal(err)
	}
	rt := web.NewRouter(nil)
	w.sim.Register(rt)
	w.site = httptest.NewServer(rt)
	t.Cleanup(w.site.Close)
	return w
}

// deliverDue delivers the messages due, as the runner's poller does after the
// notifier's stream has queued what the writes owe.
func (w *world) deliverDue(t *testing.T) (int, error) {
	t.Helper()
	if _, err := w.notices.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	return w.app.Notify.DeliverDue(context.Background(), 10)
}

// feed is the conversation of openid as the page reads it.
type feed struct {
	Entries   []sim.Entry
	Following bool
}

func (w *world) feed(t *testing.T, openid string) feed {
	t.Helper()
	resp, err := http.Get(w.site.URL + "/_dev/feed?openid=" + openid)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var f feed
	if err := json.NewDecoder(resp.Body).Decode(&f); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /_dev/feed?openid=%s = %d, %v", openid, resp.StatusCode, err)
	}
	return f
}

// do posts an action as the page does and returns the entries it added.
func (w *world) do(t *testing.T, a sim.Action) []sim.Entry {
	t.Helper()
	before := w.feed(t, a.OpenID).Entries
	if len(before) > 0 {
		a.After = before[len(before)-1].Seq
	}
	status, body := w.send(t, a)
	if status != 200 {
		t.Fatalf("send %+v = %d %s", a, status, body)
	}
	var f feed
	if err := json.Unmarshal([]byte(body), &f); err != nil {
		t.Fatal(err)
	}
	return f.Entries
}

func (w *world) send(t *testing.T, a sim.Action) (int, string) {
	t.Helper()
	b, _ := json.Marshal(a)
	resp, err := http.Post(w.site.URL+"/_dev/send", "application/json", strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// text is what an entry says, links as [label](href).
func text(e sim.Entry) string {
	var b strings.Builder
	for _, p := range e.Parts {
		if p.Href != "" {
			b.WriteString("[" + p.Text + "](" + p.Href + ")")
			continue
		}
		b.WriteString(p.Text)
	}
	for _, a := range e.Articles {
		b.WriteString(a.Title + " " + a.URL + "\n")
	}
	for _, f := range e.Fields {
		b.WriteString(f.Name + "=" + f.Value + ";")
	}
	return b.String()
}

func replies(es []sim.Entry) []sim.Entry {
	var out []sim.Entry
	for _, e := range es {
		if e.Side == "them" {
			out = append(out, e)
		}
	}
	return out
}

// In plain and safe mode, each action reaches the real callback signed (and sealed) as
// WeChat sends it, and its effect and reply come back: the films listed with links that
// sign the person in, a follow recorded, the venues near a location, a reported
// position remembered, and the check-in's answer to a staff member's ticket scan.
func TestActionsThroughTheCallback(t *testing.T) {
	for _, mode := range []string{wechattest.ModePlain, wechattest.ModeSafe} {
		t.Run(mode, func(t *testing.T) {
			w := newWorld(t, mode)
			ctx := context.Background()
			const me = "o-resident-1"

			got := w.do(t, sim.Action{OpenID: me, Do: "text", Text: "电影"})
			if len(got) != 2 || got[0].Side != "me" || text(got[0]) != "电影" {
				t.Fatalf("text 电影 added %+v, want my text then the reply", got)
			}
			want := "[预约](/_dev/login?next=%2Fh5%2Factivities%2Fa-film-wandering-earth&openid=o-resident-1)"
			if r := text(got[1]); got[1].Via != "reply" || !strings.Contains(r, "公益电影《流浪地球2》") || !strings.Contains(r, want) {
				t.Errorf("reply to 电影 = %q, want the films with %s", r, want)
			}

			got = w.do(t, sim.Action{OpenID: me, Do: "follow"})
			if p, err := w.app.People.Person(ctx, me); err != nil || !p.Subscribed {
				t.Errorf("after follow the profile is %+v, %v; want subscribed", p, err)
			}
			if r := replies(got); len(r) != 1 || !strings.Contains(text(r[0]), "欢迎关注") || !w.feed(t, me).Following {
				t.Errorf("follow added %+v, want the welcome and following", got)
			}

			got = w.do(t, sim.Action{OpenID: me, Do: "click", Key: callback.KeyFitness})
			if r := replies(got); len(r) != 1 || !strings.Contains(text(r[0]), "太极拳晨练公益班") {
				t.Errorf("click fitness added %+v, want the fitness classes", got)
			}

			got = w.do(t, sim.Action{OpenID: me, Do: "view", Key: h5Base + "/activities"})
			if len(got) != 1 || text(got[0]) != "打开菜单「在线预约」" {
				t.Errorf("view added %+v, want only the note (a VIEW event is answered with nothing)", got)
			}

			got = w.do(t, sim.Action{OpenID: me, Do: "location", Lat: 27.8290, Lng: 113.0830, Label: "株洲市图书馆"})
			if got[0].Kind != "location" || got[0].Title != "株洲市图书馆" {
				t.Errorf("my location entry = %+v", got[0])
			}
			if r := replies(got); len(r) != 1 || !strings.Contains(text(r[0]), "株洲市博物馆") {
				t.Errorf("location added %+v, want the venues nearby", got)
			}

			got = w.do(t, sim.Action{OpenID: me, Do: "report", Lat: 27.85, Lng: 113.15})
			if len(replies(got)) != 0 {
				t.Errorf("LOCATION event answered %+v, want nothing shown", got)
			}
			if loc, ok, err := w.app.People.LastLocation(ctx, me); err != nil || !ok || loc.Lat != 27.85 || loc.Lng != 113.15 || loc.Precision != 30 {
				t.Errorf("last location = %+v %v %v, want the reported one", loc, ok, err)
			}

			// A staff member scans a resident's ticket with the menu's scan button; the
			// screening is days away.
			svc := apptest.Bookings(t, w.app)
			if _, err := svc.Book(ctx, "o-resident-2", "a-film-wandering-earth-1", "k1", booking.Request{PartySize: 1}); err != nil {
				t.Fatal(err)
			}
			resp, err := http.Get(w.site.URL + "/_dev/tickets?openid=o-resident-2")
			if err != nil {
				t.Fatal(err)
			}
			var tickets struct{ Tickets []sim.TicketChoice }
			_ = json.NewDecoder(resp.Body).Decode(&tickets)
			resp.Body.Close()
			if len(tickets.Tickets) != 1 || tickets.Tickets[0].Title != "公益电影《流浪地球2》" || !strings.HasPrefix(tickets.Tickets[0].Ticket, "WT1.") {
				t.Fatalf("tickets of o-resident-2 = %+v, want the film's", tickets.Tickets)
			}
			// (The admin: staff check in only tickets of their district's slots.)
			got = w.do(t, sim.Action{OpenID: "o-admin", Do: "scancode", Key: callback.KeyCheckin, Result: tickets.Tickets[0].Ticket})
			if r := replies(got); len(r) != 1 || text(r[0]) != booking.ErrTooEarly.Message {
				t.Errorf("ticket scan added %+v, want %q", got, booking.ErrTooEarly.Message)
			}

			got = w.do(t, sim.Action{OpenID: me, Do: "unfollow"})
			if len(replies(got)) != 0 || w.feed(t, me).Following {
				t.Errorf("unfollow added %+v, want no reply and not following", got)
			}
		})
	}
}

// Two menu taps within one second are two events to WeChat: the second is answered for
// itself, not from the first's dedup record (the simulator gives it the next second).
func TestQuickTapsAreTwoDeliveries(t *testing.T) {
	w := newWorld(t, wechattest.ModeSafe)
	first := replies(w.do(t, sim.Action{OpenID: "o-resident-3", Do: "click", Key: callback.KeyFilms}))
	second := replies(w.do(t, sim.Action{OpenID: "o-resident-3", Do: "click", Key: callback.KeyReading}))
	if len(first) != 1 || len(second) != 1 || !strings.Contains(text(second[0]), "亲子绘本共读") {
		t.Errorf("replies = %+v then %+v, want the films then the reading sessions", first, second)
	}
}

// Scanning a venue's code while not following is WeChat's subscribe-with-scene: the
// welcome is the reply, and the venue's answer reaches the person as a customer-service
// message once the notifier sends it; a follower's scan is answered at once.
func TestScanWhileNotFollowing(t *testing.T) {
	w := newWorld(t, wechattest.ModeSafe)
	const me = "o-resident-2"
	scan := sim.Action{OpenID: me, Do: "scan", Scene: "venue:v-city-library", Label: "株洲市图书馆"}
	got := w.do(t, scan)
	if r := replies(got); len(r) != 1 || !strings.Contains(text(r[0]), "欢迎关注") {
		t.Fatalf("first scan added %+v, want the welcome", got)
	}
	if n, err := w.deliverDue(t); err != nil || n != 1 {
		t.Fatalf("DeliverDue = %d, %v; want the scan's answer sent", n, err)
	}
	f := w.feed(t, me)
	last := f.Entries[len(f.Entries)-1]
	if last.Via != "custom" || !strings.Contains(text(last), "欢迎来到株洲市图书馆") || !f.Following {
		t.Errorf("conversation ends with %+v (following %v), want the venue's answer as a customer-service message", last, f.Following)
	}
	got = w.do(t, scan)
	if r := replies(got); len(r) != 1 || !strings.Contains(text(r[0]), "欢迎来到株洲市图书馆") {
		t.Errorf("second scan added %+v, want the venue's answer as the reply", got)
	}
}

// What the notifier sends through the WeChat API appears in the addressee's conversation
// only, after what came before: a template message as a card with its fields in order
// and its link signing the person in.
func TestFeedShowsWhatWasSentToThePerson(t *testing.T) {
	w := newWorld(t, wechattest.ModeSafe)
	ctx := context.Background()
	w.do(t, sim.Action{OpenID: "o-resident-1", Do: "text", Text: "你好"})
	svc := apptest.Bookings(t, w.app)
	if _, err := svc.Book(ctx, "o-resident-1", "a-event-paper-cutting-1", "k1", booking.Request{PartySize: 1}); err != nil {
		t.Fatal(err)
	}
	if err := w.app.Outbox.Add(ctx, notify.Message{ID: "m-other", Kind: "custom_text", To: "o-resident-2",
		Data: map[string]string{"text": "只给二号居民"}, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if n, err := w.deliverDue(t); err != nil || n != 2 {
		t.Fatalf("DeliverDue = %d, %v; want the confirmation and the other message sent", n, err)
	}

	mine := w.feed(t, "o-resident-1").Entries
	if len(mine) != 3 {
		t.Fatalf("o-resident-1's conversation = %+v, want my text, the reply, the confirmation", mine)
	}
	card := mine[2]
	if card.Kind != "card" || card.Via != "template" || card.Seq <= mine[1].Seq {
		t.Errorf("last entry = %+v, want the template message after the reply", card)
	}
	if names := []string{card.Fields[0].Name, card.Fields[1].Name, card.Fields[2].Name}; !slices.Equal(names, []string{"thing1", "time2", "thing3"}) || card.Fields[0].Value != "非遗剪纸体验课" {
		t.Errorf("card fields = %+v, want thing1 (非遗剪纸体验课), time2, thing3", card.Fields)
	}
	for _, e := range mine {
		if strings.Contains(text(e), "只给二号居民") {
			t.Errorf("o-resident-1 sees %+v, sent to o-resident-2", e)
		}
	}
	theirs := w.feed(t, "o-resident-2").Entries
	if len(theirs) != 1 || theirs[0].Via != "custom" || text(theirs[0]) != "只给二号居民" {
		t.Errorf("o-resident-2's conversation = %+v, want only the message sent to them", theirs)
	}
}

// A bad action is refused with its code and changes nothing: no entry, no delivery.
func TestBadActionsChangeNothing(t *testing.T) {
	w := newWorld(t, wechattest.ModeSafe)
	for _, tt := range []struct {
		name string
		a    sim.Action
		want *fault.Error
	}{
		{"no openid", sim.Action{Do: "text", Text: "电影"}, sim.ErrOpenID},
		{"openid with a space", sim.Action{OpenID: "o resident", Do: "text", Text: "电影"}, sim.ErrOpenID},
		{"unknown action", sim.Action{OpenID: "o-1", Do: "shake"}, sim.ErrAction},
		{"empty text", sim.Action{OpenID: "o-1", Do: "text"}, sim.ErrText},
		{"long text", sim.Action{OpenID: "o-1", Do: "text", Text: strings.Repeat("长", 601)}, sim.ErrText},
		{"no point", sim.Action{OpenID: "o-1", Do: "location"}, sim.ErrLocation},
		{"off the globe", sim.Action{OpenID: "o-1", Do: "report", Lat: 91, Lng: 10}, sim.ErrLocation},
		{"click of no button", sim.Action{OpenID: "o-1", Do: "click", Key: "lottery"}, sim.ErrButton},
		{"view of another link", sim.Action{OpenID: "o-1", Do: "view", Key: "https://evil.example/"}, sim.ErrButton},
		{"scan of nothing", sim.Action{OpenID: "o-1", Do: "scan"}, sim.ErrScan},
		{"scene too long", sim.Action{OpenID: "o-1", Do: "scan", Scene: "venue:" + strings.Repeat("v", 60)}, sim.ErrScan},
		{"ticket scan without a ticket", sim.Action{OpenID: "o-1", Do: "scancode", Key: callback.KeyCheckin}, sim.ErrScan},
		{"scan button not in the menu", sim.Action{OpenID: "o-1", Do: "scancode", Key: "scan_anything", Result: "x"}, sim.ErrButton},
	} {
		status, body := w.send(t, tt.a)
		var e struct{ Error struct{ Code string } }
		_ = json.Unmarshal([]byte(body), &e)
		if status != web.Status(tt.want.Kind) || e.Error.Code != tt.want.Code {
			t.Errorf("%s: send = %d %s, want %d %s", tt.name, status, body, web.Status(tt.want.Kind), tt.want.Code)
		}
	}
	resp, err := http.Post(w.site.URL+"/_dev/send", "text/plain", strings.NewReader(`{"openid":"o-1","do":"text","text":"电影"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("send as text/plain = %d, want 400 (JSON only)", resp.StatusCode)
	}
	if n := w.deliveries.Load(); n != 0 {
		t.Errorf("the callback got %d deliveries, want none", n)
	}
	if es := w.feed(t, "o-1").Entries; len(es) != 0 {
		t.Errorf("o-1's conversation = %+v, want it empty", es)
	}
}

// A callback that refuses a delivery (here: the simulator signs with the wrong token)
// shows as WeChat's apology in the conversation, with the status and code for the
// developer.
func TestRefusedDeliveryShows(t *testing.T) {
	w := newWorld(t, wechattest.ModeSafe)
	bad, err := sim.New(sim.Options{
		Callback: w.callback,
		Account:  wechattest.Account{AppID: wechattest.AppID, Token: "wrong-token", AESKey: testAESKey},
		Mode:     wechattest.ModeSafe, H5Base: h5Base, Source: sim.AppSource{App: w.app},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := bad.Do(context.Background(), sim.Action{OpenID: "o-1", Do: "text", Text: "电影"}); err != nil {
		t.Fatal(err)
	}
	rt := web.NewRouter(nil)
	bad.Register(rt)
	rec := httptest.NewRecorder()
	rt.ServeHTTP(rec, httptest.NewRequest("GET", "/_dev/feed?openid=o-1", nil))
	var f feed
	_ = json.Unmarshal(rec.Body.Bytes(), &f)
	if len(f.Entries) != 2 || f.Entries[1].Kind != "failure" || f.Entries[1].Detail != "HTTP 403 signature_invalid" {
		t.Errorf("conversation = %+v, want my text then the failure with HTTP 403 signature_invalid", f.Entries)
	}
}

// The page shows the person, every button of the account's menu (a view button's link
// signing the person in), the people to switch to with their roles, and the venues on
// the map; an openid that cannot be one is refused with a notice.
func TestPage(t *testing.T) {
	w := newWorld(t, wechattest.ModeSafe)
	get := func(query string) string {
		resp, err := http.Get(w.site.URL + "/_dev/" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET /_dev/%s = %d %s", query, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		return string(b)
	}
	page := get("?openid=o-staff-library")
	wants := []string{`data-openid="o-staff-library"`, "o-staff-library</span> · 工作人员", "安全模式",
		`data-key="staff_checkin"`, `data-type="scancode_push"`, "株洲市图书馆", "茶陵县云阳街道电子阅览室",
		`value="o-resident-1"`, `data-href="/_dev/login?next=%2Fh5%2Factivities&amp;openid=o-staff-library"`}
	for _, top := range callback.Menu(callback.Links{Base: h5Base}) {
		wants = append(wants, ">"+top.Name+"<")
		for _, b := range top.Sub {
			wants = append(wants, ">"+b.Name+"<")
		}
	}
	for _, want := range wants {
		if !strings.Contains(page, want) {
			t.Errorf("page for o-staff-library lacks %q", want)
		}
	}
	if page := get("?openid=" + "o%20resident"); !strings.Contains(page, sim.ErrOpenID.Message) || !strings.Contains(page, `data-openid="o-resident-1"`) {
		t.Errorf("page for a bad openid lacks the notice or the first resident")
	}
}
