package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/infra/local/demo"
	"github.com/wentitong/wentitong/shared/assessment"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/dynamo/reportdb"
	"github.com/wentitong/wentitong/shared/report"
)

// countedDemo is the platform on the demo's data on 28 November 2026, counted by the
// platform's own stream consumer.
func countedDemo(t *testing.T) platform {
	t.Helper()
	a, tbl, _ := mustApp(t, time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))
	ctx := context.Background()
	if _, err := demo.Seed(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := tbl.MustFeed(t, "CountersFunction", a.Counters()).Poll(ctx); err != nil {
		t.Fatal(err)
	}
	return platform{t: t, a: a, tbl: tbl}
}

// The model counties of a year, as a new user would go through it on the demo's data
// counted by the platform: an admin defines the indicators; 天元区's staff see its
// figures — the very counters its district report reads — and back a self-reported
// indicator with a file; a reviewer reads the file and accepts a value; the admin
// publishes; anyone reads the ranking and gets it again by scoring the published
// figures; nothing changes after publication.
func TestModelCountiesFromTheCounters(t *testing.T) {
	p := countedDemo(t)
	admin := p.token("o-admin", auth.RoleAdmin)
	staff := p.token("o-staff-library", auth.RoleStaff) // 天元区's
	const fn = "AssessmentFunction"

	scheme := `{"indicators":[
		{"id":"sessions","name":"举办活动场次","weight":20,"measure":"sessions","target":40},
		{"id":"attendance","name":"到场人次","weight":20,"measure":"attendance","target":200},
		{"id":"rate","name":"到场率","weight":10,"measure":"attendanceRate","target":90},
		{"id":"sat","name":"群众满意度","weight":20,"measure":"satisfaction","target":90},
		{"id":"coverage","name":"村（社区）活动覆盖率","weight":10,"measure":"coverage","target":60},
		{"id":"docs","name":"制度建设","weight":20,"measure":"self","target":10,"guide":"上传年度公共文化服务制度文件"}],
		"selection":{"count":2,"minScore":10}}`
	// Weights that do not add up to 100 are refused, and nothing is defined.
	bad := strings.Replace(scheme, `"weight":20,"measure":"self"`, `"weight":25,"measure":"self"`, 1)
	if rec := p.do(fn, "PUT", "/api/v1/admin/assessments/2026/county/scheme", bad, admin); rec.Code != 400 || !strings.Contains(rec.Body.String(), "scheme_invalid") {
		t.Fatalf("a scheme weighing 105 = %d %s, want 400 scheme_invalid", rec.Code, rec.Body)
	}
	if rec := p.do(fn, "GET", "/api/v1/assessments/2026/county/scheme", "", ""); rec.Code != 404 {
		t.Fatalf("the scheme after a refused definition = %d %s, want none", rec.Code, rec.Body)
	}
	p.must(fn, "PUT", "/api/v1/admin/assessments/2026/county/scheme", scheme, admin)

	// 天元区's staff see its figures: the counters of its year, as its report has them.
	own := p.must(fn, "GET", "/api/v1/district-assessments/2026/430211", "", staff)
	line := func(sheet map[string]any, unit, indicator string) map[string]any {
		for _, u := range sheet["units"].([]any) {
			if u.(map[string]any)["id"] != unit {
				continue
			}
			for _, l := range u.(map[string]any)["lines"].([]any) {
				if l.(map[string]any)["indicator"] == indicator {
					return l.(map[string]any)
				}
			}
		}
		t.Fatalf("no line %s of %s in %v", indicator, unit, sheet)
		return nil
	}
	rep := p.must("DirectoryFunction", "GET", "/api/v1/admin/reports?district=430200&period=2026", "", admin)
	var tianyuan map[string]any
	for _, c := range rep["children"].([]any) {
		if c.(map[string]any)["districtId"] == "430211" {
			tianyuan = c.(map[string]any)
		}
	}
	if got, want := line(own, "430211", "attendance")["value"], tianyuan["attendance"]; got != want || want == float64(0) {
		t.Errorf("天元区's attendance = %v, its report's %v; want the same, not zero", got, want)
	}
	if got, want := line(own, "430211", "rate")["value"], tianyuan["attendancePercent"]; got != want {
		t.Errorf("天元区's attendance rate = %v, its report's %v", got, want)
	}
	if got := line(own, "430211", "sessions")["value"]; got == nil || got.(float64) == 0 {
		t.Errorf("天元区's sessions = %v, want the demo's", got)
	}
	if units := own["units"].([]any); len(units) != 1 {
		t.Errorf("天元区's own sheet has %d units, want itself", len(units))
	}
	// Not another county's, and not the whole sheet.
	if rec := p.do(fn, "GET", "/api/v1/district-assessments/2026/430223", "", staff); rec.Code != 403 {
		t.Errorf("攸县's figures to 天元区's staff = %d, want 403", rec.Code)
	}
	if rec := p.do(fn, "GET", "/api/v1/assessments/2026/county/sheet", "", staff); rec.Code != 403 {
		t.Errorf("the sheet to staff = %d, want 403", rec.Code)
	}

	// Self-reported: a value, and a file that is a PDF by its content.
	pdf := "%PDF-1.4\n% 天元区公共文化服务制度汇编\n%%EOF\n"
	if rec := p.do(fn, "POST", "/api/v1/district-assessments/2026/430211/reports/docs/evidence?name=x.pdf", "<html>not a pdf</html>", staff); rec.Code != 400 || !strings.Contains(rec.Body.String(), "evidence_invalid") {
		t.Errorf("an HTML file as evidence = %d %s, want 400 evidence_invalid", rec.Code, rec.Body)
	}
	if rec := p.do(fn, "PUT", "/api/v1/district-assessments/2026/430211/reports/sessions", `{"value":99}`, staff); rec.Code != 400 || !strings.Contains(rec.Body.String(), "indicator_not_self_reported") {
		t.Errorf("self-reporting a computed indicator = %d %s, want 400", rec.Code, rec.Body)
	}
	ev := p.must(fn, "POST", "/api/v1/district-assessments/2026/430211/reports/docs/evidence?name=制度汇编.pdf", pdf, staff)
	p.must(fn, "PUT", "/api/v1/district-assessments/2026/430211/reports/docs", `{"value":9,"note":"制度 9 项，见制度汇编"}`, staff)
	if l := line(p.must(fn, "GET", "/api/v1/district-assessments/2026/430211", "", staff), "430211", "docs"); l["value"] != nil || l["points"] != float64(0) {
		t.Errorf("an unreviewed self-report counts: %v", l)
	}

	// The reviewer, appointed for the year, reads the file and accepts 8 of the 9.
	reviewer := p.token("o-reviewer-1")
	if rec := p.do(fn, "GET", "/api/v1/assessments/2026/county/sheet", "", reviewer); rec.Code != 403 {
		t.Errorf("the sheet before the appointment = %d, want 403", rec.Code)
	}
	p.must(fn, "PUT", "/api/v1/admin/assessment-reviewers/2026/o-reviewer-1", "", admin)
	sheet := p.must(fn, "GET", "/api/v1/assessments/2026/county/sheet", "", reviewer)
	if n := len(sheet["units"].([]any)); n != 9 {
		t.Errorf("the sheet has %d counties, want the city's nine", n)
	}
	file := p.do(fn, "GET", fmt.Sprintf("/api/v1/assessments/2026/county/units/430211/evidence/%s", ev["id"]), "", reviewer)
	if file.Code != 200 || file.Body.String() != pdf || file.Header().Get("Content-Type") != "application/pdf" {
		t.Errorf("the evidence to the reviewer = %d %q %s, want the PDF uploaded", file.Code, file.Body, file.Header().Get("Content-Type"))
	}
	p.must(fn, "PUT", "/api/v1/assessments/2026/county/units/430211/reviews/docs", `{"accept":true,"value":8,"comment":"一项制度未见正式文件"}`, reviewer)
	if l := line(p.must(fn, "GET", "/api/v1/district-assessments/2026/430211", "", staff), "430211", "docs"); l["value"] != float64(8) || l["points"] != float64(16) {
		t.Errorf("the accepted self-report = %v, want 8 earning 16 of 20", l)
	}

	// Published: ranked, 先进 chosen, and the same again from the published figures.
	if rec := p.do(fn, "GET", "/api/v1/assessments/2026/county/results", "", ""); rec.Code != 404 {
		t.Errorf("results before publication = %d, want 404", rec.Code)
	}
	p.must(fn, "POST", "/api/v1/admin/assessments/2026/county/publish", "", admin)
	rec := p.do(fn, "GET", "/api/v1/assessments/2026/county/results", "", "")
	var res assessment.Result
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || rec.Code != 200 || len(res.Units) != 9 {
		t.Fatalf("the published results = %d %s", rec.Code, rec.Body)
	}
	again := assessment.Score(res.Scheme, res.Units)
	selected := 0
	for i, u := range res.Units {
		if g := again[i]; g.ID != u.ID || g.Total != u.Total || g.Rank != u.Rank || g.Selected != u.Selected {
			t.Errorf("rescored unit %d = %s %v #%d %v, published %s %v #%d %v", i, g.ID, g.Total, g.Rank, g.Selected, u.ID, u.Total, u.Rank, u.Selected)
		}
		if i > 0 && u.Total > res.Units[i-1].Total {
			t.Errorf("%s (%v) ranked below %s (%v)", u.ID, u.Total, res.Units[i-1].ID, res.Units[i-1].Total)
		}
		if u.Selected {
			selected++
		}
	}
	if selected == 0 || selected > 2 || !res.Units[0].Selected || res.Units[0].Total <= 0 {
		t.Errorf("selected %d counties, first %+v; want the leading one or two", selected, res.Units[0])
	}
	csv := p.do(fn, "GET", "/api/v1/assessments/2026/county/results?format=csv", "", "")
	if csv.Code != 200 || strings.Count(csv.Body.String(), "\n") != 10 || !strings.Contains(csv.Body.String(), "评为先进") {
		t.Errorf("the results as CSV = %d, %d lines", csv.Code, strings.Count(csv.Body.String(), "\n"))
	}

	// After publication the year's county assessment no longer changes.
	for _, c := range []struct{ method, path, body, token string }{
		{"PUT", "/api/v1/district-assessments/2026/430211/reports/docs", `{"value":10}`, staff},
		{"PUT", "/api/v1/assessments/2026/county/units/430211/reviews/docs", `{"accept":true,"value":10}`, reviewer},
		{"PUT", "/api/v1/admin/assessments/2026/county/scheme", scheme, admin},
		{"POST", "/api/v1/admin/assessments/2026/county/publish", "", admin},
	} {
		if rec := p.do(fn, c.method, c.path, c.body, c.token); rec.Code != 409 || !strings.Contains(rec.Body.String(), "assessment_published") {
			t.Errorf("%s %s after publication = %d %s, want 409 assessment_published", c.method, c.path, rec.Code, rec.Body)
		}
	}
}

// An institution's figures are those of the venues it owns, read from their counters:
// the city museum, owning its venue, sees that venue's year; its staff back a
// self-reported indicator, a reviewer accepts it, and the published ranking of the
// institutions scores again to itself. Another institution's staff see nothing of it.
func TestInstitutionFiguresAreTheirVenues(t *testing.T) {
	p := countedDemo(t)
	ctx, tbl := context.Background(), p.tbl
	admin := p.token("o-admin", auth.RoleAdmin)
	const fn = "AssessmentFunction"
	museumScheme(p, admin, []institutionFixture{{"zz-sports", "株洲市体育中心", "culture_hall", "430211", "v-sports-centre", "o-sports-staff"}})
	if staff := p.must("LibraryFunction", "GET", "/api/v1/admin/institutions/zz-museum/staff", "", admin); fmt.Sprint(staff["staff"]) != "[o-museum-staff]" {
		t.Errorf("the museum's staff = %v", staff["staff"])
	}

	museum := p.token("o-museum-staff")
	own := p.must(fn, "GET", "/api/v1/institution-assessments/2026/zz-museum", "", museum)
	m, err := (&reportdb.Metrics{DB: tbl.DB, Table: tbl.Name}).Metrics(ctx, report.VenueKey("v-city-museum"), "2026")
	if err != nil {
		t.Fatal(err)
	}
	if m[report.MetricSessions] == 0 {
		t.Fatalf("the museum's venue counted no session in 2026: the test would prove nothing")
	}
	u := own["units"].([]any)[0].(map[string]any)
	lines := u["lines"].([]any)
	if got := lines[0].(map[string]any)["value"]; got != float64(m[report.MetricSessions]) {
		t.Errorf("the museum's sessions = %v, its venue's counter %d", got, m[report.MetricSessions])
	}
	if got := lines[1].(map[string]any)["value"]; got != float64(m[report.MetricAttendance]) {
		t.Errorf("the museum's attendance = %v, its venue's counter %d", got, m[report.MetricAttendance])
	}
	if rec := p.do(fn, "GET", "/api/v1/institution-assessments/2026/zz-museum", "", p.token("o-sports-staff")); rec.Code != 403 {
		t.Errorf("the museum's figures to another institution's staff = %d, want 403", rec.Code)
	}

	photo := "\x89PNG\r\n\x1a\n" + strings.Repeat("\x00", 64)
	ev := p.must(fn, "POST", "/api/v1/institution-assessments/2026/zz-museum/reports/open/evidence?name=开放时间公示.png", photo, museum)
	if ev["type"] != "image/png" {
		t.Errorf("the photo's type = %v, want image/png", ev["type"])
	}
	p.must(fn, "PUT", "/api/v1/institution-assessments/2026/zz-museum/reports/open", `{"value":56,"note":"周二至周日开放"}`, museum)
	p.must(fn, "PUT", "/api/v1/admin/assessment-reviewers/2026/o-reviewer-2", "", admin)
	p.must(fn, "PUT", "/api/v1/assessments/2026/institution/units/zz-museum/reviews/open", `{"accept":true,"value":56}`, p.token("o-reviewer-2"))
	p.must(fn, "POST", "/api/v1/admin/assessments/2026/institution/publish", "", admin)
	rec := p.do(fn, "GET", "/api/v1/assessments/2026/institution/results", "", "")
	var res assessment.Result
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || len(res.Units) != 2 {
		t.Fatalf("the institutions' results = %d %s", rec.Code, rec.Body)
	}
	again := assessment.Score(res.Scheme, res.Units)
	for i, u := range res.Units {
		if g := again[i]; g.ID != u.ID || g.Total != u.Total || g.Rank != u.Rank || g.Selected != u.Selected {
			t.Errorf("rescored %d = %+v, published %+v", i, g, u)
		}
	}
	if res.Units[0].ID != "zz-museum" || res.Units[0].Lines[2].Points != 40 || !res.Units[0].Selected {
		t.Errorf("first = %+v, want the museum with its 40 accepted points, selected", res.Units[0])
	}
}

// institutionFixture is an institution made through the API: its staff member and the
// venue it owns.
type institutionFixture struct{ id, name, kind, district, venue, staff string }

// museumScheme makes the city museum (staff o-museum-staff, owning v-city-museum) and
// the others, and defines 2026's institution indicators: sessions, attendance and a
// self-reported "open".
func museumScheme(p platform, admin string, others []institutionFixture) {
	for _, in := range append([]institutionFixture{{"zz-museum", "株洲市博物馆", "museum", "430211", "v-city-museum", "o-museum-staff"}}, others...) {
		p.must("LibraryFunction", "POST", "/api/v1/admin/institutions", fmt.Sprintf(`{"id":%q,"name":%q,"kind":%q,"level":"city","districtId":%q}`, in.id, in.name, in.kind, in.district), admin)
		p.must("LibraryFunction", "PUT", "/api/v1/admin/institutions/"+in.id+"/staff/"+in.staff, "", admin)
		p.must("LibraryFunction", "PUT", "/api/v1/admin/institutions/"+in.id+"/venues/"+in.venue, "", admin)
	}
	p.must("AssessmentFunction", "PUT", "/api/v1/admin/assessments/2026/institution/scheme", `{"indicators":[
		{"id":"sessions","name":"举办活动场次","weight":30,"measure":"sessions","target":20},
		{"id":"attendance","name":"到场人次","weight":30,"measure":"attendance","target":100},
		{"id":"open","name":"免费开放时间","weight":40,"measure":"self","target":56,"guide":"每周免费开放小时数，附开放时间公示照片"}],
		"selection":{"count":1,"minScore":0}}`, admin)
}
