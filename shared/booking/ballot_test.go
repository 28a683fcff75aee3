package booking_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/booking"
)

func entries(n int) []booking.Entry {
	var es []booking.Entry
	for i := range n {
		es = append(es, booking.Entry{BookingID: fmt.Sprintf("s1.e%02d", i), PartySize: 1 + i%2})
	}
	return es
}

func TestRunDrawIsReproducibleAndFair(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	es := entries(10)
	d := booking.RunDraw(secret, es, 6)
	// The entry order given does not matter: the list is sorted before it is hashed.
	rev := slices.Clone(es)
	slices.Reverse(rev)
	if again := booking.RunDraw(secret, rev, 6); !slices.Equal(again.Order, d.Order) || !slices.Equal(again.Winners, d.Winners) {
		t.Errorf("RunDraw(reversed entries) = %v %v, want %v %v", again.Order, again.Winners, d.Order, d.Winners)
	}
	if err := booking.VerifyDraw(d); err != nil {
		t.Errorf("VerifyDraw(published) = %v, want nil", err)
	}
	// Places are respected: winners' parties add up to at most 6, and every loser that
	// comes before the last winner did not fit.
	seats := 0
	party := map[string]int{}
	for _, e := range es {
		party[e.BookingID] = e.PartySize
	}
	for _, w := range d.Winners {
		seats += party[w]
	}
	if seats > 6 || seats < 5 {
		t.Errorf("winners take %d places of 6, want 5 or 6", seats)
	}
	// A different secret, or one entry more, gives a different draw; a tampered result
	// does not verify.
	if other := booking.RunDraw([]byte("another secret, 32 bytes long..."), es, 6); slices.Equal(other.Order, d.Order) {
		t.Errorf("RunDraw with another secret = %v, the same order", other.Order)
	}
	tampered := d
	tampered.Winners = slices.Clone(d.Order[:3])
	if err := booking.VerifyDraw(tampered); err == nil {
		t.Error("VerifyDraw(tampered winners) = nil, want a mismatch")
	}
	if d.Commitment != booking.Commit(secret) || d.Secret != hex.EncodeToString(secret) {
		t.Errorf("draw commitment/secret = %s/%s", d.Commitment, d.Secret)
	}
}

// TestRunDrawVector pins the algorithm byte for byte: docs/api.md gives this example, and
// anyone re-implementing the draw checks against it.
func TestRunDrawVector(t *testing.T) {
	secret := make([]byte, 32) // 32 zero bytes
	es := []booking.Entry{{"s.a", 1}, {"s.b", 2}, {"s.c", 1}, {"s.d", 1}, {"s.e", 3}}
	d := booking.RunDraw(secret, es, 3)
	got, _ := json.Marshal(map[string]any{"entriesHash": d.EntriesHash, "seed": d.Seed, "order": d.Order, "winners": d.Winners})
	const want = `{"entriesHash":"090ea5e5ef62f57f8c58e6a1e682a3ee28c4ed5b5357b455830466d0bef7d656","order":["s.e","s.c","s.a","s.d","s.b"],` +
		`"seed":"720c3e8e2b9f7d5557ad727ce5fc228dacb46c276c797e27c960fccdb0abf594","winners":["s.e"]}`
	if string(got) != want {
		t.Errorf("RunDraw(zero secret, 5 entries, 3 places) = %s, want %s", got, want)
	}
	if want := string(booking.EntryList(es)); want != "s.a 1\ns.b 2\ns.c 1\ns.d 1\ns.e 3\n" {
		t.Errorf("EntryList = %q", want)
	}
	if len(d.Order) != 5 || len(d.Winners) == 0 {
		t.Errorf("RunDraw = %v %v", d.Order, d.Winners)
	}
}

// The whole ballot through the API and the scheduler: entries during the window, the
// commitment published before, a draw at close that confirms winners up to capacity and
// wait-lists the rest in drawn order, each told once, and a published draw that re-runs.
func TestBallotDraw(t *testing.T) {
	e := mustEnv(t, t0)
	ctx := context.Background()
	staff := e.token("o-staff", auth.RoleStaff)
	_, slot := e.mustSlot(staff, `{`+slotAt+`,"capacity":3,"mode":"ballot","bookingClosesAt":"2026-12-01T10:00:00Z"}`)

	r := e.do("GET", "/api/v1/slots/"+slot+"/draw", "", "")
	commitment := r.str("commitment")
	if r.Code != 200 || r.str("status") != "open" || len(commitment) != 64 || strings.Contains(r.Raw, "secret") {
		t.Fatalf("draw before the close = %d %s, want open with a commitment and no secret", r.Code, r.Raw)
	}
	if r := e.do("GET", "/api/v1/activities", "", ""); !strings.Contains(r.Raw, `"ballotCommitment":"`+commitment+`"`) {
		t.Errorf("listing = %s, want the slot's commitment %s", r.Raw, commitment)
	}

	people := []string{"o-1", "o-2", "o-3", "o-4", "o-5", "o-6"}
	ids := map[string]string{} // booking id → openid
	for _, p := range people {
		r := e.do("POST", "/api/v1/slots/"+slot+"/bookings", e.token(p), `{}`)
		if r.Code != 202 || r.str("status") != "balloted" {
			t.Fatalf("%s enters = %d %s", p, r.Code, r.Raw)
		}
		ids[r.str("id")] = p
	}
	// One leaves before the close: not in the draw.
	var left string
	for id, p := range ids {
		if p == "o-6" {
			left = id
		}
	}
	if r := e.do("DELETE", "/api/v1/bookings/"+left, e.token("o-6"), ""); r.Code != 200 {
		t.Fatalf("o-6 leaves = %d %s", r.Code, r.Raw)
	}
	delete(ids, left)

	tick := e.app.Scheduler()
	// At the close, inside the grace, nothing is drawn yet; entries are refused.
	e.set(time.Date(2026, 12, 1, 10, 0, 30, 0, time.UTC))
	e.want(e.do("POST", "/api/v1/slots/"+slot+"/bookings", e.token("o-7"), `{}`), 409, "window_closed", "entry after the close")
	if err := tick(ctx, events.EventBridgeEvent{ID: "t1"}); err != nil {
		t.Fatal(err)
	}
	if r := e.do("GET", "/api/v1/slots/"+slot+"/draw", "", ""); r.str("status") != "open" {
		t.Errorf("draw inside the grace = %s, want still open", r.Raw)
	}
	e.set(time.Date(2026, 12, 1, 10, 1, 0, 0, time.UTC))
	for i := range 2 { // the second tick finds nothing left to do
		if err := tick(ctx, events.EventBridgeEvent{ID: fmt.Sprintf("t%d", i+2)}); err != nil {
			t.Fatal(err)
		}
	}

	r = e.do("GET", "/api/v1/slots/"+slot+"/draw", "", "")
	var d booking.Draw // the published fields, read as a re-runner reads them
	if err := json.Unmarshal([]byte(r.Raw), &d); err != nil || r.str("status") != "drawn" {
		t.Fatalf("draw after the close = %d %s (%v)", r.Code, r.Raw, err)
	}
	// Anyone re-runs the draw from what was published and gets the same winners and order.
	if err := booking.VerifyDraw(d); err != nil {
		t.Errorf("VerifyDraw(published) = %v", err)
	}
	secret, _ := hex.DecodeString(d.Secret)
	rerun := booking.RunDraw(secret, d.Entries, d.Places)
	if !slices.Equal(rerun.Order, d.Order) || !slices.Equal(rerun.Winners, d.Winners) {
		t.Errorf("re-run = %v %v, want %v %v", rerun.Order, rerun.Winners, d.Order, d.Winners)
	}
	if booking.Commit(secret) != commitment {
		t.Errorf("published secret hashes to %s, want the commitment %s", booking.Commit(secret), commitment)
	}
	if len(d.Entries) != 5 || len(d.Winners) != 3 || d.Places != 3 {
		t.Fatalf("draw has %d entries, %d winners of %d places; want 5, 3, 3", len(d.Entries), len(d.Winners), d.Places)
	}

	// Winners confirmed with tickets, the rest wait in drawn order.
	won := map[string]bool{}
	for _, w := range d.Winners {
		won[w] = true
	}
	pos := 0
	for _, id := range d.Order {
		r := e.do("GET", "/api/v1/me/bookings", e.token(ids[id]), "")
		if won[id] {
			if !strings.Contains(r.Raw, `"status":"confirmed"`) || !strings.Contains(r.Raw, `"ticket":"WT1.`) {
				t.Errorf("winner %s = %s, want confirmed with a ticket", ids[id], r.Raw)
			}
			continue
		}
		pos++
		if want := fmt.Sprintf(`"status":"waitlisted","position":%d`, pos); !strings.Contains(r.Raw, `"status":"waitlisted"`) || !strings.Contains(r.Raw, fmt.Sprintf(`"position":%d`, pos)) {
			t.Errorf("loser %s = %s, want %s", ids[id], r.Raw, want)
		}
	}
	sl, err := e.app.Catalog.Slot(ctx, slot)
	if err != nil || sl.Booked != 3 {
		t.Errorf("slot booked = %d (%v), want 3", sl.Booked, err)
	}
	// Everyone told once.
	if n := e.pendingOutbox("ballot_won"); n != 3 {
		t.Errorf("ballot_won messages = %d, want 3", n)
	}
	if n := e.pendingOutbox("ballot_lost"); n != 2 {
		t.Errorf("ballot_lost messages = %d, want 2", n)
	}
	// A winner who cancels frees the place for the first in drawn order.
	var first, winner string
	for _, id := range d.Order {
		if !won[id] && first == "" {
			first = id
		}
	}
	winner = d.Winners[0]
	if r := e.do("DELETE", "/api/v1/bookings/"+winner, e.token(ids[winner]), ""); r.Code != 200 {
		t.Fatalf("winner cancels = %d %s", r.Code, r.Raw)
	}
	if r := e.do("GET", "/api/v1/me/bookings", e.token(ids[first]), ""); !strings.Contains(r.Raw, `"status":"confirmed"`) {
		t.Errorf("first in drawn order after a cancellation = %s, want confirmed", r.Raw)
	}
	e.want(e.do("GET", "/api/v1/slots/nope/draw", "", ""), 404, "slot_not_found", "draw of an unknown slot")
	_, fc := e.mustSlot(staff, `{`+slotAt+`,"capacity":3}`)
	e.want(e.do("GET", "/api/v1/slots/"+fc+"/draw", "", ""), 404, "ballot_not_found", "draw of a first-come slot")
}

// A winner who already holds the activity's per-person limit waits instead, and the place
// goes down the drawn order at once: whoever the draw favours, o-b ends up with the place.
func TestBallotWinnerOverLimitWaits(t *testing.T) {
	e := mustEnv(t, t0)
	staff := e.token("o-staff", auth.RoleStaff)
	act, first := e.mustSlot(staff, `{`+slotAt+`,"capacity":5}`)
	r := e.do("POST", "/api/v1/admin/activities/"+act+"/slots", staff,
		`{"startsAt":"2026-12-06T11:30:00Z","endsAt":"2026-12-06T13:30:00Z","capacity":1,"mode":"ballot","bookingClosesAt":"2026-12-01T10:00:00Z"}`)
	if r.Code != 201 {
		t.Fatalf("ballot slot = %d %s", r.Code, r.Raw)
	}
	ballot := r.str("id")
	if r := e.do("POST", "/api/v1/slots/"+first+"/bookings", e.token("o-a"), `{}`); r.Code != 201 {
		t.Fatalf("o-a books the first slot = %d %s", r.Code, r.Raw)
	}
	for _, p := range []string{"o-a", "o-b"} {
		if r := e.do("POST", "/api/v1/slots/"+ballot+"/bookings", e.token(p), `{}`); r.Code != 202 {
			t.Fatalf("%s enters = %d %s", p, r.Code, r.Raw)
		}
	}
	e.set(time.Date(2026, 12, 1, 10, 1, 0, 0, time.UTC))
	if err := e.app.Scheduler()(context.Background(), events.EventBridgeEvent{ID: "draw"}); err != nil {
		t.Fatal(err)
	}
	if b := e.statusOf(ballot, "o-b"); b.Status != booking.StatusConfirmed {
		t.Errorf("o-b = %s, want confirmed", b.Status)
	}
	if a := e.statusOf(ballot, "o-a"); a.Status != booking.StatusWaitlisted {
		t.Errorf("o-a (at the limit) = %s, want waitlisted", a.Status)
	}
}
