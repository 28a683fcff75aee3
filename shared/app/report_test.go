package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/infra/local/demo"
	"github.com/wentitong/wentitong/shared/apptest"
)

// On the full demo data, counted by the platform from the demo's past, the city's report
// has figures in every section, as JSON and as CSV for Excel; staff get their own
// district's.
func TestReports(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	a, tbl, _ := mustApp(t, now)
	sum, err := demo.Seed(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tbl.MustFeed(t, "CountersFunction", a.Counters()).Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	h := apptest.HTTP(t, a, "DirectoryFunction")
	svc, _ := a.Auth()
	token := func(openid string, roles ...string) string {
		s, _ := svc.Issue(context.Background(), openid, roles, now)
		return s.Token
	}
	get := func(path, tok string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	admin := token("o-admin", "admin")
	tbl.Counter.Reset()
	rec := get("/api/v1/admin/reports", admin)
	var rep struct {
		District struct{ ID string }
		Period   string
		Total    map[string]any
		Children []map[string]any
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil || rec.Code != 200 {
		t.Fatalf("report = %d %s", rec.Code, rec.Body)
	}
	if calls := tbl.Counter.Snapshot(); calls["Scan"] != 0 {
		t.Errorf("the report made %v, want no Scan", calls)
	}
	if rep.District.ID != "430200" || rep.Period != "2026-11" || len(rep.Children) != 9 {
		t.Errorf("report of %s for %s with %d children, want the city, this month, nine counties", rep.District.ID, rep.Period, len(rep.Children))
	}
	for _, k := range []string{"bookings", "attendance", "attendancePercent", "uniqueResidents", "villages", "activeVillages", "coveragePercent",
		"volunteersRegistered", "volunteersActive", "sportsInstructors", "teamsApproved", "teamsRated",
		"trainingRequired", "trainingCompliant", "trainingCompliancePercent"} {
		if v, ok := rep.Total[k].(float64); !ok || v == 0 {
			t.Errorf("city %s = %v, want a figure", k, rep.Total[k])
		}
	}
	// A handful of instructors among 3.9 million residents rounds to 0.00‰; nothing failed.
	for _, k := range []string{"instructorsPerThousand", "notificationsFailed"} {
		if _, ok := rep.Total[k].(float64); !ok {
			t.Errorf("city %s = %v, want a figure", k, rep.Total[k])
		}
	}
	if got := rep.Total["bookings"]; got != float64(sum.History.Bookings) {
		t.Errorf("city bookings = %v, want the %d places the demo booked this month", got, sum.History.Bookings)
	}
	if sat := rep.Total["satisfaction"].(map[string]any); sat["sufficient"] != true {
		t.Errorf("city satisfaction = %v, want an index", sat)
	}

	// The year's report holds the month's, counted in the year's own counters.
	rec = get("/api/v1/admin/reports?period=2026", admin)
	var year struct {
		Period string
		Total  map[string]any
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &year); err != nil || rec.Code != 200 || year.Period != "2026" {
		t.Fatalf("the year's report = %d %s", rec.Code, rec.Body)
	}
	for _, k := range []string{"bookings", "attendance", "uniqueResidents"} {
		if y, m := year.Total[k].(float64), rep.Total[k].(float64); y < m || y == 0 {
			t.Errorf("city %s in 2026 = %v, in November %v; want the year to hold the month", k, y, m)
		}
	}
	if sat := year.Total["satisfaction"].(map[string]any); sat["ratings"].(float64) < rep.Total["satisfaction"].(map[string]any)["ratings"].(float64) {
		t.Errorf("city satisfaction in 2026 = %v, want at least November's ratings", sat)
	}

	rec = get("/api/v1/admin/reports?district=430211&period=all&format=csv", admin)
	body := rec.Body.Bytes()
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" || !bytes.HasPrefix(body, []byte("\xEF\xBB\xBF")) ||
		!strings.Contains(rec.Header().Get("Content-Disposition"), "report-430211-all.csv") {
		t.Fatalf("CSV = %d %v %q", rec.Code, rec.Header(), body[:min(len(body), 20)])
	}
	rows, err := csv.NewReader(bytes.NewReader(body[3:])).ReadAll()
	if err != nil || len(rows) != 5 || rows[1][2] != "天元区" {
		t.Errorf("CSV rows = %v, %v; want a header, 天元区 and its three streets/towns", rows, err)
	}

	staff := token("o-staff-library", "staff") // 天元区 in the demo
	if rec := get("/api/v1/admin/reports", staff); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"name":"天元区"`) {
		t.Errorf("staff's report = %d, want 天元区's", rec.Code)
	}
	for _, tt := range []struct {
		path, tok string
		status    int
		code      string
	}{
		{"/api/v1/admin/reports?district=430200", staff, 403, "district_out_of_scope"},
		{"/api/v1/admin/reports?district=430223", staff, 403, "district_out_of_scope"},
		{"/api/v1/admin/reports?period=2026-13", admin, 400, "period_invalid"},
		{"/api/v1/admin/reports?format=xlsx", admin, 400, "format_invalid"},
		{"/api/v1/admin/reports?district=nope", admin, 404, "district_not_found"},
		{"/api/v1/admin/reports", token("o-1"), 403, "forbidden"},
		{"/api/v1/admin/reports", "", 401, "token_missing"},
	} {
		if rec := get(tt.path, tt.tok); rec.Code != tt.status || errorCode(rec) != tt.code {
			t.Errorf("GET %s = %d %s, want %d %s", tt.path, rec.Code, rec.Body, tt.status, tt.code)
		}
	}
}
