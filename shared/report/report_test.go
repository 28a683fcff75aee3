package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/team"
)

// fake is the directory, the scopes and the aggregates, in memory.
type fake struct {
	districts []directory.District
	metrics   map[string]Metrics // districtID + "|" + period
	tallies   map[string]evaluation.Tally
	teams     map[string]team.Counts
	scopes    map[string]string
}

func (f *fake) Metrics(_ context.Context, id, period string) (Metrics, error) {
	return f.metrics[id+"|"+period], nil
}
func (f *fake) Tally(_ context.Context, subject, period string) (evaluation.Tally, error) {
	return f.tallies[subject+"|"+period], nil
}
func (f *fake) Counts(_ context.Context, id string) (team.Counts, error) { return f.teams[id], nil }
func (f *fake) Training(_ context.Context, d directory.District, year int) (int, int, error) {
	if d.ID == "c" && year == 2026 {
		return 8, 6, nil
	}
	return 0, 0, nil
}
func (f *fake) Districts(context.Context) ([]directory.District, error) { return f.districts, nil }
func (f *fake) District(_ context.Context, id string) (directory.District, error) {
	for _, d := range f.districts {
		if d.ID == id {
			return d, nil
		}
	}
	return directory.District{}, directory.ErrDistrictUnknown
}
func (f *fake) Scope(_ context.Context, openid string) (string, error) { return f.scopes[openid], nil }
func (f *fake) DistrictPath(ctx context.Context, id string) (string, bool, error) {
	d, err := f.District(ctx, id)
	return d.Path, err == nil, nil
}
func (f *fake) SetScope(context.Context, string, string) error { return nil }

func newFake() (*fake, *Service) {
	city := directory.Root("c", "株洲市")
	city.Population = 1_000_000
	a := city.Child("a", "甲区", directory.LevelCounty)
	a.Population = 400_000
	b := city.Child("b", "乙县", directory.LevelCounty)
	ta := a.Child("ta", "甲街道", directory.LevelTownship)
	tb := b.Child("tb", "乙镇", directory.LevelTownship)
	f := &fake{
		districts: []directory.District{city, a, ta, ta.Child("v1", "一村", directory.LevelVillage), ta.Child("v2", "二村", directory.LevelVillage),
			b, tb, tb.Child("v3", "三村", directory.LevelVillage)},
		metrics: map[string]Metrics{
			"c|2026-11":   {MetricBookings: 300, MetricAttendance: 240, MetricActiveVillages: 2},
			"c|all":       {MetricSportsInstructors: 2_100, MetricVolunteersRegistered: 5_000},
			"a|2026-11":   {MetricBookings: 200, MetricAttendance: 150, MetricActiveVillages: 2},
			"a|all":       {MetricSportsInstructors: 700},
			"b|2026-11":   {MetricBookings: 100, MetricAttendance: 90},
			"b|all":       {MetricSportsInstructors: 1_400},
			"tb|2026-11":  {MetricBookings: 1},
			"none|2026-1": {},
		},
		tallies: map[string]evaluation.Tally{"district:c|2026-11": {N: 10, Sum: 43, Stars: [5]int{1, 1, 0, 0, 8}}},
		teams:   map[string]team.Counts{"c": {Approved: 7, Stars: [5]int{0, 1, 2, 1, 0}}},
		scopes:  map[string]string{"o-staff-a": "a"},
	}
	s := &Service{Source: f, Places: f, Guard: access.Guard{Scopes: f, Districts: f},
		Now: func() time.Time { return time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC) }}
	return f, s
}

func TestBuild(t *testing.T) {
	_, s := newFake()
	admin := auth.Claims{OpenID: "o-admin", Roles: []string{auth.RoleAdmin}}
	r, err := s.Build(context.Background(), admin, "", "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	tot := r.Total
	f := func(p *float64) float64 {
		if p == nil {
			return -1
		}
		return *p
	}
	checks := []struct {
		name      string
		got, want float64
	}{
		{"attendance %", f(tot.AttendancePct), 80},
		{"villages", float64(tot.Villages), 3},
		{"coverage %", f(tot.CoveragePct), 66.7},
		{"instructors ‰ (standing, from all time)", f(tot.InstructorsPer1000), 2.1},
		{"training %", f(tot.TrainingPct), 75},
		{"satisfaction index", f(tot.Satisfaction.Index), 82.5},
		{"volunteers (standing)", float64(tot.VolunteersRegistered), 5000},
		{"teams", float64(tot.TeamsApproved), 7},
		{"rated teams", float64(tot.TeamsRated), 4},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("city %s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if tot.InstructorsOnTarget == nil || !*tot.InstructorsOnTarget {
		t.Errorf("2.1‰ is not on the 2‰ target")
	}
	if len(r.Children) != 2 || r.Children[0].Name != "甲区" || r.Children[1].Name != "乙县" {
		t.Fatalf("children = %+v, want 甲区 and 乙县", r.Children)
	}
	a, b := r.Children[0], r.Children[1]
	if f(a.InstructorsPer1000) != 1.75 || *a.InstructorsOnTarget || f(a.CoveragePct) != 100 || a.Villages != 2 {
		t.Errorf("甲区 = %+v; want 1.75‰ (below target), 2 of 2 villages", a)
	}
	if b.InstructorsPer1000 != nil || b.CoveragePct == nil || *b.CoveragePct != 0 || b.Satisfaction.Sufficient {
		t.Errorf("乙县 = %+v; want no per-capita figure (population unknown), 0%% coverage, no index", b)
	}
}

func TestBuildScopes(t *testing.T) {
	_, s := newFake()
	staffA := auth.Claims{OpenID: "o-staff-a", Roles: []string{auth.RoleStaff}}
	ctx := context.Background()
	if r, err := s.Build(ctx, staffA, "", "all"); err != nil || r.District.ID != "a" {
		t.Errorf("staff's default report = %s, %v; want their district a", r.District.ID, err)
	}
	if _, err := s.Build(ctx, staffA, "ta", "all"); err != nil {
		t.Errorf("staff's report of a township below = %v", err)
	}
	for _, tt := range []struct {
		c        auth.Claims
		district string
		period   string
		want     error
	}{
		// Whether a named district is the caller's is the route's rule (access); a
		// default needs the caller to have one.
		{auth.Claims{OpenID: "o-new", Roles: []string{auth.RoleStaff}}, "", "all", access.ErrNoScope},
		{staffA, "a", "2026-13", ErrPeriodInvalid},
		{staffA, "nope", "all", directory.ErrDistrictUnknown},
	} {
		if _, err := s.Build(ctx, tt.c, tt.district, tt.period); !errors.Is(err, tt.want) {
			t.Errorf("Build(%s, %q, %q) = %v, want %v", tt.c.OpenID, tt.district, tt.period, err, tt.want)
		}
	}
}

func TestCSV(t *testing.T) {
	_, s := newFake()
	r, err := s.Build(context.Background(), auth.Claims{Roles: []string{auth.RoleAdmin}}, "", "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	out := r.CSV()
	if !bytes.HasPrefix(out, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("CSV starts %q, want the UTF-8 byte-order mark", out[:3])
	}
	rows, err := csv.NewReader(bytes.NewReader(out[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0][2] != "区划名称" || rows[1][2] != "株洲市" || rows[2][2] != "甲区" {
		t.Fatalf("CSV rows = %v, want a header, the city and its two counties", rows)
	}
	col := func(name string) int {
		for i, h := range rows[0] {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	if got := rows[1][col("覆盖率(%)")]; got != "66.7" {
		t.Errorf("city coverage cell = %q, want 66.7", got)
	}
	if got := rows[3][col("每千人指导员数")]; got != "" {
		t.Errorf("乙县 instructors per thousand = %q, want empty (no population)", got)
	}
	if got := rows[2][col("指导员达标(≥2‰)")]; got != "否" {
		t.Errorf("甲区 on target = %q, want 否", got)
	}
	if strings.Count(string(out), "\n") != 4 {
		t.Errorf("CSV has %d lines, want 4", strings.Count(string(out), "\n"))
	}
}
