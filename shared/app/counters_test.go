package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/dynamo/countersdb"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/sam"
	"github.com/wentitong/wentitong/shared/wechattest"
)

// mustRoutes serves every HTTP function of the app at the routes template.yaml gives it,
// as API Gateway does.
func mustRoutes(t *testing.T, a *app.App) http.Handler {
	t.Helper()
	fns := mustFunctions(t)
	mux := http.NewServeMux()
	for _, fn := range fns {
		if len(fn.Routes) == 0 {
			continue
		}
		h, err := a.HTTP(fn.LogicalID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range fn.Routes {
			mux.Handle(r.Pattern(), h)
		}
	}
	return mux
}

// world drives the platform through its public API, as the functions of template.yaml
// serve it, on a clock the test moves.
type world struct {
	t     *testing.T
	a     *app.App
	tbl   *dynamotest.Table
	wx    *wechattest.Server
	h     http.Handler
	clock time.Time
	feed  *dynamotest.Feed
	// notices queues the messages bookings owe after each request, as the notifier's
	// stream does (the tests deliver them).
	notices *dynamotest.Feed
}

func newWorld(t *testing.T, start time.Time) *world {
	t.Helper()
	a, tbl, wx := mustApp(t, start)
	w := &world{t: t, a: a, tbl: tbl, wx: wx, clock: start}
	a.Now = func() time.Time { return w.clock } // before the handlers are built: they read it
	w.h = mustRoutes(t, a)
	notices := tbl.Stream.Fork()
	w.feed = tbl.MustFeed(t, "CountersFunction", a.Counters())
	tmpl, err := sam.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	fn, err := tmpl.Function("NotifierFunction")
	if err != nil {
		t.Fatal(err)
	}
	if w.notices, err = dynamotest.NewFeed(notices, a.Announcements(), fn); err != nil {
		t.Fatal(err)
	}
	return w
}

// as is a signed-in person's session token.
func (w *world) as(openid string, roles ...string) string {
	w.t.Helper()
	svc, err := w.a.Auth()
	if err != nil {
		w.t.Fatal(err)
	}
	s, err := svc.Issue(context.Background(), openid, roles, w.clock)
	if err != nil {
		w.t.Fatal(err)
	}
	return s.Token
}

// do sends a request and wants the status; it returns the decoded body.
func (w *world) do(token, method, path string, status int, body ...any) map[string]any {
	w.t.Helper()
	var in string
	if len(body) > 0 {
		b, _ := json.Marshal(body[0])
		in = string(b)
	}
	rec := serve(w.h, method, path, in, token)
	if _, err := w.notices.Poll(context.Background()); err != nil {
		w.t.Fatalf("notifier's queue: %v", err)
	}
	if rec.Code != status {
		w.t.Fatalf("%s %s = %d %s, want %d", method, path, rec.Code, rec.Body, status)
	}
	if f := beijing.ForeignTimes(rec.Body.Bytes()); len(f) > 0 {
		w.t.Errorf("%s %s answered times not in Beijing time: %v", method, path, f)
	}
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return out
}

// count hands what changed to the counters, as the stream does; twice, since a stream
// may deliver a record again.
func (w *world) count() {
	w.t.Helper()
	changes := w.tbl.Stream.Take()
	for range 2 {
		w.tbl.Stream.Requeue(changes)
		if _, err := w.feed.Poll(context.Background()); err != nil {
			w.t.Fatalf("counters: %v", err)
		}
	}
}

func (w *world) at(t time.Time) { w.clock = t }

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

// A report shows exactly what was done through the API, counted by the platform itself
// from the table's changes: no seed, no counter written by the test.
func TestReportCountsWhatHappened(t *testing.T) {
	cst := beijing.Zone
	w := newWorld(t, time.Date(2026, 11, 10, 9, 0, 0, 0, cst))

	// The directory: the city, two counties, three villages.
	for _, d := range []map[string]string{
		{"id": "430200", "name": "株洲市", "level": "city"},
		{"id": "430211", "parentId": "430200", "name": "天元区", "level": "county"},
		{"id": "430211100", "parentId": "430211", "name": "群丰镇", "level": "township"},
		{"id": "430211100201", "parentId": "430211100", "name": "湖塘村", "level": "village"},
		{"id": "430211100202", "parentId": "430211100", "name": "群丰村", "level": "village"},
		{"id": "430223", "parentId": "430200", "name": "攸县", "level": "county"},
		{"id": "430223001", "parentId": "430223", "name": "联星街道", "level": "township"},
		{"id": "430223001001", "parentId": "430223001", "name": "城东社区", "level": "village"},
	} {
		w.do(w.as("o-admin", "admin"), "POST", "/api/v1/admin/districts", 201, d)
	}
	venue := func(name, kind, district string) string {
		v := w.do(w.as("o-admin", "admin"), "POST", "/api/v1/admin/venues", 201, map[string]any{"name": name, "kind": kind, "districtId": district,
			"address": name, "location": map[string]float64{"lat": 27.87, "lng": 113.04}})
		return str(v, "id")
	}
	hutang := venue("湖塘村综合文化服务中心", "village_room", "430211100201")
	qunfeng := venue("群丰村文化室", "village_room", "430211100202")
	lianxing := venue("联星街道综合文化站", "township_station", "430223001")

	activity := func(kind, title, venue string) string {
		return str(w.do(w.as("o-admin", "admin"), "POST", "/api/v1/admin/activities", 201, map[string]any{"kind": kind, "title": title, "description": "d", "venueId": venue}), "id")
	}
	slot := func(act string, start time.Time) string {
		return str(w.do(w.as("o-admin", "admin"), "POST", "/api/v1/admin/activities/"+act+"/slots", 201, map[string]any{
			"startsAt": start, "endsAt": start.Add(2 * time.Hour), "capacity": 20, "maxPartySize": 3}), "id")
	}
	film := activity("film", "湖塘村露天电影", hutang)
	s1 := slot(film, time.Date(2026, 11, 12, 19, 0, 0, 0, cst))
	s3 := slot(film, time.Date(2026, 12, 3, 19, 0, 0, 0, cst))
	s2 := slot(activity("event", "联星街道文艺汇演", lianxing), time.Date(2026, 11, 15, 14, 0, 0, 0, cst))
	s4 := slot(activity("event", "群丰村广场舞", qunfeng), time.Date(2026, 11, 20, 19, 0, 0, 0, cst))
	w.count()
	w.do(w.as("o-admin", "admin"), "DELETE", "/api/v1/admin/slots/"+s4, 200) // cancelled: 群丰村 holds nothing

	book := func(openid, slot string, party int) map[string]any {
		return w.do(w.as(openid), "POST", "/api/v1/slots/"+slot+"/bookings", 201, map[string]any{"partySize": party})
	}
	r1s1, r2s1 := book("o-r1", s1, 2), book("o-r2", s1, 1)
	r3s1 := book("o-r3", s1, 1)
	book("o-r1", s2, 1) // never comes
	r5s2 := book("o-r5", s2, 3)
	book("o-r4", s3, 1) // December
	w.count()
	w.do(w.as("o-r3"), "DELETE", "/api/v1/bookings/"+str(r3s1, "id"), 200)

	checkIn := func(b map[string]any, start time.Time) { // (staff check in only their district's tickets)
		w.at(start.Add(-10 * time.Minute))
		w.do(w.as("o-admin", "admin"), "POST", "/api/v1/admin/checkins", 200, map[string]any{"ticket": str(b, "ticket")})
	}
	checkIn(r1s1, time.Date(2026, 11, 12, 19, 0, 0, 0, cst))
	checkIn(r2s1, time.Date(2026, 11, 12, 19, 0, 0, 0, cst))
	w.count()
	checkIn(r5s2, time.Date(2026, 11, 15, 14, 0, 0, 0, cst))

	// Volunteers: one of culture, one instructor (suspended, then reinstated), one pending.
	w.at(time.Date(2026, 11, 16, 10, 0, 0, 0, cst))
	apply := func(openid, name, district, category, id string) string {
		return str(w.do(w.as(openid), "POST", "/api/v1/volunteers", 201, map[string]any{"name": name, "phone": "13800138000",
			"idNumber": id, "districtId": district, "category": category}), "id")
	}
	v1 := apply("o-v1", "王晓燕", "430211100", "culture", "11010519491231002X")
	v2 := apply("o-v2", "赵体强", "430223001", "sports_instructor", "110105194912310011")
	apply("o-v3", "孙小梅", "430223001", "culture", "110105194912310038")
	w.do(w.as("o-admin", "admin"), "POST", "/api/v1/admin/volunteers/"+v1+"/approve", 200)
	w.do(w.as("o-admin", "admin"), "POST", "/api/v1/admin/volunteers/"+v2+"/approve", 200)
	w.count()
	w.do(w.as("o-admin", "admin"), "POST", "/api/v1/admin/volunteers/"+v2+"/suspend", 200, map[string]string{"reason": "核实资质"})
	w.count()
	w.do(w.as("o-admin", "admin"), "POST", "/api/v1/admin/volunteers/"+v2+"/reinstate", 200, map[string]string{"reason": "资质已核实"})
	w.do(w.as("o-admin", "admin"), "POST", "/api/v1/admin/volunteers/"+v1+"/hours", 201, map[string]any{"kind": "honour", "hours": 3, "reason": "村晚志愿服务"})

	// Training: a county staff member meets both targets; a township coordinator only the days.
	w.do(w.as("o-admin", "admin"), "POST", "/api/v1/admin/appointments", 200, map[string]string{"openid": "o-s1", "districtId": "430211", "role": "staff"})
	w.do(w.as("o-admin", "admin"), "POST", "/api/v1/admin/appointments", 200, map[string]string{"openid": "o-s2", "districtId": "430223001", "role": "coordinator"})
	days := w.do(w.as("o-admin", "admin"), "POST", "/api/v1/admin/trainings", 201, map[string]any{"title": "集中培训", "mode": "in_person", "date": w.clock, "days": 20, "districtId": "430200"})
	hours := w.do(w.as("o-admin", "admin"), "POST", "/api/v1/admin/trainings", 201, map[string]any{"title": "网络课程", "mode": "remote", "date": w.clock, "classHours": 50, "districtId": "430200"})
	w.do(w.as("o-admin", "admin"), "POST", "/api/v1/admin/trainings/"+str(days, "id")+"/attendance", 200, map[string]any{"openids": []string{"o-s1", "o-s2"}})
	w.do(w.as("o-admin", "admin"), "POST", "/api/v1/admin/trainings/"+str(hours, "id")+"/attendance", 200, map[string]any{"openids": []string{"o-s1"}})

	// One message WeChat refuses for good (invalid openid): a failed notification.
	w.wx.FailNext(wechattest.OpCustom, 40003, 1)
	if _, err := w.a.Notify.DeliverDue(context.Background(), 200); err != nil {
		t.Fatal(err)
	}
	w.count()

	report := func(district, period string) map[string]any {
		r := w.do(w.as("o-admin", "admin"), "GET", "/api/v1/admin/reports?district="+district+"&period="+period, 200)
		tot, _ := r["total"].(map[string]any)
		return tot
	}
	want := func(what string, row map[string]any, figures map[string]float64) {
		t.Helper()
		for k, v := range figures {
			if got, _ := row[k].(float64); got != v {
				t.Errorf("%s %s = %v, want %v", what, k, row[k], v)
			}
		}
	}
	city := report("430200", "2026-11")
	want("city 2026-11", city, map[string]float64{
		"bookings": 7, "attendance": 6, "attendancePercent": 85.7, "uniqueResidents": 3,
		"villages": 3, "activeVillages": 1, "coveragePercent": 33.3,
		"volunteersRegistered": 2, "volunteersActive": 1, "sportsInstructors": 1,
		"trainingRequired": 2, "trainingCompliant": 1, "trainingCompliancePercent": 50,
		"notificationsFailed": 1,
	})
	want("天元区 2026-11", report("430211", "2026-11"), map[string]float64{
		"bookings": 3, "attendance": 3, "uniqueResidents": 2, "activeVillages": 1, "villages": 2,
		"volunteersRegistered": 1, "volunteersActive": 1, "sportsInstructors": 0, "trainingRequired": 1, "trainingCompliant": 1,
	})
	want("攸县 2026-11", report("430223", "2026-11"), map[string]float64{
		"bookings": 4, "attendance": 3, "uniqueResidents": 2, "activeVillages": 0,
		"volunteersRegistered": 1, "volunteersActive": 0, "sportsInstructors": 1, "trainingRequired": 1, "trainingCompliant": 0,
	})
	want("city 2026-12", report("430200", "2026-12"), map[string]float64{"bookings": 1, "attendance": 0, "uniqueResidents": 1, "activeVillages": 1})
	want("city all", report("430200", "all"), map[string]float64{"bookings": 8, "attendance": 6, "uniqueResidents": 4, "activeVillages": 1})

	// Staff retry the failed message: it no longer counts as failed.
	failed := w.do(w.as("o-admin", "admin"), "GET", "/api/v1/admin/notifications?status=failed", 200)
	list, _ := failed["notifications"].([]any)
	if len(list) != 1 {
		t.Fatalf("failed notifications = %v, want one", failed)
	}
	id := str(list[0].(map[string]any), "id")
	w.do(w.as("o-admin", "admin"), "POST", "/api/v1/admin/notifications/"+id+"/retry", 200)
	want("city 2026-11 after the retry", report("430200", "2026-11"), map[string]float64{"notificationsFailed": 0})

	// Recomputed from the items, the counters have not drifted.
	r, err := (&countersdb.Counters{DB: w.tbl.DB, Table: w.tbl.Name}).Recount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := r.Drift(""); len(d) > 0 {
		for _, c := range d {
			t.Errorf("drift: %+v counted %d, items say %d", c, r.Have[c], r.Want[c])
		}
	}
	if len(r.Subjects) == 0 {
		t.Errorf("recount found no counted items")
	}
}
