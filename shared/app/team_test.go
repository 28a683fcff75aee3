package app_test

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestTeams(t *testing.T) {
	do, token, _, clock := mustDirectoryClock(t)
	admin := token("o-admin", "admin")
	leader := token("o-leader")
	if rec := do("PUT", "/api/v1/admin/scopes/o-staff-library", `{"districtId":"430211"}`, admin); rec.Code != 200 {
		t.Fatalf("set scope = %d %s", rec.Code, rec.Body)
	}
	if rec := do("PUT", "/api/v1/admin/scopes/o-coordinator-youxian", `{"districtId":"430223"}`, admin); rec.Code != 200 {
		t.Fatalf("set scope = %d %s", rec.Code, rec.Body)
	}
	staff, coordinator := token("o-staff-library", "staff"), token("o-coordinator-youxian", "coordinator")

	register := `{"name":"天元区太极拳协会","category":"martial_arts","districtId":"430211001","leaderName":"王建国","leaderPhone":"13900001111","memberCount":48,"rehearsalVenueId":"v-sports-centre","description":"每天清晨在体育中心练习"}`
	rec := do("POST", "/api/v1/teams", register, leader)
	var created struct{ ID, Status string }
	if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil || rec.Code != 201 || created.Status != "pending" {
		t.Fatalf("register = %d %s, want 201 pending", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), "13900001111") {
		t.Errorf("the registration answer shows the leader's phone: %s", rec.Body)
	}
	teams := func(query string) []map[string]any {
		rec := do("GET", "/api/v1/teams"+query, "", "")
		var body struct{ Teams []map[string]any }
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
			t.Fatalf("GET /api/v1/teams%s = %d %s", query, rec.Code, rec.Body)
		}
		return body.Teams
	}
	if got := teams(""); len(got) != 0 {
		t.Errorf("a pending team is public: %v", got)
	}
	if rec := do("GET", "/api/v1/teams/"+created.ID, "", ""); rec.Code != 404 || errorCode(rec) != "team_not_found" {
		t.Errorf("GET pending team = %d %s, want 404 team_not_found", rec.Code, rec.Body)
	}

	rate := `{"scores":{"scale":18,"regularity":19,"quality":20,"service":16,"management":12}}` // 85: 4 stars
	bad := []struct {
		name, method, path, body, token string
		status                          int
		code                            string
	}{
		{"anonymous registers", "POST", "/api/v1/teams", register, "", 401, "token_missing"},
		{"no name", "POST", "/api/v1/teams", strings.Replace(register, "天元区太极拳协会", "", 1), leader, 400, "team_invalid"},
		{"two members", "POST", "/api/v1/teams", strings.Replace(register, `"memberCount":48`, `"memberCount":2`, 1), leader, 400, "team_invalid"},
		{"members as text", "POST", "/api/v1/teams", strings.Replace(register, `"memberCount":48`, `"memberCount":"48"`, 1), leader, 400, "invalid_json"},
		{"unknown district", "POST", "/api/v1/teams", strings.Replace(register, "430211001", "nope", 1), leader, 404, "district_not_found"},
		{"unknown venue", "POST", "/api/v1/teams", strings.Replace(register, "v-sports-centre", "nope", 1), leader, 404, "venue_not_found"},
		{"bad category filter", "GET", "/api/v1/teams?category=esports", "", "", 400, "category_invalid"},
		{"bad stars filter", "GET", "/api/v1/teams?minStars=6", "", "", 400, "stars_invalid"},
		{"resident approves", "POST", "/api/v1/admin/teams/" + created.ID + "/approve", "", leader, 403, "forbidden"},
		{"other county approves", "POST", "/api/v1/admin/teams/" + created.ID + "/approve", "", coordinator, 403, "district_out_of_scope"},
		{"rate before approval", "POST", "/api/v1/admin/teams/" + created.ID + "/ratings", rate, staff, 409, "team_not_approved"},
		{"approve unknown", "POST", "/api/v1/admin/teams/nope/approve", "", staff, 404, "team_not_found"},
		{"bad review filter", "GET", "/api/v1/admin/teams?status=all", "", staff, 400, "status_invalid"},
	}
	check := func() {
		for _, tt := range bad {
			if rec := do(tt.method, tt.path, tt.body, tt.token); rec.Code != tt.status || errorCode(rec) != tt.code {
				t.Errorf("%s: %s %s = %d %s, want %d %s", tt.name, tt.method, tt.path, rec.Code, rec.Body, tt.status, tt.code)
			}
		}
	}
	check()
	review := func(tok, which string) []map[string]any {
		rec := do("GET", "/api/v1/admin/teams?status="+which, "", tok)
		var body struct{ Teams []map[string]any }
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
			t.Fatalf("review = %d %s", rec.Code, rec.Body)
		}
		return body.Teams
	}
	if got := review(staff, "pending"); len(got) != 1 || got[0]["leader"].(map[string]any)["phone"] != "13900001111" {
		t.Errorf("天元区 staff's pending teams = %v, want the one, with its leader's contact", got)
	}
	if got := review(coordinator, "pending"); len(got) != 0 {
		t.Errorf("攸县's coordinator sees %v", got)
	}

	if rec := do("POST", "/api/v1/admin/teams/"+created.ID+"/approve", "", staff); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"status":"approved"`) {
		t.Fatalf("approve = %d %s", rec.Code, rec.Body)
	}
	if rec := do("POST", "/api/v1/admin/teams/"+created.ID+"/approve", "", staff); rec.Code != 409 || errorCode(rec) != "team_not_pending" {
		t.Errorf("approve again = %d %s, want 409 team_not_pending", rec.Code, rec.Body)
	}
	if rec := do("POST", "/api/v1/admin/teams/"+created.ID+"/ratings", `{"scores":{"scale":30}}`, staff); rec.Code != 400 || errorCode(rec) != "scores_invalid" {
		t.Errorf("rate with bad scores = %d %s, want 400 scores_invalid", rec.Code, rec.Body)
	}
	if rec := do("POST", "/api/v1/admin/teams/"+created.ID+"/ratings", rate, staff); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"stars":4`) {
		t.Fatalf("rate = %d %s, want 4 stars", rec.Code, rec.Body)
	}
	if rec := do("POST", "/api/v1/admin/teams/"+created.ID+"/ratings", rate, staff); rec.Code != 409 || errorCode(rec) != "rerating_not_due" {
		t.Errorf("re-rate at once = %d %s, want 409 rerating_not_due", rec.Code, rec.Body)
	}
	stats := func(district string) map[string]any {
		rec := do("GET", "/api/v1/teams/stats?district="+district, "", "")
		var m map[string]any
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &m) != nil {
			t.Fatalf("stats = %d %s", rec.Code, rec.Body)
		}
		return m
	}
	for _, d := range []string{"430200", "430211", "430211001"} {
		if m := stats(d); m["approved"] != 1.0 || m["rated"] != 1.0 || m["stars"].([]any)[3] != 1.0 || m["cityTarget"] != 2000.0 {
			t.Errorf("stats of %s = %v, want one approved 4-star team against 2000", d, m)
		}
	}
	if m := stats("430223"); m["approved"] != 0.0 {
		t.Errorf("攸县 stats = %v, want none", m)
	}

	// Public directory: filters, and no leader data.
	public := do("GET", "/api/v1/teams/"+created.ID, "", "")
	if public.Code != 200 || strings.Contains(public.Body.String(), "王建国") || strings.Contains(public.Body.String(), "13900001111") || strings.Contains(public.Body.String(), "o-leader") {
		t.Errorf("public team = %d %s, want no leader data", public.Code, public.Body)
	}
	for query, want := range map[string]int{"": 1, "?district=430211": 1, "?district=430223": 0, "?category=martial_arts": 1, "?category=choir": 0, "?minStars=4": 1, "?minStars=5": 0} {
		if got := teams(query); len(got) != want {
			t.Errorf("GET /api/v1/teams%s = %d teams, want %d", query, len(got), want)
		}
	}

	// Two years on, the team is due and re-rated down; the counts follow.
	*clock = clock.AddDate(2, 0, 0)
	staff = token("o-staff-library", "staff")
	if got := review(staff, "due"); len(got) != 1 {
		t.Errorf("due teams two years on = %d, want 1", len(got))
	}
	down := `{"scores":{"scale":10,"regularity":10,"quality":12,"service":10,"management":8}}` // 50: 2 stars
	rec = do("POST", "/api/v1/admin/teams/"+created.ID+"/ratings", down, staff)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"stars":2`) || !strings.Contains(rec.Body.String(), `"change":"down"`) {
		t.Fatalf("re-rate = %d %s, want 2 stars, down", rec.Code, rec.Body)
	}
	if m := stats("430200"); m["approved"] != 1.0 || m["stars"].([]any)[3] != 0.0 || m["stars"].([]any)[1] != 1.0 {
		t.Errorf("city stats after the re-rating = %v, want the team moved from 4 to 2 stars", m)
	}
	var withHistory struct{ History []struct{ Stars int } }
	if err := json.Unmarshal(do("GET", "/api/v1/teams/"+created.ID, "", "").Body.Bytes(), &withHistory); err != nil || len(withHistory.History) != 2 {
		t.Errorf("history = %+v, want both ratings", withHistory.History)
	}
	if rec := do("GET", "/api/v1/teams/criteria", "", ""); rec.Code != 200 || !strings.Contains(rec.Body.String(), "艺术（技术）水平") {
		t.Errorf("criteria = %d %s", rec.Code, rec.Body)
	}
}
