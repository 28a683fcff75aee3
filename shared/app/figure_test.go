package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestFigureSelection(t *testing.T) {
	do, token, _, clock := mustDirectoryClock(t)
	admin := token("o-admin", "admin")
	opens, closes := clock.Add(-time.Hour), clock.AddDate(0, 0, 30)
	call := fmt.Sprintf(`{"year":2026,"opensAt":%q,"closesAt":%q,"panel":["o-p1","o-p2","o-p3"]}`, opens.Format(time.RFC3339), closes.Format(time.RFC3339))
	if rec := do("POST", "/api/v1/admin/figure-calls", call, admin); rec.Code != 201 || strings.Contains(rec.Body.String(), "o-p1") {
		t.Fatalf("open call = %d %s, want 201 without the panel's openids", rec.Code, rec.Body)
	}
	apply := func(openid, name, discipline, district string) (int, string, string) {
		body := fmt.Sprintf(`{"name":%q,"discipline":%q,"districtId":%q,"bio":"从事创作三十年","works":["《湘江晨曲》"],"honours":["湖南省文艺奖"]}`, name, discipline, district)
		rec := do("POST", "/api/v1/figure-calls/2026/applications", body, token(openid))
		var a struct{ ID string }
		_ = json.Unmarshal(rec.Body.Bytes(), &a)
		return rec.Code, errorCode(rec), a.ID
	}
	ids := map[string]string{}
	for _, p := range [][4]string{
		{"o-a1", "刘醴瓷", "folk_arts", "430281001"},
		{"o-a2", "陈湘音", "opera", "430211001"},
		{"o-a3", "周墨", "calligraphy", "430202001"},
	} {
		code, _, id := apply(p[0], p[1], p[2], p[3])
		if code != 201 {
			t.Fatalf("apply %s = %d", p[1], code)
		}
		ids[p[1]] = id
	}

	bad := []struct {
		name, method, path, body, token string
		status                          int
		code                            string
	}{
		{"resident opens a call", "POST", "/api/v1/admin/figure-calls", call, token("o-1"), 403, "forbidden"},
		{"same year again", "POST", "/api/v1/admin/figure-calls", call, admin, 409, "call_exists"},
		{"panel of two", "POST", "/api/v1/admin/figure-calls", strings.Replace(strings.Replace(call, "2026", "2027", 1), `,"o-p3"`, "", 1), admin, 400, "call_invalid"},
		{"apply twice", "POST", "/api/v1/figure-calls/2026/applications", `{"name":"刘醴瓷","discipline":"folk_arts","districtId":"430281001","works":["x"]}`, token("o-a1"), 409, "already_applied"},
		{"no works", "POST", "/api/v1/figure-calls/2026/applications", `{"name":"x","discipline":"music","districtId":"430281001","works":[]}`, token("o-a9"), 400, "application_invalid"},
		{"unknown discipline", "POST", "/api/v1/figure-calls/2026/applications", `{"name":"x","discipline":"esports","districtId":"430281001","works":["x"]}`, token("o-a9"), 400, "application_invalid"},
		{"unknown district", "POST", "/api/v1/figure-calls/2026/applications", `{"name":"x","discipline":"music","districtId":"nope","works":["x"]}`, token("o-a9"), 404, "district_not_found"},
		{"no call that year", "POST", "/api/v1/figure-calls/2025/applications", `{"name":"x","discipline":"music","districtId":"430281001","works":["x"]}`, token("o-a9"), 404, "call_not_found"},
		{"bad year", "GET", "/api/v1/figure-calls/twenty", "", "", 404, "call_not_found"},
		{"score while open", "PUT", "/api/v1/admin/figure-applications/" + ids["周墨"] + "/score", `{"scores":{"achievement":30,"influence":20,"service":15,"inheritance":10}}`, token("o-p1"), 409, "call_still_open"},
		{"select while open", "POST", "/api/v1/admin/figure-calls/2026/selection", "", admin, 409, "call_still_open"},
		{"applications to a stranger", "GET", "/api/v1/admin/figure-calls/2026/applications", "", token("o-1"), 403, "not_panel_member"},
		{"bad discipline search", "GET", "/api/v1/figures?discipline=esports", "", "", 400, "discipline_invalid"},
	}
	for _, tt := range bad {
		if rec := do(tt.method, tt.path, tt.body, tt.token); rec.Code != tt.status || errorCode(rec) != tt.code {
			t.Errorf("%s: %s %s = %d %s, want %d %s", tt.name, tt.method, tt.path, rec.Code, rec.Body, tt.status, tt.code)
		}
	}
	rec := do("GET", "/api/v1/admin/figure-calls/2026/applications", "", token("o-p2"))
	if rec.Code != 200 || strings.Count(rec.Body.String(), `"id"`) != 3 || strings.Contains(rec.Body.String(), "o-a1") {
		t.Errorf("the panel's applications = %d %s, want three without openids", rec.Code, rec.Body)
	}

	// The call closes; the panel scores; 刘醴瓷 and 陈湘音 tie on the mean, 陈湘音 leads on
	// achievement; 周墨 has only two scores and is not ranked.
	*clock = clock.AddDate(0, 0, 31)
	admin = token("o-admin", "admin")
	score := func(panel, name string, s [4]int) *string {
		body := fmt.Sprintf(`{"scores":{"achievement":%d,"influence":%d,"service":%d,"inheritance":%d}}`, s[0], s[1], s[2], s[3])
		rec := do("PUT", "/api/v1/admin/figure-applications/"+ids[name]+"/score", body, token(panel))
		if rec.Code != 200 {
			code := fmt.Sprintf("%d %s", rec.Code, errorCode(rec))
			return &code
		}
		return nil
	}
	for _, p := range []string{"o-p1", "o-p2", "o-p3"} {
		for name, s := range map[string][4]int{"刘醴瓷": {30, 25, 20, 10}, "陈湘音": {35, 20, 20, 10}} {
			if err := score(p, name, s); err != nil {
				t.Fatalf("score %s by %s = %s", name, p, *err)
			}
		}
	}
	for _, p := range []string{"o-p1", "o-p2"} {
		if err := score(p, "周墨", [4]int{40, 25, 20, 15}); err != nil {
			t.Fatal(*err)
		}
	}
	if err := score("o-1", "周墨", [4]int{40, 25, 20, 15}); err == nil || !strings.Contains(*err, "not_panel_member") {
		t.Errorf("a stranger scores = %v, want not_panel_member", err)
	}
	if err := score("o-p3", "周墨", [4]int{41, 25, 20, 15}); err == nil || !strings.Contains(*err, "scores_invalid") {
		t.Errorf("score over the maximum = %v, want scores_invalid", err)
	}

	rec = do("POST", "/api/v1/admin/figure-calls/2026/selection", "", admin)
	var sel struct {
		Ranking []struct {
			Name     string
			Rank     int
			Selected bool
			Mean     float64
			Reason   string
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &sel); err != nil || rec.Code != 200 || len(sel.Ranking) != 3 {
		t.Fatalf("select = %d %s", rec.Code, rec.Body)
	}
	if r := sel.Ranking; r[0].Name != "陈湘音" || r[1].Name != "刘醴瓷" || r[0].Mean != 85 || r[1].Mean != 85 || !r[1].Selected || r[2].Name != "周墨" || r[2].Rank != 0 || r[2].Reason != "too_few_scores" {
		t.Errorf("ranking = %+v, want 陈湘音, 刘醴瓷 (tie at 85 on achievement), 周墨 unranked", r)
	}
	if rec := do("POST", "/api/v1/admin/figure-calls/2026/selection", "", admin); rec.Code != 409 || errorCode(rec) != "already_selected" {
		t.Errorf("select again = %d %s, want 409 already_selected", rec.Code, rec.Body)
	}
	if err := score("o-p3", "周墨", [4]int{40, 25, 20, 15}); err == nil || !strings.Contains(*err, "already_selected") {
		t.Errorf("score after selection = %v, want already_selected", err)
	}
	rec = do("GET", "/api/v1/figure-calls/2026", "", "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "陈湘音") || strings.Contains(rec.Body.String(), "周墨") {
		t.Errorf("public call = %s, want the selected and not the others", rec.Body)
	}

	// The database: search, profile, status changes with history.
	figures := func(query string) string { return do("GET", "/api/v1/figures"+query, "", "").Body.String() }
	if body := figures(""); strings.Count(body, `"id"`) != 2 || strings.Contains(body, "o-a1") {
		t.Errorf("figures = %s, want two, without openids", body)
	}
	if body := figures("?discipline=opera"); !strings.Contains(body, "陈湘音") || strings.Contains(body, "刘醴瓷") {
		t.Errorf("opera figures = %s", body)
	}
	if body := figures("?district=430281"); !strings.Contains(body, "刘醴瓷") || strings.Contains(body, "陈湘音") {
		t.Errorf("醴陵 figures = %s", body)
	}
	liu := ids["刘醴瓷"]
	if rec := do("POST", "/api/v1/admin/figures/"+liu+"/status", `{"status":"revoked","reason":""}`, admin); rec.Code != 400 || errorCode(rec) != "status_invalid" {
		t.Errorf("revoke without reason = %d %s", rec.Code, rec.Body)
	}
	if rec := do("POST", "/api/v1/admin/figures/"+liu+"/status", `{"status":"honorary","reason":"转为荣誉"}`, token("o-staff-library", "staff")); rec.Code != 403 {
		t.Errorf("staff changes status = %d, want 403", rec.Code)
	}
	if rec := do("POST", "/api/v1/admin/figures/"+liu+"/status", `{"status":"revoked","reason":"违反承诺"}`, admin); rec.Code != 200 || strings.Count(rec.Body.String(), `"reason"`) != 2 {
		t.Errorf("revoke = %d %s, want the change in the history", rec.Code, rec.Body)
	}
	if rec := do("GET", "/api/v1/figures/"+liu, "", ""); rec.Code != 404 || errorCode(rec) != "figure_not_found" {
		t.Errorf("revoked profile = %d %s, want 404", rec.Code, rec.Body)
	}
	if body := figures(""); strings.Contains(body, "刘醴瓷") {
		t.Errorf("a revoked figure is listed: %s", body)
	}
	*clock = clock.AddDate(3, 0, 0)
	admin = token("o-admin", "admin")
	if rec := do("GET", "/api/v1/admin/figures", "", admin); !strings.Contains(rec.Body.String(), "陈湘音") {
		t.Errorf("figures due for review three years on = %s, want 陈湘音", rec.Body)
	}
}
