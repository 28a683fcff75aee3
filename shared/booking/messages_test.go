package booking_test

import (
	"slices"
	"testing"

	"github.com/wentitong/wentitong/shared/booking"
)

func TestStillTrue(t *testing.T) {
	b := func(id string, st booking.Status) booking.Booking { return booking.Booking{ID: id, Status: st} }
	for _, tt := range []struct {
		kind  string
		now   booking.Booking
		found bool
		ok    bool
		why   string
	}{
		{booking.MsgConfirmed, b("s.1", booking.StatusConfirmed), true, true, ""},
		{booking.MsgConfirmed, b("s.1", booking.StatusCancelled), true, false, booking.NoLongerBooked},
		{booking.MsgConfirmed, b("s.2", booking.StatusConfirmed), true, false, booking.NoLongerBooked}, // cancelled and booked again
		{booking.MsgConfirmed, booking.Booking{}, false, false, booking.NoLongerBooked},
		{booking.MsgReminder, b("s.1", booking.StatusCancelled), true, false, booking.NoLongerBooked},
		{booking.MsgPromoted, b("s.1", booking.StatusWaitlisted), true, false, booking.NoLongerConfirmed},
		{booking.MsgBallotLost, b("s.1", booking.StatusWaitlisted), true, true, ""},
		{booking.MsgBallotLost, b("s.1", booking.StatusConfirmed), true, false, booking.NoLongerWaiting},
		{booking.MsgSlotGone, b("s.1", booking.StatusCancelled), true, true, ""},
		{booking.MsgCancelled, b("s.2", booking.StatusConfirmed), true, true, ""},
		{booking.MsgSuspended, booking.Booking{}, false, true, ""},
		{"volunteer_applied", booking.Booking{}, false, true, ""},
	} {
		if ok, why := booking.StillTrue(tt.kind, "s.1", tt.now, tt.found); ok != tt.ok || why != tt.why {
			t.Errorf("StillTrue(%s, s.1, %+v, %t) = %t %q, want %t %q", tt.kind, tt.now, tt.found, ok, why, tt.ok, tt.why)
		}
	}
	ids := booking.MessageIDs("s.1")
	for _, id := range []string{"s.1.booking_confirmed", "s.1.slot_cancelled", "s.1.reminder-24h", "s.1.reminder-2h"} {
		if !slices.Contains(ids, id) {
			t.Errorf("MessageIDs(s.1) = %v, want %s among them", ids, id)
		}
	}
}
