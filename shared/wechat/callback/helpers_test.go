package callback_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/wechat"
	"github.com/wentitong/wentitong/shared/wechat/callback"
)

// The credentials of WeChat's published message-encryption sample (消息加解密说明).
const (
	sampleToken  = "pamtest"
	sampleAppID  = "wxb11529c136998cb6"
	sampleAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	sampleRandom = "aaaabbbbccccdddd"
)

var testNow = time.Date(2026, 11, 28, 1, 0, 0, 0, time.UTC) // 09:00 in Zhuzhou

// world is a callback with an in-memory chat: what it changed is in the fakes.
type world struct {
	gw       *callback.Server
	people   *fakePeople
	outbox   *fakeOutbox
	feedback *fakeFeedback
	dedup    *memDeliveries
}

func newWorld(t testing.TB, now time.Time) *world {
	t.Helper()
	oa := wechat.New(wechat.Config{AppID: sampleAppID, AppSecret: "s", Token: sampleToken, EncodingAESKey: sampleAESKey}, cache.NewMemory())
	w := &world{people: &fakePeople{}, outbox: &fakeOutbox{}, feedback: &fakeFeedback{}, dedup: newMemDeliveries()}
	links := callback.Links{Base: "https://h5.test"}
	clock := func() time.Time { return now }
	w.gw = &callback.Server{
		OA: oa, Token: sampleToken, Now: clock, Deliveries: w.dedup,
		Chat: &callback.Chat{
			People: w.people, Catalog: fakeCatalog{now: now}, Venues: venues,
			Feedback: w.feedback, Outbox: w.outbox, Links: links, Now: clock,
			Scenes: callback.Scenes{callback.SceneVenue: callback.VenueScene(venues, links)},
		},
	}
	return w
}

// Modes of the callback.
const (
	plain  = "plain"
	compat = "compat"
	safe   = "safe"
)

var modes = []string{plain, compat, safe}

// signedRequest builds the POST WeChat sends for the plaintext message body in mode.
func signedRequest(mode string, body []byte, ts time.Time, nonce string) *http.Request {
	tss := strconv.FormatInt(ts.Unix(), 10)
	q := url.Values{"timestamp": {tss}, "nonce": {nonce}, "signature": {callback.Sign(sampleToken, tss, nonce)},
		"openid": {"oMgHVjngRipVsoxg6TuX3vz6glDg"}}
	switch mode {
	case compat, safe:
		enc := mustEncrypt(body, sampleAppID)
		if mode == compat {
			body = []byte(strings.Replace(string(body), "</xml>", "<Encrypt><![CDATA["+enc+"]]></Encrypt></xml>", 1))
		} else {
			body = []byte("<xml><ToUserName><![CDATA[toUser]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>")
		}
		q.Set("encrypt_type", "aes")
		q.Set("msg_signature", callback.Sign(sampleToken, tss, nonce, enc))
	}
	return httptest.NewRequest("POST", "/wechat?"+q.Encode(), strings.NewReader(string(body)))
}

func mustEncrypt(body []byte, appID string) string {
	enc, err := util.EncryptMsg([]byte(sampleRandom), body, appID, sampleAESKey)
	if err != nil {
		panic(err)
	}
	return string(enc)
}

var createTime = regexp.MustCompile(`<CreateTime>\d+</CreateTime>`)

// plaintextReply returns the status and the reply as the resident sees it: decrypted
// (after checking the reply's msg_signature) and with the reply's CreateTime elided.
func plaintextReply(t testing.TB, rec *httptest.ResponseRecorder) (int, string) {
	t.Helper()
	body := rec.Body.String()
	if rec.Code == 200 && strings.Contains(body, "<Encrypt>") {
		var env message.ResponseEncryptedXMLMsg
		if err := xml.Unmarshal(rec.Body.Bytes(), &env); err != nil {
			t.Fatalf("encrypted reply %q: %v", body, err)
		}
		ts := strconv.FormatInt(env.Timestamp, 10)
		if want := callback.Sign(sampleToken, ts, env.Nonce, env.EncryptedMsg); env.MsgSignature != want {
			t.Errorf("reply MsgSignature = %s, want %s", env.MsgSignature, want)
		}
		_, plain, err := util.DecryptMsg(sampleAppID, env.EncryptedMsg, sampleAESKey)
		if err != nil {
			t.Fatalf("decrypt reply: %v", err)
		}
		body = "(decrypted) " + string(plain)
	}
	return rec.Code, createTime.ReplaceAllString(body, "<CreateTime>NOW</CreateTime>")
}

func serve(w *world, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	w.gw.Handler().ServeHTTP(rec, req)
	return rec
}

// ---- fakes

type fakePeople struct {
	mu    sync.Mutex
	calls []string
}

func (p *fakePeople) record(s string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, s)
	return nil
}

func (p *fakePeople) Subscribe(_ context.Context, openid string, _ time.Time) error {
	return p.record("subscribe " + openid)
}
func (p *fakePeople) Unsubscribe(_ context.Context, openid string, _ time.Time) error {
	return p.record("unsubscribe " + openid)
}
func (p *fakePeople) SetLocation(_ context.Context, openid string, l callback.Location) error {
	return p.record(fmt.Sprintf("location %s %.6f,%.6f ±%.0fm", openid, l.Lat, l.Lng, l.Precision))
}

func (p *fakePeople) Calls() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.calls)
}

type fakeOutbox struct {
	mu    sync.Mutex
	items map[string]string
}

func (o *fakeOutbox) CustomText(_ context.Context, id, openid, text string, _ time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.items == nil {
		o.items = map[string]string{}
	}
	o.items[id] = "custom_text to " + openid + ": " + text
	return nil
}

func (o *fakeOutbox) Items() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for id, v := range o.items {
		out = append(out, id+" → "+v)
	}
	slices.Sort(out)
	return out
}

type fakeFeedback struct {
	mu    sync.Mutex
	filed []string
}

func (f *fakeFeedback) File(_ context.Context, openid, text string, _ time.Time) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.filed = append(f.filed, openid+": "+text)
	return fmt.Sprintf("FB261128-%06d", len(f.filed)), nil
}

func (f *fakeFeedback) Filed() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.filed)
}

type fakeCatalog struct{ now time.Time }

var activities = map[string]booking.Activity{
	"a-changjin":  {ID: "a-changjin", Kind: booking.KindFilm, Title: "露天电影《长津湖》"},
	"a-nezha":     {ID: "a-nezha", Kind: booking.KindFilm, Title: "《哪吒之魔童闹海》"},
	"a-cancelled": {ID: "a-cancelled", Kind: booking.KindFilm, Title: "已取消的放映"},
}

func (c fakeCatalog) SlotsOfKind(_ context.Context, kind booking.Kind) ([]booking.Slot, error) {
	if kind != booking.KindFilm {
		return nil, nil
	}
	return []booking.Slot{
		{ID: "s-0", ActivityID: "a-nezha", Kind: kind, StartsAt: c.now.Add(-2 * time.Hour), Capacity: 100, Booked: 100},
		{ID: "s-1", ActivityID: "a-changjin", Kind: kind, StartsAt: c.now.Add(10*time.Hour + 30*time.Minute), Capacity: 300, Booked: 180},
		{ID: "s-2", ActivityID: "a-nezha", Kind: kind, StartsAt: c.now.Add(30 * time.Hour), Capacity: 120, Booked: 120},
		{ID: "s-3", ActivityID: "a-cancelled", Kind: kind, StartsAt: c.now.Add(31 * time.Hour), Capacity: 50, Status: booking.SlotCancelled},
	}, nil
}

func (c fakeCatalog) Activity(_ context.Context, id string) (booking.Activity, bool, error) {
	a, ok := activities[id]
	return a, ok, nil
}

type venueList []directory.Venue

var venues = venueList{
	{ID: "v-library", Name: "株洲市图书馆", Address: "天元区神农大道", OpeningHours: "周二至周日 9:00–21:00", Location: directory.Location{Lat: 27.8300, Lng: 113.1330}},
	{ID: "v-museum", Name: "株洲市博物馆", Address: "天元区神农城", Location: directory.Location{Lat: 27.8395, Lng: 113.1290}},
	{ID: "v-yanling", Name: "炎陵县文化馆", Address: "炎陵县霞阳镇", Location: directory.Location{Lat: 26.4890, Lng: 113.7720}},
}

func (l venueList) VenuesUnder(context.Context, directory.District) ([]directory.Venue, error) {
	return l, nil
}

// Nearest is the directory's, over the list: every venue, nearest first.
func (l venueList) Nearest(_ context.Context, at directory.Location, n int) ([]directory.VenueDistance, error) {
	var out []directory.VenueDistance
	for _, v := range l {
		out = append(out, directory.VenueDistance{Venue: v, DistanceMeters: int(at.DistanceTo(v.Location) + 0.5)})
	}
	slices.SortFunc(out, func(a, b directory.VenueDistance) int { return a.DistanceMeters - b.DistanceMeters })
	return out[:min(n, len(out))], nil
}

func (l venueList) Venue(_ context.Context, id string) (directory.Venue, error) {
	for _, v := range l {
		if v.ID == id {
			return v, nil
		}
	}
	return directory.Venue{}, directory.ErrVenueNotFound
}

// memDeliveries is the dedup record in memory, with the store's semantics.
type memDeliveries struct {
	mu    sync.Mutex
	items map[string]*callback.Delivery
}

func newMemDeliveries() *memDeliveries { return &memDeliveries{items: map[string]*callback.Delivery{}} }

func (m *memDeliveries) Claim(_ context.Context, key string, _ time.Time, _ time.Duration) (callback.Delivery, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d, ok := m.items[key]; ok {
		return *d, nil
	}
	m.items[key] = &callback.Delivery{}
	return callback.Delivery{Claimed: true}, nil
}

func (m *memDeliveries) Record(_ context.Context, key string, reply []byte, _ time.Time, _ time.Duration) (callback.Delivery, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d, ok := m.items[key]; ok {
		return *d, nil
	}
	m.items[key] = &callback.Delivery{Answered: true, Reply: reply}
	return callback.Delivery{Claimed: true}, nil
}

func (m *memDeliveries) Answer(_ context.Context, key string, reply []byte, _ time.Time, _ time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items[key] = &callback.Delivery{Answered: true, Reply: reply}
	return nil
}

func (m *memDeliveries) Release(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.items, key)
	return nil
}

func (m *memDeliveries) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}

type responderArgs struct {
	ctx context.Context
	msg *message.MixMessage
}

type responderFunc func(responderArgs) (callback.Reply, error)

func (f responderFunc) Respond(ctx context.Context, msg *message.MixMessage) (callback.Reply, error) {
	return f(responderArgs{ctx, msg})
}

// Once is the chat's: the tests wrap it.
func (responderFunc) Once(msg *message.MixMessage) bool { return (&callback.Chat{}).Once(msg) }

// TestMain silences the default logger, which the callback uses outside web.Wrap (the
// tests that check logs wrap the handler with their own).
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}
