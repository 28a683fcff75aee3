package booking_test

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/booking"
)

func TestBestSeats(t *testing.T) {
	hall := booking.Slot{SeatRows: 3, SeatsPerRow: 6}
	tests := []struct {
		taken []string
		party int
		want  string
	}{
		{nil, 2, "B3 B4"},                                             // middle row, centre
		{[]string{"B3"}, 2, "B4 B5"},                                  // still together in the middle row
		{[]string{"B2", "B4"}, 3, "A2 A3 A4"},                         // the middle row has no three together; next row
		{[]string{"A2", "A5", "B2", "B5", "C2", "C5"}, 3, "B1 B3 B4"}, // nowhere together: the nearest free
	}
	for _, tt := range tests {
		if got := strings.Join(hall.BestSeats(tt.taken, tt.party), " "); got != tt.want {
			t.Errorf("BestSeats(%v, %d) = %q, want %q", tt.taken, tt.party, got, tt.want)
		}
	}
}

// Seats through the API: the same seat asked for at once goes to exactly one; best
// available keeps a party together; the map shows it; cancelling frees the seats.
func TestSeatedSlot(t *testing.T) {
	e := mustEnv(t, t0)
	staff := e.token("o-staff", auth.RoleStaff)
	_, slot := e.mustSlot(staff, `{`+slotAt+`,"capacity":12,"seatRows":3,"seatsPerRow":4,"maxPartySize":4}`)
	e.want(e.do("POST", "/api/v1/admin/activities/x/slots", staff, `{`+slotAt+`,"capacity":10,"seatRows":3,"seatsPerRow":4}`), 404, "activity_not_found", "slot of no activity")

	var won atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.do("POST", "/api/v1/slots/"+slot+"/bookings", e.token("o-seat-"+string(rune('a'+i))), `{"seats":["A1"]}`)
			switch {
			case r.Code == 201:
				won.Add(1)
			case r.Code != 409 || r.code() != "seat_taken":
				t.Errorf("racer %d = %d %s", i, r.Code, r.Raw)
			}
		}()
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("A1 went to %d people, want 1", won.Load())
	}
	r := e.do("POST", "/api/v1/slots/"+slot+"/bookings", e.token("o-family"), `{"partySize":3}`)
	if r.Code != 201 || !strings.Contains(r.Raw, `"seats":["B1","B2","B3"]`) {
		t.Errorf("party of three = %d %s, want B1 B2 B3 together", r.Code, r.Raw)
	}
	e.want(e.do("POST", "/api/v1/slots/"+slot+"/bookings", e.token("o-bad"), `{"partySize":2,"seats":["A2"]}`), 400, "seat_invalid", "one seat for two")
	e.want(e.do("POST", "/api/v1/slots/"+slot+"/bookings", e.token("o-bad"), `{"seats":["Z9"]}`), 400, "seat_invalid", "no such seat")
	m := e.do("GET", "/api/v1/slots/"+slot+"/seats", "", "")
	if m.Code != 200 || !strings.Contains(m.Raw, `"taken":["A1","B1","B2","B3"]`) {
		t.Errorf("seat map = %d %s", m.Code, m.Raw)
	}
	if r := e.do("DELETE", "/api/v1/bookings/"+r.str("id"), e.token("o-family"), ""); r.Code != 200 {
		t.Fatalf("cancel = %d %s", r.Code, r.Raw)
	}
	if r := e.do("POST", "/api/v1/slots/"+slot+"/bookings", e.token("o-next"), `{"seats":["B2"]}`); r.Code != 201 {
		t.Errorf("a freed seat = %d %s, want 201", r.Code, r.Raw)
	}
	_, plain := e.mustSlot(staff, `{`+slotAt+`,"capacity":5}`)
	e.want(e.do("GET", "/api/v1/slots/"+plain+"/seats", "", ""), 400, "seat_invalid", "seat map of an unseated slot")
}
