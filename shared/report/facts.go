package report

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/volunteer"
)

// Fact is what one item contributes to the report counters now: N to Metric for every
// district of Path (ids from the root joined by "/") in each of Periods. A fact with a
// Member counts distinct members: the metric of a district and period is the number of
// members with a positive total there (a resident with two bookings in a month is one
// participating resident).
//
// Counters are the sum of the facts of every item. The platform keeps them so by
// applying, whenever an item changes, the difference between its facts now and the
// facts it had contributed (Diff); reconciliation recomputes the sum from the items.
type Fact struct {
	Metric  string   `json:"m"`
	Path    string   `json:"p"`
	Periods []string `json:"t"`
	Member  string   `json:"u,omitempty"`
	N       int      `json:"n"`
}

// Count is one counter a fact moves: a metric of a district and period, and for a
// distinct metric, one member's total in it.
type Count struct {
	Metric, District, Period, Member string
}

// Expand returns what the facts add to each count (zero totals left out).
func Expand(facts []Fact) map[Count]int {
	out := map[Count]int{}
	for _, f := range facts {
		if f.N == 0 || f.Path == "" {
			continue
		}
		for _, d := range strings.Split(f.Path, "/") {
			for _, p := range f.Periods {
				c := Count{Metric: f.Metric, District: d, Period: p, Member: f.Member}
				if out[c] += f.N; out[c] == 0 {
					delete(out, c)
				}
			}
		}
	}
	return out
}

// Diff returns what moving from the facts before to the facts after adds to each count
// (zero changes left out).
func Diff(before, after []Fact) map[Count]int {
	out := Expand(after)
	for c, n := range Expand(before) {
		if out[c] -= n; out[c] == 0 {
			delete(out, c)
		}
	}
	return out
}

// Counts sorts counts by metric, district, period and member, for stable output.
func Counts(m map[Count]int) []Count {
	out := make([]Count, 0, len(m))
	for c := range m {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.Metric != b.Metric:
			return a.Metric < b.Metric
		case a.District != b.District:
			return a.District < b.District
		case a.Period != b.Period:
			return a.Period < b.Period
		}
		return a.Member < b.Member
	})
	return out
}

// periods is the month and the year of t (Beijing time) and all time.
func periods(t time.Time) []string {
	return []string{evaluation.Period(t), Year(t), evaluation.AllTime}
}

// Year returns the year t falls in, in Beijing time: "2026", the period of a year's
// counters (a yearly assessment reads them).
func Year(t time.Time) string { return t.In(beijing.Zone).Format("2006") }

// VenueKey is the key under which a venue's counters are kept, beside the districts'
// ("venue:<id>"): a fact for a venue has it as its path, so it counts for the venue
// alone. An institution's figures add up the counters of the venues it owns.
func VenueKey(venueID string) string { return "venue:" + venueID }

// Place is where an activity is held: the district (its own, else its venue's) and the
// venue ("" when it has none).
type Place struct {
	District directory.District
	VenueID  string
}

// standing is all time only: figures that stand rather than happen (registrations).
var standing = []string{evaluation.AllTime}

// Counted reports whether a booking counts as booked: confirmed, or released as a
// no-show (a booked place nobody came for still counts against attendance). Bookings
// cancelled by the resident or the organiser, waiting and balloted ones do not.
func Counted(b booking.Booking) bool {
	return b.Status == booking.StatusConfirmed || b.Status == booking.StatusCancelled && b.CancelledBy == booking.ByNoShow
}

// BookingFacts are what a booking counts for in every district of its activity's place
// and at its venue: its places as bookings (人次) and, once admitted at the door, as
// attendance, and its holder as a participating resident, in the month and year of the
// slot's start.
func BookingFacts(b booking.Booking, at Place) []Fact {
	if !Counted(b) {
		return nil
	}
	var out []Fact
	for _, path := range at.paths() {
		when := periods(b.StartsAt)
		out = append(out,
			Fact{Metric: MetricBookings, Path: path, Periods: when, N: b.PartySize},
			Fact{Metric: MetricUniqueResidents, Path: path, Periods: when, Member: b.OpenID, N: 1})
		if !b.CheckedInAt.IsZero() {
			out = append(out, Fact{Metric: MetricAttendance, Path: path, Periods: when, N: b.PartySize})
		}
	}
	return out
}

// paths are the paths a fact of the place counts on: its district's and its venue's.
func (p Place) paths() []string {
	var out []string
	if p.District.Path != "" {
		out = append(out, p.District.Path)
	}
	if p.VenueID != "" {
		out = append(out, VenueKey(p.VenueID))
	}
	return out
}

// SlotFacts are what a slot of activity counts for while it is not cancelled: a session
// held in every district of its place and at its venue, its activity as one held at the
// venue, and, held in a village, the village as active; all in the month and year of
// its start.
func SlotFacts(s booking.Slot, at Place) []Fact {
	if s.Status == booking.SlotCancelled {
		return nil
	}
	when := periods(s.StartsAt)
	var out []Fact
	for _, path := range at.paths() {
		out = append(out, Fact{Metric: MetricSessions, Path: path, Periods: when, N: 1})
	}
	if at.VenueID != "" && s.ActivityID != "" {
		out = append(out, Fact{Metric: MetricActivities, Path: VenueKey(at.VenueID), Periods: when, Member: s.ActivityID, N: 1})
	}
	if d := at.District; d.Level == directory.LevelVillage {
		out = append(out, Fact{Metric: MetricActiveVillages, Path: d.Path, Periods: when, Member: d.ID, N: 1})
	}
	return out
}

// VolunteerFacts are what a volunteer counts for in their district: registered (在册)
// while active, as a social sports instructor too when that is their category, and
// active in each month and year they served (served lists those months, "YYYY-MM") and
// in all time once they served at all.
func VolunteerFacts(v volunteer.Volunteer, served []string) []Fact {
	var out []Fact
	if v.Status == volunteer.StatusActive {
		out = append(out, Fact{Metric: MetricVolunteersRegistered, Path: v.DistrictPath, Periods: standing, N: 1})
		if v.Category == volunteer.CategorySportsInstructor {
			out = append(out, Fact{Metric: MetricSportsInstructors, Path: v.DistrictPath, Periods: standing, N: 1})
		}
	}
	if len(served) > 0 {
		when := slices.Clone(served)
		for _, m := range served {
			if !slices.Contains(when, m[:4]) {
				when = append(when, m[:4]) // the year of a month served
			}
		}
		out = append(out, Fact{Metric: MetricVolunteersActive, Path: v.DistrictPath, Periods: append(when, evaluation.AllTime), N: 1})
	}
	return out
}

// FailedFacts are what a message given up on counts for: a failed notification of the
// city (root, the path of the root district) in the month it failed.
func FailedFacts(root string, failedAt time.Time) []Fact {
	return []Fact{{Metric: MetricNotificationsFailed, Path: root, Periods: periods(failedAt), N: 1}}
}
