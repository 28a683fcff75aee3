package booking_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/notifydb"
)

// Many residents race for one slot, each sending its request twice at once (a double
// tap) and retrying failures with the same Idempotency-Key: the slot never holds more
// than its capacity, nobody holds two bookings, every confirmation has exactly one
// outbox item, and every resident told "confirmed" holds the booking they were told of.
func TestFlashCrowdKeepsInvariants(t *testing.T) {
	for _, tt := range []struct {
		name     string
		faults   float64
		attempts int // of the DynamoDB client per call; 1: every fault reaches the resident
	}{{"no faults", 0, 0}, {"10% faults", 0.1, 0}, {"10% faults, no SDK retries", 0.1, 1}} {
		t.Run(tt.name, func(t *testing.T) {
			const residents, capacity, workers = 60, 25, 16
			e := mustEnvAttempts(t, t0, tt.attempts)
			staff := e.token("o-staff", auth.RoleStaff)
			_, slot := e.mustSlot(staff, `{`+slotAt+`,"capacity":25,"maxPartySize":2}`)
			tokens := make([]string, residents)
			for i := range tokens {
				tokens[i] = e.token(fmt.Sprintf("o-%03d", i))
			}
			e.tbl.Faults.Set(tt.faults, 7)

			type answer struct {
				who    int
				status int
				id     string
				state  string
			}
			jobs := make(chan int)
			answers := make(chan answer, 4*residents)
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					for job := range jobs {
						who, tap := job/2, job%2
						party := 1 + who%2
						key := fmt.Sprintf("k-%d-%d", who, tap)
						body := fmt.Sprintf(`{"partySize":%d,"waitlist":%t}`, party, who%3 == 0)
						for attempt := 0; attempt < 20; attempt++ {
							r := e.do("POST", "/api/v1/slots/"+slot+"/bookings", tokens[who], body, "Idempotency-Key", key)
							if r.Code >= 500 {
								continue // the client retries with the same key
							}
							answers <- answer{who, r.Code, r.str("id"), r.str("status")}
							break
						}
					}
				})
			}
			for job := range 2 * residents {
				jobs <- job
			}
			close(jobs)
			wg.Wait()
			close(answers)
			e.tbl.Faults.Set(0, 0)

			ctx := context.Background()
			s, bs := e.slotBookings(slot)
			held := map[string]booking.Booking{}
			places := 0
			for _, b := range bs {
				if b.Status == booking.StatusConfirmed {
					places += b.PartySize
					held[b.OpenID] = b
				}
			}
			if s.Booked > capacity || places != s.Booked {
				t.Errorf("slot counter says %d booked of %d; confirmed bookings hold %d places", s.Booked, capacity, places)
			}
			if s.Booked < capacity-1 {
				t.Errorf("only %d of %d places booked though %d residents asked", s.Booked, capacity, residents)
			}
			confirmed := map[int]string{}
			for a := range answers {
				if a.status != 201 {
					continue
				}
				if prev, ok := confirmed[a.who]; ok && prev != a.id {
					t.Errorf("resident %d was confirmed twice: %s and %s", a.who, prev, a.id)
				}
				confirmed[a.who] = a.id
				if b := held[fmt.Sprintf("o-%03d", a.who)]; b.ID != a.id {
					t.Errorf("resident %d was told %s is confirmed; the table holds %+v", a.who, a.id, b)
				}
			}
			e.tbl.Faults.Set(0, 0)
			e.announce()
			items, err := notifydb.PendingOutbox(ctx, e.tbl.DB, e.tbl.Name, t0.AddDate(1, 0, 0), 1000)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != len(held) {
				t.Errorf("%d outbox items for %d confirmed bookings", len(items), len(held))
			}
			t.Logf("%d confirmed bookings, %d places of %d, %d faults injected", len(held), s.Booked, capacity, e.tbl.Faults.Injected())
		})
	}
}

// Cancellations race new bookings and waiting-list joins: whatever the interleaving, the
// slot's counter equals the places its confirmed bookings hold, never exceeds capacity,
// every person's limit counter matches their confirmed bookings, and every promotion has
// its notification.
func TestCancellationsRacingBookingsKeepCounters(t *testing.T) {
	const residents, capacity = 40, 10
	e := mustEnv(t, t0)
	ctx := context.Background()
	staff := e.token("o-staff", auth.RoleStaff)
	activity, slot := e.mustSlot(staff, `{`+slotAt+`,"capacity":10,"maxPartySize":2,"perPersonLimit":1}`)
	tokens := make([]string, residents)
	for i := range tokens {
		tokens[i] = e.token(fmt.Sprintf("o-%03d", i))
	}
	e.tbl.Faults.Set(0.05, 11)
	var wg sync.WaitGroup
	for i := range residents {
		wg.Go(func() {
			body := fmt.Sprintf(`{"partySize":%d,"waitlist":true,"acceptFewer":%t}`, 1+i%2, i%4 == 1)
			var id string
			for range 8 {
				r := e.do("POST", "/api/v1/slots/"+slot+"/bookings", tokens[i], body, "Idempotency-Key", fmt.Sprintf("k-%d", i))
				if r.Code < 500 {
					id = r.str("id")
					break
				}
			}
			if id == "" || i%3 != 0 {
				return
			}
			for range 8 { // every third resident changes their mind
				if r := e.do("DELETE", "/api/v1/bookings/"+id, tokens[i], ""); r.Code < 500 {
					return
				}
			}
		})
	}
	wg.Wait()
	e.tbl.Faults.Set(0, 0)
	// A promotion that failed on an injected fault waits for the next freeing of places;
	// promote once more, as that would, before looking.
	svc, err := e.app.Booking()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Promote(ctx, slot); err != nil {
		t.Fatal(err)
	}

	s, bs := e.slotBookings(slot)
	places, confirmed, waiting := 0, 0, 0
	for _, b := range bs {
		switch b.Status {
		case booking.StatusConfirmed:
			places += b.PartySize
			confirmed++
			held, err := e.app.Bookings.Booking(ctx, slot, b.OpenID)
			if err != nil || !held.LimitHeld {
				t.Errorf("confirmed booking %s does not hold its limit: %+v, %v", b.ID, held, err)
			}
		case booking.StatusWaitlisted:
			waiting++
		}
	}
	if s.Booked != places || s.Booked > capacity {
		t.Errorf("slot counter %d booked of %d; confirmed bookings hold %d places", s.Booked, capacity, places)
	}
	if waiting > 0 && s.Remaining() > 0 {
		// Only parties larger than what is left (and not accepting fewer) may still wait.
		for _, b := range bs {
			if b.Status == booking.StatusWaitlisted && b.PromotedParty(s.Remaining()) > 0 {
				t.Errorf("%s still waits (party %d) though %d places are free", b.ID, b.PartySize, s.Remaining())
			}
		}
	}
	e.tbl.Faults.Set(0, 0)
	e.announce()
	items, err := notifydb.PendingOutbox(ctx, e.tbl.DB, e.tbl.Name, t0.AddDate(1, 0, 0), 1000)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, it := range items {
		k, _ := dynamo.StringAttr(it, "kind")
		kinds[k]++
	}
	if kinds["booking_confirmed"]+kinds["booking_promoted"] < confirmed {
		t.Errorf("outbox %v for %d confirmed bookings: some confirmation was not written", kinds, confirmed)
	}
	t.Logf("activity %s: %d confirmed (%d places), %d waiting, outbox %v, %d faults", activity, confirmed, places, waiting, kinds, e.tbl.Faults.Injected())
}

// Two doors scan one ticket at the same moment: one admits, the other says ticket_used.
func TestDoubleScanAdmitsOnce(t *testing.T) {
	e := mustEnv(t, t0)
	staff := e.token("o-staff", auth.RoleStaff)
	_, slot := e.mustSlot(staff, `{`+slotAt+`,"capacity":5}`)
	r := e.do("POST", "/api/v1/slots/"+slot+"/bookings", e.token("o-1"), `{}`)
	e.set(time.Date(2026, 12, 5, 11, 0, 0, 0, time.UTC))
	staff = e.token("o-staff", auth.RoleStaff)
	const doors = 8
	codes := make(chan string, doors)
	var wg sync.WaitGroup
	for range doors {
		wg.Go(func() {
			s := e.do("POST", "/api/v1/admin/checkins", staff, `{"ticket":"`+r.str("ticket")+`"}`)
			if s.Code == 200 {
				codes <- "admitted"
				return
			}
			codes <- s.code()
		})
	}
	wg.Wait()
	close(codes)
	got := map[string]int{}
	for c := range codes {
		got[c]++
	}
	if got["admitted"] != 1 || got["ticket_used"] != doors-1 {
		t.Errorf("%d simultaneous scans = %v, want 1 admitted and %d ticket_used", doors, got, doors-1)
	}
}

// A door whose connection drops sends the same scan again, maybe while the first is
// still on its way: every retry of that scan answers admitted, the table records one
// check-in, and another scan of the ticket is still ticket_used.
func TestRetriedScanAdmitsOnceAndAnswersAgain(t *testing.T) {
	e := mustEnv(t, t0)
	staff := e.token("o-staff", auth.RoleStaff)
	_, slot := e.mustSlot(staff, `{`+slotAt+`,"capacity":5}`)
	r := e.do("POST", "/api/v1/slots/"+slot+"/bookings", e.token("o-1"), `{"partySize":1}`)
	e.set(time.Date(2026, 12, 5, 11, 0, 0, 0, time.UTC))
	staff = e.token("o-staff", auth.RoleStaff)
	body := `{"ticket":"` + r.str("ticket") + `"}`
	const retries = 6
	codes := make(chan int, retries)
	var wg sync.WaitGroup
	for range retries {
		wg.Go(func() { codes <- e.do("POST", "/api/v1/admin/checkins", staff, body, "Idempotency-Key", "scan-1").Code })
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != 200 {
			t.Errorf("a retry of the same scan = %d, want 200 (admitted)", c)
		}
	}
	e.want(e.do("POST", "/api/v1/admin/checkins", staff, body, "Idempotency-Key", "scan-2"), 409, "ticket_used", "another scan")
	e.want(e.do("POST", "/api/v1/admin/checkins", staff, body), 409, "ticket_used", "a scan without a key")
	bs, err := e.app.Bookings.OfSlot(context.Background(), slot)
	if err != nil || len(bs) != 1 || bs[0].CheckedInAt.IsZero() || bs[0].CheckInKey != "scan-1" {
		t.Errorf("bookings of the slot = %+v, %v; want one, checked in by scan-1", bs, err)
	}
}

// The short code typed at the door admits as the ticket does, once, and only at its
// slot's door.
func TestCheckInByCode(t *testing.T) {
	e := mustEnv(t, t0)
	staff := e.token("o-staff", auth.RoleStaff)
	_, slot := e.mustSlot(staff, `{`+slotAt+`,"capacity":5}`)
	_, other := e.mustSlot(staff, `{`+slotAt+`,"capacity":5}`)
	r := e.do("POST", "/api/v1/slots/"+slot+"/bookings", e.token("o-1"), `{}`)
	if r.Code != 201 {
		t.Fatalf("book = %d %s", r.Code, r.Raw)
	}
	code := booking.Code(r.str("id"))
	svc, err := e.app.Booking()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := svc.CheckInCode(ctx, slot, code, "k1"); !errors.Is(err, booking.ErrTooEarly) {
		t.Errorf("code days early = %v, want too_early", err)
	}
	e.set(time.Date(2026, 12, 5, 11, 0, 0, 0, time.UTC))
	for _, bad := range []string{"", "1234567", "abcdefgh", "123456789"} {
		if _, err := svc.CheckInCode(ctx, slot, bad, "k1"); !errors.Is(err, booking.ErrCodeUnknown) {
			t.Errorf("code %q = %v, want booking_code_unknown", bad, err)
		}
	}
	if _, err := svc.CheckInCode(ctx, other, code, "k1"); !errors.Is(err, booking.ErrCodeUnknown) {
		t.Errorf("the code at another slot's door = %v, want booking_code_unknown", err)
	}
	b, err := svc.CheckInCode(ctx, slot, code, "k1")
	if err != nil || b.ID != r.str("id") || b.CheckedInAt.IsZero() {
		t.Fatalf("code at its door = %+v, %v; want the booking admitted", b, err)
	}
	if _, err := svc.CheckInCode(ctx, slot, code, "k1"); err != nil {
		t.Errorf("the same scan again = %v, want admitted again", err)
	}
	if _, err := svc.CheckIn(ctx, r.str("ticket"), slot, "k2"); !errors.Is(err, booking.ErrTicketUsed) {
		t.Errorf("the ticket after the code = %v, want ticket_used", err)
	}
}
