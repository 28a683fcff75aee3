package report

import (
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/volunteer"
)

func TestFacts(t *testing.T) {
	start := time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC) // 1 December, 01:00 in Beijing
	b := booking.Booking{OpenID: "o-1", PartySize: 2, Status: booking.StatusConfirmed, StartsAt: start}
	at := Place{District: directory.District{ID: "k", Path: "c/k", Level: directory.LevelCounty}, VenueID: "lib"}
	in := BookingFacts(b, at)
	got := Expand(in)
	for c, want := range map[Count]int{
		{MetricBookings, "c", "2026-12", ""}: 2, {MetricBookings, "k", "all", ""}: 2, {MetricBookings, "k", "2026", ""}: 2,
		{MetricUniqueResidents, "k", "2026-12", "o-1"}: 1, {MetricBookings, "venue:lib", "2026", ""}: 2,
		{MetricUniqueResidents, "venue:lib", "2026", "o-1"}: 1, {MetricBookings, "k", "2025", ""}: 0,
	} {
		if got[c] != want {
			t.Errorf("Expand(confirmed booking)[%+v] = %d, want %d", c, got[c], want)
		}
	}
	if n := len(got); n != 18 {
		t.Errorf("a booking two districts deep moves %d counts, want 18 (2 metrics × (2 districts + the venue) × 3 periods)", n)
	}
	checked := b
	checked.CheckedInAt = start
	if d := Diff(in, BookingFacts(checked, at)); len(d) != 9 || d[Count{MetricAttendance, "c", "2026-12", ""}] != 2 || d[Count{MetricAttendance, "venue:lib", "all", ""}] != 2 {
		t.Errorf("Diff(admitted at the door) = %v, want +2 attendance in each district, the venue and each period", d)
	}
	for _, tt := range []struct {
		name    string
		status  booking.Status
		by      string
		counted bool
	}{
		{"cancelled by the resident", booking.StatusCancelled, booking.ByResident, false},
		{"cancelled by the organiser", booking.StatusCancelled, booking.ByOrganiser, false},
		{"released as a no-show", booking.StatusCancelled, booking.ByNoShow, true},
		{"waiting", booking.StatusWaitlisted, "", false},
		{"in a ballot", booking.StatusBalloted, "", false},
	} {
		x := b
		x.Status, x.CancelledBy = tt.status, tt.by
		if got := len(BookingFacts(x, at)) > 0; got != tt.counted {
			t.Errorf("a booking %s counts: %t, want %t", tt.name, got, tt.counted)
		}
	}
	if d := Diff(in, in); len(d) != 0 {
		t.Errorf("Diff(same facts) = %v, want nothing", d)
	}

	village := Place{District: directory.District{ID: "v", Path: "c/k/t/v", Level: directory.LevelVillage}, VenueID: "hall"}
	slot := booking.Slot{ActivityID: "a", StartsAt: start, Status: booking.SlotScheduled}
	got = Expand(SlotFacts(slot, village))
	for c, want := range map[Count]int{
		{MetricActiveVillages, "k", "2026", "v"}: 1, {MetricSessions, "c", "2026-12", ""}: 1, {MetricSessions, "venue:hall", "2026", ""}: 1,
		{MetricActivities, "venue:hall", "all", "a"}: 1, {MetricActivities, "k", "all", "a"}: 0,
	} {
		if got[c] != want {
			t.Errorf("Expand(village slot)[%+v] = %d, want %d", c, got[c], want)
		}
	}
	slot.Status = booking.SlotCancelled
	if f := SlotFacts(slot, village); len(f) != 0 {
		t.Errorf("SlotFacts(cancelled) = %+v, want none", f)
	}
	township := Place{District: directory.District{ID: "t", Path: "c/k/t", Level: directory.LevelTownship}}
	for _, f := range SlotFacts(booking.Slot{StartsAt: start}, township) {
		if f.Metric != MetricSessions {
			t.Errorf("SlotFacts(township slot without a venue) has %+v, want sessions only", f)
		}
	}

	v := volunteer.Volunteer{DistrictPath: "c/k", Status: volunteer.StatusActive, Category: volunteer.CategorySportsInstructor}
	got = Expand(VolunteerFacts(v, []string{"2026-10", "2026-11"}))
	if got[Count{MetricVolunteersRegistered, "k", "all", ""}] != 1 || got[Count{MetricSportsInstructors, "c", "all", ""}] != 1 ||
		got[Count{MetricVolunteersActive, "k", "2026-11", ""}] != 1 || got[Count{MetricVolunteersActive, "c", "all", ""}] != 1 ||
		got[Count{MetricVolunteersActive, "k", "2026", ""}] != 1 ||
		got[Count{MetricVolunteersRegistered, "k", "2026-11", ""}] != 0 {
		t.Errorf("Expand(active instructor who served in October and November) = %v", got)
	}
	v.Status = volunteer.StatusSuspended
	if got := Expand(VolunteerFacts(v, nil)); len(got) != 0 {
		t.Errorf("a suspended volunteer who never served counts %v, want nothing", got)
	}
}
