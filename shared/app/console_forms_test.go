package app_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/apptest"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/volunteer"
)

// The console's forms do what their pages say, through the same domain services as the
// JSON routes: a session with a ballot and seat rows, a weekly timetable's sessions, a
// cancellation every holder is told of, a no-show's suspension lifted with the reason,
// an application rejected with the reason the applicant is told, honour hours kept
// with their reason. A form refused keeps the page and changes nothing.
func TestConsoleFormsDoWhatTheySay(t *testing.T) {
	w := newArena(t)
	ctx := context.Background()
	svc := apptest.Bookings(t, w.a)
	submit := func(as caller, path string, kv ...string) *http.Response {
		t.Helper()
		return w.send(as, post(path, form(kv...))).Result()
	}
	redirected := func(res *http.Response, what string) string {
		t.Helper()
		if res.StatusCode != http.StatusSeeOther {
			body, _ := io.ReadAll(res.Body)
			t.Fatalf("%s answered %d, want 303 to the next page: %s", what, res.StatusCode, notice.FindString(string(body)))
		}
		return res.Header.Get("Location")
	}

	// A ballot, and a hall with seat rows (whose places are its seats).
	act := w.activity("film")
	start := w.now.Add(72 * time.Hour)
	made := func(what string, kv ...string) booking.Slot {
		t.Helper()
		loc := redirected(submit(staffIn, "/h5/admin/activities/"+act+"/slots", append([]string{"startsAt", local(start), "endsAt", local(start.Add(2 * time.Hour)), "maxPartySize", "2"}, kv...)...), what)
		sl, err := svc.Catalog.Slot(ctx, strings.TrimPrefix(strings.Split(loc, "?")[0], "/h5/admin/slots/"))
		if err != nil {
			t.Fatal(err)
		}
		if !sl.StartsAt.Equal(start.Truncate(time.Minute)) || sl.MaxPartySize != 2 {
			t.Errorf("%s starts %s for parties of %d, want %s and 2", what, sl.StartsAt, sl.MaxPartySize, start)
		}
		return sl
	}
	if sl := made("a ballot", "capacity", "30", "mode", string(booking.ModeBallot), "bookingClosesAt", local(start.Add(-24*time.Hour))); sl.Mode != booking.ModeBallot ||
		sl.Capacity != 30 || !sl.BookingClosesAt.Equal(start.Add(-24*time.Hour).Truncate(time.Minute)) {
		t.Errorf("the ballot made by the form = %+v; want a ballot of 30 places closing a day before", sl)
	}
	if sl := made("a seated hall", "seatRows", "5", "seatsPerRow", "8"); !sl.Seated() || sl.SeatRows != 5 || sl.SeatsPerRow != 8 || sl.Capacity != 40 {
		t.Errorf("the seated session made by the form = %+v; want 5 rows of 8 seats, 40 places", sl)
	}

	// A weekly timetable: its sessions appear on the activity's page.
	fitness := w.activity("fitness")
	redirected(submit(staffIn, "/h5/admin/activities/"+fitness+"/schedule", "weekday", "2", "weekday", "4", "startTime", "07:00",
		"durationMinutes", "60", "capacity", "40", "seasonStart", "2026-12-02", "seasonEnd", "2026-12-13"), "a timetable")
	page := w.send(staffIn, get("/h5/admin/activities/"+fitness)).Body.String()
	if n := strings.Count(page, "07:00–08:00"); n != 3 {
		t.Errorf("the activity's page lists %d sessions at 07:00–08:00, want 3 (Thursday 3, Tuesday 8, Thursday 10 December)", n)
	}
	fitnessSlots, err := w.a.Catalog.SlotsOfKind(ctx, booking.KindFitness)
	if err != nil {
		t.Fatal(err)
	}
	var days []string
	for _, sl := range fitnessSlots {
		if sl.ActivityID == fitness {
			days = append(days, sl.StartsAt.In(beijing.Zone).Format("01-02 15:04"))
		}
	}
	slices.Sort(days)
	if got := strings.Join(days, ", "); got != "12-03 07:00, 12-08 07:00, 12-10 07:00" {
		t.Errorf("the timetable made sessions at %s, want Thursday 3, Tuesday 8 and Thursday 10 December at 07:00", got)
	}

	// Cancelling a session: the booking is cancelled and its holder told.
	event := w.slot("event", 48*time.Hour, "")
	held := w.book(residentA, event)
	redirected(submit(staffIn, "/h5/admin/slots/"+event+"/cancel", "confirm", "1", "reason", "场馆检修"), "a cancellation")
	if b, err := svc.MyBooking(ctx, residentA.openid, str(held, "id")); err != nil || b.Status != booking.StatusCancelled {
		t.Errorf("the holder's booking after the cancellation = %+v, %v; want it cancelled", b, err)
	}
	told := false
	for _, m := range pendingOutbox(t, w.tbl) {
		told = told || m.Kind == "slot_cancelled" && m.Recipient == residentA.openid && m.Payload["bookingId"] == str(held, "id")
	}
	if !told {
		t.Errorf("no slot_cancelled message for the holder in %+v", pendingOutbox(t, w.tbl))
	}

	// Lifting a no-show's suspension needs a reason, and then lifts it.
	noShow := caller{name: "a no-show", openid: "o-no-show"}
	later := w.slot("event", 96*time.Hour, "")
	nb := w.book(noShow, later)
	if err := w.a.People.Suspend(ctx, noShow.openid, w.now.Add(30*24*time.Hour), later); err != nil {
		t.Fatal(err)
	}
	state := w.state()
	if res := submit(staffIn, "/h5/admin/bookings/"+str(nb, "id")+"/lift", "reason", ""); res.StatusCode/100 == 3 || w.state() != state {
		t.Errorf("a lift without a reason answered %d (changed the table: %v), want it refused and nothing changed", res.StatusCode, w.state() != state)
	}
	redirected(submit(staffIn, "/h5/admin/bookings/"+str(nb, "id")+"/lift", "reason", "因病缺席，已核实"), "a lift")
	if until, _, err := svc.NoShows.Suspension(ctx, noShow.openid); err != nil || until.After(w.now) {
		t.Errorf("the suspension after the lift runs until %s (%v), want it lifted", until, err)
	}

	// Rejecting an application with the reason, which the applicant is told.
	vs := w.a.Volunteer()
	applicant := "o-applicant"
	pending := w.volunteer(applicant, volunteer.StatusPending)
	redirected(submit(coordinator, "/h5/admin/volunteers/"+pending+"/reject", "reason", "身份证号与姓名不符"), "a rejection")
	p, err := vs.Detail(ctx, auth.Claims{OpenID: admin.openid, Roles: []string{auth.RoleAdmin}}, pending)
	if err != nil || p.Status != volunteer.StatusRejected || p.StatusReason != "身份证号与姓名不符" {
		t.Errorf("the application after the rejection = %s %q, %v; want rejected with the reason", p.Status, p.StatusReason, err)
	}
	told = false
	for _, m := range pendingOutbox(t, w.tbl) {
		told = told || m.Kind == volunteer.NoticeStatusChanged && m.Recipient == applicant && m.Payload["reason"] == "身份证号与姓名不符"
	}
	if !told {
		t.Errorf("the applicant is not told the reason: %+v", pendingOutbox(t, w.tbl))
	}

	// Honour hours, kept with their reason.
	active := w.volunteer("o-volunteer", volunteer.StatusActive)
	redirected(submit(staffIn, "/h5/admin/volunteers/"+active+"/hours", "kind", "honour", "hours", "2.5", "reason", "纸质签到表补录"), "honour hours")
	p, err = vs.Detail(ctx, auth.Claims{OpenID: admin.openid, Roles: []string{auth.RoleAdmin}}, active)
	if err != nil || p.HonourHours != 2.5 || len(p.Ledger) == 0 || p.Ledger[len(p.Ledger)-1].Reason != "纸质签到表补录" {
		t.Errorf("the volunteer after honour hours = %v hours, ledger %+v, %v; want 2.5 with the reason", p.HonourHours, p.Ledger, err)
	}
}

// notice is a page's refusal, above its form.
var notice = regexp.MustCompile(`<p class="notice error"[^>]*>[^<]*</p>`)
