// Package evaluation is what residents think of the city's culture and sports services:
// post-visit ratings rolled up into a satisfaction index, and feedback tickets that staff
// answer within a deadline.
package evaluation

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/fault"
)

// Period returns the month t falls in, in China Standard Time: "2026-11".
func Period(t time.Time) string { return t.In(beijing.Zone).Format("2006-01") }

// AllTime is the period that accumulates every rating.
const AllTime = "all"

// ValidPeriod reports whether p is AllTime, a year "YYYY" or a month "YYYY-MM".
func ValidPeriod(p string) bool {
	if p == AllTime {
		return true
	}
	if len(p) == 4 {
		_, err := time.Parse("2006", p)
		return err == nil
	}
	_, err := time.Parse("2006-01", p)
	return err == nil && len(p) == 7
}

// Months returns the months of a year period ("2026": 2026-01 … 2026-12), or nil for a
// month or all time: a year's tally is the sum of its months'.
func Months(p string) []string {
	if len(p) != 4 || !ValidPeriod(p) {
		return nil
	}
	out := make([]string, 12)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%02d", p, i+1)
	}
	return out
}

// Errors of ratings.
var (
	ErrRatingInvalid  = fault.New(fault.Invalid, "rating_invalid", "评分应为 1 到 5 星，留言不超过 500 字")
	ErrAlreadyRated   = fault.New(fault.Conflict, "already_rated", "您已评价过该活动")
	ErrNotAttended    = fault.New(fault.Forbidden, "not_attended", "参加活动后才能评价")
	ErrSubjectInvalid = fault.New(fault.Invalid, "subject_invalid", "评价对象无效：应为某个活动、场馆或行政区划")
	ErrPeriodInvalid  = fault.New(fault.Invalid, "period_invalid", "统计周期无效：应为全部、某年（如 2026）或某年某月（如 2026-11）")
)

// LowScore is the highest score that alerts the venue's staff.
const LowScore = 2

// Rating is a resident's score of an activity they attended, 1 to 5 stars. Its venue and
// district come from the activity.
type Rating struct {
	ID           string    `json:"id"`
	OpenID       string    `json:"-"`
	ActivityID   string    `json:"activityId"`
	VenueID      string    `json:"venueId"`
	DistrictPath string    `json:"-"`
	Score        int       `json:"score"`
	Comment      string    `json:"comment,omitempty" input:"long"`
	CreatedAt    time.Time `json:"createdAt"`
}

// Validate reports ErrRatingInvalid unless the rating names its rater and activity, has
// a score of 1 to 5 and a comment of at most 500 characters.
func (r Rating) Validate() error {
	if r.OpenID == "" || r.ActivityID == "" || r.Score < 1 || r.Score > 5 || utf8.RuneCountInString(r.Comment) > 500 {
		return ErrRatingInvalid
	}
	return nil
}

// Low reports whether the rating alerts the venue's staff.
func (r Rating) Low() bool { return r.Score <= LowScore }

// Subjects returns what the rating counts towards: its activity, its venue, and every
// district from its venue's up to the city ("district:<id>").
func (r Rating) Subjects() []string {
	out := []string{"activity:" + r.ActivityID}
	if r.VenueID != "" {
		out = append(out, "venue:"+r.VenueID)
	}
	if r.DistrictPath != "" {
		for _, id := range strings.Split(r.DistrictPath, "/") {
			out = append(out, "district:"+id)
		}
	}
	return out
}

// ValidSubject reports whether s is "activity:<id>", "venue:<id>" or "district:<id>".
func ValidSubject(s string) bool {
	kind, id, ok := strings.Cut(s, ":")
	return ok && id != "" && len(id) <= 64 && !strings.ContainsAny(id, "#/") &&
		(kind == "activity" || kind == "venue" || kind == "district")
}

// MinSample is the number of ratings below which no index is published: a handful of
// ratings says more about the raters than about the service.
const MinSample = 10

// Tally is the running count of a subject's ratings in a period.
type Tally struct {
	N     int    // ratings
	Sum   int    // of their scores
	Stars [5]int // Stars[i]: ratings of i+1 stars
}

// Add counts one score.
func (t *Tally) Add(score int) {
	t.N++
	t.Sum += score
	t.Stars[score-1]++
}

// Satisfaction is a subject's published satisfaction in a period.
//
// The index is the mean score mapped linearly onto 0–100 (1 star is 0, 5 stars is 100):
//
//	index = 100 × (sum/n − 1) / 4
//
// and the satisfied percentage is the share of ratings with 4 or 5 stars. Both are given
// (rounded to one decimal) only when n ≥ MinSample; below it Sufficient is false and
// they are omitted.
type Satisfaction struct {
	Subject          string   `json:"subject"`
	Period           string   `json:"period"`
	Ratings          int      `json:"ratings"`
	Stars            [5]int   `json:"stars"`
	Sufficient       bool     `json:"sufficient"`
	MinSample        int      `json:"minSample"`
	Mean             *float64 `json:"mean,omitempty"`
	Index            *float64 `json:"index,omitempty"`
	SatisfiedPercent *float64 `json:"satisfiedPercent,omitempty"`
}

// Satisfaction publishes the tally of subject in period.
func (t Tally) Satisfaction(subject, period string) Satisfaction {
	s := Satisfaction{Subject: subject, Period: period, Ratings: t.N, Stars: t.Stars, MinSample: MinSample}
	if t.N < MinSample {
		return s
	}
	mean := float64(t.Sum) / float64(t.N)
	index := round1(100 * (mean - 1) / 4)
	share := round1(100 * float64(t.Stars[3]+t.Stars[4]) / float64(t.N))
	mean = round1(mean)
	s.Sufficient, s.Mean, s.Index, s.SatisfiedPercent = true, &mean, &index, &share
	return s
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
