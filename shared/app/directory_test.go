package app_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/infra/local/demo"
	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/apptest"
	"github.com/wentitong/wentitong/shared/dynamotest"
)

// mustDirectory builds the app on the demo data and returns a caller of the
// DirectoryFunction and a token maker.
func mustDirectory(t *testing.T) (do func(method, path, body, token string) *httptest.ResponseRecorder, token func(openid string, roles ...string) string, tbl *dynamotest.Table) {
	t.Helper()
	do, token, tbl, _ = mustDirectoryClock(t)
	return do, token, tbl
}

// mustDirectoryClock is mustDirectory with the app's clock, which starts at
// 2026-11-28 09:00 UTC and which the test may move.
func mustDirectoryClock(t *testing.T) (do func(method, path, body, token string) *httptest.ResponseRecorder, token func(openid string, roles ...string) string, tbl *dynamotest.Table, clock *time.Time) {
	t.Helper()
	do, token, tbl, clock, _ = mustDirectoryApp(t)
	return do, token, tbl, clock
}

// mustDirectoryApp is mustDirectoryClock with the app, for tests that write through its
// stores.
func mustDirectoryApp(t *testing.T) (do func(method, path, body, token string) *httptest.ResponseRecorder, token func(openid string, roles ...string) string, tbl *dynamotest.Table, clock *time.Time, a *app.App) {
	t.Helper()
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	clock = &now
	a, tbl, _ = mustApp(t, now)
	a.Now = func() time.Time { return *clock }
	if _, err := demo.SeedBase(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	h := apptest.HTTP(t, a, "DirectoryFunction")
	svc, err := a.Auth()
	if err != nil {
		t.Fatal(err)
	}
	do = func(method, path, body, token string) *httptest.ResponseRecorder {
		return serve(h, method, path, body, token)
	}
	token = func(openid string, roles ...string) string {
		s, err := svc.Issue(context.Background(), openid, append([]string{"resident"}, roles...), *clock)
		if err != nil {
			t.Fatal(err)
		}
		return s.Token
	}
	tbl.Counter.Reset()
	return do, token, tbl, clock, a
}

// writes counts the write calls made so far.
func writes(tbl *dynamotest.Table) int64 {
	c := tbl.Counter.Snapshot()
	return c["PutItem"] + c["UpdateItem"] + c["DeleteItem"] + c["TransactWriteItems"] + c["BatchWriteItem"]
}

type venueJSON struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Kind           string `json:"kind"`
	DistrictID     string `json:"districtId"`
	DistanceMeters int    `json:"distanceMeters"`
	Location       struct{ Lat, Lng float64 }
}

func decodeVenues(t *testing.T, rec *httptest.ResponseRecorder) []venueJSON {
	t.Helper()
	var body struct{ Venues []venueJSON }
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
		t.Fatalf("venues answer = %d %s, want 200 with venues", rec.Code, rec.Body)
	}
	return body.Venues
}

func TestDistrictTree(t *testing.T) {
	do, _, _ := mustDirectory(t)
	type node struct {
		ID, Name, Level string
		Children        []node
	}
	var body struct{ Districts []node }
	rec := do("GET", "/api/v1/districts", "", "")
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != 200 {
		t.Fatalf("GET /api/v1/districts = %d %s", rec.Code, rec.Body)
	}
	if len(body.Districts) != 1 || body.Districts[0].Name != "株洲市" || len(body.Districts[0].Children) != 9 {
		t.Fatalf("tree = %+v, want 株洲市 with its nine county-level divisions", body.Districts)
	}
	var counted func(n node) int
	counted = func(n node) int {
		c := 1
		for _, ch := range n.Children {
			if ch.Level == n.Level {
				t.Errorf("%s (%s) is under %s of the same level", ch.Name, ch.Level, n.Name)
			}
			c += counted(ch)
		}
		return c
	}
	if n := counted(body.Districts[0]); n != 36 {
		t.Errorf("tree holds %d districts, want the demo's 36", n)
	}
	rec = do("GET", "/api/v1/districts?root=430202", "", "")
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body.Districts) != 1 || body.Districts[0].Name != "荷塘区" || len(body.Districts[0].Children) != 3 {
		t.Errorf("GET ?root=430202 = %s, want 荷塘区 and its three streets", rec.Body)
	}
	if rec := do("GET", "/api/v1/districts?root=nope", "", ""); rec.Code != 404 || errorCode(rec) != "district_not_found" {
		t.Errorf("GET ?root=nope = %d %s, want 404 district_not_found", rec.Code, rec.Body)
	}
}

func TestEmap(t *testing.T) {
	do, _, tbl := mustDirectory(t)
	vs := decodeVenues(t, do("GET", "/api/v1/venues?near=27.83,113.13", "", ""))
	if len(vs) < 5 {
		t.Fatalf("near 27.83,113.13: %d venues, want the urban ones", len(vs))
	}
	for i, v := range vs {
		if v.DistanceMeters > 10_000 || (i > 0 && v.DistanceMeters < vs[i-1].DistanceMeters) {
			t.Errorf("venue %d %s at %d m: want sorted and within the default 10 km", i, v.Name, v.DistanceMeters)
		}
	}
	if calls := tbl.Counter.Snapshot(); calls["Scan"] != 0 {
		t.Errorf("the e-map made %v, want no Scan", calls)
	}
	// The city library (27.8290, 113.0830) is 4,640 m from the point.
	if lib := vs[slices.IndexFunc(vs, func(v venueJSON) bool { return v.ID == "v-city-library" })]; lib.DistanceMeters < 4_600 || lib.DistanceMeters > 4_680 {
		t.Errorf("city library at %d m, want about 4,640", lib.DistanceMeters)
	}
	libs := decodeVenues(t, do("GET", "/api/v1/venues?near=27.83,113.13&kind=library&radius=50000&limit=5", "", ""))
	for _, v := range libs {
		if v.Kind != "library" {
			t.Errorf("kind=library answered %s (%s)", v.Name, v.Kind)
		}
	}
	if len(libs) != 2 {
		t.Errorf("libraries within 50 km: %d, want the city's and 渌口's", len(libs))
	}
	if got := decodeVenues(t, do("GET", "/api/v1/venues?near=27.83,113.13&limit=1", "", "")); len(got) != 1 || got[0].ID != vs[0].ID {
		t.Errorf("limit=1 = %+v, want the nearest alone", got)
	}
	if got := decodeVenues(t, do("GET", "/api/v1/venues?district=430223", "", "")); len(got) != 2 || got[0].ID != "v-youxian-culture" || got[1].ID != "v-chengdong-room" {
		t.Errorf("district=430223 = %+v, want 攸县文化馆 and 城东社区's centre", got)
	}
	if got := decodeVenues(t, do("GET", "/api/v1/venues", "", "")); len(got) != 14 {
		t.Errorf("all venues = %d, want the demo's 14", len(got))
	}
	rec := do("GET", "/api/v1/venues/v-city-museum", "", "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "株洲市博物馆") {
		t.Errorf("GET /api/v1/venues/v-city-museum = %d %s", rec.Code, rec.Body)
	}

	bad := []struct{ path, code string }{
		{"/api/v1/venues?near=", "near_invalid"},
		{"/api/v1/venues?near=27.83", "near_invalid"},
		{"/api/v1/venues?near=abc,113", "near_invalid"},
		{"/api/v1/venues?near=91,113", "near_invalid"},
		{"/api/v1/venues?near=NaN,113", "near_invalid"},
		{"/api/v1/venues?near=27.83,Inf", "near_invalid"},
		{"/api/v1/venues?near=0,0", "near_invalid"},
		{"/api/v1/venues?near=27.83,113.13&radius=0", "radius_invalid"},
		{"/api/v1/venues?near=27.83,113.13&radius=50001", "radius_invalid"},
		{"/api/v1/venues?near=27.83,113.13&radius=1km", "radius_invalid"},
		{"/api/v1/venues?near=27.83,113.13&kind=spa", "kind_invalid"},
		{"/api/v1/venues?kind=spa", "kind_invalid"},
		{"/api/v1/venues?near=27.83,113.13&limit=0", "limit_invalid"},
		{"/api/v1/venues?near=27.83,113.13&limit=101", "limit_invalid"},
		{"/api/v1/venues?near=27.83,113.13&limit=x", "limit_invalid"},
	}
	for _, tt := range bad {
		if rec := do("GET", tt.path, "", ""); rec.Code != 400 || errorCode(rec) != tt.code {
			t.Errorf("GET %s = %d %s, want 400 %s", tt.path, rec.Code, rec.Body, tt.code)
		}
	}
	for path, code := range map[string]string{"/api/v1/venues/nope": "venue_not_found", "/api/v1/venues?district=nope": "district_not_found"} {
		if rec := do("GET", path, "", ""); rec.Code != 404 || errorCode(rec) != code {
			t.Errorf("GET %s = %d %s, want 404 %s", path, rec.Code, rec.Body, code)
		}
	}
	if n := writes(tbl); n != 0 {
		t.Errorf("reading the e-map wrote %d items", n)
	}
	tbl.FailAll(t)
	if rec := do("GET", "/api/v1/venues?near=27.83,113.13", "", ""); rec.Code != 503 || errorCode(rec) != "unavailable" {
		t.Errorf("e-map while DynamoDB fails = %d %s, want 503 unavailable", rec.Code, rec.Body)
	}
}

func TestDirectoryAdmin(t *testing.T) {
	do, token, _ := mustDirectory(t)
	admin, resident := token("o-admin", "admin"), token("o-1")
	staff := token("o-staff-youxian", "staff")

	// Refusals change nothing.
	state := func() string {
		return do("GET", "/api/v1/districts", "", "").Body.String() + do("GET", "/api/v1/venues", "", "").Body.String()
	}
	before := state()
	venue := `{"name":"攸县图书馆","kind":"library","districtId":"430223001","address":"攸县联星街道","location":{"lat":27.0021,"lng":113.3398},"openingHours":"周二至周日 09:00-17:00"}`
	bad := []struct {
		name, method, path, body, token string
		status                          int
		code                            string
	}{
		{"no token", "POST", "/api/v1/admin/districts", `{}`, "", 401, "token_missing"},
		{"resident", "POST", "/api/v1/admin/districts", `{"id":"x","parentId":"430223","name":"x","level":"township"}`, resident, 403, "forbidden"},
		{"staff adds a district", "POST", "/api/v1/admin/districts", `{"id":"x","parentId":"430223","name":"x","level":"township"}`, staff, 403, "forbidden"},
		{"malformed", "POST", "/api/v1/admin/districts", `{"id":`, admin, 400, "invalid_json"},
		{"wrong level", "POST", "/api/v1/admin/districts", `{"id":"x","parentId":"430223","name":"x","level":"village"}`, admin, 400, "district_invalid"},
		{"second city", "POST", "/api/v1/admin/districts", `{"id":"x","name":"x","level":"county"}`, admin, 400, "district_invalid"},
		{"slash in id", "POST", "/api/v1/admin/districts", `{"id":"a/b","parentId":"430223","name":"x","level":"township"}`, admin, 400, "district_invalid"},
		{"unknown parent", "POST", "/api/v1/admin/districts", `{"id":"x","parentId":"nope","name":"x","level":"township"}`, admin, 404, "district_not_found"},
		{"existing id", "POST", "/api/v1/admin/districts", `{"id":"430223001","parentId":"430223","name":"x","level":"township"}`, admin, 409, "district_exists"},
		{"empty name", "PATCH", "/api/v1/admin/districts/430223", `{"name":" "}`, admin, 400, "district_invalid"},
		{"rename unknown", "PATCH", "/api/v1/admin/districts/nope", `{"name":"x"}`, admin, 404, "district_not_found"},
		{"venue without location", "POST", "/api/v1/admin/venues", `{"name":"x","kind":"library","districtId":"430223001"}`, admin, 400, "venue_invalid"},
		{"venue of unknown kind", "POST", "/api/v1/admin/venues", strings.Replace(venue, "library", "spa", 1), admin, 400, "venue_invalid"},
		{"venue in unknown district", "POST", "/api/v1/admin/venues", strings.Replace(venue, "430223001", "nope", 1), admin, 404, "district_not_found"},
		{"venue wrong type", "POST", "/api/v1/admin/venues", `{"name":1}`, admin, 400, "invalid_json"},
		{"forged token", "POST", "/api/v1/admin/venues", venue, admin[:len(admin)-2] + "xx", 401, "token_invalid"},
		{"staff without a district", "POST", "/api/v1/admin/venues", venue, staff, 403, "scope_missing"},
		{"resident adds a venue", "POST", "/api/v1/admin/venues", venue, resident, 403, "forbidden"},
		{"update unknown venue", "PUT", "/api/v1/admin/venues/nope", venue, admin, 404, "venue_not_found"},
		{"scope of unknown district", "PUT", "/api/v1/admin/scopes/o-staff-youxian", `{"districtId":"nope"}`, admin, 404, "district_not_found"},
		{"staff sets a scope", "PUT", "/api/v1/admin/scopes/o-staff-youxian", `{"districtId":"430223"}`, staff, 403, "forbidden"},
	}
	for _, tt := range bad {
		rec := do(tt.method, tt.path, tt.body, tt.token)
		if rec.Code != tt.status || errorCode(rec) != tt.code {
			t.Errorf("%s: %s %s = %d %s, want %d %s", tt.name, tt.method, tt.path, rec.Code, rec.Body, tt.status, tt.code)
		}
	}
	if after := state(); after != before {
		t.Errorf("refused requests changed the directory")
	}

	// The admin adds a township and renames it; the tree shows it.
	if rec := do("POST", "/api/v1/admin/districts", `{"id":"430223100","parentId":"430223","name":"酒埠江镇","level":"township"}`, admin); rec.Code != 201 || !strings.Contains(rec.Body.String(), `"path":"430200/430223/430223100"`) {
		t.Errorf("add township = %d %s, want 201 with its path", rec.Code, rec.Body)
	}
	if rec := do("PATCH", "/api/v1/admin/districts/430223100", `{"name":"酒埠江镇人民政府"}`, admin); rec.Code != 200 {
		t.Errorf("rename = %d %s", rec.Code, rec.Body)
	}
	if rec := do("GET", "/api/v1/districts?root=430223", "", ""); !strings.Contains(rec.Body.String(), "酒埠江镇人民政府") {
		t.Errorf("tree after rename = %s, want the new name", rec.Body)
	}

	// Staff of 攸县 may add venues there, not elsewhere, and cannot move one out.
	if rec := do("PUT", "/api/v1/admin/scopes/o-staff-youxian", `{"districtId":"430223"}`, admin); rec.Code != 200 {
		t.Fatalf("set scope = %d %s", rec.Code, rec.Body)
	}
	rec := do("POST", "/api/v1/admin/venues", venue, staff)
	var created venueJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil || rec.Code != 201 || created.ID == "" {
		t.Fatalf("staff adds a venue in scope = %d %s, want 201 with an id", rec.Code, rec.Body)
	}
	near := decodeVenues(t, do("GET", "/api/v1/venues?near=27.0021,113.3398&radius=500", "", ""))
	if len(near) != 1 || near[0].ID != created.ID || near[0].DistanceMeters != 0 {
		t.Errorf("e-map at the new venue = %+v, want it at 0 m", near)
	}
	before = state()
	for name, tt := range map[string]struct{ method, path, body string }{
		"add in 醴陵": {"POST", "/api/v1/admin/venues", strings.Replace(venue, "430223001", "430281001", 1)},
		"move out":  {"PUT", "/api/v1/admin/venues/" + created.ID, strings.Replace(venue, "430223001", "430281001", 1)},
		"edit 醴陵's": {"PUT", "/api/v1/admin/venues/v-liling-culture", venue},
	} {
		if rec := do(tt.method, tt.path, tt.body, staff); rec.Code != 403 || errorCode(rec) != "district_out_of_scope" {
			t.Errorf("staff %s = %d %s, want 403 district_out_of_scope", name, rec.Code, rec.Body)
		}
	}
	if after := state(); after != before {
		t.Errorf("out-of-scope edits changed the directory")
	}
	edited := strings.Replace(venue, "09:00-17:00", "09:00-20:00", 1)
	if rec := do("PUT", "/api/v1/admin/venues/"+created.ID, edited, staff); rec.Code != 200 || !strings.Contains(rec.Body.String(), "09:00-20:00") {
		t.Errorf("staff edits their venue = %d %s", rec.Code, rec.Body)
	}
	// The admin may move it anywhere.
	if rec := do("PUT", "/api/v1/admin/venues/"+created.ID, strings.Replace(edited, "430223001", "430281001", 1), admin); rec.Code != 200 {
		t.Errorf("admin moves the venue = %d %s", rec.Code, rec.Body)
	}
}

func unmarshalItem(it map[string]types.AttributeValue, out any) error {
	return attributevalue.UnmarshalMap(it, out)
}
