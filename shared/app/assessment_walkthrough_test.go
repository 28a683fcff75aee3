package app_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/assessment"
	"github.com/wentitong/wentitong/shared/auth"
)

// Issue 18's "Done when", walked through on the platform with the demo's data counted
// by its own stream consumer, each step through the API a new user's client calls:
// an admin defines this year's indicators for institutions; the city museum's staff see
// its computed figures and upload evidence for a self-reported one; a reviewer scores
// it; the ranking is published and recomputed from the published figures; an evaluator
// granted 天元区 alone downloads its anonymised ratings, feedback and attendance, in
// which nothing personal appears, and is refused another county, and the admin sees the
// downloads in the log; a survey goes to a sample of 天元区's recent attendees through
// the notifier and its results come back with the response rate and margins of error.
func TestAssessmentDoneWhen(t *testing.T) {
	p := countedDemo(t)
	now := p.a.Now()
	admin := p.token("o-admin", auth.RoleAdmin)
	const fn = "AssessmentFunction"

	// The admin: the museum as an institution owning its venue, with its staff, and this
	// year's indicators.
	museumScheme(p, admin, nil)

	// The museum's staff: its computed figures, a self-report and its evidence.
	museum := p.token("o-museum-staff")
	own := p.must(fn, "GET", "/api/v1/institution-assessments/2026/zz-museum", "", museum)
	lines := own["units"].([]any)[0].(map[string]any)["lines"].([]any)
	if v := lines[0].(map[string]any)["value"]; v == nil || v.(float64) == 0 {
		t.Fatalf("the museum's computed sessions = %v, want the demo's", v)
	}
	p.must(fn, "POST", "/api/v1/institution-assessments/2026/zz-museum/reports/open/evidence?name=开放时间公示.pdf", "%PDF-1.4\n% 开放时间公示\n%%EOF\n", museum)
	p.must(fn, "PUT", "/api/v1/institution-assessments/2026/zz-museum/reports/open", `{"value":56,"note":"周二至周日开放"}`, museum)

	// The reviewer scores; the admin publishes; the ranking is recomputed from the
	// published figures.
	p.must(fn, "PUT", "/api/v1/admin/assessment-reviewers/2026/o-reviewer-1", "", admin)
	reviewer := p.token("o-reviewer-1")
	p.must(fn, "PUT", "/api/v1/assessments/2026/institution/units/zz-museum/reviews/open", `{"accept":true,"value":48,"comment":"公示照片显示每周 48 小时"}`, reviewer)
	p.must(fn, "POST", "/api/v1/admin/assessments/2026/institution/publish", "", admin)
	rec := p.do(fn, "GET", "/api/v1/assessments/2026/institution/results", "", "")
	var res assessment.Result
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || len(res.Units) != 1 {
		t.Fatalf("the published results = %d %s", rec.Code, rec.Body)
	}
	again := assessment.Score(res.Scheme, res.Units)
	if u, g := res.Units[0], again[0]; g.Total != u.Total || g.Rank != u.Rank || g.Selected != u.Selected || u.Lines[2].Value == nil || *u.Lines[2].Value != 48 {
		t.Errorf("recomputed %+v from the published %+v, want the same, with the reviewed 48", g, u)
	}

	// The evaluator of 天元区: anonymised downloads, nothing personal in them, logged.
	secrets := personal(t, p.tbl)
	p.must(fn, "POST", "/api/v1/admin/evaluation-grants", fmt.Sprintf(
		`{"openid":"o-evaluator-1","name":"孙评估","organisation":"湖南师范大学公共文化研究中心","districts":["430211"],"from":%q,"until":%q}`,
		now.Add(-time.Hour).Format(time.RFC3339), now.AddDate(0, 3, 0).Format(time.RFC3339)), admin)
	evaluator := p.token("o-evaluator-1", auth.RoleEvaluator)
	for _, dataset := range []string{"ratings", "feedback", "attendance"} {
		body := p.do(fn, "GET", "/api/v1/evaluator/exports/"+dataset+"?district=430211&format=csv", "", evaluator).Body.String()
		if strings.Count(body, "\n") < 2 && dataset == "attendance" {
			t.Errorf("%s of 天元区: %q, want rows", dataset, body)
		}
		nothingPersonal(t, "the "+dataset+" download", body, secrets)
	}
	if rec := p.do(fn, "GET", "/api/v1/evaluator/exports/attendance?district=430223", "", evaluator); rec.Code != 403 {
		t.Errorf("another county's attendance = %d, want 403", rec.Code)
	}
	log := p.must(fn, "GET", "/api/v1/admin/evaluation-access", "", admin)["accesses"].([]any)
	var read []string
	for _, a := range log {
		if m := a.(map[string]any); m["openid"] == "o-evaluator-1" && m["districtId"] == "430211" {
			read = append(read, m["dataset"].(string))
		}
	}
	slices.Sort(read)
	if !slices.Equal(read, []string{"attendance", "feedback", "ratings"}) {
		t.Errorf("the access log has the evaluator reading %v, want the three downloads", read)
	}

	// A survey to a sample of 天元区's recent attendees, answered, its results with margins.
	sv := p.must(fn, "POST", "/api/v1/admin/surveys", fmt.Sprintf(`{"title":"天元区公共文化服务满意度调查","questions":["您对活动满意吗？","您对场馆满意吗？"],`+
		`"districts":["430211"],"days":30,"perDistrict":5,"closesAt":%q}`, now.AddDate(0, 0, 14).Format(time.RFC3339)), admin)
	id := sv["id"].(string)
	sent := p.must(fn, "POST", "/api/v1/admin/surveys/"+id+"/send", "", admin)["strata"].([]any)[0].(map[string]any)
	if sent["sampled"] != 5.0 || sent["frame"].(float64) <= 5 {
		t.Fatalf("the sample = %v, want 5 of more attendees", sent)
	}
	if _, err := p.a.Notify.DeliverDue(t.Context(), 100); err != nil {
		t.Fatal(err)
	}
	answered := 0
	for _, o := range tianyuanAttendees {
		tok := p.token(o)
		if p.must(fn, "GET", "/api/v1/surveys/"+id, "", tok)["invited"] == true && answered < 4 {
			p.must(fn, "POST", "/api/v1/surveys/"+id+"/responses", fmt.Sprintf(`{"answers":[%d,4]}`, 3+answered%3), tok)
			answered++
		}
	}
	results := p.must(fn, "GET", "/api/v1/surveys/"+id+"/results", "", admin)
	st := results["strata"].([]any)[0].(map[string]any)
	sat := st["satisfied"].(map[string]any)
	if st["responses"] != 4.0 || st["responseRate"] != 80.0 || sat["margin"] == nil || sat["margin"].(float64) <= 0 || results["method"] == "" {
		t.Errorf("天元区's results = %v, want 4 of 5 answering (80%%) and a positive margin with the method", st)
	}
}
