package evaluation

import (
	"slices"
	"testing"
	"time"
)

func ptr(f float64) *float64 { return &f }

func TestSatisfactionIndex(t *testing.T) {
	tally := func(scores ...int) Tally {
		var t Tally
		for _, s := range scores {
			t.Add(s)
		}
		return t
	}
	repeat := func(score, n int) []int { return slices.Repeat([]int{score}, n) }
	tests := []struct {
		name                   string
		t                      Tally
		mean, index, satisfied *float64 // nil: not published
	}{
		{"nobody", Tally{}, nil, nil, nil},
		{"below the minimum sample", tally(repeat(5, MinSample-1)...), nil, nil, nil},
		{"all five stars", tally(repeat(5, MinSample)...), ptr(5), ptr(100), ptr(100)},
		{"all one star", tally(repeat(1, MinSample)...), ptr(1), ptr(0), ptr(0)},
		{"all three stars", tally(repeat(3, 12)...), ptr(3), ptr(50), ptr(0)},
		// 4+4+5+5+5+3+2+1+4+5 = 38 over 10: mean 3.8, index 100 × 2.8 / 4 = 70, 4–5 stars 7/10.
		{"mixed", tally(4, 4, 5, 5, 5, 3, 2, 1, 4, 5), ptr(3.8), ptr(70), ptr(70)},
		// 11 × 4 + 1 × 1 = 45 over 12: mean 3.75, index 68.75 → 68.8, 11/12 = 91.67% → 91.7.
		{"rounded", tally(append(repeat(4, 11), 1)...), ptr(3.8), ptr(68.8), ptr(91.7)},
	}
	eq := func(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }
	show := func(f *float64) any {
		if f == nil {
			return "unpublished"
		}
		return *f
	}
	for _, tt := range tests {
		s := tt.t.Satisfaction("venue:v1", "2026-11")
		if !eq(s.Mean, tt.mean) || !eq(s.Index, tt.index) || !eq(s.SatisfiedPercent, tt.satisfied) || s.Sufficient != (tt.index != nil) {
			t.Errorf("%s: mean %v, index %v, satisfied %v%%, sufficient %v; want %v, %v, %v%%",
				tt.name, show(s.Mean), show(s.Index), show(s.SatisfiedPercent), s.Sufficient, show(tt.mean), show(tt.index), show(tt.satisfied))
		}
		if s.Ratings != tt.t.N || s.MinSample != MinSample {
			t.Errorf("%s: ratings %d, min sample %d; want %d, %d", tt.name, s.Ratings, s.MinSample, tt.t.N, MinSample)
		}
	}
}

func TestPeriod(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 11, 30, 15, 59, 0, 0, time.UTC), "2026-11"},
		{time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC), "2026-12"}, // midnight in Zhuzhou
		{time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC), "2027-01"},
	}
	for _, tt := range tests {
		if got := Period(tt.t); got != tt.want {
			t.Errorf("Period(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
	for p, ok := range map[string]bool{"all": true, "2026-11": true, "2026": true, "26": false, "20x6": false, "2026-13": false, "2026-1": false, "": false, "2026-11-01": false} {
		if ValidPeriod(p) != ok {
			t.Errorf("ValidPeriod(%q) = %v, want %v", p, !ok, ok)
		}
	}
}

func TestRating(t *testing.T) {
	ok := Rating{OpenID: "o-1", ActivityID: "a1", Score: 4}
	for _, tt := range []struct {
		name string
		r    Rating
		ok   bool
	}{
		{"valid", ok, true},
		{"zero stars", Rating{OpenID: "o-1", ActivityID: "a1", Score: 0}, false},
		{"six stars", Rating{OpenID: "o-1", ActivityID: "a1", Score: 6}, false},
		{"no activity", Rating{OpenID: "o-1", Score: 3}, false},
		{"no rater", Rating{ActivityID: "a1", Score: 3}, false},
		{"long comment", Rating{OpenID: "o-1", ActivityID: "a1", Score: 3, Comment: string(slices.Repeat([]rune("好"), 501))}, false},
		{"500 characters", Rating{OpenID: "o-1", ActivityID: "a1", Score: 3, Comment: string(slices.Repeat([]rune("好"), 500))}, true},
	} {
		if err := tt.r.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
	r := Rating{ActivityID: "a1", VenueID: "v1", DistrictPath: "430200/430211/430211001", Score: 2}
	want := []string{"activity:a1", "venue:v1", "district:430200", "district:430211", "district:430211001"}
	if got := r.Subjects(); !slices.Equal(got, want) {
		t.Errorf("Subjects() = %v, want %v", got, want)
	}
	if !r.Low() || (Rating{Score: 3}).Low() {
		t.Errorf("Low(): 2 stars should alert, 3 should not")
	}
	for s, ok := range map[string]bool{"venue:v1": true, "district:430200": true, "activity:a": true, "venue:": false, "user:o-1": false, "venue:a#b": false, "v1": false} {
		if ValidSubject(s) != ok {
			t.Errorf("ValidSubject(%q) = %v, want %v", s, !ok, ok)
		}
	}
}

func TestTicket(t *testing.T) {
	filed := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	tk := Ticket{OpenID: "o-1", Category: "complaint", Text: "空调太冷", DistrictID: "430200", Status: TicketOpen,
		CreatedAt: filed, DueAt: filed.Add(ResponseTime)}
	if err := tk.Validate(); err != nil {
		t.Errorf("Validate() = %v", err)
	}
	for name, bad := range map[string]func(*Ticket){
		"no text":          func(t *Ticket) { t.Text = "" },
		"long text":        func(t *Ticket) { t.Text = string(slices.Repeat([]rune("长"), 1001)) },
		"unknown category": func(t *Ticket) { t.Category = "spam" },
		"no district":      func(t *Ticket) { t.DistrictID = "" },
		"no author":        func(t *Ticket) { t.OpenID = "" },
	} {
		b := tk
		bad(&b)
		if err := b.Validate(); err != ErrTicketInvalid {
			t.Errorf("%s: Validate() = %v, want ErrTicketInvalid", name, err)
		}
	}
	for _, tt := range []struct {
		at     time.Duration
		status string
		want   bool
	}{{71 * time.Hour, TicketOpen, false}, {72 * time.Hour, TicketOpen, false}, {73 * time.Hour, TicketOpen, true}, {100 * time.Hour, TicketAnswered, false}} {
		tk.Status = tt.status
		if got := tk.Overdue(filed.Add(tt.at)); got != tt.want {
			t.Errorf("Overdue(+%v, %s) = %v, want %v", tt.at, tt.status, got, tt.want)
		}
	}
}
