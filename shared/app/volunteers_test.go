package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/aws/aws-lambda-go/events"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/apptest"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/notifydb"
	"github.com/wentitong/wentitong/shared/dynamodev"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/volunteer"
	"github.com/wentitong/wentitong/shared/wechattest"
)

// volWorld is the platform on a fresh table with a clock the test moves, the district
// tree of two counties and a venue in each.
type volWorld struct {
	t     *testing.T
	a     *app.App
	tbl   *dynamotest.Table
	wx    *wechattest.Server
	h     http.Handler
	now   time.Time
	logs  *bytes.Buffer
	auth  *auth.Service
	start time.Time // the shift the test creates starts here
	// tokens are the last session of each openid (used while the table fails on purpose);
	// requests run concurrently, so tokensMu guards it
	tokensMu sync.Mutex
	tokens   map[string]string
}

// Two real ID numbers' shapes with valid check characters (GB 11643-1999).
const (
	idZhang = "11010519491231002X"
	idLi    = "430223199003071231"
)

var (
	youxianVenue = directory.Location{Lat: 27.0004, Lng: 113.3452}
	base         = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) // 08:00 in Zhuzhou
)

func newVolWorld(t *testing.T) *volWorld {
	t.Helper()
	w := &volWorld{t: t, now: base, logs: &bytes.Buffer{}, start: base.Add(2 * time.Hour)}
	w.tbl = dynamotest.New(t)
	w.wx = wechattest.NewServer(t)
	cfg := config.From(env{
		"TABLE_NAME": w.tbl.Name, "WECHAT_APP_ID": wechattest.AppID, "WECHAT_APP_SECRET": wechattest.AppSecret,
		"WECHAT_API_BASE": w.wx.URL, "SESSION_SECRET": testSecret, "ADMIN_OPENIDS": "o-admin", "ID_HASH_KEY": testIDHashKey,
		"WECHAT_TOKEN": testToken, "WECHAT_ENCODING_AES_KEY": strings.Repeat("a", 43), "WECHAT_MESSAGE_MODE": "compat",
	}.get)
	var err error
	w.a, err = app.New(context.Background(), cfg, app.Options{DB: w.tbl.DB, Now: func() time.Time { return w.now }, LogOutput: w.logs})
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(w.logs.String())
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if w.h, err = w.a.HTTP("VolunteersFunction"); err != nil {
		t.Fatal(err)
	}
	if w.auth, err = w.a.Auth(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	city := directory.Root("430200", "株洲市")
	youxian := city.Child("430223", "攸县", directory.LevelCounty)
	lianxing := youxian.Child("430223001", "联星街道", directory.LevelTownship)
	hetang := city.Child("430202", "荷塘区", directory.LevelCounty)
	for _, d := range []directory.District{city, youxian, lianxing, hetang} {
		if err := w.a.Directory.PutDistrict(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []directory.Venue{
		{ID: "v-youxian", Name: "攸县文化馆", Kind: directory.VenueCultureCentre, DistrictID: "430223001", Location: youxianVenue},
		{ID: "v-hetang", Name: "株洲市文化馆", Kind: directory.VenueCultureCentre, DistrictID: "430202", Location: directory.Location{Lat: 27.8522, Lng: 113.1497}},
	} {
		if err := w.a.Directory.PutVenue(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	w.mustDo("o-admin", "POST", "/api/v1/admin/appointments", `{"openid":"o-coord-youxian","districtId":"430223"}`, 200)
	w.mustDo("o-admin", "POST", "/api/v1/admin/appointments", `{"openid":"o-coord-hetang","districtId":"430202"}`, 200)
	return w
}

// token is a session for openid with the roles a sign-in would give them now.
func (w *volWorld) token(openid string) string {
	roles := []string{auth.RoleResident}
	switch {
	case openid == "o-admin":
		roles = append(roles, auth.RoleAdmin)
	case strings.HasPrefix(openid, "o-coord-"):
		roles = append(roles, auth.RoleCoordinator)
	case strings.HasPrefix(openid, "o-staff-"):
		roles = append(roles, auth.RoleStaff)
	}
	s, err := w.auth.Issue(context.Background(), openid, roles, w.now)
	w.tokensMu.Lock()
	defer w.tokensMu.Unlock()
	if err != nil {
		if tok, ok := w.tokens[openid]; ok {
			return tok // the table is failing (on purpose): the session from before
		}
		w.t.Fatal(err)
	}
	if w.tokens == nil {
		w.tokens = map[string]string{}
	}
	w.tokens[openid] = s.Token
	return s.Token
}

func (w *volWorld) do(openid, method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if openid != "" {
		req.Header.Set("Authorization", "Bearer "+w.token(openid))
	}
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	if f := beijing.ForeignTimes(rec.Body.Bytes()); len(f) > 0 {
		w.t.Errorf("%s %s answered times not in Beijing time: %v", method, path, f)
	}
	return rec
}

// mustDo wants the status, and decodes the body into a map.
func (w *volWorld) mustDo(openid, method, path, body string, status int) map[string]any {
	w.t.Helper()
	rec := w.do(openid, method, path, body)
	if rec.Code != status {
		w.t.Fatalf("%s %s as %s = %d %s, want %d", method, path, openid, rec.Code, rec.Body, status)
	}
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return out
}

// wantError wants the status and error code.
func (w *volWorld) wantError(openid, method, path, body string, status int, code string) {
	w.t.Helper()
	if rec := w.do(openid, method, path, body); rec.Code != status || errorCode(rec) != code {
		w.t.Errorf("%s %s as %s = %d %s, want %d %s", method, path, openid, rec.Code, rec.Body, status, code)
	}
}

func application(id, district string) string {
	return fmt.Sprintf(`{"name":"张志愿","phone":"13800138000","idNumber":%q,"districtId":%q,"category":"culture","skills":["摄影"],"team":"攸县文艺志愿服务队"}`, id, district)
}

// volunteer registers openid and has the Youxian coordinator approve them.
func (w *volWorld) volunteer(openid, id string) string {
	w.t.Helper()
	got := w.mustDo(openid, "POST", "/api/v1/volunteers", application(id, "430223001"), 201)
	vid := got["id"].(string)
	w.mustDo("o-coord-youxian", "POST", "/api/v1/admin/volunteers/"+vid+"/approve", "", 200)
	return vid
}

// signedUp registers o-vol-1, approved by the county's coordinator, and signs them up
// for a shift five hours ahead: it returns the shift's id.
func (w *volWorld) signedUp() string {
	w.volunteer("o-vol-1", idZhang)
	shiftID, _ := w.shift(5, 0)["id"].(string)
	w.mustDo("o-vol-1", "POST", "/api/v1/shifts/"+shiftID+"/signups", "", 201)
	return shiftID
}

// shift creates a 3-hour shift at the Youxian venue starting at w.start.
func (w *volWorld) shift(capacity, geofence int) map[string]any {
	w.t.Helper()
	body := fmt.Sprintf(`{"title":"文化馆导览志愿服务","venueId":"v-youxian","startsAt":%q,"endsAt":%q,"capacity":%d,"geofenceMeters":%d}`,
		w.start.Format(time.RFC3339), w.start.Add(3*time.Hour).Format(time.RFC3339), capacity, geofence)
	return w.mustDo("o-coord-youxian", "POST", "/api/v1/admin/shifts", body, 201)
}

func (w *volWorld) scan(openid, scene string, at time.Time) string {
	w.t.Helper()
	r, err := w.a.Volunteer().Scan(context.Background(), openid, scene, at)
	if err != nil {
		w.t.Fatalf("Scan(%s, %s, %v) = %v", openid, scene, at, err)
	}
	return r.Text
}

type me struct {
	ID             string
	Status         string
	IDNumberMasked string
	CreditHours    float64
	HonourHours    float64
	Signups        []struct {
		ShiftID      string
		Status       string
		CheckedInAt  time.Time
		CheckedOutAt time.Time
		CreditHours  float64
	}
	Ledger      []volunteer.Entry
	History     []volunteer.Change
	Inactive    bool
	ReconfirmBy time.Time
}

func (w *volWorld) me(openid string) me {
	w.t.Helper()
	rec := w.do(openid, "GET", "/api/v1/me/volunteer", "")
	var m me
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &m) != nil {
		w.t.Fatalf("GET /api/v1/me/volunteer as %s = %d %s", openid, rec.Code, rec.Body)
	}
	return m
}

// The acceptance journey: apply → approve → shift → sign up → the same scan event
// delivered three times → check-out → hours in me/volunteer; the ID number nowhere in
// clear.
func TestVolunteerJourney(t *testing.T) {
	w := newVolWorld(t)
	ctx := context.Background()

	got := w.mustDo("o-vol-1", "POST", "/api/v1/volunteers", application(idZhang, "430223001"), 201)
	vid, _ := got["id"].(string)
	if vid == "" || got["status"] != "pending" || len(got) != 2 {
		t.Errorf("apply = %v, want {id, status: pending}", got)
	}
	// The coordinator of the county (the nearest district with one) is told, through
	// the outbox, in the same transaction.
	pending, err := notifydb.PendingOutbox(ctx, w.tbl.DB, w.tbl.Name, w.now, 100)
	if err != nil {
		t.Fatal(err)
	}
	var told []string
	for _, it := range pending {
		kind, _ := dynamo.StringAttr(it, "kind")
		to, _ := dynamo.StringAttr(it, "recipient")
		told = append(told, kind+"→"+to)
	}
	if len(told) != 1 || told[0] != "volunteer_applied→o-coord-youxian" {
		t.Errorf("outbox after applying = %v, want one volunteer_applied to o-coord-youxian", told)
	}

	w.wantError("o-coord-hetang", "POST", "/api/v1/admin/volunteers/"+vid+"/approve", "", 403, "district_out_of_scope")
	w.wantError("o-vol-1", "POST", "/api/v1/admin/volunteers/"+vid+"/approve", "", 403, "forbidden")
	if got := w.mustDo("o-coord-youxian", "POST", "/api/v1/admin/volunteers/"+vid+"/approve", "", 200); got["status"] != "active" {
		t.Errorf("approve = %v, want status active", got)
	}

	sh := w.shift(2, 0)
	shiftID, _ := sh["id"].(string)
	if sh["scene"] != "shift:"+shiftID || !strings.HasPrefix(fmt.Sprint(sh["qrUrl"]), "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=") {
		t.Errorf("create shift = %v, want scene shift:<id> and a showqrcode URL", sh)
	}
	if qrs := w.wx.QRCodes(); len(qrs) != 1 || qrs[0].SceneStr != "shift:"+shiftID || qrs[0].ActionName != "QR_STR_SCENE" ||
		qrs[0].ExpireSeconds != int64((2*time.Hour+3*time.Hour+24*time.Hour)/time.Second) {
		t.Errorf("QR codes made = %+v, want one QR_STR_SCENE code of shift:%s until a day after the shift", qrs, shiftID)
	} else if sh["qrText"] != qrs[0].URL {
		t.Errorf("the shift's qrText = %v, want what its code encodes, %s", sh["qrText"], qrs[0].URL)
	}

	w.mustDo("o-vol-1", "POST", "/api/v1/shifts/"+shiftID+"/signups", "", 201)
	w.wantError("o-vol-1", "POST", "/api/v1/shifts/"+shiftID+"/signups", "", 409, "already_signed_up")

	// WeChat delivers the same SCAN event three times, five minutes before the start.
	in := w.start.Add(-5 * time.Minute)
	w.now = in
	var replies []string
	for range 3 {
		replies = append(replies, w.scan("o-vol-1", "shift:"+shiftID, in))
	}
	if !strings.HasPrefix(replies[0], "签到成功") || replies[1] != replies[0] || replies[2] != replies[0] {
		t.Errorf("three deliveries of one scan = %q, want the same check-in reply thrice", replies)
	}
	// A second scan a minute later is a slip of the finger, not a check-out.
	if r := w.scan("o-vol-1", "shift:"+shiftID, in.Add(time.Minute)); !strings.HasPrefix(r, "您已签到") {
		t.Errorf("scan a minute after check-in = %q, want a reminder, not a check-out", r)
	}

	out := w.start.Add(3*time.Hour - 10*time.Minute) // 170 of 180 minutes served
	w.now = out
	for range 2 {
		if r := w.scan("o-vol-1", "shift:"+shiftID, out); !strings.Contains(r, "2.83 小时") {
			t.Errorf("check-out scan = %q, want 2.83 hours credited", r)
		}
	}
	var roster struct {
		Shift   struct{ SignedUp int }
		Signups []struct {
			Name, Status string
			CheckedInAt  time.Time
			CreditHours  float64
		}
	}
	rec := w.do("o-coord-youxian", "GET", "/api/v1/admin/shifts/"+shiftID+"/signups", "")
	if json.Unmarshal(rec.Body.Bytes(), &roster) != nil || roster.Shift.SignedUp != 1 || len(roster.Signups) != 1 ||
		roster.Signups[0].Name != "张志愿" || !roster.Signups[0].CheckedInAt.Equal(in) || roster.Signups[0].CreditHours != 2.83 {
		t.Errorf("roster = %d %s, want 张志愿 checked in with 2.83 hours", rec.Code, rec.Body)
	}
	w.wantError("o-coord-hetang", "GET", "/api/v1/admin/shifts/"+shiftID+"/signups", "", 403, "district_out_of_scope")
	w.wantError("o-vol-1", "GET", "/api/v1/admin/shifts/"+shiftID+"/signups", "", 403, "forbidden")

	m := w.me("o-vol-1")
	if m.Status != "active" || m.CreditHours != 2.83 || m.HonourHours != 0 || len(m.Signups) != 1 || len(m.Ledger) != 1 {
		t.Fatalf("me/volunteer = %+v, want active, 2.83 credit hours from one sign-up and one ledger entry", m)
	}
	if sg := m.Signups[0]; !sg.CheckedInAt.Equal(in) || !sg.CheckedOutAt.Equal(out) || sg.CreditHours != 2.83 {
		t.Errorf("sign-up = %+v, want checked in at %v, out at %v, 2.83 hours", sg, in, out)
	}
	if e := m.Ledger[0]; e.Kind != "credit" || e.Minutes != 170 || e.ShiftID != shiftID {
		t.Errorf("ledger = %+v, want one credit of 170 minutes for the shift", m.Ledger)
	}
	if m.IDNumberMasked != "11**************2X" || len(m.History) != 1 || m.History[0].Action != "approve" {
		t.Errorf("me/volunteer masked id %q, history %+v; want 11…2X and the approval", m.IDNumberMasked, m.History)
	}

	// The ID number is nowhere in clear: not in responses, the table or the logs.
	var dump bytes.Buffer
	if _, err := dynamodev.Export(ctx, w.tbl.DB, w.tbl.Name, &dump); err != nil {
		t.Fatal(err)
	}
	body := w.do("o-vol-1", "GET", "/api/v1/me/volunteer", "").Body.String()
	detail := w.do("o-admin", "GET", "/api/v1/admin/volunteers/"+vid, "").Body.String()
	for where, s := range map[string]string{"the table": dump.String(), "me/volunteer": body, "the admin's view": detail, "the logs": w.logs.String()} {
		if strings.Contains(s, idZhang) || strings.Contains(s, "1101051949") {
			t.Errorf("%s carries the ID number in clear", where)
		}
	}
	if strings.Contains(w.logs.String(), "o-coord-youxian") {
		t.Error("the logs carry a full openid")
	}
}

func TestRegistrationRefusals(t *testing.T) {
	w := newVolWorld(t)
	w.mustDo("o-vol-1", "POST", "/api/v1/volunteers", application(idZhang, "430223001"), 201)
	before := w.tbl.Transactions()
	tests := []struct {
		name, openid, body string
		status             int
		code               string
	}{
		{"second application", "o-vol-1", application(idLi, "430223001"), 409, "already_applied"},
		{"same ID number, other person", "o-vol-2", application(idZhang, "430223001"), 409, "id_number_registered"},
		{"same ID number, lower-case x", "o-vol-2", application(strings.ToLower(idZhang), "430223001"), 409, "id_number_registered"},
		{"bad check character", "o-vol-2", application("430223199003071230", "430223001"), 400, "id_number_invalid"},
		{"unknown district", "o-vol-2", application(idLi, "999999"), 400, "district_not_found"},
		{"unknown category", "o-vol-2", strings.Replace(application(idLi, "430223"), "culture", "chef", 1), 400, "category_invalid"},
		{"bad phone", "o-vol-2", strings.Replace(application(idLi, "430223"), "13800138000", "12345", 1), 400, "phone_invalid"},
		{"malformed", "o-vol-2", `{"name":`, 400, "invalid_json"},
		{"no token", "", application(idLi, "430223"), 401, "token_missing"},
	}
	for _, tt := range tests {
		rec := w.do(tt.openid, "POST", "/api/v1/volunteers", tt.body)
		if rec.Code != tt.status || errorCode(rec) != tt.code {
			t.Errorf("%s: apply = %d %s, want %d %s", tt.name, rec.Code, rec.Body, tt.status, tt.code)
		}
		if strings.Contains(rec.Body.String(), "4302231990") || strings.Contains(rec.Body.String(), "1101051949") {
			t.Errorf("%s: the answer %s quotes the ID number", tt.name, rec.Body)
		}
	}
	// Only the two guarded ones reached a (cancelled) transaction; none wrote anything.
	if n := w.tbl.Transactions() - before; n != 3 {
		t.Errorf("refused applications made %d transactions, want 3 (the guard refusals)", n)
	}
	if got := w.mustDo("o-coord-youxian", "GET", "/api/v1/admin/volunteers?status=pending", "", 200); len(got["volunteers"].([]any)) != 1 {
		t.Errorf("pending volunteers = %v, want only the first application", got)
	}
	if strings.Contains(w.logs.String(), "4302231990") || strings.Contains(w.logs.String(), "1101051949") {
		t.Error("the logs carry an ID number")
	}
}

// Every transition with its reason and history; coordinators see and change only their
// districts' volunteers.
func TestLifecycleAndScope(t *testing.T) {
	w := newVolWorld(t)
	vid := w.mustDo("o-vol-1", "POST", "/api/v1/volunteers", application(idZhang, "430223001"), 201)["id"].(string)
	other := w.mustDo("o-vol-2", "POST", "/api/v1/volunteers", application(idLi, "430202"), 201)["id"].(string)
	path := func(id, action string) string { return "/api/v1/admin/volunteers/" + id + "/" + action }

	// Scope of lists.
	list := func(openid, query string) []string {
		t.Helper()
		var ids []string
		for _, v := range w.mustDo(openid, "GET", "/api/v1/admin/volunteers"+query, "", 200)["volunteers"].([]any) {
			ids = append(ids, v.(map[string]any)["id"].(string))
		}
		return ids
	}
	if got := list("o-coord-youxian", ""); len(got) != 1 || got[0] != vid {
		t.Errorf("Youxian coordinator's pending list = %v, want [%s]", got, vid)
	}
	if got := list("o-admin", "?status=pending"); len(got) != 2 {
		t.Errorf("admin's pending list = %v, want both", got)
	}
	if got := list("o-admin", "?status=pending&districtId=430202"); len(got) != 1 || got[0] != other {
		t.Errorf("admin's pending list in 荷塘区 = %v, want [%s]", got, other)
	}
	w.wantError("o-coord-youxian", "GET", "/api/v1/admin/volunteers?districtId=430202", "", 403, "district_out_of_scope")
	w.wantError("o-coord-youxian", "GET", "/api/v1/admin/volunteers/"+other, "", 403, "district_out_of_scope")
	w.wantError("o-coord-nowhere", "GET", "/api/v1/admin/volunteers", "", 403, "scope_missing")
	w.wantError("o-vol-1", "GET", "/api/v1/admin/volunteers", "", 403, "forbidden")

	steps := []struct {
		who, action, body string
		status            int
		want              string // status or error code
	}{
		{"o-coord-youxian", "reject", "", 400, "reason_required"},
		{"o-coord-youxian", "suspend", `{"reason":"x"}`, 409, "status_transition_invalid"},
		{"o-coord-hetang", "approve", "", 403, "district_out_of_scope"},
		{"o-staff-1", "approve", "", 403, "forbidden"},
		{"o-coord-youxian", "promote", "", 404, "route_not_found"},
		{"o-coord-youxian", "approve", `{"reason":"材料齐全"}`, 200, "active"},
		{"o-coord-youxian", "approve", "", 409, "status_transition_invalid"},
		{"o-coord-youxian", "suspend", `{"reason":"连续三次报名未到岗"}`, 200, "suspended"},
		{"o-coord-youxian", "reinstate", `{"reason":"已说明情况"}`, 200, "active"},
		{"o-admin", "retire", `{"reason":"本人申请退出"}`, 200, "retired"},
		{"o-coord-youxian", "reinstate", `{"reason":"重新加入"}`, 200, "active"},
	}
	for _, s := range steps {
		w.now = w.now.Add(time.Minute)
		rec := w.do(s.who, "POST", path(vid, s.action), s.body)
		got := errorCode(rec)
		if rec.Code == 200 {
			var b map[string]string
			_ = json.Unmarshal(rec.Body.Bytes(), &b)
			got = b["status"]
		}
		if rec.Code != s.status || got != s.want {
			t.Errorf("%s %s as %s = %d %s, want %d %s", s.action, vid, s.who, rec.Code, rec.Body, s.status, s.want)
		}
	}
	w.mustDo("o-coord-hetang", "POST", path(other, "reject"), `{"reason":"所在社区不在服务范围"}`, 200)
	w.wantError("o-coord-hetang", "POST", path(other, "reinstate"), `{"reason":"x"}`, 409, "status_transition_invalid")

	var detail struct {
		Status  string
		History []volunteer.Change
	}
	rec := w.do("o-coord-youxian", "GET", "/api/v1/admin/volunteers/"+vid, "")
	if err := json.Unmarshal(rec.Body.Bytes(), &detail); err != nil || rec.Code != 200 {
		t.Fatalf("detail = %d %s", rec.Code, rec.Body)
	}
	var trail []string
	for _, c := range detail.History {
		trail = append(trail, fmt.Sprintf("%s:%s→%s:%s", c.Action, c.From, c.To, c.Reason))
		if c.By == "" || strings.HasPrefix(c.By, "o-coord-youxian") || c.At.IsZero() {
			t.Errorf("history line %+v: want who (masked) and when", c)
		}
	}
	want := []string{"approve:pending→active:材料齐全", "suspend:active→suspended:连续三次报名未到岗",
		"reinstate:suspended→active:已说明情况", "retire:active→retired:本人申请退出", "reinstate:retired→active:重新加入"}
	if fmt.Sprint(trail) != fmt.Sprint(want) || detail.Status != "active" {
		t.Errorf("history = %q, status %s; want %q, active", trail, detail.Status, want)
	}
	// The approval granted the volunteer role on the profile, for the next sign-in.
	p, err := w.a.People.Person(context.Background(), "o-vol-1")
	if err != nil || !strings.Contains(fmt.Sprint(p.Roles), "volunteer") {
		t.Errorf("profile roles after approval = %v, %v; want volunteer", p.Roles, err)
	}
}

// Sign-ups never exceed capacity, whatever the concurrency; withdrawal gives the place
// back until the cut-off; only active volunteers of the right category sign up.
func TestSignupCapacityAndWithdrawal(t *testing.T) {
	w := newVolWorld(t)
	ids := []string{"110105194912310003", "110105194912310011", "11010519491231002X", "110105194912310038",
		"110105194912310046", "110105194912310054", "110105194912310062", "110105194912310070"}
	var people []string
	for i, id := range ids {
		openid := fmt.Sprintf("o-vol-%d", i)
		w.volunteer(openid, id)
		people = append(people, openid)
	}
	shiftID := w.shift(3, 0)["id"].(string)
	var (
		mu    sync.Mutex
		codes = map[int]int{}
		wg    sync.WaitGroup
	)
	for _, p := range people {
		wg.Go(func() {
			rec := w.do(p, "POST", "/api/v1/shifts/"+shiftID+"/signups", "")
			mu.Lock()
			codes[rec.Code]++
			mu.Unlock()
			if rec.Code != 201 && errorCode(rec) != "shift_full" {
				t.Errorf("concurrent sign-up = %d %s, want 201 or 409 shift_full", rec.Code, rec.Body)
			}
		})
	}
	wg.Wait()
	if codes[201] != 3 || codes[409] != 5 {
		t.Errorf("8 concurrent sign-ups for 3 places: %v, want 3×201 and 5×409", codes)
	}
	list := w.mustDo("o-vol-0", "GET", "/api/v1/shifts", "", 200)["shifts"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["signedUp"].(float64) != 3 {
		t.Errorf("shifts = %v, want one with 3 signed up", list)
	}

	var in, out []string
	for _, p := range people {
		if m := w.me(p); len(m.Signups) == 1 {
			in = append(in, p)
		} else {
			out = append(out, p)
		}
	}
	// Withdrawing frees the place for someone else; the cut-off is two hours before.
	w.now = w.start.Add(-2*time.Hour - time.Minute)
	w.mustDo(in[0], "DELETE", "/api/v1/shifts/"+shiftID+"/signups", "", 200)
	w.wantError(in[0], "DELETE", "/api/v1/shifts/"+shiftID+"/signups", "", 409, "not_signed_up")
	w.mustDo(out[0], "POST", "/api/v1/shifts/"+shiftID+"/signups", "", 201)
	w.wantError(out[1], "POST", "/api/v1/shifts/"+shiftID+"/signups", "", 409, "shift_full")
	w.now = w.start.Add(-2 * time.Hour).Add(time.Second)
	w.wantError(in[1], "DELETE", "/api/v1/shifts/"+shiftID+"/signups", "", 409, "withdraw_closed")
	if m := w.me(in[0]); len(m.Signups) != 1 || m.Signups[0].Status != "withdrawn" {
		t.Errorf("withdrawn volunteer's sign-ups = %+v, want one withdrawn", m.Signups)
	}

	// Not active, not registered, started, unknown.
	w.mustDo("o-coord-youxian", "POST", "/api/v1/admin/volunteers/"+w.me(out[1]).ID+"/suspend", `{"reason":"暂停"}`, 200)
	w.wantError(out[1], "POST", "/api/v1/shifts/"+shiftID+"/signups", "", 403, "volunteer_not_active")
	w.wantError("o-nobody", "POST", "/api/v1/shifts/"+shiftID+"/signups", "", 404, "not_a_volunteer")
	w.wantError(out[2], "POST", "/api/v1/shifts/no-such-shift/signups", "", 404, "shift_not_found")
	w.now = w.start
	w.wantError(out[2], "POST", "/api/v1/shifts/"+shiftID+"/signups", "", 409, "signup_closed")
}

func TestCreateShiftRefusals(t *testing.T) {
	w := newVolWorld(t)
	shift := func(venue string, start, end time.Time, capacity int) string {
		return fmt.Sprintf(`{"title":"导览","venueId":%q,"startsAt":%q,"endsAt":%q,"capacity":%d}`,
			venue, start.Format(time.RFC3339), end.Format(time.RFC3339), capacity)
	}
	s, e := w.start, w.start.Add(time.Hour)
	tests := []struct {
		name, who, body string
		status          int
		code            string
	}{
		{"other county's venue", "o-coord-youxian", shift("v-hetang", s, e, 5), 403, "district_out_of_scope"},
		{"staff without scope", "o-staff-1", shift("v-youxian", s, e, 5), 403, "scope_missing"},
		{"resident", "o-vol-1", shift("v-youxian", s, e, 5), 403, "forbidden"},
		{"unknown venue", "o-coord-youxian", shift("v-none", s, e, 5), 400, "venue_not_found"},
		{"ends before it starts", "o-coord-youxian", shift("v-youxian", e, s, 5), 400, "shift_invalid"},
		{"no capacity", "o-coord-youxian", shift("v-youxian", s, e, 0), 400, "shift_invalid"},
		{"over a day", "o-coord-youxian", shift("v-youxian", s, s.Add(25*time.Hour), 5), 400, "shift_invalid"},
		{"already over", "o-coord-youxian", shift("v-youxian", s.Add(-5*time.Hour), s.Add(-3*time.Hour), 5), 400, "shift_invalid"},
	}
	for _, tt := range tests {
		if rec := w.do(tt.who, "POST", "/api/v1/admin/shifts", tt.body); rec.Code != tt.status || errorCode(rec) != tt.code {
			t.Errorf("%s: create shift = %d %s, want %d %s", tt.name, rec.Code, rec.Body, tt.status, tt.code)
		}
	}
	if n := len(w.wx.QRCodes()); n != 0 {
		t.Errorf("refused shifts made %d QR codes, want none", n)
	}
	// WeChat failing: 503, and no shift without its code.
	w.wx.FailNext(wechattest.OpQRCode, -1, 1)
	w.wantError("o-admin", "POST", "/api/v1/admin/shifts", shift("v-youxian", s, e, 5), 503, "qrcode_unavailable")
	if got := w.mustDo("o-admin", "GET", "/api/v1/shifts", "", 200)["shifts"].([]any); len(got) != 0 {
		t.Errorf("shifts after WeChat failed = %v, want none", got)
	}
}

// setLocation has WeChat report openid's location at, as it does when the person enters
// the chat (a LOCATION event through the callback's chat); pick sends a location message
// instead, a point chosen on a map.
func (w *volWorld) setLocation(openid string, loc directory.Location, at time.Time) {
	w.t.Helper()
	w.chat(at, &message.MixMessage{CommonToken: message.CommonToken{FromUserName: message.CDATA(openid), CreateTime: at.Unix(), MsgType: message.MsgTypeEvent},
		Event: message.EventLocation, Latitude: fmt.Sprint(loc.Lat), Longitude: fmt.Sprint(loc.Lng), Precision: "30"})
}

func (w *volWorld) pick(openid string, loc directory.Location, at time.Time) {
	w.t.Helper()
	w.chat(at, &message.MixMessage{CommonToken: message.CommonToken{FromUserName: message.CDATA(openid), CreateTime: at.Unix(), MsgType: message.MsgTypeLocation},
		LocationX: loc.Lat, LocationY: loc.Lng, Scale: 15, Label: "攸县文化馆"})
}

func (w *volWorld) chat(at time.Time, msg *message.MixMessage) {
	w.t.Helper()
	saved := w.now
	w.now = at
	defer func() { w.now = saved }()
	if _, err := w.a.Callback().Chat.Respond(context.Background(), msg); err != nil {
		w.t.Fatal(err)
	}
}

// The scan's refusals change nothing; window edges; the geofence; venue codes; the
// 60 % rule.
func TestScanRules(t *testing.T) {
	w := newVolWorld(t)
	ctx := context.Background()
	svc := w.a.Volunteer()
	vid := w.volunteer("o-vol-1", idZhang)
	w.mustDo("o-vol-2", "POST", "/api/v1/volunteers", application(idLi, "430223001"), 201) // pending
	shiftID := w.shift(5, 200)["id"].(string)
	scene := "shift:" + shiftID
	w.mustDo("o-vol-1", "POST", "/api/v1/shifts/"+shiftID+"/signups", "", 201)
	near := directory.Location{Lat: youxianVenue.Lat + 0.0009, Lng: youxianVenue.Lng} // ~100 m
	far := directory.Location{Lat: youxianVenue.Lat + 0.0045, Lng: youxianVenue.Lng}  // ~500 m

	tx := func() int64 { return w.tbl.Transactions() }
	early := w.start.Add(-15*time.Minute - time.Second)
	refusals := []struct {
		name, openid, scene string
		at                  time.Time
		prepare             func()
		want                string
	}{
		{"not a volunteer", "o-nobody", scene, w.start, nil, "您还不是注册志愿者"},
		{"pending", "o-vol-2", scene, w.start, nil, "不是“在册”状态"},
		{"unknown shift", "o-vol-1", "shift:nope", w.start, nil, "找不到该志愿服务班次"},
		{"too early", "o-vol-1", scene, early, nil, "签到时间未到"},
		{"after the end", "o-vol-1", scene, w.start.Add(3 * time.Hour), nil, "该班次已结束"},
		{"no location", "o-vol-1", scene, w.start, nil, "需要定位签到"},
		{"a location message at the venue", "o-vol-1", scene, w.start, func() { w.pick("o-vol-1", youxianVenue, w.start.Add(-time.Minute)) }, "需要定位签到"},
		{"stale location", "o-vol-1", scene, w.start, func() { w.setLocation("o-vol-1", near, w.start.Add(-16*time.Minute)) }, "需要定位签到"},
		{"too far", "o-vol-1", scene, w.start, func() { w.setLocation("o-vol-1", far, w.start.Add(-time.Minute)) }, "需在 200 米以内"},
	}
	var scans int64 // the transactions the scans made (a location's write is one too)
	for _, r := range refusals {
		if r.prepare != nil {
			r.prepare()
		}
		before := tx()
		if got := w.scan(r.openid, r.scene, r.at); !strings.Contains(got, r.want) {
			t.Errorf("%s: Scan = %q, want it to say %q", r.name, got, r.want)
		}
		scans += tx() - before
	}
	if n := scans; n != 0 {
		t.Errorf("refused scans made %d transactions, want none", n)
	}
	w.mustDo("o-vol-2", "GET", "/api/v1/me/volunteer", "", 200)
	if _, err := svc.Scan(ctx, "o-vol-1", "ticket:abc", w.start); !errors.Is(err, volunteer.ErrSceneUnknown) {
		t.Errorf("Scan of a ticket scene = %v, want ErrSceneUnknown", err)
	}
	if _, err := svc.Scan(ctx, "o-nobody", "venue:v-youxian", w.start); !errors.Is(err, volunteer.ErrNoCurrentShift) {
		t.Errorf("Scan of a venue code by a resident = %v, want ErrNoCurrentShift (the callback shows the venue)", err)
	}

	// Inside the fence, at the earliest moment allowed: checked in through the venue's code.
	at := w.start.Add(-15 * time.Minute)
	w.setLocation("o-vol-1", near, at.Add(-time.Minute))
	if got := w.scan("o-vol-1", "venue:v-youxian", at); !strings.HasPrefix(got, "签到成功") {
		t.Errorf("venue code scan inside the fence at the window's opening = %q, want a check-in", got)
	}
	if _, err := svc.Scan(ctx, "o-vol-1", "venue:v-hetang", at.Add(time.Hour)); !errors.Is(err, volunteer.ErrNoCurrentShift) {
		t.Errorf("Scan of another venue's code = %v, want ErrNoCurrentShift", err)
	}
	// Leaving after 100 of 180 minutes (under 60 %): checked out, nothing credited.
	if got := w.scan("o-vol-1", scene, w.start.Add(100*time.Minute)); !strings.Contains(got, "未达到班次时长的 60%") {
		t.Errorf("check-out after 100 of 180 minutes = %q, want the 60 %% explanation", got)
	}
	if got := w.scan("o-vol-1", scene, w.start.Add(110*time.Minute)); !strings.Contains(got, "您已签退") {
		t.Errorf("scan after check-out = %q, want 'already checked out'", got)
	}
	m := w.me("o-vol-1")
	if m.ID != vid || m.CreditHours != 0 || len(m.Ledger) != 0 || m.Signups[0].CheckedOutAt.IsZero() {
		t.Errorf("me after a short stay = %+v, want checked out with no credit and an empty ledger", m)
	}
}

// The scheduler closes forgotten check-outs at the shift's end, credited only up to
// the end, once.
func TestForgottenCheckOuts(t *testing.T) {
	w := newVolWorld(t)
	w.volunteer("o-vol-1", idZhang)
	w.volunteer("o-vol-2", idLi)
	shiftID := w.shift(5, 0)["id"].(string)
	for _, p := range []string{"o-vol-1", "o-vol-2"} {
		w.mustDo(p, "POST", "/api/v1/shifts/"+shiftID+"/signups", "", 201)
	}
	w.scan("o-vol-1", "shift:"+shiftID, w.start.Add(-10*time.Minute)) // the whole shift
	w.scan("o-vol-2", "shift:"+shiftID, w.start.Add(90*time.Minute))  // half of it
	tick := func(at time.Time) {
		t.Helper()
		w.now = at
		if err := w.a.Scheduler()(context.Background(), events.EventBridgeEvent{ID: "tick"}); err != nil {
			t.Fatalf("scheduler tick at %v: %v", at, err)
		}
	}
	tick(w.start.Add(3*time.Hour - time.Second)) // not yet over
	if m := w.me("o-vol-1"); !m.Signups[0].CheckedOutAt.IsZero() {
		t.Fatalf("sign-up closed before the shift's end: %+v", m.Signups[0])
	}
	end := w.start.Add(3 * time.Hour)
	for _, at := range []time.Time{end, end.Add(time.Minute), end.Add(time.Hour)} {
		tick(at)
	}
	m1, m2 := w.me("o-vol-1"), w.me("o-vol-2")
	if sg := m1.Signups[0]; !sg.CheckedOutAt.Equal(end) || m1.CreditHours != 3 || len(m1.Ledger) != 1 {
		t.Errorf("forgotten check-out after a whole shift: %+v, %.2f hours, ledger %+v; want closed at %v with 3 hours once", sg, m1.CreditHours, m1.Ledger, end)
	}
	if sg := m2.Signups[0]; !sg.CheckedOutAt.Equal(end) || m2.CreditHours != 0 || len(m2.Ledger) != 0 {
		t.Errorf("forgotten check-out after half a shift: %+v, %.2f hours; want closed with no credit", sg, m2.CreditHours)
	}
	// A late scan finds the record closed and changes nothing.
	if got := w.scan("o-vol-1", "shift:"+shiftID, end.Add(2*time.Hour)); !strings.Contains(got, "您已签退") || w.me("o-vol-1").CreditHours != 3 {
		t.Errorf("scan after the scheduler closed = %q, want 'already checked out' and hours unchanged", got)
	}
}

// Honour hours are capped per entry and per year, audited; corrections compensate.
func TestHonourHoursAndCorrections(t *testing.T) {
	w := newVolWorld(t)
	vid := w.volunteer("o-vol-1", idZhang)
	path := "/api/v1/admin/volunteers/" + vid + "/hours"
	w.wantError("o-coord-youxian", "POST", path, `{"kind":"honour","hours":9,"reason":"大型活动"}`, 400, "hours_invalid")
	w.wantError("o-coord-youxian", "POST", path, `{"kind":"honour","hours":2}`, 400, "reason_required")
	w.wantError("o-coord-hetang", "POST", path, `{"kind":"honour","hours":2,"reason":"x"}`, 403, "district_out_of_scope")
	for i := range 5 {
		w.mustDo("o-coord-youxian", "POST", path, fmt.Sprintf(`{"kind":"honour","hours":8,"reason":"第%d次文化下乡补录"}`, i+1), 201)
	}
	w.wantError("o-coord-youxian", "POST", path, `{"kind":"honour","hours":0.5,"reason":"超出"}`, 409, "honour_cap_reached")
	w.wantError("o-coord-youxian", "POST", path, `{"kind":"correction","hours":-1,"reason":"重复"}`, 403, "forbidden")
	w.wantError("o-admin", "POST", path, `{"kind":"correction","hours":-1,"reason":"重复"}`, 409, "credit_below_zero")
	w.mustDo("o-admin", "POST", path, `{"kind":"correction","hours":1.5,"reason":"扫码故障补正"}`, 201)
	w.mustDo("o-admin", "POST", path, `{"kind":"correction","hours":-0.5,"reason":"抵销多补部分"}`, 201)
	m := w.me("o-vol-1")
	if m.HonourHours != 40 || m.CreditHours != 1 || len(m.Ledger) != 7 {
		t.Errorf("me = %.2f honour, %.2f credit, %d entries; want 40, 1 and 7", m.HonourHours, m.CreditHours, len(m.Ledger))
	}
	for _, e := range m.Ledger {
		if e.Reason == "" || e.By == "" || strings.HasPrefix(e.By, "o-coord-youxian") {
			t.Errorf("ledger entry %+v: want a reason and who (masked)", e)
		}
	}
	// A new year starts a new cap.
	w.now = time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)
	w.mustDo("o-coord-youxian", "POST", path, `{"kind":"honour","hours":8,"reason":"新年第一次"}`, 201)
}

// Yearly re-confirmation: an active volunteer who neither confirms nor serves for a
// year is flagged inactive and reminded, once per reminder period; serving or
// confirming renews the registration.
func TestReconfirmation(t *testing.T) {
	w := newVolWorld(t)
	ctx := context.Background()
	w.volunteer("o-vol-1", idZhang)                                                                     // never serves
	w.volunteer("o-vol-2", idLi)                                                                        // serves
	w.mustDo("o-vol-3", "POST", "/api/v1/volunteers", application("110105194912310003", "430223"), 201) // stays pending
	shiftID := w.shift(5, 0)["id"].(string)
	w.mustDo("o-vol-2", "POST", "/api/v1/shifts/"+shiftID+"/signups", "", 201)
	w.scan("o-vol-2", "shift:"+shiftID, w.start)
	w.scan("o-vol-2", "shift:"+shiftID, w.start.Add(3*time.Hour))

	// Every reminder written, whether the notifier has sent it yet or not, oldest first.
	reminders := func() []string {
		t.Helper()
		var all []notify.Message
		for _, st := range []notify.Status{notify.StatusPending, notify.StatusSent} {
			ms, err := w.a.Outbox.List(ctx, st, 100)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, ms...)
		}
		slices.SortStableFunc(all, func(a, b notify.Message) int { return a.CreatedAt.Compare(b.CreatedAt) })
		var to []string
		for _, m := range all {
			if m.Kind == volunteer.NoticeReconfirm {
				to = append(to, m.To)
			}
		}
		return to
	}
	tick := func(at time.Time) {
		t.Helper()
		w.now = at
		if err := w.a.Scheduler()(ctx, events.EventBridgeEvent{ID: "tick"}); err != nil {
			t.Fatalf("tick at %v: %v", at, err)
		}
	}
	year := 365 * 24 * time.Hour
	tick(base.Add(year - time.Minute))
	if got := reminders(); len(got) != 0 || w.me("o-vol-1").Inactive {
		t.Errorf("a minute before the year is up: reminders %v, want none", got)
	}
	tick(base.Add(year + time.Minute))
	tick(base.Add(year + 2*time.Minute)) // the next tick reminds no one again
	if got := reminders(); len(got) != 1 || got[0] != "o-vol-1" {
		t.Errorf("after a year: reminders to %v, want one to o-vol-1 (o-vol-2 served, o-vol-3 is pending)", got)
	}
	m1, m2 := w.me("o-vol-1"), w.me("o-vol-2")
	if !m1.Inactive || m2.Inactive || m1.Status != "active" {
		t.Errorf("inactive flags: o-vol-1 %v (%s), o-vol-2 %v; want true (still active), false", m1.Inactive, m1.Status, m2.Inactive)
	}
	// o-vol-2's year runs from their check-out, five hours after o-vol-1's approval.
	tick(base.Add(year + 10*24*time.Hour))
	if got := fmt.Sprint(reminders()); got != "[o-vol-1 o-vol-2]" {
		t.Errorf("ten days later: reminders to %s, want o-vol-1 (not again) and o-vol-2 (their year is up)", got)
	}
	tick(base.Add(year + 31*24*time.Hour))
	if got := fmt.Sprint(reminders()); got != "[o-vol-1 o-vol-2 o-vol-1]" {
		t.Errorf("a month later: reminders to %s, want o-vol-1 reminded again", got)
	}
	got := w.mustDo("o-vol-1", "POST", "/api/v1/me/volunteer/confirm", "", 200)
	if got["inactive"] != false || got["status"] != "active" {
		t.Errorf("confirm = %v, want active and not inactive", got)
	}
	if m := w.me("o-vol-1"); m.Inactive || !m.ReconfirmBy.Equal(w.now.Add(year)) {
		t.Errorf("after confirming: inactive %v, reconfirmBy %v; want false, %v", m.Inactive, m.ReconfirmBy, w.now.Add(year))
	}
	w.wantError("o-vol-3", "POST", "/api/v1/me/volunteer/confirm", "", 403, "volunteer_not_active")
	w.wantError("o-nobody", "POST", "/api/v1/me/volunteer/confirm", "", 404, "not_a_volunteer")
}

// Leaderboards rank a district's subtree by the hours of a period; certificates list a
// year's service from the ledger.
func TestLeaderboardAndCertificate(t *testing.T) {
	w := newVolWorld(t)
	v1 := w.volunteer("o-vol-1", idZhang)
	w.volunteer("o-vol-2", idLi)
	v3 := w.mustDo("o-vol-3", "POST", "/api/v1/volunteers", application("110105194912310003", "430202"), 201)["id"].(string)
	w.mustDo("o-coord-hetang", "POST", "/api/v1/admin/volunteers/"+v3+"/approve", "", 200)
	shiftID := w.shift(5, 0)["id"].(string)
	for _, p := range []string{"o-vol-1", "o-vol-2"} {
		w.mustDo(p, "POST", "/api/v1/shifts/"+shiftID+"/signups", "", 201)
	}
	w.scan("o-vol-1", "shift:"+shiftID, w.start)
	w.scan("o-vol-2", "shift:"+shiftID, w.start.Add(30*time.Minute))
	w.now = w.start.Add(3 * time.Hour)
	w.scan("o-vol-1", "shift:"+shiftID, w.now) // 3 hours
	w.scan("o-vol-2", "shift:"+shiftID, w.now) // 2.5 hours
	w.mustDo("o-coord-youxian", "POST", "/api/v1/admin/volunteers/"+v1+"/hours", `{"kind":"honour","hours":4,"reason":"送戏下乡（纸质签到补录）"}`, 201)
	w.mustDo("o-coord-hetang", "POST", "/api/v1/admin/volunteers/"+v3+"/hours", `{"kind":"honour","hours":8,"reason":"全民阅读节"}`, 201)

	board := func(query string) string {
		t.Helper()
		var lb volunteer.Leaderboard
		rec := w.do("o-resident-9", "GET", "/api/v1/volunteers/leaderboard"+query, "")
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &lb) != nil {
			t.Fatalf("leaderboard%s = %d %s", query, rec.Code, rec.Body)
		}
		var lines []string
		for _, s := range lb.Standings {
			lines = append(lines, fmt.Sprintf("%d %s %s %.2f", s.Rank, s.Name, s.DistrictID, s.Hours))
		}
		return strings.Join(lines, "; ")
	}
	tests := []struct{ query, want string }{
		{"", "1 张** 430202 8.00; 2 张** 430223001 7.00; 3 张** 430223001 2.50"},
		{"?period=2026-12&districtId=430223", "1 张** 430223001 7.00; 2 张** 430223001 2.50"},
		{"?period=2026&districtId=430202&limit=1", "1 张** 430202 8.00"},
		{"?period=2026-11", ""},
	}
	for _, tt := range tests {
		if got := board(tt.query); got != tt.want {
			t.Errorf("leaderboard%s = %q, want %q", tt.query, got, tt.want)
		}
	}
	w.wantError("o-resident-9", "GET", "/api/v1/volunteers/leaderboard?period=26", "", 400, "period_invalid")
	w.wantError("o-resident-9", "GET", "/api/v1/volunteers/leaderboard?districtId=999", "", 400, "district_not_found")
	if body := w.do("o-resident-9", "GET", "/api/v1/volunteers/leaderboard", "").Body.String(); strings.Contains(body, v1) || strings.Contains(body, "张志愿") {
		t.Errorf("the public leaderboard %s shows ids or full names", body)
	}

	var c volunteer.Certificate
	rec := w.do("o-vol-1", "GET", "/api/v1/me/volunteer/certificate?year=2026", "")
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &c) != nil {
		t.Fatalf("certificate = %d %s", rec.Code, rec.Body)
	}
	if c.Name != "张志愿" || c.IDNumberMasked != "11**************2X" || c.CreditHours != 3 || c.HonourHours != 4 || c.TotalHours != 7 ||
		len(c.Activities) != 2 || c.Activities[0].Title != "文化馆导览志愿服务" || c.Activities[1].Kind != "honour" ||
		!strings.Contains(c.Organisation, "联星街道") || c.Serial == "" {
		t.Errorf("certificate = %+v, want 张志愿, masked ID, 3 + 4 hours, the shift and the honour entry, 联星街道", c)
	}
	if strings.Contains(rec.Body.String(), idZhang) {
		t.Error("the certificate carries the ID number")
	}

	// The printable form: a PDF drawing the name and title as UTF-16BE hex, never the ID number.
	pdf := w.do("o-vol-1", "GET", "/api/v1/me/volunteer/certificate?year=2026&format=pdf", "")
	body := pdf.Body.String()
	if pdf.Code != 200 || pdf.Header().Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-1.4") {
		t.Fatalf("certificate PDF = %d %s %.40q", pdf.Code, pdf.Header().Get("Content-Type"), body)
	}
	utf16Hex := func(s string) string {
		var b strings.Builder
		for _, u := range utf16.Encode([]rune(s)) {
			fmt.Fprintf(&b, "%04X", u)
		}
		return b.String()
	}
	for _, want := range []string{"志愿服务记录证明", "张志愿", "11**************2X", "文化馆导览志愿服务", c.Serial} {
		if !strings.Contains(body, utf16Hex(want)) {
			t.Errorf("certificate PDF lacks %q", want)
		}
	}
	if strings.Contains(body, idZhang) || strings.Contains(body, utf16Hex(idZhang)) {
		t.Error("the certificate PDF carries the ID number")
	}
	w.wantError("o-vol-1", "GET", "/api/v1/me/volunteer/certificate?year=2026&format=png", "", 400, "format_invalid")
	w.wantError("o-vol-1", "GET", "/api/v1/me/volunteer/certificate?year=2027", "", 400, "period_invalid")
	w.wantError("o-nobody", "GET", "/api/v1/me/volunteer/certificate", "", 404, "not_a_volunteer")
	if c := w.mustDo("o-vol-1", "GET", "/api/v1/me/volunteer/certificate?year=2025", "", 200); c["totalHours"].(float64) != 0 {
		t.Errorf("certificate of 2025 = %v, want no hours", c)
	}
}

// Concurrent deliveries of one scan event check in once, and all get the same reply.
func TestConcurrentDuplicateScans(t *testing.T) {
	w := newVolWorld(t)
	w.volunteer("o-vol-1", idZhang)
	shiftID := w.shift(5, 0)["id"].(string)
	w.mustDo("o-vol-1", "POST", "/api/v1/shifts/"+shiftID+"/signups", "", 201)
	before := w.tbl.Transactions()
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		replies = map[string]int{}
	)
	for range 5 {
		wg.Go(func() {
			r, err := w.a.Volunteer().ScanShift(context.Background(), "o-vol-1", shiftID, w.start)
			if err != nil {
				t.Errorf("Scan = %v", err)
			}
			mu.Lock()
			replies[r.Text]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(replies) != 1 {
		t.Errorf("five concurrent deliveries got replies %v, want one reply five times", replies)
	}
	for r := range replies {
		if !strings.HasPrefix(r, "签到成功") {
			t.Errorf("reply = %q, want a check-in", r)
		}
	}
	if n := w.tbl.Transactions() - before; n < 1 || n > 5 {
		t.Errorf("%d transactions for five deliveries, want between 1 and 5", n)
	}
	if m := w.me("o-vol-1"); !m.Signups[0].CheckedInAt.Equal(w.start) {
		t.Errorf("sign-up = %+v, want checked in once at %v", m.Signups[0], w.start)
	}
}

// Training courses, attendance and the compliance report against the city's targets.
func TestTrainingCompliance(t *testing.T) {
	w := newVolWorld(t)
	w.mustDo("o-admin", "POST", "/api/v1/admin/appointments", `{"openid":"o-staff-youxian","districtId":"430223","role":"staff"}`, 200)
	w.mustDo("o-admin", "POST", "/api/v1/admin/appointments", `{"openid":"o-staff-lianxing","districtId":"430223001","role":"staff"}`, 200)
	w.wantError("o-admin", "POST", "/api/v1/admin/appointments", `{"openid":"o-x","districtId":"430223","role":"admin"}`, 400, "role_invalid")
	w.wantError("o-coord-youxian", "POST", "/api/v1/admin/appointments", `{"openid":"o-x","districtId":"430223"}`, 403, "forbidden")

	course := func(who, body string) string {
		t.Helper()
		return w.mustDo(who, "POST", "/api/v1/admin/trainings", body, 201)["id"].(string)
	}
	attend := func(who, id string, openids ...string) map[string]any {
		t.Helper()
		b, _ := json.Marshal(map[string][]string{"openids": openids})
		return w.mustDo(who, "POST", "/api/v1/admin/trainings/"+id+"/attendance", string(b), 200)
	}
	inPerson := course("o-coord-youxian", `{"title":"基层文化骨干集中培训","mode":"in_person","date":"2026-06-10T09:00:00+08:00","days":3}`)
	remote := course("o-coord-youxian", `{"title":"全国公共文化云远程课程","mode":"remote","date":"2026-07-01T09:00:00+08:00","classHours":30}`)
	town := course("o-staff-lianxing", `{"title":"联星街道文化站长培训","mode":"in_person","date":"2026-09-01T09:00:00+08:00","days":2}`)
	remote2 := course("o-staff-lianxing", `{"title":"非遗保护远程课程","mode":"remote","date":"2026-10-01T09:00:00+08:00","classHours":20}`)

	everyone := []string{"o-staff-youxian", "o-staff-lianxing", "o-coord-youxian", "o-vol-1"}
	if got := attend("o-coord-youxian", inPerson, everyone...); got["recorded"] != 4.0 || got["already"] != 0.0 {
		t.Errorf("first attendance = %v, want 4 recorded", got)
	}
	if got := attend("o-coord-youxian", inPerson, everyone...); got["recorded"] != 0.0 || got["already"] != 4.0 {
		t.Errorf("the same attendance again = %v, want 4 already recorded", got)
	}
	attend("o-coord-youxian", remote, everyone...)
	attend("o-staff-lianxing", town, "o-staff-lianxing")
	attend("o-staff-lianxing", remote2, "o-staff-lianxing")
	w.wantError("o-staff-lianxing", "POST", "/api/v1/admin/trainings/"+inPerson+"/attendance", `{"openids":["o-x"]}`, 403, "district_out_of_scope")
	w.wantError("o-coord-youxian", "POST", "/api/v1/admin/trainings/nope/attendance", `{"openids":["o-x"]}`, 404, "course_not_found")
	w.wantError("o-coord-youxian", "POST", "/api/v1/admin/trainings/"+inPerson+"/attendance", `{"openids":[]}`, 400, "attendees_invalid")
	for _, bad := range []string{
		`{"title":"x","mode":"in_person","date":"2026-06-10T09:00:00+08:00","days":0}`,
		`{"title":"x","mode":"remote","date":"2026-06-10T09:00:00+08:00","days":1,"classHours":2}`,
		`{"title":"x","mode":"online","date":"2026-06-10T09:00:00+08:00","classHours":2}`,
		`{"title":"","mode":"remote","date":"2026-06-10T09:00:00+08:00","classHours":2}`,
	} {
		w.wantError("o-coord-youxian", "POST", "/api/v1/admin/trainings", bad, 400, "course_invalid")
	}
	w.wantError("o-coord-youxian", "POST", "/api/v1/admin/trainings", `{"title":"x","mode":"remote","date":"2026-06-10T09:00:00+08:00","classHours":2,"districtId":"430202"}`, 403, "district_out_of_scope")

	var rep struct {
		Total, Compliant int
		Rate             float64
		People           []struct {
			OpenID                 string
			Level                  string
			Days, TargetDays       float64
			RemoteHours            float64
			MeetsDays, MeetsRemote bool
			Compliant              bool
		}
	}
	rec := w.do("o-coord-youxian", "GET", "/api/v1/admin/training/compliance?year=2026", "")
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &rep) != nil {
		t.Fatalf("compliance = %d %s", rec.Code, rec.Body)
	}
	lines := map[string]string{}
	for _, p := range rep.People {
		lines[p.OpenID] = fmt.Sprintf("%s %.0f/%.0f days %.0f h %v %v %v", p.Level, p.Days, p.TargetDays, p.RemoteHours, p.MeetsDays, p.MeetsRemote, p.Compliant)
	}
	want := map[string]string{
		"o-coord-youxian":  "county 3/20 days 30 h false false false",
		"o-staff-youxian":  "county 3/20 days 30 h false false false",
		"o-staff-lianxing": "township 5/5 days 50 h true true true",
	}
	if fmt.Sprint(lines) != fmt.Sprint(want) || rep.Total != 3 || rep.Compliant != 1 || rep.Rate != 0.333 {
		t.Errorf("compliance of 攸县 = %v (%d of %d, rate %v), want %v, 1 of 3, 0.333", lines, rep.Compliant, rep.Total, rep.Rate, want)
	}
	if got := w.mustDo("o-admin", "GET", "/api/v1/admin/training/compliance?districtId=430223001&year=2026", "", 200); got["total"] != 1.0 {
		t.Errorf("compliance of 联星街道 = %v, want its one staff member", got)
	}
	w.wantError("o-coord-hetang", "GET", "/api/v1/admin/training/compliance?districtId=430223", "", 403, "district_out_of_scope")
	w.wantError("o-vol-1", "GET", "/api/v1/admin/training/compliance", "", 403, "forbidden")
	w.wantError("o-admin", "GET", "/api/v1/admin/training/compliance?districtId=430223&year=2030", "", 400, "year_invalid")

	var mine struct {
		Days, RemoteHours float64
		Attendance        []struct{ Title string }
	}
	rec = w.do("o-vol-1", "GET", "/api/v1/me/trainings", "")
	if json.Unmarshal(rec.Body.Bytes(), &mine) != nil || mine.Days != 3 || mine.RemoteHours != 30 || len(mine.Attendance) != 2 {
		t.Errorf("me/trainings = %d %s, want 3 days, 30 hours, 2 courses", rec.Code, rec.Body)
	}
}

// With DynamoDB failing, requests answer 503 and scans fail (the callback answers
// "busy"); nothing is half-written, and the next try works.
func TestVolunteersWhileDynamoDBFails(t *testing.T) {
	w := newVolWorld(t)
	vid := w.volunteer("o-vol-1", idZhang)
	shiftID := w.shift(5, 0)["id"].(string)
	w.mustDo("o-vol-1", "POST", "/api/v1/shifts/"+shiftID+"/signups", "", 201)

	for _, p := range []string{"o-vol-1", "o-vol-2", "o-coord-youxian"} {
		w.token(p) // signed in before the table fails
	}
	restore := w.tbl.FailAll(t)
	w.wantError("o-vol-2", "POST", "/api/v1/volunteers", application(idLi, "430223001"), 503, "unavailable")
	w.wantError("o-coord-youxian", "POST", "/api/v1/admin/volunteers/"+vid+"/suspend", `{"reason":"x"}`, 503, "unavailable")
	w.wantError("o-vol-1", "GET", "/api/v1/me/volunteer", "", 503, "unavailable")
	if _, err := w.a.Volunteer().Scan(context.Background(), "o-vol-1", "shift:"+shiftID, w.start); fault.KindOf(err) != fault.Unavailable {
		t.Errorf("Scan while DynamoDB fails = %v, want an unavailable error", err)
	}
	if strings.Contains(w.logs.String(), idLi) {
		t.Error("a failed application logged the ID number")
	}
	restore()

	w.mustDo("o-vol-2", "POST", "/api/v1/volunteers", application(idLi, "430223001"), 201)
	if m := w.me("o-vol-1"); m.Status != "active" || !m.Signups[0].CheckedInAt.IsZero() {
		t.Errorf("after the failures: %+v, want still active and not checked in", m)
	}
	if r := w.scan("o-vol-1", "shift:"+shiftID, w.start); !strings.HasPrefix(r, "签到成功") {
		t.Errorf("scan after DynamoDB recovered = %q, want a check-in", r)
	}
}

// The journey through the chat, as the volunteer lives it: the shift's QR code scanned
// in WeChat (each SCAN event delivered three times, as WeChat retries) checks in, then
// out, and the hours show in me/volunteer.
func TestVolunteerScansThroughTheWeChatCallback(t *testing.T) {
	w := newVolWorld(t)
	shiftID := w.signedUp()
	callback := apptest.HTTP(t, w.a, "WeChatFunction")
	scan := func(at time.Time) string {
		t.Helper()
		w.now = at
		event := fmt.Sprintf(`<xml><ToUserName><![CDATA[gh_wentitong]]></ToUserName><FromUserName><![CDATA[o-vol-1]]></FromUserName>`+
			`<CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[SCAN]]></Event>`+
			`<EventKey><![CDATA[shift:%s]]></EventKey><Ticket><![CDATA[t]]></Ticket></xml>`, at.Unix(), shiftID)
		var replies []string
		for i := range 3 {
			rec := httptest.NewRecorder()
			callback.ServeHTTP(rec, safeRequest(t, at, fmt.Sprintf("n%d-%d", at.Unix(), i), event))
			reply := decryptReply(t, rec)
			replies = append(replies, reply[strings.Index(reply, "<Content>"):])
		}
		if replies[0] != replies[1] || replies[1] != replies[2] {
			t.Errorf("three deliveries of one scan got %q, want the same reply", replies)
		}
		return replies[0]
	}
	if in := scan(w.start.Add(time.Minute)); !strings.Contains(in, "签到") {
		t.Errorf("first scan replied %q, want a check-in", in)
	}
	if out := scan(w.start.Add(3 * time.Hour)); !strings.Contains(out, "签退") {
		t.Errorf("second scan replied %q, want a check-out", out)
	}
	m := w.me("o-vol-1")
	if m.CreditHours < 2.9 || m.CreditHours > 3 {
		t.Errorf("credit hours after checking in at +1 min and out at the end = %v, want 2.98 (one check-in, one check-out)", m.CreditHours)
	}
}

// Volunteers signed up for a shift are reminded once, two hours before it starts.
func TestShiftReminder(t *testing.T) {
	w := newVolWorld(t)
	w.signedUp()
	ctx := context.Background()
	reminded := func() int {
		n := 0
		for _, m := range w.wx.Sent() {
			if m.ToUser == "o-vol-1" && strings.Contains(string(m.Data), "志愿服务提醒：文化馆导览志愿服务") {
				n++
			}
		}
		return n
	}
	for _, at := range []time.Time{w.start.Add(-3 * time.Hour), w.start.Add(-2*time.Hour - 20*time.Minute)} {
		w.now = at
		if err := w.a.Scheduler()(ctx, events.EventBridgeEvent{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := reminded(); n != 0 {
		t.Errorf("reminders before the window = %d, want 0", n)
	}
	for i := range 4 {
		w.now = w.start.Add(-2*time.Hour + time.Duration(i)*time.Minute)
		if err := w.a.Scheduler()(ctx, events.EventBridgeEvent{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := reminded(); n != 1 {
		t.Errorf("reminders = %d, want exactly 1", n)
	}
}
