package assessment

import (
	"errors"
	"testing"
)

func ptr(f float64) *float64 { return &f }

func scheme() Scheme {
	return Scheme{Year: 2026, Level: LevelCounty, Selection: Selection{Count: 2, MinScore: 60},
		Indicators: []Indicator{
			{ID: "sessions", Name: "场次", Weight: 40, Measure: MeasureSessions, Target: 100},
			{ID: "sat", Name: "满意度", Weight: 30, Measure: MeasureSatisfaction, Target: 90},
			{ID: "self", Name: "制度建设", Weight: 30, Measure: MeasureSelf, Target: 10},
		}}
}

func TestSchemeValidate(t *testing.T) {
	bad := map[string]func(*Scheme){
		"weights off 100":      func(s *Scheme) { s.Indicators[0].Weight = 39 },
		"zero target":          func(s *Scheme) { s.Indicators[1].Target = 0 },
		"duplicate id":         func(s *Scheme) { s.Indicators[2].ID = "sat" },
		"measure not of level": func(s *Scheme) { s.Indicators[0].Measure = MeasureActivities },
		"unknown measure":      func(s *Scheme) { s.Indicators[0].Measure = "wishes" },
		"unknown level":        func(s *Scheme) { s.Level = "province" },
		"no indicators":        func(s *Scheme) { s.Indicators = nil },
		"negative count":       func(s *Scheme) { s.Selection.Count = -1 },
		"bad id":               func(s *Scheme) { s.Indicators[0].ID = "A B" },
		"empty name":           func(s *Scheme) { s.Indicators[0].Name = "  " },
	}
	if err := scheme().Validate(); err != nil {
		t.Fatalf("valid scheme: %v", err)
	}
	for name, spoil := range bad {
		s := scheme()
		s.Indicators = append([]Indicator(nil), s.Indicators...)
		spoil(&s)
		if err := s.Validate(); !errors.Is(err, ErrSchemeInvalid) {
			t.Errorf("%s: Validate() = %v, want ErrSchemeInvalid", name, err)
		}
	}
}

func TestPoints(t *testing.T) {
	in := Indicator{Weight: 30, Target: 90}
	for _, c := range []struct {
		v    *float64
		want float64
	}{{nil, 0}, {ptr(0), 0}, {ptr(-5), 0}, {ptr(45), 15}, {ptr(90), 30}, {ptr(120), 30}, {ptr(30), 10}, {ptr(1), 0.33}} {
		if got := in.Points(c.v); got != c.want {
			t.Errorf("Points(%v) = %v, want %v", c.v, got, c.want)
		}
	}
}

func TestScoreRanksAndSelects(t *testing.T) {
	s := scheme()
	units := []Unit{
		{ID: "c", Lines: []Line{{Indicator: "sessions", Value: ptr(100)}, {Indicator: "sat", Value: ptr(90)}}},                                     // 70
		{ID: "a", Lines: []Line{{Indicator: "sessions", Value: ptr(50)}, {Indicator: "sat", Value: ptr(45)}, {Indicator: "self", Value: ptr(10)}}}, // 20+15+30 = 65
		{ID: "b", Lines: []Line{{Indicator: "sessions", Value: ptr(200)}, {Indicator: "sat", Value: ptr(90)}}},                                     // 70
		{ID: "d", Lines: []Line{{Indicator: "sessions", Value: ptr(10)}}},                                                                          // 4
		{ID: "e"},
	}
	got := Score(s, units)
	want := []struct {
		id       string
		total    float64
		rank     int
		selected bool
	}{{"b", 70, 1, true}, {"c", 70, 1, true}, {"a", 65, 3, false}, {"d", 4, 4, false}, {"e", 0, 5, false}}
	for i, w := range want {
		u := got[i]
		if u.ID != w.id || u.Total != w.total || u.Rank != w.rank || u.Selected != w.selected {
			t.Errorf("Score()[%d] = %s total %v rank %d selected %v, want %s %v %d %v", i, u.ID, u.Total, u.Rank, u.Selected, w.id, w.total, w.rank, w.selected)
		}
		if len(u.Lines) != len(s.Indicators) {
			t.Errorf("%s has %d lines, want one per indicator", u.ID, len(u.Lines))
		}
	}
	// Scoring the published result again gives it back.
	again := Score(s, got)
	for i := range got {
		if again[i].ID != got[i].ID || again[i].Total != got[i].Total || again[i].Rank != got[i].Rank || again[i].Selected != got[i].Selected {
			t.Errorf("rescored %d = %+v, want %+v", i, again[i], got[i])
		}
	}
	// A threshold above everyone selects nobody.
	s.Selection.MinScore = 80
	for _, u := range Score(s, units) {
		if u.Selected {
			t.Errorf("%s selected with %v under a minimum of 80", u.ID, u.Total)
		}
	}
}

func TestScoreRoundsValuesBeforeScoring(t *testing.T) {
	s := Scheme{Level: LevelCounty, Indicators: []Indicator{{ID: "r", Weight: 100, Measure: MeasureAttendanceRate, Target: 3}}}
	got := Score(s, []Unit{{ID: "x", Lines: []Line{{Indicator: "r", Value: ptr(1.04)}}}})
	// 1.04 is published as 1.0, which earns 33.33, not 34.67.
	if v := *got[0].Lines[0].Value; v != 1.0 || got[0].Total != 33.33 {
		t.Errorf("Score() value %v total %v, want 1.0 and 33.33", v, got[0].Total)
	}
}
