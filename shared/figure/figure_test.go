package figure

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func sc(achievement, influence, service, inheritance int) map[string]int {
	return map[string]int{"achievement": achievement, "influence": influence, "service": service, "inheritance": inheritance}
}

func TestTotal(t *testing.T) {
	for _, tt := range []struct {
		s    map[string]int
		want int
		err  error
	}{
		{sc(40, 25, 20, 15), 100, nil},
		{sc(0, 0, 0, 0), 0, nil},
		{sc(41, 25, 20, 15), 0, ErrScoresInvalid},
		{sc(40, 25, 20, -1), 0, ErrScoresInvalid},
		{map[string]int{"achievement": 40}, 0, ErrScoresInvalid},
	} {
		if got, err := Total(tt.s); got != tt.want || err != tt.err {
			t.Errorf("Total(%v) = %d, %v; want %d, %v", tt.s, got, err, tt.want, tt.err)
		}
	}
}

// The ranking orders by mean total, then by each criterion's mean in the published
// order, then by the earlier application, then by id; the top ten are selected; an
// application with too few scores is not ranked.
func TestRankTies(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	app := func(id string, minutes int) Application {
		return Application{ID: id, Name: id, SubmittedAt: t0.Add(time.Duration(minutes) * time.Minute)}
	}
	three := func(s map[string]int) []map[string]int { return []map[string]int{s, s, s} }
	apps := []Application{
		app("b-influence", 1), app("a-achievement", 2), // both 85: a-achievement has more achievement
		app("d-late", 5), app("c-early", 4), // identical scores: the earlier application wins
		app("f-same", 6), app("e-same", 6), // identical scores and time: the smaller id wins
		app("top", 9), app("two-scores", 0),
	}
	scores := map[string][]map[string]int{
		"b-influence":   three(sc(35, 25, 15, 10)),
		"a-achievement": three(sc(38, 22, 15, 10)),
		"d-late":        three(sc(30, 20, 15, 10)),
		"c-early":       three(sc(30, 20, 15, 10)),
		"f-same":        three(sc(20, 20, 10, 10)),
		"e-same":        three(sc(20, 20, 10, 10)),
		// Means 90, 90, 91: 90.33 overall.
		"top":        {sc(40, 20, 20, 10), sc(40, 20, 20, 10), sc(40, 21, 20, 10)},
		"two-scores": {sc(40, 25, 20, 15), sc(40, 25, 20, 15)},
	}
	got := Rank(apps, scores)
	var order []string
	for _, r := range got {
		order = append(order, r.ApplicationID)
	}
	want := []string{"top", "a-achievement", "b-influence", "c-early", "d-late", "e-same", "f-same", "two-scores"}
	if !slices.Equal(order, want) {
		t.Fatalf("Rank order = %v, want %v", order, want)
	}
	if got[0].Mean != 90.33 || got[0].Rank != 1 || !got[0].Selected || got[0].Scores != 3 {
		t.Errorf("first = %+v, want mean 90.33, rank 1, selected, 3 scores", got[0])
	}
	if last := got[len(got)-1]; last.Rank != 0 || last.Selected || last.Reason != "too_few_scores" {
		t.Errorf("two-scores = %+v, want unranked for too few scores", last)
	}

	// Twelve ranked applications: the top ten are selected.
	apps, scores = nil, map[string][]map[string]int{}
	for i := range 12 {
		id := fmt.Sprintf("app-%02d", i)
		apps = append(apps, app(id, i))
		scores[id] = three(sc(40-i, 20, 10, 10))
	}
	selected := 0
	for _, r := range Rank(apps, scores) {
		if r.Selected {
			selected++
			if r.Rank > TopN {
				t.Errorf("%s selected at rank %d", r.ApplicationID, r.Rank)
			}
		}
	}
	if selected != TopN {
		t.Errorf("%d selected, want %d", selected, TopN)
	}
}

func TestSetStatus(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	f := NewFigure(Application{ID: "f1", Name: "张三", Year: 2026}, Ranked{Rank: 3}, t0, "o-admin")
	if f.Status != StatusActive || len(f.History) != 1 || !f.NextReviewAt.Equal(t0.AddDate(3, 0, 0)) || !f.Public() {
		t.Fatalf("NewFigure = %+v", f)
	}
	if f.Due(t0.AddDate(3, 0, 0).Add(-time.Second)) || !f.Due(t0.AddDate(3, 0, 0)) {
		t.Errorf("review due wrongly around %v", f.NextReviewAt)
	}
	steps := []struct {
		status, reason string
		err            error
		public         bool
	}{
		{StatusHonorary, "年逾八十，转为荣誉", nil, true},
		{"retired", "x", ErrStatusInvalid, true},
		{StatusRevoked, "", ErrStatusInvalid, true},
		{StatusRevoked, "违反公序良俗", nil, false},
		{StatusActive, "复核恢复", nil, true},
		{StatusDeceased, "因病逝世", nil, true},
		{StatusActive, "误报", ErrStatusInvalid, true}, // nothing follows deceased
	}
	at := t0
	for _, st := range steps {
		at = at.AddDate(0, 1, 0)
		got, err := f.SetStatus(st.status, st.reason, "o-admin", at)
		if err != st.err {
			t.Fatalf("SetStatus(%s, %q) = %v, want %v", st.status, st.reason, err, st.err)
		}
		if err != nil {
			continue
		}
		if got.Status != st.status || got.Public() != st.public || len(got.History) != len(f.History)+1 || got.History[len(got.History)-1].Reason != st.reason {
			t.Errorf("SetStatus(%s): %+v", st.status, got)
		}
		f = got
	}
	if f.Due(at.AddDate(10, 0, 0)) {
		t.Errorf("a deceased figure is due for review")
	}
}

func TestCallOpen(t *testing.T) {
	opens := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	c := Call{Year: 2026, OpensAt: opens, ClosesAt: opens.AddDate(0, 1, 0), Panel: []string{"a", "b", "c"}}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		at   time.Time
		want bool
	}{{opens.Add(-time.Second), false}, {opens, true}, {c.ClosesAt.Add(-time.Second), true}, {c.ClosesAt, false}} {
		if got := c.Open(tt.at); got != tt.want {
			t.Errorf("Open(%v) = %v, want %v", tt.at, got, tt.want)
		}
	}
	bad := c
	bad.Panel = []string{"a", "b"}
	if bad.Validate() != ErrCallInvalid {
		t.Errorf("a panel of two validated")
	}
}
