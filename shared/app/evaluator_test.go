package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/infra/local/demo"
	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/dynamotest"
)

// caller of the platform's HTTP functions in a test, with tokens issued by its session
// service.
type platform struct {
	t   *testing.T
	a   *app.App
	tbl *dynamotest.Table
}

func (p platform) token(openid string, roles ...string) string {
	p.t.Helper()
	svc, err := p.a.Auth()
	if err != nil {
		p.t.Fatal(err)
	}
	s, err := svc.Issue(context.Background(), openid, append([]string{auth.RoleResident}, roles...), p.a.Now())
	if err != nil {
		p.t.Fatal(err)
	}
	return s.Token
}

// do serves a request with fn's handler; the body is JSON when it starts with { or [.
func (p platform) do(fn, method, path, body, token string) *httptest.ResponseRecorder {
	p.t.Helper()
	h, err := p.a.HTTP(fn)
	if err != nil {
		p.t.Fatal(err)
	}
	return serve(h, method, path, body, token)
}

// must is do that must succeed; it returns the JSON body.
func (p platform) must(fn, method, path, body, token string) map[string]any {
	p.t.Helper()
	rec := p.do(fn, method, path, body, token)
	if rec.Code/100 != 2 {
		p.t.Fatalf("%s %s = %d %s", method, path, rec.Code, rec.Body)
	}
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return out
}

// personal collects what the table holds that identifies a person: every openid, and
// the names, phone numbers and identity numbers of volunteers and team leaders.
func personal(t *testing.T, tbl *dynamotest.Table) []string {
	t.Helper()
	var out []string
	p := dynamodb.NewScanPaginator(tbl.DB, &dynamodb.ScanInput{TableName: &tbl.Name})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			var m map[string]any
			if err := attributevalue.UnmarshalMap(it, &m); err != nil {
				t.Fatal(err)
			}
			pk, _ := m["PK"].(string)
			var walk func(k string, v any)
			walk = func(k string, v any) {
				switch v := v.(type) {
				case map[string]any:
					for k2, v2 := range v {
						walk(k+"."+k2, v2)
					}
				case string:
					key := strings.ToLower(k)
					switch {
					case strings.HasSuffix(key, "openid"), strings.HasSuffix(key, "phone"), strings.HasSuffix(key, "idnumber"),
						strings.HasSuffix(key, "leader.name"), strings.HasPrefix(pk, "VOLUNTEER#") && key == "name":
						if v != "" {
							out = append(out, v)
						}
					}
				}
			}
			for k, v := range m {
				walk(k, v)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// nothingPersonal fails the test when body holds one of secrets, a phone number, an
// identity number or an openid.
func nothingPersonal(t *testing.T, what, body string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(body, s) {
			t.Errorf("%s holds %q", what, s)
		}
	}
	for _, re := range []*regexp.Regexp{phonePattern, idNumberPattern, openidPattern} {
		if m := re.FindString(body); m != "" {
			t.Errorf("%s holds %q (%s)", what, m, re)
		}
	}
}

var (
	// A phone or ID number stands apart from other letters and digits: a millisecond
	// timestamp or a random id ("b14443927604") holds eleven digits starting 1[3-9]
	// without being a phone.
	phonePattern    = regexp.MustCompile(`(?:^|[^0-9A-Za-z])1[3-9]\d{9}(?:[^0-9A-Za-z]|$)`)
	idNumberPattern = regexp.MustCompile(`(?:^|[^0-9A-Za-z])\d{17}[\dXx](?:[^0-9A-Za-z]|$)`)
	openidPattern   = regexp.MustCompile(`\bo-[a-z0-9-]+`)
)

// An admin grants an evaluator 天元区 for three months; the evaluator downloads its
// ratings, feedback and attendance, de-identified (no openid, name, phone or identity
// number anywhere in them, though the table holds plenty and residents wrote some into
// their comments), and only 天元区's; every download is in the admins' log; another
// county, a revoked or expired grant are refused and logged nowhere.
func TestEvaluatorExportsAreDeidentifiedAndLogged(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	a, tbl, _ := mustApp(t, now)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, a); err != nil {
		t.Fatal(err)
	}
	p := platform{t: t, a: a, tbl: tbl}
	admin := p.token("o-admin", auth.RoleAdmin)
	resident := p.token("o-resident-1")
	// Personal data where residents put it: a rating's comment, a feedback's text, a
	// volunteer's application, a team's leader.
	p.must("DirectoryFunction", "POST", "/api/v1/ratings", `{"activityId":"a-past-taichi","score":2,"comment":"我是刘小红，教练态度差，电话13912345678"}`, resident)
	p.must("DirectoryFunction", "POST", "/api/v1/feedback", `{"category":"complaint","venueId":"v-sports-centre","text":"刘小红投诉：身份证430202199001011234，电话13912345678"}`, resident)
	p.must("VolunteersFunction", "POST", "/api/v1/volunteers", `{"name":"赵志愿","phone":"13700001111","idNumber":"11010519491231002X","districtId":"430211001","category":"culture"}`, p.token("o-resident-4"))
	p.must("DirectoryFunction", "POST", "/api/v1/teams", `{"name":"天元区书法社","category":"calligraphy","districtId":"430211001","leaderName":"钱书法","leaderPhone":"13600002222","memberCount":12,"description":"每周练字"}`, resident)
	secrets := personal(t, tbl)
	for _, want := range []string{"o-resident-1", "o-rater-01", "13700001111", "赵志愿", "钱书法", "13600002222"} {
		if !slices.Contains(secrets, want) {
			t.Fatalf("the table's personal data %v lacks %s: the test would prove nothing", secrets, want)
		}
	}
	secrets = append(secrets, "刘小红", "13912345678", "430202199001011234", "11010519491231002X") // written in texts

	grant := p.must("AssessmentFunction", "POST", "/api/v1/admin/evaluation-grants", fmt.Sprintf(
		`{"openid":"o-evaluator-1","name":"孙评估","organisation":"湖南师范大学公共文化研究中心","districts":["430211"],"from":%q,"until":%q}`,
		now.Add(-time.Hour).Format(time.RFC3339), now.AddDate(0, 3, 0).Format(time.RFC3339)), admin)
	person, err := a.People.Person(ctx, "o-evaluator-1")
	if err != nil || !slices.Contains(person.Roles, auth.RoleEvaluator) {
		t.Fatalf("the evaluator's roles = %v, %v; want the evaluator role granted with the grant", person.Roles, err)
	}
	evaluator := p.token("o-evaluator-1", person.Roles...)
	if mine := p.must("AssessmentFunction", "GET", "/api/v1/evaluator/grants", "", evaluator); len(mine["grants"].([]any)) != 1 {
		t.Errorf("the evaluator's grants = %v, want the one", mine)
	}

	codes := map[string]bool{}
	for _, dataset := range []string{"ratings", "feedback", "attendance"} {
		path := "/api/v1/evaluator/exports/" + dataset + "?district=430211&from=2026-01-01&to=2026-11-28"
		e := p.must("AssessmentFunction", "GET", path, "", evaluator)
		rows := e["rows"].([]any)
		if len(rows) == 0 {
			t.Errorf("%s of 天元区: no rows, want the demo's", dataset)
		}
		cols := e["columns"].([]any)
		district, code := -1, -1
		for i, c := range cols {
			switch c.(map[string]any)["key"] {
			case "districtId":
				district = i
			case "rater", "author", "resident":
				code = i
			}
		}
		for _, r := range rows {
			row := r.([]any)
			if d := row[district].(string); !strings.HasPrefix(d, "430211") {
				t.Errorf("%s row %v is in district %s, outside 天元区", dataset, row, d)
			}
			c := row[code].(string)
			if !regexp.MustCompile(`^R[0-9a-f]{12}$`).MatchString(c) {
				t.Errorf("%s row %v: resident %q, want a pseudonym", dataset, row, c)
			}
			codes[c] = true
		}
		csv := p.do("AssessmentFunction", "GET", path+"&format=csv", "", evaluator)
		if csv.Code != 200 || !strings.HasPrefix(csv.Body.String(), "\uFEFF") || strings.Count(csv.Body.String(), "\n") != len(rows)+1 {
			t.Errorf("%s as CSV = %d, %d lines; want a heading and %d rows", dataset, csv.Code, strings.Count(csv.Body.String(), "\n"), len(rows))
		}
		for _, body := range []string{p.do("AssessmentFunction", "GET", path, "", evaluator).Body.String(), csv.Body.String()} {
			nothingPersonal(t, dataset+" export", body, secrets)
		}
	}
	// o-resident-1 booked and rated in 天元区: one code in every dataset of this grant.
	// Under another grant they are someone else.
	p.must("AssessmentFunction", "POST", "/api/v1/admin/evaluation-grants", fmt.Sprintf(
		`{"openid":"o-evaluator-2","name":"周评估","organisation":"另一家评估机构","districts":["430211"],"from":%q,"until":%q}`,
		now.Add(-time.Hour).Format(time.RFC3339), now.AddDate(0, 1, 0).Format(time.RFC3339)), admin)
	other := p.must("AssessmentFunction", "GET", "/api/v1/evaluator/exports/attendance?district=430211", "", p.token("o-evaluator-2", auth.RoleEvaluator))
	for _, r := range other["rows"].([]any) {
		row := r.([]any)
		if codes[row[len(row)-1].(string)] {
			t.Errorf("a second grant's export shares the pseudonym %s with the first's", row[len(row)-1])
		}
	}

	// The admins' log has each download, newest first, with what and how much.
	log := p.must("AssessmentFunction", "GET", "/api/v1/admin/evaluation-access?month=2026-11", "", admin)["accesses"].([]any)
	if len(log) != 10 { // each dataset as JSON twice and as CSV once, and the second evaluator's one
		t.Errorf("access log has %d entries, want the 9 downloads of the first evaluator and the 1 of the second: %v", len(log), log)
	}
	found := false
	for _, e := range log {
		m := e.(map[string]any)
		found = found || m["openid"] == "o-evaluator-1" && m["dataset"] == "ratings" && m["format"] == "csv" && m["districtId"] == "430211" &&
			m["organisation"] == "湖南师范大学公共文化研究中心" && m["grantId"] == grant["id"] && m["rows"].(float64) > 0 &&
			m["from"] == "2026-01-01" && m["to"] == "2026-11-28"
	}
	if !found {
		t.Errorf("access log %v lacks the evaluator's CSV of 天元区's ratings under their grant, with its rows and window", log)
	}
	if rec := p.do("AssessmentFunction", "GET", "/api/v1/admin/evaluation-access", "", evaluator); rec.Code != 403 {
		t.Errorf("the log read by the evaluator = %d, want 403", rec.Code)
	}

	// Refused: another county, a resident, a revoked grant, an expired one; none logged.
	refused := []struct {
		name, token, path, code string
	}{
		{"another county", evaluator, "/api/v1/evaluator/exports/ratings?district=430223", "evaluation_out_of_grant"},
		{"the city", evaluator, "/api/v1/evaluator/exports/ratings?district=430200", "evaluation_out_of_grant"},
		{"no district", evaluator, "/api/v1/evaluator/exports/ratings", "district_required"},
		{"a resident", resident, "/api/v1/evaluator/exports/ratings?district=430211", "forbidden"},
	}
	for _, tt := range refused {
		if rec := p.do("AssessmentFunction", "GET", tt.path, "", tt.token); rec.Code/100 != 4 || errorCode(rec) != tt.code {
			t.Errorf("%s: %s = %d %s, want %s", tt.name, tt.path, rec.Code, rec.Body, tt.code)
		}
	}
	p.must("AssessmentFunction", "POST", "/api/v1/admin/evaluation-grants/"+grant["id"].(string)+"/revoke", "", admin)
	if rec := p.do("AssessmentFunction", "GET", "/api/v1/evaluator/exports/ratings?district=430211", "", evaluator); rec.Code != 403 || errorCode(rec) != "evaluation_grant_missing" {
		t.Errorf("after the revocation = %d %s, want 403 evaluation_grant_missing", rec.Code, rec.Body)
	}
	a.Now = func() time.Time { return now.AddDate(0, 2, 0) } // the second grant ran one month
	ev2 := p.token("o-evaluator-2", auth.RoleEvaluator)
	if rec := p.do("AssessmentFunction", "GET", "/api/v1/evaluator/exports/ratings?district=430211", "", ev2); rec.Code != 403 || errorCode(rec) != "evaluation_grant_missing" {
		t.Errorf("after the grant ended = %d %s, want 403 evaluation_grant_missing", rec.Code, rec.Body)
	}
	a.Now = func() time.Time { return now }
	if after := p.must("AssessmentFunction", "GET", "/api/v1/admin/evaluation-access?month=2026-11", "", admin)["accesses"].([]any); len(after) != len(log) {
		t.Errorf("refused reads logged: %d accesses, want %d", len(after), len(log))
	}
}
