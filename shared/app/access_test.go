package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/buckettest"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/evaluator"
	"github.com/wentitong/wentitong/shared/figure"
	"github.com/wentitong/wentitong/shared/h5"
	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/search"
	"github.com/wentitong/wentitong/shared/syncio"
	"github.com/wentitong/wentitong/shared/volunteer"
	"github.com/wentitong/wentitong/shared/wechat/callback"
	"github.com/wentitong/wentitong/shared/wechattest"
)

// The kinds of caller every route is tried as. District X (天元区) is where the
// fixtures' targets are; staff out of scope look after district Y (荷塘区).
type caller struct {
	name   string
	openid string
	roles  []string
}

var (
	anonymous   = caller{name: "anonymous"}
	residentA   = caller{"resident", "o-resident-a", nil}
	residentB   = caller{"another resident", "o-resident-b", nil}
	staffIn     = caller{"staff in scope", "o-staff-x", []string{auth.RoleStaff}}
	staffOut    = caller{"staff out of scope", "o-staff-y", []string{auth.RoleStaff}}
	coordinator = caller{"coordinator", "o-coord-x", []string{auth.RoleCoordinator}}
	admin       = caller{"admin", "o-admin", []string{auth.RoleAdmin}}
	// Third-party evaluators with a grant for X, and for Y.
	evaluatorIn  = caller{"evaluator of X", "o-evaluator-x", []string{auth.RoleEvaluator}}
	evaluatorOut = caller{"evaluator of Y", "o-evaluator-y", []string{auth.RoleEvaluator}}
)

// callers, those a rule may refuse first: a refused request must change nothing, which
// is checked against a table no allowed caller has touched yet.
var callers = []caller{anonymous, residentB, staffOut, evaluatorOut, evaluatorIn, residentA, staffIn, coordinator, admin}

// The districts and venues of the matrix's arena.
const (
	districtX = "430211"    // 天元区
	townX     = "430211001" // 嵩山路街道, in X
	villageX  = "430211001001"
	districtY = "430202" // 荷塘区
	venueX    = "v-x"
	venueY    = "v-y"
)

var venueXAt = directory.Location{Lat: 27.8300, Lng: 113.0800}

// call is one request of a route, made for one caller by its fixture.
type call struct {
	method, path, body string
	header             http.Header
	// owned: the target belongs to resident A, and only A may act on it (others get
	// 403 or 404, as if it were not there).
	owned bool
	// marker, for a listing of the caller's own district: what the listing shows to
	// callers whose district holds the target, and must not show staff out of scope.
	marker string
	// redirects: the route answers success with a redirect (an H5 page's
	// post/redirect/get, the sign-in callback).
	redirects bool
}

// fixture makes, for each caller afresh, what a route acts on and the request.
type fixture func(w *arena, as caller) call

type arena struct {
	t        *testing.T
	a        *app.App
	tbl      *dynamotest.Table
	h        http.Handler
	sessions *auth.Service
	wx       *wechattest.Server
	now      time.Time
	n        int
	logs     *syncio.Buffer // everything the platform logged
}

var matrixNow = time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC) // 09:00 in Beijing

func newArena(t *testing.T) *arena {
	t.Helper()
	w := &arena{t: t, now: matrixNow, logs: syncio.NewBuffer()}
	w.tbl = dynamotest.New(t)
	wx := wechattest.NewServer(t)
	w.wx = wx
	cfg := config.From(env{
		"TABLE_NAME": w.tbl.Name, "WECHAT_APP_ID": wechattest.AppID, "WECHAT_APP_SECRET": wechattest.AppSecret,
		"WECHAT_API_BASE": wx.URL, "WECHAT_TOKEN": testToken, "SESSION_SECRET": testSecret,
		"ADMIN_OPENIDS": admin.openid, "TICKET_SIGNING_KEY": testTicketKey, "ID_HASH_KEY": testIDHashKey, "H5_BASE_URL": "https://h5.example.cn/h5",
		"MEDIA_BUCKET": buckettest.BucketName, "MINIPROGRAM_APP_ID": wechattest.MiniAppID, "MINIPROGRAM_APP_SECRET": wechattest.MiniAppSecret,
		// The mini program's subscribe message of a confirmation, for people who use only
		// the mini program; the official account's messages stay text.
		"NOTIFY_TEMPLATES": `{"booking_confirmed":{"mini":{"templateId":"M-booked","fields":{"thing1":"activity","time2":"time"},"page":"pages/bookings/bookings"}}}`,
	}.get)
	var err error
	w.a, err = app.New(context.Background(), cfg, app.Options{DB: w.tbl.DB, Now: func() time.Time { return w.now }, LogOutput: w.logs})
	if err != nil {
		t.Fatal(err)
	}
	w.a.Bucket = buckettest.New(t).Bucket
	if w.a.SearchIndex, err = search.NewMemory(); err != nil {
		t.Fatal(err)
	}
	if w.sessions, err = w.a.Auth(); err != nil {
		t.Fatal(err)
	}
	w.h = mustRoutes(t, w.a)
	ctx := context.Background()
	city := directory.Root("430200", "株洲市")
	x := city.Child(districtX, "天元区", directory.LevelCounty)
	town := x.Child(townX, "嵩山路街道", directory.LevelTownship)
	village := town.Child(villageX, "泰山社区", directory.LevelVillage)
	y := city.Child(districtY, "荷塘区", directory.LevelCounty)
	for _, d := range []directory.District{city, x, town, village, y} {
		if err := w.a.Directory.PutDistrict(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []directory.Venue{
		{ID: venueX, Name: "天元区文化馆", Kind: directory.VenueCultureCentre, DistrictID: townX, Location: venueXAt},
		{ID: venueY, Name: "荷塘区文化馆", Kind: directory.VenueCultureCentre, DistrictID: districtY, Location: directory.Location{Lat: 27.8522, Lng: 113.1497}},
	} {
		if err := w.a.Directory.PutVenue(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []caller{residentA, residentB, staffIn, staffOut, coordinator, admin, evaluatorIn, evaluatorOut} {
		if _, err := w.a.People.SignedIn(ctx, c.openid, w.now); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []caller{staffIn, staffOut, coordinator} {
		scope := districtX
		if c.openid == staffOut.openid {
			scope = districtY
		}
		d, err := w.a.Directory.District(ctx, scope)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.a.Volunteers.Appoint(ctx, c.openid, c.roles[0], d, w.now); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []caller{evaluatorIn, evaluatorOut} {
		scope := districtX
		if c.openid == evaluatorOut.openid {
			scope = districtY
		}
		g := evaluator.Grant{OpenID: c.openid, Name: "评估员", Organisation: "湖南省公共文化评估中心", Districts: []string{scope},
			From: w.now.Add(-time.Hour), Until: w.now.Add(90 * 24 * time.Hour)}
		if _, err := w.a.Evaluators().Grant(ctx, auth.Claims{OpenID: admin.openid, Roles: admin.roles}, g); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// dependant adds a dependant to as's family and returns its id.
func (w *arena) dependant(as caller) string {
	return str(w.must(as, "POST", "/api/v1/me/dependants", `{"name":"王秀英","relation":"mother"}`), "id")
}

// fresh returns a new id suffix, so that each caller's fixture acts on its own target.
func (w *arena) fresh() string {
	w.n++
	return strconv.Itoa(w.n)
}

func (w *arena) token(c caller) string {
	if c.openid == "" {
		return ""
	}
	s, err := w.sessions.Issue(context.Background(), c.openid, append([]string{auth.RoleResident}, c.roles...), w.now)
	if err != nil {
		w.t.Fatal(err)
	}
	return s.Token
}

func (w *arena) send(as caller, c call) *httptest.ResponseRecorder {
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req := httptest.NewRequest(c.method, c.path, body)
	for k, v := range c.header {
		req.Header[k] = v
	}
	if c.body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	tok := w.token(as)
	switch {
	case strings.HasPrefix(c.path, h5.Prefix):
		// The pages take the session from its cookie, and a form's CSRF token.
		if tok != "" {
			req.AddCookie(&http.Cookie{Name: h5.SessionCookie, Value: tok})
		}
		if c.method != "GET" {
			site, err := w.a.H5Site()
			if err != nil {
				w.t.Fatal(err)
			}
			req.AddCookie(&http.Cookie{Name: h5.CSRFCookie, Value: "matrix-csrf-value-0123456789"})
			req.Header.Set("X-CSRF-Token", site.CSRFFor("matrix-csrf-value-0123456789", tok))
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			if !strings.HasPrefix(req.Header.Get("Content-Type"), "multipart/form-data") { // a form with a file keeps its own
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
		}
	case tok != "":
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	return rec
}

// must makes a request as c that must succeed, and returns its JSON body.
func (w *arena) must(as caller, method, path, body string) map[string]any {
	w.t.Helper()
	rec := w.send(as, call{method: method, path: path, body: body})
	if rec.Code/100 != 2 {
		w.t.Fatalf("fixture: %s %s as %s = %d %s", method, path, as.name, rec.Code, rec.Body)
	}
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return out
}

// state is the whole table, to tell whether a refused request changed anything.
func (w *arena) state() string {
	w.t.Helper()
	var lines []string
	p := dynamodb.NewScanPaginator(w.tbl.DB, &dynamodb.ScanInput{TableName: &w.tbl.Name})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			w.t.Fatal(err)
		}
		for _, it := range out.Items {
			var m map[string]any
			if err := attributevalue.UnmarshalMap(it, &m); err != nil {
				w.t.Fatal(err)
			}
			b, _ := json.Marshal(m)
			lines = append(lines, string(b))
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// The arena's makers of targets, each in district X unless said.

func (w *arena) activity(kind string) string {
	return str(w.must(admin, "POST", "/api/v1/admin/activities", fmt.Sprintf(`{"kind":%q,"title":"活动%s","venueId":%q}`, kind, w.fresh(), venueX)), "id")
}

// slot makes a slot of a new activity of kind starting in `in`, with extra fields.
func (w *arena) slot(kind string, in time.Duration, extra string) string {
	start := w.now.Add(in)
	body := fmt.Sprintf(`{"startsAt":%q,"endsAt":%q,"capacity":30,"maxPartySize":2%s}`,
		start.Format(time.RFC3339), start.Add(2*time.Hour).Format(time.RFC3339), extra)
	return str(w.must(admin, "POST", "/api/v1/admin/activities/"+w.activity(kind)+"/slots", body), "id")
}

func (w *arena) book(as caller, slotID string) map[string]any {
	return w.must(as, "POST", "/api/v1/slots/"+slotID+"/bookings", `{"partySize":1}`)
}

// idNumber is a valid resident identity number, different for each n.
func idNumber(n int) string {
	base := fmt.Sprintf("43020019900101%03d", n%1000)
	for _, c := range "0123456789X" {
		if id := base + string(c); volunteer.ValidIDNumber(id) {
			return id
		}
	}
	panic("no check character")
}

// volunteer registers openid as a volunteer of X and brings them to status.
func (w *arena) volunteer(openid string, status volunteer.Status) string {
	n := w.fresh()
	i, _ := strconv.Atoi(n)
	app := fmt.Sprintf(`{"name":"张志愿","phone":"13800138000","idNumber":%q,"districtId":%q,"category":"culture"}`, idNumber(i), townX)
	id := str(w.must(caller{openid: openid}, "POST", "/api/v1/volunteers", app), "id")
	steps := map[volunteer.Status][]string{volunteer.StatusActive: {"approve"}, volunteer.StatusSuspended: {"approve", "suspend"}}
	for _, a := range steps[status] {
		w.must(admin, "POST", "/api/v1/admin/volunteers/"+id+"/"+a, `{"reason":"核实"}`)
	}
	return id
}

func (w *arena) shift() string {
	start := w.now.Add(48 * time.Hour)
	body := fmt.Sprintf(`{"title":"导览%s","venueId":%q,"startsAt":%q,"endsAt":%q,"capacity":5}`, w.fresh(), venueX,
		start.Format(time.RFC3339), start.Add(3*time.Hour).Format(time.RFC3339))
	return str(w.must(admin, "POST", "/api/v1/admin/shifts", body), "id")
}

func (w *arena) feedback() string {
	return str(w.must(residentA, "POST", "/api/v1/feedback", `{"text":"希望延长开放时间`+w.fresh()+`","category":"suggestion","venueId":"`+venueX+`"}`), "id")
}

func (w *arena) team(approved bool) string {
	body := fmt.Sprintf(`{"name":"太极拳协会%s","category":"martial_arts","districtId":%q,"leaderName":"王建国","leaderPhone":"13900001111","memberCount":48,"rehearsalVenueId":%q,"description":"晨练"}`,
		w.fresh(), townX, venueX)
	id := str(w.must(residentA, "POST", "/api/v1/teams", body), "id")
	if approved {
		w.must(admin, "POST", "/api/v1/admin/teams/"+id+"/approve", "")
	}
	return id
}

// call opens a figure call of a fresh year with resident A and the admin on its panel;
// a closed call's application is returned too.
func (w *arena) call(open bool) (year int, application string) {
	ctx := context.Background()
	year = 2030 + w.n
	w.n++
	opens, closes := w.now.Add(-time.Hour), w.now.Add(30*24*time.Hour)
	if !open {
		opens, closes = w.now.Add(-60*24*time.Hour), w.now.Add(-24*time.Hour)
	}
	c := figure.Call{Year: year, OpensAt: opens, ClosesAt: closes, Panel: []string{residentA.openid, admin.openid, "o-panel-3"}, PanelSize: 3}
	if err := w.a.Figures().Store.CreateCall(ctx, c); err != nil {
		w.t.Fatal(err)
	}
	if open {
		return year, ""
	}
	a := figure.Application{ID: "fa-" + w.fresh(), Year: year, OpenID: "o-applicant-" + w.fresh(), Name: "刘醴瓷", Discipline: "folk_arts",
		DistrictID: townX, DistrictPath: "430200/" + districtX + "/" + townX, Works: []string{"《湘江晨曲》"}, SubmittedAt: opens}
	if err := w.a.Figures().Store.AddApplication(ctx, a); err != nil {
		w.t.Fatal(err)
	}
	return year, a.ID
}

// figure is a selected figure of X.
func (w *arena) figure() string {
	ctx := context.Background()
	year, appID := w.call(false)
	c, err := w.a.Figures().Store.Call(ctx, year)
	if err != nil {
		w.t.Fatal(err)
	}
	a, err := w.a.Figures().Store.Application(ctx, appID)
	if err != nil {
		w.t.Fatal(err)
	}
	c.SelectedAt = w.now
	if err := w.a.Figures().Store.Select(ctx, c, []figure.Figure{figure.NewFigure(a, figure.Ranked{Rank: 1}, w.now, admin.openid)}); err != nil {
		w.t.Fatal(err)
	}
	return appID
}

// failedMessage is a notification about a booking in X that failed for good.
func (w *arena) failedMessage() string {
	ctx := context.Background()
	slot := w.slot("event", 48*time.Hour, "")
	id := "msg-" + w.fresh()
	m := notify.Message{ID: id, Kind: "booking_confirmed", To: "o-holder-" + id, CreatedAt: w.now, DueAt: w.now,
		Data: map[string]string{"bookingId": slot + ".abc", "activity": "活动"}}
	if err := w.a.Outbox.Add(ctx, m); err != nil {
		w.t.Fatal(err)
	}
	if _, _, err := w.a.Outbox.Claim(ctx, id, w.now, w.now.Add(time.Minute)); err != nil {
		w.t.Fatal(err)
	}
	if err := w.a.Outbox.Finish(ctx, id, notify.StatusFailed, "errcode_40003", w.now); err != nil {
		w.t.Fatal(err)
	}
	return id
}

// signed is a WeChat callback query signed with the test token.
func (w *arena) signed(extra url.Values) string {
	ts := strconv.FormatInt(w.now.Unix(), 10)
	q := url.Values{"timestamp": {ts}, "nonce": {"n1"}, "signature": {callback.Sign(testToken, ts, "n1")}}
	for k, v := range extra {
		q[k] = v
	}
	return q.Encode()
}

func get(path string) call                     { return call{method: "GET", path: path} }
func post(path, body string) call              { return call{method: "POST", path: path, body: body} }
func (c call) own() call                       { c.owned = true; return c }
func (c call) redirect() call                  { c.redirects = true; return c }
func (c call) listing(marker string) call      { c.marker = marker; return c }
func with(method, path, body string) call      { return call{method: method, path: path, body: body} }
func rfc(t time.Time) string                   { return t.Format(time.RFC3339) }
func quoted(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// fixtures make each route's request. A GET route without path parameters needs none
// (the request is the route itself); every other route of template.yaml needs one
// here, or the matrix fails.
var fixtures = map[string]fixture{
	// WeChat callback: WeChat's signature is its credential.
	"GET /wechat": func(w *arena, as caller) call {
		return get("/wechat?" + w.signed(url.Values{"echostr": {"hello"}}))
	},
	"POST /wechat": func(w *arena, as caller) call {
		xml := fmt.Sprintf(`<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[o-resident-a]]></FromUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[电影]]></Content><MsgId>%s</MsgId></xml>`,
			w.now.Unix(), "1000"+w.fresh())
		return call{method: "POST", path: "/wechat?" + w.signed(url.Values{"openid": {"o-resident-a"}}), body: xml,
			header: http.Header{"Content-Type": {"text/xml"}}}
	},

	// Account.
	"POST /api/v1/auth/wechat": func(w *arena, as caller) call {
		return post("/api/v1/auth/wechat", `{"code":"dev:o-new-`+w.fresh()+`"}`)
	},
	"POST /api/v1/auth/miniprogram": func(w *arena, as caller) call {
		return post("/api/v1/auth/miniprogram", `{"code":"dev:m-new-`+w.fresh()+`"}`)
	},
	"POST /api/v1/me/erase": func(w *arena, as caller) call {
		return post("/api/v1/me/erase", `{"confirm":"注销"}`)
	},
	"POST /api/v1/me/dependants": func(w *arena, as caller) call {
		return post("/api/v1/me/dependants", `{"name":"王秀英","relation":"mother","birthYear":1948}`)
	},
	"DELETE /api/v1/me/dependants/{id}": func(w *arena, as caller) call {
		return with("DELETE", "/api/v1/me/dependants/"+w.dependant(residentA), "").own()
	},
	"POST /h5/me/family": func(w *arena, as caller) call {
		return post("/h5/me/family", "name=%E7%8E%8B%E7%A7%80%E8%8B%B1&relation=mother&birthYear=1948").redirect()
	},
	"POST /h5/me/consents/{purpose}": func(w *arena, as caller) call {
		return post("/h5/me/consents/location", "granted=0").redirect()
	},
	"PUT /api/v1/me/consents/{purpose}": func(w *arena, as caller) call {
		return with("PUT", "/api/v1/me/consents/messages", `{"granted":false}`)
	},
	"POST /api/v1/me/phone": func(w *arena, as caller) call {
		return post("/api/v1/me/phone", `{"code":"dev:1390000`+fmt.Sprintf("%04s", w.fresh())+`"}`)
	},
	"POST /api/v1/me/mini-subscriptions": func(w *arena, as caller) call {
		return post("/api/v1/me/mini-subscriptions", `{"templateIds":["M-booked"]}`)
	},
	"POST /api/v1/me/merge": func(w *arena, as caller) call {
		return post("/api/v1/me/merge", `{"kind":"phone","code":"dev:1391111`+fmt.Sprintf("%04s", w.fresh())+`"}`)
	},
	"GET /api/v1/me/merge/{id}": func(w *arena, as caller) call {
		return get("/api/v1/me/merge/" + w.mergeOffer()).own()
	},
	"POST /api/v1/me/merge/{id}": func(w *arena, as caller) call {
		return post("/api/v1/me/merge/"+w.mergeOffer(), `{"confirm":true}`).own()
	},
	"POST /api/v1/me/dependants/{id}/takeover": func(w *arena, as caller) call {
		return post("/api/v1/me/dependants/"+w.dependant(residentA)+"/takeover", "").own()
	},
	"GET /api/v1/takeover/{code}": func(w *arena, as caller) call {
		return get("/api/v1/takeover/" + w.takeover())
	},
	"POST /api/v1/takeover/{code}": func(w *arena, as caller) call {
		return post("/api/v1/takeover/"+w.takeover(), `{"confirm":true}`)
	},
	"POST /h5/me/erase": func(w *arena, as caller) call {
		return post("/h5/me/erase", "confirm=%E6%B3%A8%E9%94%80").redirect()
	},
	"POST /h5/me/family/{id}/delete": func(w *arena, as caller) call {
		return post("/h5/me/family/"+w.dependant(residentA)+"/delete", "").own().redirect()
	},
	"POST /h5/me/family/{id}/takeover": func(w *arena, as caller) call {
		return post("/h5/me/family/"+w.dependant(residentA)+"/takeover", "").own()
	},
	"GET /h5/takeover/{code}": func(w *arena, as caller) call {
		return get("/h5/takeover/" + w.takeover())
	},
	"POST /h5/takeover/{code}": func(w *arena, as caller) call {
		return post("/h5/takeover/"+w.takeover(), "confirm=1").redirect()
	},
	"GET /api/v1/auth/wechat/authorize": func(w *arena, as caller) call {
		return get("/api/v1/auth/wechat/authorize?returnTo=" + url.QueryEscape("https://h5.example.cn/bookings"))
	},
	// H5 pages: the session is a cookie, forms carry a CSRF token (send).
	"GET /h5/assets/{name}": func(w *arena, as caller) call {
		site, err := w.a.H5Site()
		if err != nil {
			w.t.Fatal(err)
		}
		return get(site.Assets().URL("site.css"))
	},
	"GET /h5/auth/callback": func(w *arena, as caller) call {
		site, err := w.a.H5Site()
		if err != nil {
			w.t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		site.SignIn(rec, httptest.NewRequest("GET", "/h5/me/bookings", nil), "/h5/")
		loc, _ := url.Parse(rec.Header().Get("Location"))
		c := get("/h5/auth/callback?" + url.Values{"code": {"dev:o-resident-" + w.fresh()}, "state": {loc.Query().Get("state")}, "next": {"/h5/"}}.Encode())
		nonce := rec.Result().Cookies()[0] // the browser that started the sign-in
		c.header = http.Header{"Cookie": {nonce.Name + "=" + nonce.Value}}
		return c.redirect()
	},
	"GET /h5/activities/{id}": func(w *arena, as caller) call {
		return get("/h5/activities/" + w.activity("event"))
	},
	"GET /h5/slots/{id}": func(w *arena, as caller) call {
		return get("/h5/slots/" + w.slot("film", 48*time.Hour, `,"seatRows":5,"seatsPerRow":6`))
	},
	"POST /h5/slots/{id}/bookings": func(w *arena, as caller) call {
		return post("/h5/slots/"+w.slot("event", 48*time.Hour, "")+"/bookings", "party=1").redirect()
	},
	"GET /h5/slots/{id}/draw": func(w *arena, as caller) call {
		return get("/h5/slots/" + w.slot("event", 48*time.Hour, `,"mode":"ballot","bookingClosesAt":"`+rfc(w.now.Add(24*time.Hour))+`"`) + "/draw")
	},
	"GET /h5/bookings/{id}": func(w *arena, as caller) call {
		return get("/h5/bookings/" + str(w.book(residentA, w.slot("event", 48*time.Hour, "")), "id")).own()
	},
	"GET /h5/bookings/{id}/ticket": func(w *arena, as caller) call {
		return get("/h5/bookings/" + str(w.book(residentA, w.slot("event", 48*time.Hour, "")), "id") + "/ticket").own()
	},
	"GET /h5/bookings/{id}/cancel": func(w *arena, as caller) call {
		return get("/h5/bookings/" + str(w.book(residentA, w.slot("event", 48*time.Hour, "")), "id") + "/cancel").own()
	},
	"POST /h5/bookings/{id}/cancel": func(w *arena, as caller) call {
		return post("/h5/bookings/"+str(w.book(residentA, w.slot("event", 48*time.Hour, "")), "id")+"/cancel", "").own().redirect()
	},
	"GET /h5/venues/{id}": func(w *arena, as caller) call { return get("/h5/venues/" + venueX) },
	"POST /h5/me/volunteer": func(w *arena, as caller) call {
		i, _ := strconv.Atoi(w.fresh())
		return post("/h5/me/volunteer", url.Values{"name": {"张志愿"}, "phone": {"13800138000"}, "idNumber": {idNumber(i)},
			"districtId": {townX}, "category": {"culture"}}.Encode()).redirect()
	},
	"GET /h5/me/volunteer/certificate": func(w *arena, as caller) call {
		w.volunteerFor(as, volunteer.StatusActive)
		return get("/h5/me/volunteer/certificate")
	},
	"POST /h5/shifts/{id}/signup": func(w *arena, as caller) call {
		w.volunteerFor(as, volunteer.StatusActive)
		return post("/h5/shifts/"+w.shift()+"/signup", "").redirect()
	},
	"POST /h5/shifts/{id}/withdraw": func(w *arena, as caller) call {
		shift := w.shift()
		if w.volunteerFor(as, volunteer.StatusActive) {
			w.must(as, "POST", "/api/v1/shifts/"+shift+"/signups", "")
		}
		return post("/h5/shifts/"+shift+"/withdraw", "").redirect()
	},
	"POST /h5/feedback": func(w *arena, as caller) call {
		return post("/h5/feedback", url.Values{"category": {"suggestion"}, "text": {"希望延长开放时间"}}.Encode()).redirect()
	},
	"GET /h5/activities/{id}/rate": func(w *arena, as caller) call {
		return get("/h5/activities/" + w.activity("event") + "/rate")
	},
	"POST /h5/activities/{id}/rate": func(w *arena, as caller) call {
		act := w.activity("event")
		if as.openid != "" {
			attend(w.t, w.a, act, w.now, as.openid)
		}
		return post("/h5/activities/"+act+"/rate", "score=5&comment=%E5%A5%BD").redirect()
	},
	"GET /h5/polls/{id}": func(w *arena, as caller) call { return get("/h5/polls/" + w.poll()) },
	"POST /h5/polls/{id}/votes": func(w *arena, as caller) call {
		if as.openid != "" {
			if err := w.a.People.SetHome(context.Background(), as.openid, "", villageX, w.now); err != nil {
				w.t.Fatal(err)
			}
		}
		return post("/h5/polls/"+w.poll()+"/votes", "film=1").redirect()
	},
	"GET /h5/screenings/{id}/verify": func(w *arena, as caller) call {
		return get("/h5/screenings/" + w.slot("film", 30*time.Minute, "") + "/verify")
	},
	"POST /h5/screenings/{id}/verify": func(w *arena, as caller) call {
		return post("/h5/screenings/"+w.slot("film", 30*time.Minute, "")+"/verify",
			url.Values{"lat": {fmt.Sprint(venueXAt.Lat)}, "lng": {fmt.Sprint(venueXAt.Lng)}, "headCount": {"80"}}.Encode())
	},
	"GET /h5/signin": func(w *arena, as caller) call { return get("/h5/signin?next=%2Fh5%2Fme%2Fbookings").redirect() },
	"POST /h5/me/district": func(w *arena, as caller) call {
		return post("/h5/me/district", "districtId="+villageX+"&next=%2Fh5%2F").redirect()
	},
	"POST /h5/prefs/elder": func(w *arena, as caller) call {
		return post("/h5/prefs/elder", "on=1&next=%2Fh5%2F").redirect()
	},
	"GET /api/v1/wechat/jsconfig": func(w *arena, as caller) call {
		return get("/api/v1/wechat/jsconfig?url=" + url.QueryEscape("https://h5.example.cn/bookings"))
	},

	"POST /api/v1/auth/signout": func(w *arena, as caller) call { return post("/api/v1/auth/signout", "") },
	"PUT /api/v1/me/district": func(w *arena, as caller) call {
		return with("PUT", "/api/v1/me/district", quoted(`{"districtId":%q}`, villageX))
	},

	// Notifications.
	"GET /api/v1/admin/notifications": func(w *arena, as caller) call {
		return get("/api/v1/admin/notifications?status=failed&limit=100").listing(w.failedMessage())
	},
	"POST /api/v1/admin/notifications/{id}/retry": func(w *arena, as caller) call {
		return post("/api/v1/admin/notifications/"+w.failedMessage()+"/retry", "")
	},

	// Bookings.
	"POST /api/v1/slots/{id}/bookings": func(w *arena, as caller) call {
		return post("/api/v1/slots/"+w.slot("event", 48*time.Hour, "")+"/bookings", `{"partySize":1}`)
	},
	"GET /api/v1/slots/{id}/draw": func(w *arena, as caller) call {
		return get("/api/v1/slots/" + w.slot("event", 48*time.Hour, `,"mode":"ballot","bookingClosesAt":"`+rfc(w.now.Add(24*time.Hour))+`"`) + "/draw")
	},
	"GET /api/v1/slots/{id}/seats": func(w *arena, as caller) call {
		return get("/api/v1/slots/" + w.slot("film", 48*time.Hour, `,"seatRows":5,"seatsPerRow":6`) + "/seats")
	},
	"DELETE /api/v1/bookings/{id}": func(w *arena, as caller) call {
		b := w.book(residentA, w.slot("event", 48*time.Hour, ""))
		return with("DELETE", "/api/v1/bookings/"+str(b, "id"), "").own()
	},
	"POST /api/v1/admin/activities": func(w *arena, as caller) call {
		return post("/api/v1/admin/activities", quoted(`{"kind":"event","title":"非遗剪纸","venueId":%q}`, venueX))
	},
	"PATCH /api/v1/admin/activities/{id}": func(w *arena, as caller) call {
		return with("PATCH", "/api/v1/admin/activities/"+w.activity("event"), `{"title":"非遗剪纸体验"}`)
	},
	"POST /api/v1/admin/activities/{id}/slots": func(w *arena, as caller) call {
		start := w.now.Add(72 * time.Hour)
		return post("/api/v1/admin/activities/"+w.activity("event")+"/slots",
			quoted(`{"startsAt":%q,"endsAt":%q,"capacity":20}`, rfc(start), rfc(start.Add(time.Hour))))
	},
	"PATCH /api/v1/admin/slots/{id}": func(w *arena, as caller) call {
		return with("PATCH", "/api/v1/admin/slots/"+w.slot("event", 48*time.Hour, ""), `{"capacity":40}`)
	},
	"DELETE /api/v1/admin/slots/{id}": func(w *arena, as caller) call {
		return with("DELETE", "/api/v1/admin/slots/"+w.slot("event", 48*time.Hour, ""), "")
	},
	"GET /api/v1/admin/slots/{id}/bookings": func(w *arena, as caller) call {
		return get("/api/v1/admin/slots/" + w.slot("event", 48*time.Hour, "") + "/bookings")
	},
	"POST /api/v1/admin/checkins": func(w *arena, as caller) call {
		b := w.book(residentA, w.slot("event", 30*time.Minute, ""))
		return post("/api/v1/admin/checkins", quoted(`{"ticket":%q}`, str(b, "ticket")))
	},
	"POST /api/v1/admin/checkouts": func(w *arena, as caller) call {
		b := w.book(residentA, w.slot("reading", 30*time.Minute, ""))
		w.must(admin, "POST", "/api/v1/admin/checkins", quoted(`{"ticket":%q}`, str(b, "ticket")))
		return post("/api/v1/admin/checkouts", quoted(`{"ticket":%q}`, str(b, "ticket")))
	},
	"POST /api/v1/admin/suspensions/{openid}/lift": func(w *arena, as caller) call {
		return post("/api/v1/admin/suspensions/"+w.suspended(w.slot("event", 48*time.Hour, ""))+"/lift", `{"reason":"因病缺席，已核实"}`)
	},
	"PUT /api/v1/admin/schedules/{id}": func(w *arena, as caller) call {
		return with("PUT", "/api/v1/admin/schedules/taichi-"+w.fresh(), quoted(
			`{"activityId":%q,"weekdays":[1,3,5],"startTime":"07:00","durationMinutes":60,"capacity":40,"seasonStart":"2026-12-01","seasonEnd":"2027-02-28"}`,
			w.activity("fitness")))
	},
	"POST /api/v1/admin/film-polls": func(w *arena, as caller) call {
		return post("/api/v1/admin/film-polls", quoted(`{"districtId":%q,"films":["流浪地球","地道战"],"closesAt":%q}`, villageX, rfc(w.now.Add(240*time.Hour))))
	},
	"GET /api/v1/film-polls/{id}": func(w *arena, as caller) call {
		return get("/api/v1/film-polls/" + w.poll())
	},
	"POST /api/v1/film-polls/{id}/votes": func(w *arena, as caller) call {
		if as.openid != "" {
			if err := w.a.People.SetHome(context.Background(), as.openid, "", villageX, w.now); err != nil {
				w.t.Fatal(err)
			}
		}
		return post("/api/v1/film-polls/"+w.poll()+"/votes", `{"film":1}`)
	},
	"POST /api/v1/admin/screenings/{id}/verify": func(w *arena, as caller) call {
		return post("/api/v1/admin/screenings/"+w.slot("film", 30*time.Minute, "")+"/verify",
			quoted(`{"lat":%v,"lng":%v,"headCount":80}`, venueXAt.Lat, venueXAt.Lng))
	},

	// Directory.
	"GET /api/v1/venues/{id}": func(w *arena, as caller) call { return get("/api/v1/venues/" + venueX) },
	"POST /api/v1/admin/districts": func(w *arena, as caller) call {
		return post("/api/v1/admin/districts", quoted(`{"id":"4302119%s","parentId":%q,"name":"新街道","level":"township"}`, w.fresh(), districtX))
	},
	"PATCH /api/v1/admin/districts/{id}": func(w *arena, as caller) call {
		return with("PATCH", "/api/v1/admin/districts/"+townX, `{"name":"嵩山路街道"}`)
	},
	"POST /api/v1/admin/venues": func(w *arena, as caller) call {
		return post("/api/v1/admin/venues", quoted(`{"name":"新图书馆","kind":"library","districtId":%q,"location":{"lat":27.83,"lng":113.09}}`, townX))
	},
	"PUT /api/v1/admin/venues/{id}": func(w *arena, as caller) call {
		return with("PUT", "/api/v1/admin/venues/"+venueX, quoted(`{"name":"天元区文化馆","kind":"culture_centre","districtId":%q,"location":{"lat":%v,"lng":%v}}`, townX, venueXAt.Lat, venueXAt.Lng))
	},
	"PUT /api/v1/admin/scopes/{openid}": func(w *arena, as caller) call {
		return with("PUT", "/api/v1/admin/scopes/o-new-staff-"+w.fresh(), quoted(`{"districtId":%q}`, districtX))
	},
	"POST /api/v1/ratings": func(w *arena, as caller) call {
		act := w.activity("event")
		if as.openid != "" {
			attend(w.t, w.a, act, w.now, as.openid)
		}
		return post("/api/v1/ratings", quoted(`{"activityId":%q,"score":5,"comment":"好"}`, act))
	},
	"GET /api/v1/satisfaction": func(w *arena, as caller) call { return get("/api/v1/satisfaction?subject=venue:" + venueX) },
	"POST /api/v1/feedback": func(w *arena, as caller) call {
		return post("/api/v1/feedback", quoted(`{"text":"希望延长开放时间","category":"suggestion","venueId":%q}`, venueX))
	},
	"GET /api/v1/admin/feedback": func(w *arena, as caller) call {
		return get("/api/v1/admin/feedback").listing(w.feedback())
	},
	"POST /api/v1/admin/feedback/{id}/reply": func(w *arena, as caller) call {
		return post("/api/v1/admin/feedback/"+w.feedback()+"/reply", `{"text":"已延长至晚九点"}`)
	},
	"POST /api/v1/teams": func(w *arena, as caller) call {
		return post("/api/v1/teams", quoted(`{"name":"腰鼓队%s","category":"dance","districtId":%q,"leaderName":"李红","leaderPhone":"13900002222","memberCount":20,"description":"广场腰鼓"}`, w.fresh(), townX))
	},
	"GET /api/v1/teams/{id}": func(w *arena, as caller) call { return get("/api/v1/teams/" + w.team(true)) },
	"GET /api/v1/admin/teams": func(w *arena, as caller) call {
		return get("/api/v1/admin/teams?status=pending").listing(w.team(false))
	},
	"POST /api/v1/admin/teams/{id}/approve": func(w *arena, as caller) call {
		return post("/api/v1/admin/teams/"+w.team(false)+"/approve", "")
	},
	"POST /api/v1/admin/teams/{id}/ratings": func(w *arena, as caller) call {
		return post("/api/v1/admin/teams/"+w.team(true)+"/ratings", `{"scores":{"scale":18,"regularity":19,"quality":20,"service":16,"management":12}}`)
	},
	"POST /api/v1/admin/figure-calls": func(w *arena, as caller) call {
		year := 2030 + w.n
		w.n++
		return post("/api/v1/admin/figure-calls", quoted(`{"year":%d,"opensAt":%q,"closesAt":%q,"panel":["o-p1","o-p2","o-p3"]}`, year, rfc(w.now), rfc(w.now.Add(720*time.Hour))))
	},
	"GET /api/v1/figure-calls/{year}": func(w *arena, as caller) call {
		year, _ := w.call(true)
		return get(fmt.Sprintf("/api/v1/figure-calls/%d", year))
	},
	"POST /api/v1/figure-calls/{year}/applications": func(w *arena, as caller) call {
		year, _ := w.call(true)
		return post(fmt.Sprintf("/api/v1/figure-calls/%d/applications", year), quoted(`{"name":"陈湘音","discipline":"opera","districtId":%q,"bio":"从艺三十年","works":["《湘江晨曲》"]}`, townX))
	},
	"GET /api/v1/admin/figure-calls/{year}/applications": func(w *arena, as caller) call {
		year, _ := w.call(false)
		return get(fmt.Sprintf("/api/v1/admin/figure-calls/%d/applications", year))
	},
	"PUT /api/v1/admin/figure-applications/{id}/score": func(w *arena, as caller) call {
		_, app := w.call(false)
		return with("PUT", "/api/v1/admin/figure-applications/"+app+"/score", `{"scores":{"achievement":30,"influence":20,"service":15,"inheritance":10}}`)
	},
	"POST /api/v1/admin/figure-calls/{year}/selection": func(w *arena, as caller) call {
		year, _ := w.call(false)
		return post(fmt.Sprintf("/api/v1/admin/figure-calls/%d/selection", year), "")
	},
	"GET /api/v1/figures/{id}": func(w *arena, as caller) call { return get("/api/v1/figures/" + w.figure()) },
	"GET /api/v1/search":       func(*arena, caller) call { return get("/api/v1/search?q=%E7%93%B7") },
	"POST /api/v1/admin/figures/{id}/status": func(w *arena, as caller) call {
		return post("/api/v1/admin/figures/"+w.figure()+"/status", `{"status":"honorary","reason":"年逾八十，转为荣誉"}`)
	},
	"GET /api/v1/admin/reports": func(w *arena, as caller) call { return get("/api/v1/admin/reports?district=" + districtX) },

	// Volunteers and training: a resident's own record needs them to be a volunteer.
	"POST /api/v1/volunteers": func(w *arena, as caller) call {
		i, _ := strconv.Atoi(w.fresh())
		return post("/api/v1/volunteers", quoted(`{"name":"张志愿","phone":"13800138000","idNumber":%q,"districtId":%q,"category":"culture"}`, idNumber(i), townX))
	},
	"GET /api/v1/me/volunteer": func(w *arena, as caller) call {
		w.volunteerFor(as, volunteer.StatusPending)
		return get("/api/v1/me/volunteer")
	},
	"POST /api/v1/me/volunteer/confirm": func(w *arena, as caller) call {
		w.volunteerFor(as, volunteer.StatusActive)
		return post("/api/v1/me/volunteer/confirm", "")
	},
	"GET /api/v1/me/volunteer/certificate": func(w *arena, as caller) call {
		w.volunteerFor(as, volunteer.StatusActive)
		return get("/api/v1/me/volunteer/certificate")
	},
	"POST /api/v1/shifts/{id}/signups": func(w *arena, as caller) call {
		w.volunteerFor(as, volunteer.StatusActive)
		return post("/api/v1/shifts/"+w.shift()+"/signups", "")
	},
	"DELETE /api/v1/shifts/{id}/signups": func(w *arena, as caller) call {
		shift := w.shift()
		if w.volunteerFor(as, volunteer.StatusActive) {
			w.must(as, "POST", "/api/v1/shifts/"+shift+"/signups", "")
		}
		return with("DELETE", "/api/v1/shifts/"+shift+"/signups", "")
	},
	"GET /api/v1/admin/volunteers": func(w *arena, as caller) call {
		return get("/api/v1/admin/volunteers?status=pending").listing(w.volunteer("o-applicant-"+w.fresh(), volunteer.StatusPending))
	},
	"GET /api/v1/admin/volunteers/{id}": func(w *arena, as caller) call {
		return get("/api/v1/admin/volunteers/" + w.volunteer("o-vol-"+w.fresh(), volunteer.StatusActive))
	},
	"POST /api/v1/admin/volunteers/{id}/approve":   decision("approve", volunteer.StatusPending),
	"POST /api/v1/admin/volunteers/{id}/reject":    decision("reject", volunteer.StatusPending),
	"POST /api/v1/admin/volunteers/{id}/suspend":   decision("suspend", volunteer.StatusActive),
	"POST /api/v1/admin/volunteers/{id}/retire":    decision("retire", volunteer.StatusActive),
	"POST /api/v1/admin/volunteers/{id}/reinstate": decision("reinstate", volunteer.StatusSuspended),
	"POST /api/v1/admin/volunteers/{id}/hours": func(w *arena, as caller) call {
		return post("/api/v1/admin/volunteers/"+w.volunteer("o-vol-"+w.fresh(), volunteer.StatusActive)+"/hours", `{"kind":"honour","hours":2,"reason":"纸质签到表补录"}`)
	},
	"POST /api/v1/admin/shifts": func(w *arena, as caller) call {
		start := w.now.Add(48 * time.Hour)
		return post("/api/v1/admin/shifts", quoted(`{"title":"导览","venueId":%q,"startsAt":%q,"endsAt":%q,"capacity":5}`, venueX, rfc(start), rfc(start.Add(3*time.Hour))))
	},
	"GET /api/v1/admin/shifts/{id}/signups": func(w *arena, as caller) call {
		return get("/api/v1/admin/shifts/" + w.shift() + "/signups")
	},
	"DELETE /api/v1/admin/appointments/{openid}": func(w *arena, as caller) call {
		who := "o-appointee-" + w.fresh()
		w.must(admin, "POST", "/api/v1/admin/appointments", quoted(`{"openid":%q,"districtId":%q,"role":"staff"}`, who, districtX))
		return with("DELETE", "/api/v1/admin/appointments/"+who, "")
	},
	"POST /api/v1/admin/appointments": func(w *arena, as caller) call {
		return post("/api/v1/admin/appointments", quoted(`{"openid":"o-appointee-%s","districtId":%q,"role":"staff"}`, w.fresh(), districtX))
	},
	"POST /api/v1/admin/trainings": func(w *arena, as caller) call {
		return post("/api/v1/admin/trainings", quoted(`{"title":"基层文化骨干培训","mode":"in_person","date":%q,"days":2,"districtId":%q}`, rfc(w.now), districtX))
	},
	"POST /api/v1/admin/trainings/{id}/attendance": func(w *arena, as caller) call {
		course := str(w.must(admin, "POST", "/api/v1/admin/trainings", quoted(`{"title":"培训","mode":"remote","date":%q,"classHours":4,"districtId":%q}`, rfc(w.now), districtX)), "id")
		return post("/api/v1/admin/trainings/"+course+"/attendance", `{"openids":["o-resident-a"]}`)
	},
	"GET /api/v1/admin/training/compliance": func(w *arena, as caller) call {
		return get("/api/v1/admin/training/compliance?districtId=" + districtX)
	},
}

func decision(action string, from volunteer.Status) fixture {
	return func(w *arena, as caller) call {
		return post("/api/v1/admin/volunteers/"+w.volunteer("o-vol-"+w.fresh(), from)+"/"+action, `{"reason":"经核实"}`)
	}
}

// volunteerFor makes a signed-in caller a volunteer of status; false for anonymous.
func (w *arena) volunteerFor(as caller, status volunteer.Status) bool {
	if as.openid == "" {
		return false
	}
	w.volunteer(as.openid, status)
	return true
}

func (w *arena) poll() string {
	return str(w.must(admin, "POST", "/api/v1/admin/film-polls", quoted(`{"districtId":%q,"films":["流浪地球","地道战"],"closesAt":%q}`, villageX, rfc(w.now.Add(240*time.Hour)))), "id")
}

// allowed says whether rule lets c make call: and, when not, the statuses that may
// refuse it.
func allowed(rule access.Rule, c call, as caller) (bool, []int) {
	if rule.Kind == access.KindPublic {
		return true, nil
	}
	if as.openid == "" {
		if strings.HasPrefix(c.path, h5.Prefix) && c.method == "GET" {
			return false, []int{http.StatusFound} // a page sends the visitor to sign in
		}
		return false, []int{http.StatusUnauthorized}
	}
	forbidden := []int{http.StatusForbidden}
	switch rule.Kind {
	case access.KindResident:
		if c.owned && as.openid != residentA.openid {
			return false, []int{http.StatusForbidden, http.StatusNotFound}
		}
		return true, nil
	case access.KindMember:
		return as.openid == residentA.openid || as.openid == admin.openid, forbidden
	case access.KindStaff:
		return as.openid == staffIn.openid || as.openid == coordinator.openid || as.openid == admin.openid || as.openid == staffOut.openid && c.marker != "", forbidden
	case access.KindCoordinator:
		return as.openid == coordinator.openid || as.openid == admin.openid, forbidden
	case access.KindAdmin:
		return as.openid == admin.openid, forbidden
	case access.KindEvaluator:
		return as.openid == evaluatorIn.openid || as.openid == admin.openid, forbidden
	}
	return false, forbidden
}

// Every route template.yaml declares has a rule, and behaves as its rule says for every
// kind of caller: anonymous, a resident, another resident, staff in scope, staff out
// of scope, a coordinator and an admin. A refused caller changes nothing; an allowed
// one succeeds on a target made for it. Staff out of scope see none of district X in
// a listing of their own district.
func TestAccessMatrix(t *testing.T) {
	fns := mustFunctions(t)
	probe := newArena(t)
	for _, fn := range fns {
		if len(fn.Routes) == 0 {
			continue
		}
		rt, err := probe.a.Router(fn.LogicalID)
		if err != nil {
			t.Fatal(err)
		}
		for _, route := range fn.Routes {
			pattern := route.Pattern()
			t.Run(pattern, func(t *testing.T) {
				rule, ok := rt.Rule(pattern)
				if !ok {
					t.Fatalf("%s (%s) declares no access rule", pattern, fn.LogicalID)
				}
				fx, ok := fixtures[pattern]
				if !ok {
					if route.Method != "GET" || strings.Contains(route.Path, "{") {
						t.Fatalf("%s (%s, rule %s) has no fixture in the access matrix (shared/app/access_test.go)", pattern, fn.LogicalID, rule.Kind)
					}
					fx = func(*arena, caller) call { return get(route.Path) }
				}
				w := newArena(t)
				for _, as := range callers {
					c := fx(w, as)
					ok, refusals := allowed(rule, c, as)
					before := ""
					if !ok {
						before = w.state()
					}
					rec := w.send(as, c)
					switch {
					case !ok && !slices.Contains(refusals, rec.Code):
						t.Errorf("%s as %s = %d %s, want one of %v", pattern, as.name, rec.Code, rec.Body, refusals)
					case !ok && w.state() != before:
						t.Errorf("%s as %s was refused (%d) but changed the table", pattern, as.name, rec.Code)
					case ok && rec.Code/100 != 2 && !(c.redirects && rec.Code/100 == 3):
						t.Errorf("%s as %s = %d %s, want it allowed (2xx)", pattern, as.name, rec.Code, rec.Body)
					case ok && c.marker != "" && (as.openid == staffOut.openid) == strings.Contains(rec.Body.String(), c.marker):
						t.Errorf("%s as %s shows %q: %v, want %v", pattern, as.name, c.marker, as.openid != staffOut.openid, as.openid == staffOut.openid)
					}
				}
				w.deliverAll()
				if leaks := openidsIn(w.logs.String()); len(leaks) > 0 {
					t.Errorf("%s: the log names openids %q in full", pattern, leaks)
				}
			})
		}
	}
}

// Scope follows the target before and after a change: staff may neither move what is
// theirs out of their district, nor reach into another district by changing what is
// theirs to point there, nor overwrite another district's target by naming theirs.
func TestScopeFollowsTheTarget(t *testing.T) {
	w := newArena(t)
	act := w.activity("fitness")
	w.must(admin, "PUT", "/api/v1/admin/schedules/taichi", quoted(
		`{"activityId":%q,"weekdays":[1],"startTime":"07:00","durationMinutes":60,"capacity":40,"seasonStart":"2026-12-01","seasonEnd":"2027-02-28"}`, act))
	y := str(w.must(admin, "POST", "/api/v1/admin/activities", quoted(`{"kind":"fitness","title":"荷塘晨练","venueId":%q}`, venueY)), "id")
	schedule := func(activity string) string {
		return quoted(`{"activityId":%q,"weekdays":[2],"startTime":"08:00","durationMinutes":60,"capacity":10,"seasonStart":"2026-12-01","seasonEnd":"2027-02-28"}`, activity)
	}
	venue := func(district string) string {
		return quoted(`{"name":"天元区文化馆","kind":"culture_centre","districtId":%q,"location":{"lat":%v,"lng":%v}}`, district, venueXAt.Lat, venueXAt.Lng)
	}
	tests := []struct {
		name   string
		as     caller
		c      call
		status int
		code   string
	}{
		{"move an activity to a venue of Y", staffIn, with("PATCH", "/api/v1/admin/activities/"+act, quoted(`{"venueId":%q}`, venueY)), 403, "district_out_of_scope"},
		{"label an activity with Y", staffIn, with("PATCH", "/api/v1/admin/activities/"+act, quoted(`{"districtId":%q}`, districtY)), 403, "district_out_of_scope"},
		{"label an activity with no district", staffIn, with("PATCH", "/api/v1/admin/activities/"+act, `{"districtId":"nope"}`), 400, "district_unknown"},
		{"publish at X labelled Y", staffIn, post("/api/v1/admin/activities", quoted(`{"kind":"event","title":"t","venueId":%q,"districtId":%q}`, venueX, districtY)), 403, "district_out_of_scope"},
		{"move X's activity to Y's venue", staffOut, with("PATCH", "/api/v1/admin/activities/"+act, quoted(`{"venueId":%q}`, venueY)), 403, "district_out_of_scope"},
		{"move a venue to Y", staffIn, with("PUT", "/api/v1/admin/venues/"+venueX, venue(districtY)), 403, "district_out_of_scope"},
		{"take X's venue", staffOut, with("PUT", "/api/v1/admin/venues/"+venueX, venue(districtY)), 403, "district_out_of_scope"},
		{"point X's schedule at Y's activity", staffIn, with("PUT", "/api/v1/admin/schedules/taichi", schedule(y)), 403, "district_out_of_scope"},
		{"overwrite X's schedule with Y's activity", staffOut, with("PUT", "/api/v1/admin/schedules/taichi", schedule(y)), 403, "district_out_of_scope"},
		{"schedule classes of X's activity", staffOut, with("PUT", "/api/v1/admin/schedules/new", schedule(act)), 403, "district_out_of_scope"},
		{"a film poll for Y's village", staffIn, post("/api/v1/admin/film-polls", quoted(`{"districtId":%q,"films":["a","b"],"closesAt":%q}`, districtY, rfc(w.now.Add(time.Hour)))), 403, "district_out_of_scope"},
		{"lift a suspension of no district", staffIn, post("/api/v1/admin/suspensions/"+w.suspended("")+"/lift", `{"reason":"核实"}`), 403, "district_out_of_scope"},
	}
	for _, tt := range tests {
		before := w.state()
		rec := w.send(tt.as, tt.c)
		if rec.Code != tt.status || errorCode(rec) != tt.code {
			t.Errorf("%s: %s %s as %s = %d %s, want %d %s", tt.name, tt.c.method, tt.c.path, tt.as.name, rec.Code, rec.Body, tt.status, tt.code)
		}
		if w.state() != before {
			t.Errorf("%s: refused, but the table changed", tt.name)
		}
	}
	// Within X, staff move and relabel freely.
	w.must(staffIn, "PATCH", "/api/v1/admin/activities/"+act, quoted(`{"districtId":%q}`, townX))
}

// takeover is a takeover code of a dependant of a resident of their own (so that every
// caller may use it, resident A's family too).
func (w *arena) takeover() string {
	tok, _ := w.signIn("/api/v1/auth/wechat", "dev:o-guardian-"+w.fresh())
	d := str(decode(w.t, w.sendAs(tok, post("/api/v1/me/dependants", `{"name":"王秀英","relation":"mother"}`))), "id")
	return str(decode(w.t, w.sendAs(tok, post("/api/v1/me/dependants/"+d+"/takeover", ""))), "code")
}

// mergeOffer is an offer to resident A to merge with a mini program person whose phone
// A proved.
func (w *arena) mergeOffer() string {
	n := w.fresh()
	phone := "dev:1392222" + fmt.Sprintf("%04s", n)
	tok, _ := w.signIn("/api/v1/auth/miniprogram", "dev:m-merge-"+n)
	if rec := w.sendAs(tok, post("/api/v1/me/phone", `{"code":"`+phone+`"}`)); rec.Code != 200 {
		w.t.Fatalf("fixture: link a phone = %d %s", rec.Code, rec.Body)
	}
	out := w.must(residentA, "POST", "/api/v1/me/merge", `{"kind":"phone","code":"`+phone+`"}`)
	o, _ := out["offer"].(map[string]any)
	return str(o, "id")
}

// suspended is a person suspended for a no-show at slot ("" when the suspension does
// not say where).
func (w *arena) suspended(slot string) string {
	who := "o-suspended-" + w.fresh()
	if err := w.a.People.Suspend(context.Background(), who, w.now.Add(30*24*time.Hour), slot); err != nil {
		w.t.Fatal(err)
	}
	return who
}

// A staff member scanning a ticket with the menu's button is held to the check-in
// route's rule: the ticket's slot must be in their district.
func TestChatCheckinIsScoped(t *testing.T) {
	w := newArena(t)
	ticket := str(w.book(residentA, w.slot("event", 30*time.Minute, "")), "ticket")
	scan := func(as caller) string {
		xml := fmt.Sprintf(`<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName><CreateTime>%d</CreateTime>`+
			`<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[scancode_waitmsg]]></Event><EventKey><![CDATA[staff_checkin]]></EventKey>`+
			`<ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType><ScanResult><![CDATA[%s]]></ScanResult></ScanCodeInfo></xml>`, as.openid, w.now.Unix()+int64(w.n), ticket)
		w.n++
		rec := w.send(anonymous, call{method: "POST", path: "/wechat?" + w.signed(url.Values{"openid": {as.openid}}), body: xml, header: http.Header{"Content-Type": {"text/xml"}}})
		return rec.Body.String()
	}
	if got := scan(staffOut); !strings.Contains(got, "只能管理本辖区的数据") {
		t.Errorf("staff of Y scan X's ticket: %s, want refused as out of scope", got)
	}
	if got := scan(residentB); !strings.Contains(got, "仅工作人员可以检票") {
		t.Errorf("a resident scans a ticket: %s, want refused", got)
	}
	if got := scan(staffIn); !strings.Contains(got, "检票成功") {
		t.Errorf("staff of X scan X's ticket: %s, want admitted", got)
	}
}

// A resident's home district, which district-limited sessions and village polls go by,
// is set on their profile: freely the first time, then once every 30 days, each change
// recorded beside the profile.
func TestHomeDistrict(t *testing.T) {
	w := newArena(t)
	set := func(district string) *httptest.ResponseRecorder {
		return w.send(residentA, with("PUT", "/api/v1/me/district", quoted(`{"districtId":%q}`, district)))
	}
	if rec := set(villageX); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"homeDistrictId":"`+villageX+`"`) {
		t.Fatalf("first home = %d %s, want 200", rec.Code, rec.Body)
	}
	if rec := w.send(residentA, get("/api/v1/me")); !strings.Contains(rec.Body.String(), `"homeDistrictId":"`+villageX+`"`) {
		t.Errorf("GET /api/v1/me = %s, want the home district", rec.Body)
	}
	if rec := set(villageX); rec.Code != 200 {
		t.Errorf("the same home again = %d %s, want 200", rec.Code, rec.Body)
	}
	before := w.state()
	for _, tt := range []struct {
		district string
		status   int
		code     string
	}{{districtY, 409, "home_change_too_soon"}, {"nope", 400, "district_unknown"}} {
		if rec := set(tt.district); rec.Code != tt.status || errorCode(rec) != tt.code {
			t.Errorf("home %s = %d %s, want %d %s", tt.district, rec.Code, rec.Body, tt.status, tt.code)
		}
	}
	if w.state() != before {
		t.Errorf("refused home changes changed the table")
	}
	w.now = w.now.Add(31 * 24 * time.Hour)
	if rec := set(districtY); rec.Code != 200 {
		t.Errorf("a move 31 days later = %d %s, want 200", rec.Code, rec.Body)
	}
	records := 0
	for _, line := range strings.Split(w.state(), "\n") {
		if strings.Contains(line, `"PK":"USER#`+residentA.openid+`"`) && strings.Contains(line, `"SK":"HOME#`) {
			records++
		}
	}
	if records != 2 {
		t.Errorf("%d records of home changes, want 2 (the first setting and the move)", records)
	}
}

// Signing out ends every session of the person, and ending an appointment ends the
// staff member's: at once where it happened, within auth.StandingTTL everywhere.
func TestSessionsEnd(t *testing.T) {
	w := newArena(t)
	resident := w.token(residentA)
	staff := w.token(staffIn)
	send := func(tok string, c call) *httptest.ResponseRecorder {
		req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		w.h.ServeHTTP(rec, req)
		return rec
	}
	bookings := get("/api/v1/me/bookings")
	for _, tok := range []string{resident, staff} {
		if rec := send(tok, bookings); rec.Code != 200 {
			t.Fatalf("GET /api/v1/me/bookings = %d %s", rec.Code, rec.Body)
		}
	}
	if rec := send(resident, post("/api/v1/auth/signout", "")); rec.Code != 200 {
		t.Fatalf("sign out = %d %s", rec.Code, rec.Body)
	}
	if rec := send(resident, get("/api/v1/me")); rec.Code != 401 || errorCode(rec) != "token_revoked" {
		t.Errorf("GET /api/v1/me after signing out = %d %s, want 401 token_revoked at once", rec.Code, rec.Body)
	}
	w.must(admin, "DELETE", "/api/v1/admin/appointments/"+staffIn.openid, "")
	w.now = w.now.Add(auth.StandingTTL)
	if rec := send(resident, bookings); rec.Code != 401 || errorCode(rec) != "token_revoked" {
		t.Errorf("another function %v after the sign-out = %d %s, want 401 token_revoked", auth.StandingTTL, rec.Code, rec.Body)
	}
	slot := w.slot("event", 48*time.Hour, "")
	if rec := send(staff, get("/api/v1/admin/slots/"+slot+"/bookings")); rec.Code != 401 || errorCode(rec) != "token_revoked" {
		t.Errorf("the dismissed staff member %v later = %d %s, want 401 token_revoked", auth.StandingTTL, rec.Code, rec.Body)
	}
	if rec := send(w.token(staffIn), get("/api/v1/admin/slots/"+slot+"/bookings")); rec.Code != 403 {
		t.Errorf("the dismissed staff member signed in again = %d %s, want 403 (no staff role, no district)", rec.Code, rec.Body)
	}
}
