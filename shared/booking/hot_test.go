package booking_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamotest"
)

// A crowd of parties of one and two races for a hot session's places, spread over four
// shards, while DynamoDB's per-item limits are modelled at a twenty-fifth of their size
// (so that the shards are throttled at a test's pace): the session never holds more than
// its capacity, the counters agree with the bookings, and every place is sold (a party of
// one is told "full" only when no place is left anywhere, however the last ones are spread
// over the shards).
func TestHotSessionNeverOversellsAndSellsTheLastPlaces(t *testing.T) {
	const residents, capacity, workers = 70, 31, 12
	e := mustEnv(t, t0)
	staff := e.token("o-staff", auth.RoleStaff)
	_, slot := e.mustSlot(staff, fmt.Sprintf(`{%s,"capacity":%d,"maxPartySize":2,"hotShards":4}`, slotAt, capacity))
	tokens := make([]string, residents)
	for i := range tokens {
		tokens[i] = e.token(fmt.Sprintf("o-%03d", i))
	}
	e.tbl.Throttle.Limit(dynamotest.ItemWriteUnits/25, dynamotest.ItemReadUnits/25, 100*time.Millisecond)

	var (
		mu       sync.Mutex
		told     = map[string]int{} // final answers by code ("" for a booking)
		held     = map[int]string{}
		unanswer int
		jobs     = make(chan int)
		wg       sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for who := range jobs {
				party := 1 + who%2
				answered := false
				for attempt := 0; attempt < 100 && !answered; attempt++ {
					r := e.do("POST", "/api/v1/slots/"+slot+"/bookings", tokens[who], fmt.Sprintf(`{"partySize":%d}`, party), "Idempotency-Key", fmt.Sprintf("k-%d", who))
					if r.Code >= 500 {
						time.Sleep(5 * time.Millisecond) // throttled past the SDK's retries: the resident taps again
						continue
					}
					answered = true
					mu.Lock()
					told[fmt.Sprintf("%d %s", party, r.code())]++
					if r.Code == 201 {
						held[who] = r.str("id")
					}
					mu.Unlock()
				}
				if !answered {
					mu.Lock()
					unanswer++
					mu.Unlock()
				}
			}
		})
	}
	for who := range residents {
		jobs <- who
	}
	close(jobs)
	wg.Wait()
	st := e.tbl.Throttle.Stats()
	e.tbl.Throttle.Limit(0, 0, 0)
	t.Logf("answers %v; DynamoDB calls %d, throttled %d, most %v", told, st.Calls, st.Throttled, st.Hottest)

	s, bs := e.slotBookings(slot)
	places := 0
	for _, b := range bs {
		if b.Status == booking.StatusConfirmed {
			places += b.PartySize
			if held[personIndex(t, b.OpenID)] != b.ID {
				t.Errorf("%s holds %s, which nobody was told of", b.OpenID, b.ID)
			}
		}
	}
	switch {
	case unanswer > 0:
		t.Errorf("%d residents got no answer in 100 taps", unanswer)
	case places > capacity || s.Booked > capacity:
		t.Errorf("oversold: %d places held, counters say %d booked, of %d", places, s.Booked, capacity)
	case s.Booked != places:
		t.Errorf("the counters say %d booked, the bookings hold %d", s.Booked, places)
	case told["1 slot_full"] > 0 && places != capacity:
		t.Errorf("a party of one was told full with %d of %d places sold", places, capacity)
	case told["1 slot_full"] == 0:
		t.Errorf("no party of one was refused: the crowd (%v) did not sell the session out", told)
	}
}

// slotBookings reads a slot (its counters) and its bookings, as the table holds them.
func (e *env) slotBookings(slot string) (booking.Slot, []booking.Booking) {
	e.t.Helper()
	ctx := context.Background()
	s, err := e.app.Catalog.Slot(ctx, slot)
	if err != nil {
		e.t.Fatal(err)
	}
	bs, err := e.app.Bookings.OfSlot(ctx, slot)
	if err != nil {
		e.t.Fatal(err)
	}
	return s, bs
}

func personIndex(t *testing.T, openid string) int {
	var i int
	if _, err := fmt.Sscanf(openid, "o-%03d", &i); err != nil {
		t.Fatalf("openid %q: %v", openid, err)
	}
	return i
}

// A session marked hot while on sale keeps the places booked before; its capacity grows
// into the reserve, which the last bookings gather from, and shrinks from the shards; a
// cancelled booking's place goes to the first in line; the shard count stays as set;
// ballots and seated halls are refused.
func TestHotSessionSettings(t *testing.T) {
	e := mustEnv(t, t0)
	staff := e.token("o-staff", auth.RoleStaff)
	act, _ := e.mustSlot(staff, `{`+slotAt+`,"capacity":1}`)
	for _, body := range []string{`"mode":"ballot","hotShards":3`, `"seatRows":2,"seatsPerRow":5,"hotShards":3`, `"hotShards":1`, `"hotShards":51`} {
		r := e.do("POST", "/api/v1/admin/activities/"+act+"/slots", staff, fmt.Sprintf(`{%s,"capacity":10,%s}`, slotAt, body))
		e.want(r, 400, "hot_unsupported", "a hot slot with "+body)
	}

	_, slot := e.mustSlot(staff, `{`+slotAt+`,"capacity":5}`)
	book := func(who string) (int, string) {
		r := e.do("POST", "/api/v1/slots/"+slot+"/bookings", e.token(who), `{}`, "Idempotency-Key", "k-"+who)
		return r.Code, r.str("id")
	}
	if code, _ := book("o-first"); code != 201 {
		t.Fatalf("first booking = %d", code)
	}
	path := "/api/v1/admin/slots/" + slot
	e.want(e.do("PATCH", path, staff, `{"hotShards":3}`), 200, "", "marking the session hot")
	e.want(e.do("PATCH", path, staff, `{"hotShards":4}`), 409, "hot_shards_fixed", "changing its shards")
	e.want(e.do("PATCH", path, staff, `{"capacity":7}`), 200, "", "two more places")
	booked := func() int {
		s, err := e.app.Catalog.Slot(context.Background(), slot)
		if err != nil {
			t.Fatal(err)
		}
		return s.Booked
	}
	if got := booked(); got != 1 {
		t.Fatalf("booked after marking hot = %d, want 1", got)
	}
	ids := map[int]string{}
	for i := range 6 {
		code, id := book(fmt.Sprintf("o-%d", i))
		if code != 201 {
			t.Fatalf("booking %d of the 6 places left = %d", i+1, code)
		}
		ids[i] = id
	}
	if code, _ := book("o-late"); code != 409 {
		t.Fatalf("a booking of a full hot session = %d, want 409", code)
	}
	e.want(e.do("POST", "/api/v1/slots/"+slot+"/bookings", e.token("o-wait"), `{"waitlist":true}`), 202, "", "joining the line")
	e.want(e.do("PATCH", path, staff, `{"capacity":6}`), 409, "capacity_below_booked", "fewer places than booked")
	e.want(e.do("DELETE", "/api/v1/bookings/"+ids[5], e.token("o-5"), ""), 200, "", "cancelling")
	if b, err := e.app.Bookings.Booking(context.Background(), slot, "o-wait"); err != nil || b.Status != booking.StatusConfirmed {
		t.Fatalf("the first in line after a cancellation: %+v, %v; want confirmed", b, err)
	}
	e.want(e.do("DELETE", "/api/v1/bookings/"+ids[4], e.token("o-4"), ""), 200, "", "cancelling")
	if got := booked(); got != 6 {
		t.Fatalf("booked after a promotion and a cancellation = %d, want 6", got)
	}
	e.want(e.do("PATCH", path, staff, `{"capacity":6}`), 200, "", "taking the free place away")
	if code, _ := book("o-later"); code != 409 {
		t.Fatalf("a booking after the capacity was cut to the places booked = %d, want 409", code)
	}
	e.want(e.do("PATCH", path, staff, `{"capacity":8}`), 200, "", "two places again")
	for _, who := range []string{"o-late", "o-later"} {
		if code, _ := book(who); code != 201 {
			t.Fatalf("%s booking a place added after = %d", who, code)
		}
	}
	if got := booked(); got != 8 {
		t.Fatalf("booked = %d, want 8", got)
	}
}
