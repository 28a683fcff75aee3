package wechattest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/basic"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/wentitong/wentitong/shared/wechat"
	"github.com/wentitong/wentitong/shared/wechattest"
)

var epoch = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// setup starts a fake on a fixed clock and returns it with an SDK client for it.
func setup(t *testing.T) (*wechattest.Server, *officialaccount.OfficialAccount, *time.Time) {
	t.Helper()
	srv := wechattest.NewServer(t)
	now := epoch
	srv.SetNow(func() time.Time { return now })
	oa := wechat.New(wechat.Config{AppID: wechattest.AppID, AppSecret: wechattest.AppSecret, APIBase: srv.URL}, cache.NewMemory())
	return srv, oa, &now
}

// reply is any answer of the fake.
type reply struct {
	ErrCode     int    `json:"errcode"`
	ErrMsg      string `json:"errmsg"`
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
}

// call sends a raw request to the fake.
func call(t *testing.T, srv *wechattest.Server, method, path, body string) reply {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	status, answer := send(t, req)
	if status != http.StatusOK {
		t.Fatalf("%s %s: status %d, want 200", method, path, status)
	}
	var r reply
	if err := json.Unmarshal(answer, &r); err != nil {
		t.Fatalf("%s %s: decode: %v", method, path, err)
	}
	return r
}

// send sends req to the fake and returns the answer's status and body.
func send(t *testing.T, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// mustStableToken fetches a stable access token from the fake.
func mustStableToken(t *testing.T, srv *wechattest.Server, force bool) string {
	t.Helper()
	body := `{"grant_type":"client_credential","appid":"` + wechattest.AppID + `","secret":"` + wechattest.AppSecret + `","force_refresh":` + map[bool]string{true: "true", false: "false"}[force] + `}`
	r := call(t, srv, http.MethodPost, "/cgi-bin/stable_token", body)
	if r.ErrCode != 0 || r.AccessToken == "" {
		t.Fatalf("stable_token = %+v, want a token", r)
	}
	return r.AccessToken
}

func templateMessage(to, clientMsgID string) *message.TemplateMessage {
	return &message.TemplateMessage{
		ToUser:      to,
		TemplateID:  "tpl-booking-confirmed",
		URL:         "https://h5.example.cn/bookings/b1",
		ClientMsgID: clientMsgID,
		Data: map[string]*message.TemplateDataItem{
			"thing1": {Value: "周末电影放映"},
			"time2":  {Value: "2025-03-02 19:30"},
		},
	}
}

func TestSendsAreRecorded(t *testing.T) {
	srv, oa, _ := setup(t)

	msgID, err := oa.GetTemplate().Send(templateMessage("oUser1", "booking:b1:confirmed"))
	if err != nil {
		t.Fatalf("template Send: %v", err)
	}
	if msgID == 0 {
		t.Errorf("template Send msgid = 0, want non-zero")
	}
	err = oa.GetSubscribe().Send(&message.SubscribeMessage{
		ToUser:     "oUser2",
		TemplateID: "tpl-reminder",
		Page:       "https://h5.example.cn/me",
		Data:       map[string]*message.SubscribeDataItem{"thing1": {Value: "阅读分享会"}},
	})
	if err != nil {
		t.Fatalf("subscribe Send: %v", err)
	}
	if err := oa.GetCustomerMessageManager().Send(message.NewCustomerTextMessage("oUser3", "已为您找到附近的场馆")); err != nil {
		t.Fatalf("custom Send: %v", err)
	}

	want := []wechattest.Message{
		{Kind: "template", ToUser: "oUser1", TemplateID: "tpl-booking-confirmed", URL: "https://h5.example.cn/bookings/b1",
			ClientMsgID: "booking:b1:confirmed", Data: json.RawMessage(`{"thing1":{"value":"周末电影放映"},"time2":{"value":"2025-03-02 19:30"}}`), SentAt: epoch},
		{Kind: "subscribe", ToUser: "oUser2", TemplateID: "tpl-reminder", URL: "https://h5.example.cn/me",
			Data: json.RawMessage(`{"thing1":{"value":"阅读分享会"}}`), SentAt: epoch},
		{Kind: "custom", ToUser: "oUser3", Data: json.RawMessage(`{"msgtype":"text","text":{"content":"已为您找到附近的场馆"}}`), SentAt: epoch},
	}
	got := srv.Sent()
	if len(got) != len(want) {
		t.Fatalf("Sent() = %d messages, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if !sameMessage(t, got[i], want[i]) {
			t.Errorf("Sent()[%d] = %+v (data %s), want %+v (data %s)", i, got[i], got[i].Data, want[i], want[i].Data)
		}
	}
}

// sameMessage reports whether two messages are equal, comparing Data as JSON.
func sameMessage(t *testing.T, a, b wechattest.Message) bool {
	t.Helper()
	return a.Kind == b.Kind && a.ToUser == b.ToUser && a.TemplateID == b.TemplateID && a.URL == b.URL &&
		a.ClientMsgID == b.ClientMsgID && a.SentAt.Equal(b.SentAt) && jsonEqual(t, a.Data, b.Data)
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("unmarshal %s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("unmarshal %s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

func TestClientMsgIDDedup(t *testing.T) {
	type send struct {
		to, id string
		after  time.Duration // since the previous send
	}
	tests := []struct {
		name      string
		sends     []send
		wantSent  int
		sameMsgID bool // the second send answers the first msgid
	}{
		{"repeat", []send{{"oA", "r1", 0}, {"oA", "r1", time.Minute}}, 1, true},
		{"other user", []send{{"oA", "r1", 0}, {"oB", "r1", 0}}, 2, false},
		{"other id", []send{{"oA", "r1", 0}, {"oA", "r2", 0}}, 2, false},
		{"no id", []send{{"oA", "", 0}, {"oA", "", 0}}, 2, false},
		{"after the window", []send{{"oA", "r1", 0}, {"oA", "r1", 11 * time.Minute}}, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, oa, now := setup(t)
			var ids []int64
			for _, s := range tt.sends {
				*now = now.Add(s.after)
				id, err := oa.GetTemplate().Send(templateMessage(s.to, s.id))
				if err != nil {
					t.Fatalf("Send(%q, %q): %v", s.to, s.id, err)
				}
				ids = append(ids, id)
			}
			if got := len(srv.Sent()); got != tt.wantSent {
				t.Errorf("len(Sent()) = %d, want %d", got, tt.wantSent)
			}
			if got := ids[0] == ids[1]; got != tt.sameMsgID {
				t.Errorf("msgids %v: same = %v, want %v", ids, got, tt.sameMsgID)
			}
		})
	}
}

func TestFailNextTemplate(t *testing.T) {
	tests := []struct {
		errcode   int
		tokenDies bool // the token the failed call used no longer works
	}{
		{40001, true},
		{42001, true},
		{45009, false},
		{43004, false},
		{-1, false},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.errcode), func(t *testing.T) {
			srv, oa, _ := setup(t)
			c := oa.GetContext().Cache
			const times = 2
			srv.FailNext(wechattest.OpTemplate, tt.errcode, times)
			for i := range times {
				_, err := oa.GetTemplate().Send(templateMessage("oA", ""))
				if got := wechat.ErrCode(err); got != tt.errcode {
					t.Fatalf("call %d: ErrCode(%v) = %d, want %d", i+1, err, got, tt.errcode)
				}
			}
			_, err := oa.GetTemplate().Send(templateMessage("oA", ""))
			if got := wechat.IsTokenError(err); got != tt.tokenDies {
				t.Fatalf("after the faults: Send error %v, token error = %v, want %v", err, got, tt.tokenDies)
			}
			if tt.tokenDies {
				if err := wechat.InvalidateToken(c, wechattest.AppID); err != nil {
					t.Fatal(err)
				}
				if _, err := oa.GetTemplate().Send(templateMessage("oA", "")); err != nil {
					t.Fatalf("Send after InvalidateToken: %v", err)
				}
			}
			if got := len(srv.Sent()); got != 1 {
				t.Errorf("len(Sent()) = %d, want 1 (failed sends record nothing)", got)
			}
			wantCalls := times + 1
			if tt.tokenDies {
				wantCalls++
			}
			if got := srv.Calls(wechattest.OpTemplate); got != wantCalls {
				t.Errorf("Calls(OpTemplate) = %d, want %d", got, wantCalls)
			}
		})
	}
}

// TestFailNextEachOp checks that a fault reaches every endpoint, through the SDK, and
// lasts exactly as many calls as asked.
func TestFailNextEachOp(t *testing.T) {
	tests := []struct {
		op      wechattest.Op
		records int // messages and QR codes the successful call records
		call    func(oa *officialaccount.OfficialAccount) error
	}{
		{wechattest.OpStableToken, 0, func(oa *officialaccount.OfficialAccount) error {
			_, err := oa.GetAccessToken()
			return err
		}},
		{wechattest.OpTemplate, 1, func(oa *officialaccount.OfficialAccount) error {
			_, err := oa.GetTemplate().Send(templateMessage("oA", ""))
			return err
		}},
		{wechattest.OpSubscribe, 1, func(oa *officialaccount.OfficialAccount) error {
			return oa.GetSubscribe().Send(&message.SubscribeMessage{ToUser: "oA", TemplateID: "t",
				Data: map[string]*message.SubscribeDataItem{"thing1": {Value: "提醒"}}})
		}},
		{wechattest.OpCustom, 1, func(oa *officialaccount.OfficialAccount) error {
			return oa.GetCustomerMessageManager().Send(message.NewCustomerTextMessage("oA", "您好"))
		}},
		{wechattest.OpQRCode, 1, func(oa *officialaccount.OfficialAccount) error {
			_, err := oa.GetBasic().GetQRTicket(basic.NewLimitQrRequest("venue:v1"))
			return err
		}},
		{wechattest.OpOAuth, 0, func(oa *officialaccount.OfficialAccount) error {
			_, err := oa.GetOauth().GetUserAccessToken("dev:oA")
			return err
		}},
		{wechattest.OpMenu, 0, func(oa *officialaccount.OfficialAccount) error {
			return oa.GetMenu().SetMenuByJSON(`{"button":[{"type":"click","name":"活动","key":"activities"}]}`)
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.op), func(t *testing.T) {
			srv, oa, _ := setup(t)
			if tt.op != wechattest.OpStableToken {
				if _, err := oa.GetAccessToken(); err != nil {
					t.Fatal(err)
				}
			}
			srv.FailNext(tt.op, 45009, 1)
			if err := tt.call(oa); wechat.ErrCode(err) != 45009 {
				t.Fatalf("first call: %v, want errcode 45009", err)
			}
			if err := tt.call(oa); err != nil {
				t.Fatalf("second call: %v, want success", err)
			}
			if got := srv.Calls(tt.op); got != 2 {
				t.Errorf("Calls(%s) = %d, want 2", tt.op, got)
			}
			if got := len(srv.Sent()) + len(srv.QRCodes()); got != tt.records {
				t.Errorf("%d messages and QR codes recorded, want %d (the failed call records nothing)", got, tt.records)
			}
		})
	}
}

func TestTokenChecks(t *testing.T) {
	srv, _, now := setup(t)
	valid := mustStableToken(t, srv, false)
	old := mustStableToken(t, srv, true) // force_refresh: a new token, the first one dies
	if old == valid {
		t.Fatalf("force_refresh returned the same token")
	}
	current := mustStableToken(t, srv, false)
	if current != old {
		t.Errorf("stable_token = %q, want the current %q", current, old)
	}

	body := `{"touser":"oA","template_id":"t","data":{"thing1":{"value":"x"}}}`
	tests := []struct {
		name  string
		query string
		want  int
	}{
		{"missing", "", 41001},
		{"unknown", "?access_token=not-a-token", 40001},
		{"refreshed away", "?access_token=" + valid, 40001},
		{"current", "?access_token=" + current, 0},
	}
	for _, tt := range tests {
		r := call(t, srv, http.MethodPost, "/cgi-bin/message/template/send"+tt.query, body)
		if r.ErrCode != tt.want {
			t.Errorf("%s: errcode %d (%s), want %d", tt.name, r.ErrCode, r.ErrMsg, tt.want)
		}
	}

	*now = now.Add(2 * time.Hour)
	if r := call(t, srv, http.MethodPost, "/cgi-bin/message/template/send?access_token="+current, body); r.ErrCode != 42001 {
		t.Errorf("after two hours: errcode %d, want 42001", r.ErrCode)
	}
	if got := mustStableToken(t, srv, false); got == current {
		t.Errorf("stable_token after expiry returned the expired token")
	}
	if got := len(srv.Sent()); got != 1 {
		t.Errorf("len(Sent()) = %d, want 1", got)
	}
}

func TestStableTokenRenewsNearExpiry(t *testing.T) {
	srv, _, now := setup(t)
	first := mustStableToken(t, srv, false)
	*now = now.Add(7200*time.Second - 10*time.Minute)
	r := call(t, srv, http.MethodPost, "/cgi-bin/stable_token",
		`{"grant_type":"client_credential","appid":"wx-test-app","secret":"test-secret"}`)
	if r.AccessToken != first || r.ExpiresIn != 600 {
		t.Errorf("10 min before expiry: token %q expires_in %d, want the same token and 600", r.AccessToken, r.ExpiresIn)
	}
	*now = now.Add(6 * time.Minute)
	if got := mustStableToken(t, srv, false); got == first {
		t.Errorf("4 min before expiry: got the old token, want a new one")
	}
}

func TestCredentials(t *testing.T) {
	srv, _, _ := setup(t)
	tests := []struct {
		name, method, path, body string
		want                     int
	}{
		{"token", http.MethodGet, "/cgi-bin/token?grant_type=client_credential&appid=wx-test-app&secret=test-secret", "", 0},
		{"token bad appid", http.MethodGet, "/cgi-bin/token?grant_type=client_credential&appid=wx-other&secret=test-secret", "", 40013},
		{"token bad secret", http.MethodGet, "/cgi-bin/token?grant_type=client_credential&appid=wx-test-app&secret=nope", "", 40125},
		{"token bad grant", http.MethodGet, "/cgi-bin/token?grant_type=password&appid=wx-test-app&secret=test-secret", "", 40002},
		{"stable bad appid", http.MethodPost, "/cgi-bin/stable_token", `{"grant_type":"client_credential","appid":"wx-other","secret":"test-secret"}`, 40013},
		{"stable bad secret", http.MethodPost, "/cgi-bin/stable_token", `{"grant_type":"client_credential","appid":"wx-test-app","secret":"nope"}`, 40125},
		{"stable malformed", http.MethodPost, "/cgi-bin/stable_token", `{"appid":`, 47001},
		{"stable empty", http.MethodPost, "/cgi-bin/stable_token", ``, 44002},
		{"stable by GET", http.MethodGet, "/cgi-bin/stable_token", ``, 43002},
		{"unknown path", http.MethodGet, "/cgi-bin/nothing-here", "", 40066},
		{"oversized", http.MethodPost, "/cgi-bin/stable_token", `{"x":"` + strings.Repeat("a", 2<<20) + `"}`, 47001},
	}
	for _, tt := range tests {
		r := call(t, srv, tt.method, tt.path, tt.body)
		if r.ErrCode != tt.want {
			t.Errorf("%s: errcode %d (%s), want %d", tt.name, r.ErrCode, r.ErrMsg, tt.want)
		}
		if tt.want != 0 && r.ErrMsg == "" {
			t.Errorf("%s: empty errmsg", tt.name)
		}
		if tt.want == 0 && (r.AccessToken == "" || r.ExpiresIn != 7200) {
			t.Errorf("%s: %+v, want a token for 7200 s", tt.name, r)
		}
	}
}

func TestOAuth(t *testing.T) {
	_, oa, _ := setup(t)
	tests := []struct {
		code       string
		wantOpenID string
		wantErr    int
	}{
		{"dev:oUser1", "oUser1", 0},
		{"dev:oUser1", "oUser1", 0}, // reuse is allowed in the fake
		{"dev:", "", 40029},
		{"0a1b2c", "", 40029},
		{"", "", 40029},
	}
	for _, tt := range tests {
		res, err := oa.GetOauth().GetUserAccessToken(tt.code)
		if got := wechat.ErrCode(err); got != tt.wantErr {
			t.Errorf("GetUserAccessToken(%q) errcode %d (%v), want %d", tt.code, got, err, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if res.OpenID != tt.wantOpenID || res.Scope != "snsapi_base" || res.AccessToken == "" || res.RefreshToken == "" {
			t.Errorf("GetUserAccessToken(%q) = %+v, want openid %q, scope snsapi_base and tokens", tt.code, res, tt.wantOpenID)
		}
	}
}

func TestQRCode(t *testing.T) {
	srv, oa, _ := setup(t)
	tests := []struct {
		req  *basic.Request
		want wechattest.QRCode
	}{
		{basic.NewTmpQrRequest(time.Hour, "shift:s1"), wechattest.QRCode{ActionName: "QR_STR_SCENE", SceneStr: "shift:s1", ExpireSeconds: 3600}},
		{basic.NewTmpQrRequest(time.Hour, 42), wechattest.QRCode{ActionName: "QR_SCENE", SceneID: 42, ExpireSeconds: 3600}},
		{basic.NewLimitQrRequest("venue:v1"), wechattest.QRCode{ActionName: "QR_LIMIT_STR_SCENE", SceneStr: "venue:v1"}},
		{basic.NewLimitQrRequest(7), wechattest.QRCode{ActionName: "QR_LIMIT_SCENE", SceneID: 7}},
	}
	for i, tt := range tests {
		ticket, err := oa.GetBasic().GetQRTicket(tt.req)
		if err != nil {
			t.Fatalf("GetQRTicket(%+v): %v", tt.req, err)
		}
		got := srv.QRCodes()[i]
		if got.ActionName != tt.want.ActionName || got.SceneID != tt.want.SceneID || got.SceneStr != tt.want.SceneStr ||
			got.ExpireSeconds != tt.want.ExpireSeconds || got.Ticket != ticket.Ticket || got.URL != ticket.URL ||
			ticket.ExpireSeconds != tt.want.ExpireSeconds {
			t.Errorf("QR code %d = %+v (ticket %+v), want %+v", i, got, ticket, tt.want)
		}
	}

	bad := []*basic.Request{
		basic.NewLimitQrRequest(100001),
		basic.NewLimitQrRequest(strings.Repeat("长", 65)),
		{ActionName: "QR_WHATEVER"},
	}
	for _, req := range bad {
		if _, err := oa.GetBasic().GetQRTicket(req); wechat.ErrCode(err) != 40097 {
			t.Errorf("GetQRTicket(%+v) = %v, want errcode 40097", req, err)
		}
	}
	if got := len(srv.QRCodes()); got != len(tests) {
		t.Errorf("len(QRCodes()) = %d, want %d", got, len(tests))
	}
}

func TestMenuAndReset(t *testing.T) {
	srv, oa, _ := setup(t)
	const menu = `{"button":[{"type":"click","name":"我的预约","key":"my_bookings"}]}`
	if err := oa.GetMenu().SetMenuByJSON(menu); err != nil {
		t.Fatal(err)
	}
	if got := srv.Menu(); string(got) != menu {
		t.Errorf("Menu() = %s, want %s", got, menu)
	}
	if err := oa.GetMenu().SetMenuByJSON(`{"button":[]}`); wechat.ErrCode(err) != 40016 {
		t.Errorf("empty menu: %v, want errcode 40016", err)
	}
	if _, err := oa.GetTemplate().Send(templateMessage("oA", "m1")); err != nil {
		t.Fatal(err)
	}

	srv.Reset()
	if srv.Menu() != nil || len(srv.Sent()) != 0 || srv.Calls(wechattest.OpTemplate) != 0 {
		t.Errorf("after Reset: menu %s, %d sent, %d calls; want all empty", srv.Menu(), len(srv.Sent()), srv.Calls(wechattest.OpTemplate))
	}
	// Tokens survive a reset; dedup does not, so the same client_msg_id is sent again.
	if _, err := oa.GetTemplate().Send(templateMessage("oA", "m1")); err != nil {
		t.Fatalf("Send after Reset: %v", err)
	}
	if got := len(srv.Sent()); got != 1 {
		t.Errorf("len(Sent()) after Reset and one send = %d, want 1", got)
	}
}

func TestNewServerSetsEnv(t *testing.T) {
	srv := wechattest.NewServer(t)
	if got := os.Getenv("WECHAT_API_BASE"); got != srv.URL {
		t.Errorf("WECHAT_API_BASE = %q, want %q", got, srv.URL)
	}
}

func TestConcurrentSends(t *testing.T) {
	srv, oa, _ := setup(t)
	if _, err := oa.GetAccessToken(); err != nil {
		t.Fatal(err)
	}
	tpl := oa.GetTemplate() // the SDK's getters are not safe for concurrent use
	const n = 20
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := tpl.Send(templateMessage("oA", "same-"+strconv.Itoa(i%5)))
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := len(srv.Sent()); got != 5 {
		t.Errorf("len(Sent()) = %d, want 5 (one per client_msg_id)", got)
	}
}

// The authorisation page asks for an openid and returns to the page with a code the
// code exchange takes; a wrong appid or redirect_uri is refused.
func TestAuthorizePage(t *testing.T) {
	f := wechattest.NewFake(wechattest.AppID, wechattest.AppSecret)
	f.SuggestOpenIDs("o-resident-1")
	q := url.Values{"appid": {wechattest.AppID}, "redirect_uri": {"http://127.0.0.1:8080/h5/auth/callback?next=%2Fh5%2F"},
		"response_type": {"code"}, "scope": {"snsapi_base"}, "state": {"123x456"}}
	rec := httptest.NewRecorder()
	f.ServeHTTP(rec, httptest.NewRequest("GET", wechattest.AuthorizePath+"?"+q.Encode(), nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `value="o-resident-1"`) {
		t.Fatalf("authorisation page = %d %s, want a page offering o-resident-1", rec.Code, rec.Body)
	}
	q.Set("openid", "o-someone")
	rec = httptest.NewRecorder()
	f.ServeHTTP(rec, httptest.NewRequest("GET", wechattest.AuthorizePath+"?"+q.Encode(), nil))
	loc, _ := url.Parse(rec.Header().Get("Location"))
	if rec.Code != http.StatusFound || loc.Path != "/h5/auth/callback" || loc.Query().Get("code") != "dev:o-someone" ||
		loc.Query().Get("state") != "123x456" || loc.Query().Get("next") != "/h5/" {
		t.Errorf("picking o-someone = %d to %s, want 302 to the callback with code dev:o-someone, the state and next", rec.Code, loc)
	}
	for k, v := range map[string]string{"appid": "wx-other", "redirect_uri": "javascript:alert(1)", "scope": "snsapi_login"} {
		bad := url.Values{}
		for k2, v2 := range q {
			bad[k2] = v2
		}
		bad.Set(k, v)
		rec := httptest.NewRecorder()
		f.ServeHTTP(rec, httptest.NewRequest("GET", wechattest.AuthorizePath+"?"+bad.Encode(), nil))
		if rec.Code != http.StatusBadRequest {
			t.Errorf("authorisation with %s=%s = %d, want 400", k, v, rec.Code)
		}
	}
}
