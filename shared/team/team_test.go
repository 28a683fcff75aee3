package team

import (
	"testing"
	"time"
)

func scores(scale, regularity, quality, service, management int) map[string]int {
	return map[string]int{"scale": scale, "regularity": regularity, "quality": quality, "service": service, "management": management}
}

func TestCriteriaAddUpTo100(t *testing.T) {
	sum := 0
	for _, c := range Criteria {
		sum += c.Max
	}
	if sum != 100 {
		t.Errorf("criteria maxima add up to %d, want 100", sum)
	}
}

func TestStars(t *testing.T) {
	tests := []struct {
		scores map[string]int
		total  int
		stars  int
		err    error
	}{
		{scores(20, 20, 25, 20, 15), 100, 5, nil},
		{scores(18, 18, 22, 18, 14), 90, 5, nil},
		{scores(18, 18, 22, 18, 13), 89, 4, nil},
		{scores(15, 15, 20, 15, 10), 75, 4, nil},
		{scores(15, 15, 19, 15, 10), 74, 3, nil},
		{scores(12, 12, 15, 12, 9), 60, 3, nil},
		{scores(9, 9, 12, 9, 6), 45, 2, nil},
		{scores(9, 9, 11, 9, 6), 44, 1, nil},
		{scores(0, 0, 0, 0, 0), 0, 1, nil},
		{scores(21, 20, 25, 20, 15), 0, 0, ErrScoresInvalid},                                                  // over a maximum
		{scores(-1, 20, 25, 20, 15), 0, 0, ErrScoresInvalid},                                                  // negative
		{map[string]int{"scale": 20, "regularity": 20, "quality": 25, "service": 20}, 0, 0, ErrScoresInvalid}, // one missing
		{map[string]int{"scale": 20, "regularity": 20, "quality": 25, "service": 20, "looks": 15}, 0, 0, ErrScoresInvalid},
	}
	for _, tt := range tests {
		total, err := Total(tt.scores)
		if err != tt.err || total != tt.total {
			t.Errorf("Total(%v) = %d, %v; want %d, %v", tt.scores, total, err, tt.total, tt.err)
			continue
		}
		if err == nil && StarsFor(total) != tt.stars {
			t.Errorf("StarsFor(%d) = %d, want %d", total, StarsFor(total), tt.stars)
		}
	}
}

// A team is rated after approval, re-rated only from two years later, up or down, and
// keeps every rating in its history.
func TestRerating(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	tm := Team{Status: StatusPending}
	if _, err := tm.Rate(scores(20, 20, 25, 20, 15), "o-s", t0); err != ErrNotApproved {
		t.Fatalf("Rate(pending) = %v, want ErrNotApproved", err)
	}
	tm.Status = StatusApproved
	if !tm.Due(t0) {
		t.Errorf("an approved unrated team is not due")
	}
	steps := []struct {
		at     time.Time
		scores map[string]int
		stars  int
		change string
		err    error
	}{
		{t0, scores(15, 15, 20, 15, 10), 4, "first", nil},
		{t0.AddDate(1, 0, 0), scores(20, 20, 25, 20, 15), 4, "", ErrRatingNotDue},
		{t0.AddDate(2, 0, 0).Add(-time.Second), scores(20, 20, 25, 20, 15), 4, "", ErrRatingNotDue},
		{t0.AddDate(2, 0, 0), scores(20, 20, 25, 20, 15), 5, "up", nil},
		{t0.AddDate(4, 1, 0), scores(9, 9, 12, 9, 6), 2, "down", nil},
		{t0.AddDate(6, 1, 0), scores(9, 9, 12, 9, 6), 2, "same", nil},
	}
	history := 0
	for _, st := range steps {
		got, err := tm.Rate(st.scores, "o-s", st.at)
		if err != st.err {
			t.Fatalf("Rate at %v = %v, want %v", st.at, err, st.err)
		}
		if err != nil {
			if tm.Due(st.at) {
				t.Errorf("Due(%v) = true while rating is refused", st.at)
			}
			continue
		}
		history++
		last := got.History[len(got.History)-1]
		if got.Stars != st.stars || last.Change != st.change || len(got.History) != history ||
			!got.NextReviewAt.Equal(st.at.AddDate(2, 0, 0)) || !got.RatedAt.Equal(st.at) {
			t.Errorf("Rate at %v: %d stars (%s), %d ratings, next review %v; want %d (%s), %d, %v",
				st.at, got.Stars, last.Change, len(got.History), got.NextReviewAt, st.stars, st.change, history, st.at.AddDate(2, 0, 0))
		}
		if len(tm.History) == len(got.History) {
			t.Errorf("Rate changed the team it was called on")
		}
		tm = got
	}
}

func TestTeamValidate(t *testing.T) {
	ok := Team{Name: "荷塘区夕阳红合唱团", Category: "choir", DistrictID: "430202", MemberCount: 36,
		Leader: Leader{Name: "李红", Phone: "13800000000"}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
	for name, change := range map[string]func(*Team){
		"no name":          func(t *Team) { t.Name = "" },
		"unknown category": func(t *Team) { t.Category = "esports" },
		"no district":      func(t *Team) { t.DistrictID = "" },
		"no leader":        func(t *Team) { t.Leader.Name = "" },
		"bad phone":        func(t *Team) { t.Leader.Phone = "call me" },
		"two members":      func(t *Team) { t.MemberCount = 2 },
		"too many members": func(t *Team) { t.MemberCount = 1001 },
	} {
		bad := ok
		change(&bad)
		if err := bad.Validate(); err != ErrTeamInvalid {
			t.Errorf("%s: Validate() = %v, want ErrTeamInvalid", name, err)
		}
	}
}
