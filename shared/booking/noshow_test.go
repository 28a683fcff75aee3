package booking_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/booking"
)

// noShowSlot publishes a slot starting at start (capacity 5) whose activity has the given
// no-show rules JSON ("" for the defaults), and returns the slot id.
func (e *env) noShowSlot(staff string, start time.Time, rules string) string {
	e.t.Helper()
	act := `{"kind":"reading","title":"电子阅览室","description":"d","venueId":"v1"` + rules + `}`
	r := e.do("POST", "/api/v1/admin/activities", staff, act)
	if r.Code != 201 {
		e.t.Fatalf("create activity = %d %s", r.Code, r.Raw)
	}
	if rules != "" {
		if r := e.do("PATCH", "/api/v1/admin/activities/"+r.str("id"), staff, `{`+strings.TrimPrefix(rules, ",")+`}`); r.Code != 200 {
			e.t.Fatalf("edit activity = %d %s", r.Code, r.Raw)
		}
	}
	slot := fmt.Sprintf(`{"startsAt":%q,"endsAt":%q,"capacity":5}`, start.Format(time.RFC3339), start.Add(2*time.Hour).Format(time.RFC3339))
	s := e.do("POST", "/api/v1/admin/activities/"+r.str("id")+"/slots", staff, slot)
	if s.Code != 201 {
		e.t.Fatalf("create slot = %d %s", s.Code, s.Raw)
	}
	return s.str("id")
}

// book books one place for openid and returns the booking's ticket.
func (e *env) mustBook(slot, openid string) string {
	e.t.Helper()
	r := e.do("POST", "/api/v1/slots/"+slot+"/bookings", e.token(openid), `{}`)
	if r.Code != 201 {
		e.t.Fatalf("%s books %s = %d %s", openid, slot, r.Code, r.Raw)
	}
	return r.str("ticket")
}

func (e *env) tick(id string) {
	e.t.Helper()
	if err := e.app.Scheduler()(context.Background(), events.EventBridgeEvent{ID: id}); err != nil {
		e.t.Fatalf("scheduler tick %s = %v", id, err)
	}
}

func (e *env) statusOf(slot, openid string) booking.Booking {
	e.t.Helper()
	b, err := e.app.Bookings.Booking(context.Background(), slot, openid)
	if err != nil {
		e.t.Fatalf("booking of %s at %s: %v", openid, slot, err)
	}
	return b
}

func TestNoShowRelease(t *testing.T) {
	start := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		rules    string
		scan     bool          // someone is checked in at the door
		at       time.Duration // after the start
		released bool
	}{
		{"before the default 15 minutes", "", true, 14 * time.Minute, false},
		{"at the default 15 minutes", "", true, 15 * time.Minute, true},
		{"activity releases after 30 minutes: not yet", `,"noShow":{"releaseAfterMinutes":30}`, true, 20 * time.Minute, false},
		{"activity releases after 30 minutes", `,"noShow":{"releaseAfterMinutes":30}`, true, 31 * time.Minute, true},
		{"activity never releases", `,"noShow":{"releaseAfterMinutes":-1}`, true, 3 * time.Hour, false},
		{"the door did not scan anyone", "", false, time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustEnv(t, t0)
			staff := e.token("o-staff", auth.RoleStaff)
			slot := e.noShowSlot(staff, start, tt.rules)
			ticket := e.mustBook(slot, "o-came")
			e.mustBook(slot, "o-absent")
			for i := range 3 {
				e.mustBook(slot, fmt.Sprintf("o-other-%d", i))
			}
			if r := e.do("POST", "/api/v1/slots/"+slot+"/bookings", e.token("o-waiting"), `{"waitlist":true}`); r.Code != 202 {
				t.Fatalf("o-waiting = %d %s", r.Code, r.Raw)
			}
			e.set(start.Add(-10 * time.Minute))
			if tt.scan {
				if r := e.do("POST", "/api/v1/admin/checkins", e.token("o-staff", auth.RoleStaff), `{"ticket":"`+ticket+`"}`); r.Code != 200 {
					t.Fatalf("check-in = %d %s", r.Code, r.Raw)
				}
			}
			e.set(start.Add(tt.at))
			e.tick("t1")
			e.tick("t2") // a second run changes nothing
			got := e.statusOf(slot, "o-absent")
			if released := got.Status == booking.StatusCancelled && got.CancelledBy == booking.ByNoShow; released != tt.released {
				t.Errorf("o-absent = %s by %q, want released %t", got.Status, got.CancelledBy, tt.released)
			}
			if came := e.statusOf(slot, "o-came"); came.Status != booking.StatusConfirmed {
				t.Errorf("o-came = %s, want confirmed", came.Status)
			}
			wantWaiting := booking.StatusWaitlisted
			wantMsgs := 0
			if tt.released {
				// Only o-absent (o-came was scanned, the others too are unclaimed).
				wantWaiting, wantMsgs = booking.StatusConfirmed, 4
			}
			if w := e.statusOf(slot, "o-waiting"); w.Status != wantWaiting {
				t.Errorf("o-waiting after the release = %s, want %s", w.Status, wantWaiting)
			}
			if n := e.pendingOutbox("booking_cancelled"); n != wantMsgs {
				t.Errorf("booking_cancelled messages = %d, want %d", n, wantMsgs)
			}
		})
	}
}

// Strikes: a warning at the second no-show, a suspension at the third (403 suspended with
// the end date), staff lift it with a reason.
func TestNoShowStrikesSuspendAndLift(t *testing.T) {
	e := mustEnv(t, t0)
	var staff string
	for i := range 3 {
		start := time.Date(2026, 12, 5+i, 9, 0, 0, 0, time.UTC)
		e.set(t0)
		staff = e.token("o-staff", auth.RoleStaff)
		slot := e.noShowSlot(staff, start, "")
		ticket := e.mustBook(slot, "o-scanned")
		e.mustBook(slot, "o-x")
		e.set(start)
		if r := e.do("POST", "/api/v1/admin/checkins", e.token("o-staff", auth.RoleStaff), `{"ticket":"`+ticket+`"}`); r.Code != 200 {
			t.Fatalf("check-in = %d %s", r.Code, r.Raw)
		}
		e.set(start.Add(20 * time.Minute))
		e.tick(fmt.Sprintf("t%d", i))
		wantWarn, wantSusp := 0, 0
		switch i {
		case 1:
			wantWarn = 1
		case 2:
			wantWarn, wantSusp = 1, 1
		}
		if n := e.pendingOutbox("noshow_warning"); n != wantWarn {
			t.Errorf("after no-show %d: noshow_warning = %d, want %d", i+1, n, wantWarn)
		}
		if n := e.pendingOutbox("booking_suspended"); n != wantSusp {
			t.Errorf("after no-show %d: booking_suspended = %d, want %d", i+1, n, wantSusp)
		}
	}
	now := e.now()
	e.set(now.Add(24 * time.Hour)) // the suspension runs 30 days from the third no-show
	staff = e.token("o-staff", auth.RoleStaff)
	later := e.noShowSlot(staff, now.AddDate(0, 0, 2), "")
	r := e.do("POST", "/api/v1/slots/"+later+"/bookings", e.token("o-x"), `{}`)
	e.want(r, 403, "suspended", "booking while suspended")
	until := beijing.RFC3339(now.AddDate(0, 0, 30))
	if !strings.Contains(r.Raw, `"suspendedUntil":"`+until+`"`) || !strings.Contains(r.Raw, "暂停至") {
		t.Errorf("suspended answer = %s, want the end date %s", r.Raw, until)
	}
	e.want(e.do("POST", "/api/v1/admin/suspensions/o-x/lift", staff, `{"reason":""}`), 400, "reason_required", "lift without a reason")
	e.want(e.do("POST", "/api/v1/admin/suspensions/o-x/lift", e.token("o-x"), `{"reason":"我想约"}`), 403, "forbidden", "resident lifts")
	if r := e.do("POST", "/api/v1/admin/suspensions/o-x/lift", staff, `{"reason":"因病缺席，已核实"}`); r.Code != 200 || r.Body["lifted"] != true {
		t.Fatalf("lift = %d %s", r.Code, r.Raw)
	}
	e.want(e.do("POST", "/api/v1/admin/suspensions/o-x/lift", staff, `{"reason":"again"}`), 409, "not_suspended", "lift twice")
	if r := e.do("POST", "/api/v1/slots/"+later+"/bookings", e.token("o-x"), `{}`); r.Code != 201 {
		t.Errorf("booking after the lift = %d %s, want 201", r.Code, r.Raw)
	}
}

// Only a person checked in at a slot that has ended attended it (the ratings' check).
func TestAttended(t *testing.T) {
	e := mustEnv(t, t0)
	ctx := context.Background()
	staff := e.token("o-staff", auth.RoleStaff)
	start := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	slot := e.noShowSlot(staff, start, "")
	ticket := e.mustBook(slot, "o-came")
	e.mustBook(slot, "o-absent")
	activity := e.statusOf(slot, "o-came").ActivityID
	svc, err := e.app.Booking()
	if err != nil {
		t.Fatal(err)
	}
	e.set(start.Add(5 * time.Minute))
	if r := e.do("POST", "/api/v1/admin/checkins", e.token("o-staff", auth.RoleStaff), `{"ticket":"`+ticket+`"}`); r.Code != 200 {
		t.Fatalf("check-in = %d %s", r.Code, r.Raw)
	}
	tests := []struct {
		at     time.Time
		openid string
		want   bool
	}{
		{start.Add(time.Hour), "o-came", false}, // still running
		{start.Add(2 * time.Hour), "o-came", true},
		{start.Add(2 * time.Hour), "o-absent", false},
		{start.Add(2 * time.Hour), "o-stranger", false},
	}
	for _, tt := range tests {
		e.set(tt.at)
		if got, err := svc.Attended(ctx, tt.openid, activity); err != nil || got != tt.want {
			t.Errorf("Attended(%s) at %s = %t, %v; want %t", tt.openid, tt.at.Format(time.Kitchen), got, err, tt.want)
		}
	}
}
