package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/wentitong/wentitong/infra/local/demo"
	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/apptest"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/dynamo/evaluationdb"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/wechat"
	"github.com/wentitong/wentitong/shared/wechattest"
)

// testAccount is how the WeChat platform signs and seals for the test app.
var testAccount = wechattest.Account{AppID: wechattest.AppID, Token: testToken, AESKey: strings.Repeat("a", 43)}

// safeRequest is a safe-mode delivery of msg, as WeChat sends it.
func safeRequest(t *testing.T, now time.Time, nonce, msg string) *http.Request {
	t.Helper()
	post, err := testAccount.Seal(wechattest.ModeSafe, "", []byte(msg), now, nonce)
	if err != nil {
		t.Fatal(err)
	}
	return httptest.NewRequest("POST", "/wechat?"+post.Query.Encode(), bytes.NewReader(post.Body))
}

func decryptReply(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "<Encrypt>") {
		t.Fatalf("reply = %d %q, want an encrypted reply", rec.Code, rec.Body)
	}
	plain, err := testAccount.Open(rec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return string(plain)
}

// mustWeChat builds the app with the demo's base data and returns WeChatFunction's
// handler.
func mustWeChat(t *testing.T, now time.Time) (*app.App, *dynamotest.Table, http.Handler) {
	t.Helper()
	a, tbl, _ := mustApp(t, now)
	if _, err := demo.SeedBase(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	h := apptest.HTTP(t, a, "WeChatFunction")
	return a, tbl, h
}

// Through the app as WeChatFunction runs it, on the embedded table: a suggestion
// delivered three times in safe mode is filed once and answered the same each time; a
// subscription creates the profile.
func TestWeChatCallbackOnTheTable(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	a, tbl, h := mustWeChat(t, now)
	const suggestion = `<xml><ToUserName><![CDATA[gh_wentitong]]></ToUserName><FromUserName><![CDATA[o-resident-7]]></FromUserName>` +
		`<CreateTime>1764320000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[建议 阅览室增加插座]]></Content><MsgId>777</MsgId></xml>`
	var replies []string
	for i := range 3 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, safeRequest(t, now.Add(time.Duration(i)*5*time.Second), "n"+strconv.Itoa(i), suggestion))
		reply := decryptReply(t, rec)
		replies = append(replies, reply[strings.Index(reply, "<Content>"):])
	}
	if replies[0] != replies[1] || replies[1] != replies[2] || !strings.Contains(replies[0], "感谢您的建议") {
		t.Errorf("replies = %q, want the same thanks three times", replies)
	}
	filed, err := (&evaluationdb.Evaluation{DB: tbl.DB, Table: tbl.Name}).TicketsOf(context.Background(), "o-resident-7")
	if err != nil || len(filed) != 1 || filed[0].Source != "chat" || filed[0].Text != "阅览室增加插座" {
		t.Errorf("feedback of o-resident-7 = %+v (%v), want the one suggestion from the chat", filed, err)
	}

	const subscribe = `<xml><ToUserName><![CDATA[gh_wentitong]]></ToUserName><FromUserName><![CDATA[o-resident-8]]></FromUserName>` +
		`<CreateTime>1764320001</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>`
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, safeRequest(t, now, "s", subscribe))
	if reply := decryptReply(t, rec); !strings.Contains(reply, "欢迎关注「文化株洲」") {
		t.Errorf("subscribe reply = %q, want the welcome", reply)
	}
	if p, err := a.People.Person(context.Background(), "o-resident-8"); err != nil || !p.Subscribed {
		t.Errorf("after subscribe: %+v, %v; want a subscribed profile", p, err)
	}
}

// Following the account by scanning a venue's code: the welcome is the reply, the
// venue's answer a custom_text outbox message that the notifier sends once as a
// customer-service text, however often WeChat delivers the event or the stream the record.
func TestSubscribeWithSceneReachesThePersonOnce(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	a, _, wx := mustApp(t, now)
	ctx := context.Background()
	city := directory.Root("zz", "株洲市")
	if err := a.Directory.PutDistrict(ctx, city); err != nil {
		t.Fatal(err)
	}
	if err := a.Directory.PutVenue(ctx, directory.Venue{ID: "v-lib", Name: "株洲市图书馆", Kind: directory.VenueLibrary,
		DistrictID: "zz", Location: directory.Location{Lat: 27.83, Lng: 113.13}}); err != nil {
		t.Fatal(err)
	}
	h, _ := a.HTTP("WeChatFunction")
	const follow = `<xml><ToUserName><![CDATA[gh_wentitong]]></ToUserName><FromUserName><![CDATA[o-resident-9]]></FromUserName>` +
		`<CreateTime>1764320002</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>` +
		`<EventKey><![CDATA[qrscene_venue:v-lib]]></EventKey></xml>`
	for i := range 2 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, safeRequest(t, now, "f"+strconv.Itoa(i), follow))
		if reply := decryptReply(t, rec); !strings.Contains(reply, "欢迎关注「文化株洲」") {
			t.Fatalf("delivery %d: reply %q, want the welcome", i+1, reply)
		}
	}
	rec := events.DynamoDBEventRecord{EventName: "INSERT", Change: events.DynamoDBStreamRecord{SequenceNumber: "1",
		Keys: map[string]events.DynamoDBAttributeValue{
			"PK": events.NewStringAttribute("OUTBOX#wx-evt:o-resident-9:1764320002:subscribe"), "SK": events.NewStringAttribute("OUTBOX")}}}
	for range 2 {
		if resp, err := a.Notifier()(ctx, events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{rec}}); err != nil || len(resp.BatchItemFailures) > 0 {
			t.Fatalf("Notifier = %+v, %v", resp, err)
		}
	}
	sent := wx.Sent()
	if len(sent) != 1 || sent[0].Kind != "custom" || sent[0].ToUser != "o-resident-9" || !strings.Contains(string(sent[0].Data), "株洲市图书馆") {
		t.Errorf("sent %+v, want one customer-service text about the venue", sent)
	}
}

func TestJSConfig(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	a, _, wx := mustApp(t, now)
	h := apptest.HTTP(t, a, "AccountFunction")
	get := func(page string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/wechat/jsconfig?url="+url.QueryEscape(page), nil))
		return rec
	}
	wx.FailNext(wechattest.OpTicket, wechat.CodeInvalidCredential, 1) // the token is refreshed and the call retried
	const page = "https://h5.wentitong.cn/activities/a-1?from=menu"
	rec := get(page + "#slots")
	var c struct {
		AppID     string `json:"appId"`
		Timestamp int64  `json:"timestamp"`
		NonceStr  string `json:"nonceStr"`
		Signature string `json:"signature"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &c); rec.Code != 200 || err != nil {
		t.Fatalf("jsconfig = %d %s", rec.Code, rec.Body)
	}
	if c.AppID != wechattest.AppID || c.Timestamp != now.Unix() || c.NonceStr == "" ||
		c.Signature != wechat.JSSignature(wx.JSTicket(), c.NonceStr, c.Timestamp, page) {
		t.Errorf("jsconfig = %+v, want the app id, now, and the signature of the page without its fragment", c)
	}
	get(page)
	if got := wx.Calls(wechattest.OpTicket); got != 2 {
		t.Errorf("getticket called %d times, want 2 (the refused call and its retry; then the cache)", got)
	}
	for _, bad := range []string{"", "https://evil.example/activities", "http://h5.wentitong.cn/x", "::"} {
		if rec := get(bad); rec.Code != 400 || errorCode(rec) != "url_invalid" {
			t.Errorf("jsconfig?url=%q = %d %s, want 400 url_invalid", bad, rec.Code, rec.Body)
		}
	}
}

func TestJSConfigWhileWeChatFails(t *testing.T) {
	a, _, wx := mustApp(t, time.Now())
	h, _ := a.HTTP("AccountFunction")
	wx.FailNext(wechattest.OpTicket, wechat.CodeSystemBusy, 1)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/wechat/jsconfig?url=https%3A%2F%2Fh5.wentitong.cn%2F", nil))
	if rec.Code != 503 || errorCode(rec) != "unavailable" || strings.Contains(rec.Body.String(), "access_token") {
		t.Errorf("jsconfig while WeChat fails = %d %s, want 503 unavailable", rec.Code, rec.Body)
	}
}

// The H5 sign-in: the authorize route gives WeChat's URL with a state bound to a nonce
// the page keeps; the code exchange takes the code only with that state and nonce (or
// with neither, as the dev codes are used), and refuses a forged or stale pair.
func TestAuthorizeAndStateCheckedSignIn(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	a, _, _ := mustApp(t, now)
	h := apptest.HTTP(t, a, "AccountFunction")
	do := func(method, path, body string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
		return rec
	}
	const page = "https://h5.wentitong.cn/activities?kind=film"
	rec := do("GET", "/api/v1/auth/wechat/authorize?returnTo="+url.QueryEscape(page), "")
	var az struct{ URL, State, Nonce string }
	if err := json.Unmarshal(rec.Body.Bytes(), &az); rec.Code != 200 || err != nil || az.State == "" || az.Nonce == "" {
		t.Fatalf("authorize = %d %s", rec.Code, rec.Body)
	}
	u, err := url.Parse(az.URL)
	if err != nil || u.Host != "open.weixin.qq.com" || u.Query().Get("appid") != wechattest.AppID ||
		u.Query().Get("redirect_uri") != page || u.Query().Get("state") != az.State || u.Fragment != "wechat_redirect" {
		t.Errorf("authorize URL = %s, want WeChat's with our appid, the page and the state", az.URL)
	}
	signIn := func(state, nonce string) *httptest.ResponseRecorder {
		b, _ := json.Marshal(map[string]string{"code": "dev:o-h5", "state": state, "nonce": nonce})
		return do("POST", "/api/v1/auth/wechat", string(b))
	}
	other, otherNonce := "", ""
	{
		rec := do("GET", "/api/v1/auth/wechat/authorize?returnTo="+url.QueryEscape(page), "")
		var az2 struct{ State, Nonce string }
		_ = json.Unmarshal(rec.Body.Bytes(), &az2)
		other, otherNonce = az2.State, az2.Nonce
	}
	tests := []struct {
		name, state, nonce string
		status             int
	}{
		{"own state and nonce", az.State, az.Nonce, 200},
		{"another browser's nonce (login CSRF)", az.State, otherNonce, 403},
		{"state without nonce", other, "", 403},
		{"nonce without state", "", az.Nonce, 403},
		{"forged state", "1895856400x00112233445566778899aabbccddeeff", az.Nonce, 403},
		{"neither (dev codes)", "", "", 200},
	}
	for _, tt := range tests {
		if rec := signIn(tt.state, tt.nonce); rec.Code != tt.status || (tt.status == 403 && errorCode(rec) != "state_invalid") {
			t.Errorf("%s: sign in = %d %s, want %d", tt.name, rec.Code, rec.Body, tt.status)
		}
	}
	for _, bad := range []string{"", "https://evil.example/", "javascript:alert(1)"} {
		if rec := do("GET", "/api/v1/auth/wechat/authorize?returnTo="+url.QueryEscape(bad), ""); rec.Code != 400 || errorCode(rec) != "return_to_invalid" {
			t.Errorf("authorize returnTo=%q = %d %s, want 400 return_to_invalid", bad, rec.Code, rec.Body)
		}
	}
}

// 我的预约 lists the resident's bookings from the booking store, and a staff member's
// scan of the ticket through the menu checks them in; a resident's scan is refused.
func TestChatBookingsAndTicketScan(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	a, _, _ := mustApp(t, now)
	ctx := context.Background()
	act := booking.Activity{ID: "a-film", Kind: booking.KindFilm, Title: "公益电影《流浪地球2》", VenueID: "v-1", CreatedAt: now}
	if err := a.Catalog.PutActivity(ctx, act); err != nil {
		t.Fatal(err)
	}
	slot := booking.Slot{ID: "s-film", ActivityID: "a-film", Kind: booking.KindFilm, StartsAt: now.Add(30 * time.Minute),
		EndsAt: now.Add(150 * time.Minute), Capacity: 10, BookingOpensAt: now.Add(-time.Hour), BookingClosesAt: now.Add(30 * time.Minute),
		MaxPartySize: 4, Mode: booking.ModeFirstCome}
	if err := a.Catalog.PutSlot(ctx, slot); err != nil {
		t.Fatal(err)
	}
	svc := apptest.Bookings(t, a)
	b, err := svc.Book(ctx, "o-resident-5", "s-film", "", booking.Request{PartySize: 2})
	if err != nil || b.Ticket == "" {
		t.Fatalf("Book = %+v, %v", b, err)
	}
	h, _ := a.HTTP("WeChatFunction")
	say := func(from, inner string, id int) string {
		t.Helper()
		msg := `<xml><ToUserName><![CDATA[gh_wentitong]]></ToUserName><FromUserName><![CDATA[` + from + `]]></FromUserName>` +
			`<CreateTime>` + strconv.Itoa(1764320100+id) + `</CreateTime>` + inner + `</xml>`
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, safeRequest(t, now, "b"+strconv.Itoa(id), msg))
		return decryptReply(t, rec)
	}
	mine := say("o-resident-5", `<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[我的预约]]></Content><MsgId>5001</MsgId>`, 1)
	if !strings.Contains(mine, "公益电影《流浪地球2》") || !strings.Contains(mine, "已预约，2 人") || !strings.Contains(mine, "11月28日 17:30") {
		t.Errorf("我的预约 = %q, want the film, its time and 已预约，2 人", mine)
	}
	scan := func(from string, id int) string {
		return say(from, `<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[scancode_waitmsg]]></Event><EventKey><![CDATA[staff_checkin]]></EventKey>`+
			`<ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType><ScanResult><![CDATA[`+b.Ticket+`]]></ScanResult></ScanCodeInfo>`, id)
	}
	if got := scan("o-resident-6", 2); !strings.Contains(got, "仅工作人员可以检票") {
		t.Errorf("a resident's scan = %q, want refused", got)
	}
	if got := scan("o-admin", 3); !strings.Contains(got, "检票成功：2 人入场") {
		t.Errorf("the admin's scan = %q, want admitted", got)
	}
	if got := scan("o-admin", 4); strings.Contains(got, "检票成功") {
		t.Errorf("a second scan of the ticket = %q, want it refused as used", got)
	}
}

// A projectionist scanning a screening's code gets its verification page; an unknown
// screening gets the unknown-code reply.
func TestScreeningScene(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	_, _, h := mustWeChat(t, now)
	scan := func(scene string, at int64) string {
		t.Helper()
		msg := `<xml><ToUserName><![CDATA[gh_wentitong]]></ToUserName><FromUserName><![CDATA[o-proj]]></FromUserName>` +
			`<CreateTime>` + strconv.FormatInt(at, 10) + `</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[SCAN]]></Event>` +
			`<EventKey><![CDATA[` + scene + `]]></EventKey><Ticket><![CDATA[t]]></Ticket></xml>`
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, safeRequest(t, now, "n"+strconv.FormatInt(at, 10), msg))
		return decryptReply(t, rec)
	}
	if got := scan("screening:a-film-open-air-hutang-1", 1764320000); !strings.Contains(got, "放映核验：湖塘村露天电影《长津湖》") ||
		!strings.Contains(got, "/screenings/a-film-open-air-hutang-1/verify") {
		t.Errorf("screening scan reply = %q, want the verification page of the hutang screening", got)
	}
	if got := scan("screening:no-such-slot", 1764320001); strings.Contains(got, "放映核验") {
		t.Errorf("unknown screening reply = %q, want the unknown-code reply", got)
	}
}
