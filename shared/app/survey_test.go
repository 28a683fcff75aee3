package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/infra/local/demo"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/notify"
)

// The demo's residents admitted at the door in the last days: 天元区's and 荷塘区's
// (o-resident-2 and -3 went to both: they are 天元区's, the survey's first district).
var (
	tianyuanAttendees = []string{"o-resident-1", "o-resident-2", "o-resident-3", "o-resident-4", "o-resident-6", "o-resident-8"}
)

// An admin surveys the recent attendees of 天元区 and 荷塘区, four of each at most: the
// sample is drawn from who was admitted at the door (荷塘区's two both counted in 天元区
// already, so its frame is empty), each invited through the notifier once; the invited
// answer once on the survey page's API, others are refused; the results give the
// response rate and each figure's margin of error by the stated formula, recomputed
// here; an evaluator of 天元区 alone cannot read them, one of both can and the read is
// in the access log. Sending again changes nothing; a second survey within 90 days
// invites none of the first's.
func TestSurveySampleInviteAnswerResults(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	a, _, wx := mustApp(t, now)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, a); err != nil {
		t.Fatal(err)
	}
	p := platform{t: t, a: a}
	admin := p.token("o-admin", auth.RoleAdmin)
	body := fmt.Sprintf(`{"title":"2026年公共文化服务满意度调查","questions":["您对活动内容满意吗？","您对场馆环境满意吗？"],`+
		`"districts":["430211","430202"],"days":30,"perDistrict":4,"closesAt":%q}`, now.AddDate(0, 0, 14).Format(time.RFC3339))
	for _, bad := range []string{
		strings.Replace(body, `"perDistrict":4`, `"perDistrict":0`, 1),
		strings.Replace(body, `"days":30`, `"days":400`, 1),
		strings.Replace(body, `"430202"`, `"430211"`, 1),
		strings.Replace(body, `"questions":["您对活动内容满意吗？","您对场馆环境满意吗？"]`, `"questions":[]`, 1),
	} {
		if rec := p.do("AssessmentFunction", "POST", "/api/v1/admin/surveys", bad, admin); rec.Code != 400 || errorCode(rec) != "survey_invalid" {
			t.Errorf("POST %s = %d %s, want 400 survey_invalid", bad, rec.Code, rec.Body)
		}
	}
	sv := p.must("AssessmentFunction", "POST", "/api/v1/admin/surveys", body, admin)
	id := sv["id"].(string)
	if _, ok := sv["seed"]; ok {
		t.Errorf("the survey answers its seed: %v", sv)
	}
	sent := p.must("AssessmentFunction", "POST", "/api/v1/admin/surveys/"+id+"/send", "", admin)
	strata := sent["strata"].([]any)
	first, second := strata[0].(map[string]any), strata[1].(map[string]any)
	if first["frame"] != 6.0 || first["sampled"] != 4.0 || second["frame"] != 0.0 || second["sampled"] != 0.0 {
		t.Fatalf("strata = %v, want 天元区 4 of 6 and 荷塘区 0 of 0", strata)
	}
	if rec := p.do("AssessmentFunction", "POST", "/api/v1/admin/surveys/"+id+"/send", "", admin); rec.Code != 409 || errorCode(rec) != "survey_sent" {
		t.Errorf("sending again = %d %s, want 409 survey_sent", rec.Code, rec.Body)
	}

	// The invitations go through the notifier, once each, with the survey page's link.
	if _, err := a.Notify.DeliverDue(ctx, 100); err != nil {
		t.Fatal(err)
	}
	var invited []string
	for _, m := range wx.Sent() {
		var msg struct {
			Text struct{ Content string } `json:"text"`
		}
		_ = json.Unmarshal(m.Data, &msg)
		if strings.Contains(msg.Text.Content, "满意度调查") {
			if slices.Contains(invited, m.ToUser) {
				t.Errorf("%s invited twice", m.ToUser)
			}
			invited = append(invited, m.ToUser)
			if !strings.Contains(msg.Text.Content, "2026年公共文化服务满意度调查") || !strings.Contains(msg.Text.Content, "天元区") {
				t.Errorf("invitation = %q, want the title and the district", msg.Text.Content)
			}
		}
	}
	if len(invited) != 4 {
		t.Fatalf("invited %v, want 4 of 天元区's attendees", invited)
	}
	for _, o := range invited {
		if !slices.Contains(tianyuanAttendees, o) {
			t.Errorf("%s invited, but did not attend in 天元区", o)
		}
	}
	msgs, err := a.Outbox.List(ctx, notify.StatusSent, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Kind == "survey_invitation" && !strings.HasSuffix(m.URL, "/surveys/"+id) {
			t.Errorf("invitation opens %s, want the survey page", m.URL)
		}
	}

	// Three of the four answer, once; someone not invited cannot.
	answers := [][]int{{5, 4}, {3, 2}, {4, 5}}
	for i, o := range invited[:3] {
		tok := p.token(o)
		form := p.must("AssessmentFunction", "GET", "/api/v1/surveys/"+id, "", tok)
		if form["invited"] != true || form["answered"] != false || form["open"] != true {
			t.Errorf("%s's form = %v, want invited, open, not answered", o, form)
		}
		if rec := p.do("AssessmentFunction", "POST", "/api/v1/surveys/"+id+"/responses", `{"answers":[6,1]}`, tok); rec.Code != 400 || errorCode(rec) != "survey_response_invalid" {
			t.Errorf("a score of 6 = %d %s, want 400", rec.Code, rec.Body)
		}
		ans, _ := json.Marshal(map[string]any{"answers": answers[i]})
		p.must("AssessmentFunction", "POST", "/api/v1/surveys/"+id+"/responses", string(ans), tok)
		if rec := p.do("AssessmentFunction", "POST", "/api/v1/surveys/"+id+"/responses", string(ans), tok); rec.Code != 409 || errorCode(rec) != "survey_answered" {
			t.Errorf("%s answering again = %d %s, want 409 survey_answered", o, rec.Code, rec.Body)
		}
	}
	var outsider string
	for _, o := range tianyuanAttendees {
		if !slices.Contains(invited, o) {
			outsider = o
		}
	}
	if rec := p.do("AssessmentFunction", "POST", "/api/v1/surveys/"+id+"/responses", `{"answers":[5,5]}`, p.token(outsider)); rec.Code != 403 || errorCode(rec) != "survey_not_invited" {
		t.Errorf("a resident not sampled = %d %s, want 403 survey_not_invited", rec.Code, rec.Body)
	}

	// The results: response rate 3/4, and the margins by the stated formula.
	res := p.must("AssessmentFunction", "GET", "/api/v1/surveys/"+id+"/results", "", admin)
	if !strings.Contains(res["method"].(string), "有限总体校正") {
		t.Errorf("method = %v, want the formula stated", res["method"])
	}
	st := res["strata"].([]any)[0].(map[string]any)
	if st["responses"] != 3.0 || st["responseRate"] != 75.0 {
		t.Errorf("天元区 = %v, want 3 responses, 75%%", st)
	}
	q1 := st["questions"].([]any)[0].(map[string]any)
	mean := q1["mean"].(map[string]any)
	// Question 1: 5, 3, 4 of a frame of 6: mean 4, s² = 1, margin 1.96·√((1−3/6)·1/3).
	wantMargin := math.Round(1.959964*math.Sqrt(0.5/3)*10) / 10
	if mean["value"] != 4.0 || mean["margin"] != wantMargin {
		t.Errorf("question 1's mean = %v, want 4 ± %v", mean, wantMargin)
	}
	share := q1["satisfied"].(map[string]any)
	// Two of three satisfied: p = 2/3, margin 1.96·√((1−3/6)·p(1−p)/2)·100.
	wantShare := math.Round(1.959964*math.Sqrt(0.5*(2.0/3)*(1.0/3)/2)*1000) / 10
	if share["value"] != 66.7 || share["margin"] != wantShare {
		t.Errorf("question 1's share satisfied = %v, want 66.7 ± %v", share, wantShare)
	}
	if overall, _ := res["overall"].(map[string]any); overall == nil || overall["responses"] != 3.0 {
		t.Errorf("overall = %v, want the 3 responses (荷塘区's frame is empty)", res["overall"])
	}

	// Evaluators: of 天元区 alone refused; of both allowed, and logged.
	grant := func(openid, districts string) string {
		p.must("AssessmentFunction", "POST", "/api/v1/admin/evaluation-grants", fmt.Sprintf(
			`{"openid":%q,"name":"孙评估","organisation":"湖南师范大学公共文化研究中心","districts":[%s],"from":%q,"until":%q}`,
			openid, districts, now.Add(-time.Hour).Format(time.RFC3339), now.AddDate(0, 3, 0).Format(time.RFC3339)), admin)
		return p.token(openid, auth.RoleEvaluator)
	}
	if rec := p.do("AssessmentFunction", "GET", "/api/v1/surveys/"+id+"/results", "", grant("o-evaluator-t", `"430211"`)); rec.Code != 403 {
		t.Errorf("an evaluator of 天元区 alone = %d %s, want 403", rec.Code, rec.Body)
	}
	p.must("AssessmentFunction", "GET", "/api/v1/surveys/"+id+"/results", "", grant("o-evaluator-b", `"430211","430202"`))
	log := p.must("AssessmentFunction", "GET", "/api/v1/admin/evaluation-access?month=2026-11", "", admin)["accesses"].([]any)
	if len(log) != 1 || log[0].(map[string]any)["dataset"] != "survey" || log[0].(map[string]any)["rows"] != 3.0 {
		t.Errorf("access log = %v, want the evaluator's read of the survey's 3 responses", log)
	}

	// A second survey of 天元区 within 90 days invites none of the first's sample.
	sv2 := p.must("AssessmentFunction", "POST", "/api/v1/admin/surveys", strings.Replace(body, `"430211","430202"`, `"430211"`, 1), admin)
	sent2 := p.must("AssessmentFunction", "POST", "/api/v1/admin/surveys/"+sv2["id"].(string)+"/send", "", admin)
	if got := sent2["strata"].([]any)[0].(map[string]any)["sampled"]; got != 2.0 {
		t.Errorf("the second survey sampled %v, want the 2 not invited by the first", got)
	}
}
