package admin_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wentitong/wentitong/shared/assessment"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/browsertest"
	"github.com/wentitong/wentitong/shared/evaluator"
)

// The assessment's console pages, as each person uses them: a county's staff reports a
// self-reported indicator and uploads its evidence; the reviewer accepts it and the
// admin publishes; the ranking is charted; the admin surveys 天元区's recent attendees
// and reads the results with their margins; an evaluator of 天元区 downloads its
// attendance, de-identified, and the admin sees the download in the access log. Every
// page is measured in both versions.
func TestAssessmentAndSurveysInBrowser(t *testing.T) {
	p := browsertest.StartDemo(t)
	ctx := context.Background()
	admin := auth.Claims{OpenID: "o-admin", Roles: []string{auth.RoleAdmin}}
	year := p.Now().In(beijing.Zone).Year()
	y := strconv.Itoa(year)
	as := p.App.Assessments()
	if _, err := as.DefineScheme(ctx, assessment.Scheme{Year: year, Level: assessment.LevelCounty, Selection: assessment.Selection{Count: 2, MinScore: 1},
		Indicators: []assessment.Indicator{
			{ID: "sessions", Name: "举办活动场次", Weight: 40, Measure: assessment.MeasureSessions, Target: 20},
			{ID: "attendance", Name: "到场人次", Weight: 30, Measure: assessment.MeasureAttendance, Target: 50},
			{ID: "rules", Name: "制度建设", Weight: 30, Measure: assessment.MeasureSelf, Target: 10, Guide: "上传本年度公共文化服务管理制度文件"},
		}}); err != nil {
		t.Fatal(err)
	}
	b := p.Browser(t)

	// The county's staff: its figures, a self-report and its evidence.
	b.SignIn(staff, "/h5/admin/assessments")
	b.Check("工作台 绩效考评")
	b.Click(`a.btn[href="/h5/admin/district-assessments/` + y + `/430211"]`)
	b.Check("工作台 本单位考评")
	labelled(t, b, b.Path())
	b.Fill("#value-rules", "8")
	b.Fill("#note-rules", "制定了场馆开放、活动安全两项制度")
	b.Click(`form[action$="/reports/rules"] button`)
	if !strings.Contains(b.Text("main"), "自评已提交") {
		t.Fatalf("after the self-report the page says %q", b.Text("main"))
	}
	pdf := filepath.Join(t.TempDir(), "管理制度.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(b.Context(), chromedp.SetUploadFiles(chromedp.CSS("#file-rules"), []string{pdf})); err != nil {
		t.Fatal(err)
	}
	b.Click(`form[action$="/reports/rules/evidence"] button`)
	if main := b.Text("main"); !strings.Contains(main, "佐证材料已上传") || !strings.Contains(main, "管理制度.pdf") {
		t.Fatalf("after the upload the page says %q", main)
	}
	b.Check("工作台 本单位考评 已自评")

	// The admin reviews (admins may) and publishes; the ranking is charted.
	b.SignIn("o-admin", "/h5/admin/assessments/"+y+"/county/sheet")
	b.Check("工作台 考评审核")
	labelled(t, b, b.Path())
	if got := fetch(t, b, `document.querySelector('a[href*="/units/430211/evidence/"]').href`); !strings.HasPrefix(got, "%PDF") {
		t.Errorf("the evidence link serves %.20q, want the PDF", got)
	}
	b.Fill("#value-430211-rules", "7")
	b.Click(`form[action$="/units/430211/reviews/rules"] button`)
	if !strings.Contains(b.Text("main"), "审核结果已保存") {
		t.Fatalf("after the review the page says %q", b.Text("main"))
	}
	b.Click(`form[action$="/publish"] button`)
	if b.Path() != "/h5/admin/assessments/"+y+"/county/results?ok=published" {
		t.Fatalf("after publishing the browser is at %s: %s", b.Path(), b.Text("main"))
	}
	b.Check("工作台 考评结果")
	res, err := as.Store.Result(ctx, year, assessment.LevelCounty)
	if err != nil {
		t.Fatal(err)
	}
	if n := browsertest.Eval[int](b, `document.querySelectorAll('#chart-ranking svg.bar').length`); n != len(res.Units) {
		t.Errorf("the ranking chart draws %d bars, want the %d counties", n, len(res.Units))
	}
	for _, u := range res.Units {
		if u.ID == "430211" && (u.Lines[2].Value == nil || *u.Lines[2].Value != 7) {
			t.Errorf("天元区's published self-report = %v, want the reviewed 7", u.Lines[2].Value)
		}
	}
	onDesktop(t, b, "工作台 考评结果", func() {})

	// A survey of 天元区's recent attendees: defined, sent, answered, its results.
	b.Open("/h5/admin/surveys")
	b.Check("工作台 满意度调查")
	labelled(t, b, b.Path())
	b.Fill("#title", "天元区公共文化服务满意度调查")
	b.Tap(`input[name=districts][value="430211"]`)
	b.Fill("#perDistrict", "10")
	b.Click(`form[action$="/surveys"] button[type=submit]`)
	if !strings.HasPrefix(b.Path(), "/h5/admin/surveys/") {
		t.Fatalf("after creating a survey the browser is at %s: %s", b.Path(), b.Text("main"))
	}
	id := strings.TrimPrefix(strings.Split(b.Path(), "?")[0], "/h5/admin/surveys/")
	b.Check("工作台 调查 未发出")
	b.Click(`form[action$="/send"] button`)
	surveys := p.App.Surveys()
	answered := 0
	for i, o := range []string{"o-resident-1", "o-resident-2", "o-resident-3", "o-resident-4", "o-resident-6", "o-resident-8"} {
		if _, err := surveys.Respond(ctx, id, o, []int{5 - i%3, 4 - i%2, 5}); err == nil {
			answered++
		} else if !errors.Is(err, evaluator.ErrNotInvited) {
			t.Fatal(err)
		}
	}
	if answered < 2 {
		t.Fatalf("%d of the demo's attendees answered, want at least 2 for a margin", answered)
	}
	b.Open("/h5/admin/surveys/" + id)
	main := b.Text("main")
	if !regexp.MustCompile(`\d+\.\d% ± \d+\.\d`).MatchString(main) || !strings.Contains(main, "有限总体校正") || !strings.Contains(main, "回答率") {
		t.Errorf("the survey's results say %q, want shares with their margins, the response rate and the method", main)
	}
	if n := browsertest.Eval[int](b, `document.querySelectorAll('#chart-satisfied svg.bar g.interval').length`); n == 0 {
		t.Error("the satisfaction chart draws no interval")
	}
	b.Check("工作台 调查结果")
	onDesktop(t, b, "工作台 调查结果", func() {})

	// An evaluator of 天元区 downloads its attendance; the admin sees it in the log.
	if _, err := p.App.Evaluators().Grant(ctx, admin, evaluator.Grant{OpenID: "o-evaluator-1", Name: "孙评估", Organisation: "湖南师范大学公共文化研究中心",
		Districts: []string{"430211"}, From: p.Now().Add(-time.Hour), Until: p.Now().AddDate(0, 3, 0)}); err != nil {
		t.Fatal(err)
	}
	b.SignIn("o-evaluator-1", "/h5/admin/evaluation")
	b.Check("工作台 第三方评估")
	labelled(t, b, b.Path())
	csv := fetch(t, b, `document.querySelector('button[formaction$="/attendance.csv"]').formAction + '?' + new URLSearchParams(new FormData(document.querySelector('form[data-export]'))).toString()`)
	if csv = strings.TrimPrefix(csv, "\uFEFF"); !strings.HasPrefix(csv, "日期") || strings.Count(csv, "\n") < 2 { // fetch's text() drops the BOM
		t.Errorf("the attendance download = %.80q, want the CSV with rows", csv)
	}
	if m := regexp.MustCompile(`o-[a-z0-9-]+|1[3-9]\d{9}`).FindString(csv); m != "" {
		t.Errorf("the download holds %q", m)
	}
	b.Open("/h5/admin/surveys/" + id)
	b.Check("工作台 调查结果 评估人员")
	b.SignIn("o-admin", "/h5/admin/evaluation-access")
	if main := b.Text("main"); !strings.Contains(main, "孙评估") || !strings.Contains(main, "到场记录") || !strings.Contains(main, "满意度调查结果") {
		t.Errorf("the access log says %q, want the evaluator's download and survey read", main)
	}
	b.Check("工作台 评估访问记录")
	b.Open("/h5/admin/evaluation")
	b.Check("工作台 第三方评估 管理员")
}
