package booking_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/notifydb"
	"github.com/wentitong/wentitong/shared/dynamotest"
)

// testKey is base64 of a 32-byte Ed25519 seed.
const testKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

// env is the BookingsFunction on a fresh table, with a clock the test moves.
type env struct {
	t     *testing.T
	app   *app.App
	tbl   *dynamotest.Table
	h     http.Handler
	mu    sync.Mutex
	clock time.Time
}

func (e *env) now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.clock
}

func (e *env) set(t time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.clock = t
}

func mustEnv(t *testing.T, now time.Time) *env { t.Helper(); return mustEnvAttempts(t, now, 0) }

// mustEnvAttempts is mustEnv with the DynamoDB client making at most attempts tries per
// call (0: the test table's default of three).
func mustEnvAttempts(t *testing.T, now time.Time, attempts int) *env {
	t.Helper()
	e := &env{t: t, tbl: dynamotest.New(t), clock: now}
	cfg := config.Config{TableName: e.tbl.Name, WeChatAppID: "wx", WeChatAppSecret: "s",
		SessionSecret: "0123456789abcdef0123456789abcdef-session", TicketSigningKey: testKey, AdminOpenIDs: []string{"o-admin"},
		IDHashKey: "0123456789abcdef0123456789abcdef-id-hash"}
	db := e.tbl.DB
	if attempts > 0 {
		db = dynamodb.New(db.Options(), func(o *dynamodb.Options) { o.RetryMaxAttempts = attempts })
	}
	a, err := app.New(context.Background(), cfg, app.Options{DB: db, Now: e.now, LogOutput: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	e.app = a
	if e.h, err = a.HTTP("BookingsFunction"); err != nil {
		t.Fatal(err)
	}
	// The districts and the venue the tests use.
	ctx := context.Background()
	for _, d := range []directory.District{city, tianyuan, town, hetang} {
		if err := a.Directory.PutDistrict(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	err = a.Directory.PutVenue(ctx, directory.Venue{ID: "v1", Name: "株洲市图书馆", Kind: directory.VenueLibrary,
		DistrictID: town.ID, Location: directory.Location{Lat: 27.83, Lng: 113.08}})
	if err != nil {
		t.Fatal(err)
	}
	// The tests' staff look after 天元区, where the venue is.
	for _, openid := range []string{"o-staff", "o-proj"} {
		if err := a.Directory.SetScope(ctx, openid, tianyuan.ID); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

var (
	city     = directory.Root("430200", "株洲市")
	tianyuan = city.Child("430211", "天元区", directory.LevelCounty)
	town     = tianyuan.Child("430211100", "群丰镇", directory.LevelTownship)
	hetang   = city.Child("430202", "荷塘区", directory.LevelCounty)
)

func (e *env) token(openid string, roles ...string) string {
	e.t.Helper()
	svc, err := e.app.Auth()
	if err != nil {
		e.t.Fatal(err)
	}
	s, err := svc.Issue(context.Background(), openid, append([]string{auth.RoleResident}, roles...), e.now())
	if err != nil {
		e.t.Fatal(err)
	}
	return s.Token
}

type resp struct {
	Code int
	Body map[string]any
	Raw  string
}

func (r resp) str(k string) string { s, _ := r.Body[k].(string); return s }
func (r resp) num(k string) int    { f, _ := r.Body[k].(float64); return int(f) }
func (r resp) code() string {
	m, _ := r.Body["error"].(map[string]any)
	s, _ := m["code"].(string)
	return s
}

// do sends a request; header is alternating names and values.
func (e *env) do(method, path, token, body string, header ...string) resp {
	e.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	r := resp{Code: rec.Code, Raw: rec.Body.String()}
	_ = json.Unmarshal(rec.Body.Bytes(), &r.Body)
	if f := beijing.ForeignTimes(rec.Body.Bytes()); len(f) > 0 {
		e.t.Errorf("%s %s answered times not in Beijing time: %v", method, path, f)
	}
	return r
}

func (e *env) want(r resp, status int, code string, what string) {
	e.t.Helper()
	if r.Code != status || r.code() != code {
		e.t.Errorf("%s = %d %s, want %d %q", what, r.Code, r.Raw, status, code)
	}
}

// mustSlot publishes an activity and a slot with the given JSON fields and returns its id.
// home sets where openid lives, from from, as PUT /api/v1/me/district does.
func (e *env) home(openid, from, to string) {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.app.People.SignedIn(ctx, openid, e.now()); err != nil {
		e.t.Fatal(err)
	}
	if err := e.app.People.SetHome(ctx, openid, from, to, e.now()); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) mustSlot(staff, slotJSON string) (activity, slot string) {
	e.t.Helper()
	r := e.do("POST", "/api/v1/admin/activities", staff, `{"kind":"film","title":"公益电影","description":"d","venueId":"v1"}`)
	if r.Code != 201 || r.str("id") == "" {
		e.t.Fatalf("create activity = %d %s", r.Code, r.Raw)
	}
	activity = r.str("id")
	r = e.do("POST", "/api/v1/admin/activities/"+activity+"/slots", staff, slotJSON)
	if r.Code != 201 || r.str("id") == "" {
		e.t.Fatalf("create slot = %d %s", r.Code, r.Raw)
	}
	return activity, r.str("id")
}

func (e *env) pendingOutbox(kind string) int {
	e.t.Helper()
	e.announce()
	items, err := notifydb.PendingOutbox(context.Background(), e.tbl.DB, e.tbl.Name, e.now().Add(time.Hour), 100)
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, it := range items {
		if k, _ := dynamo.StringAttr(it, "kind"); k == kind {
			n++
		}
	}
	return n
}

// announce queues the messages the bookings' writes owe, from the table's stream, as
// the notifier does first.
func (e *env) announce() {
	e.t.Helper()
	if _, err := e.tbl.MustFeed(e.t, "NotifierFunction", e.app.Announcements()).Poll(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

const slotAt = `"startsAt":"2026-12-05T11:30:00Z","endsAt":"2026-12-05T13:30:00Z"`

func TestBookingContract(t *testing.T) {
	e := mustEnv(t, t0)
	staff, a, b, c, d := e.token("o-staff", auth.RoleStaff), e.token("o-a"), e.token("o-b"), e.token("o-c"), e.token("o-d")

	// Staff only; residents are forbidden, strangers unauthorized.
	e.want(e.do("POST", "/api/v1/admin/activities", a, `{"kind":"film","title":"t","venueId":"v"}`), 403, "forbidden", "resident creates an activity")
	e.want(e.do("POST", "/api/v1/admin/activities", "", `{"kind":"film","title":"t","venueId":"v"}`), 401, "token_missing", "anonymous creates an activity")
	e.want(e.do("POST", "/api/v1/admin/activities", staff, `{"kind":"opera","title":"t","venueId":"v1"}`), 400, "activity_invalid", "unknown kind")
	e.want(e.do("POST", "/api/v1/admin/activities", staff, `{"kind":"film","title":"t","venueId":"nowhere"}`), 400, "venue_unknown", "unknown venue")
	e.want(e.do("POST", "/api/v1/admin/activities/nope/slots", staff, `{`+slotAt+`,"capacity":2}`), 404, "activity_not_found", "slot of no activity")

	_, slot := e.mustSlot(staff, `{`+slotAt+`,"capacity":2,"maxPartySize":3,"cancelCutoffMinutes":60}`)
	e.want(e.do("POST", "/api/v1/admin/activities/x/slots", staff, `{"startsAt":"2026-12-05T11:30:00Z","endsAt":"2026-12-05T10:00:00Z","capacity":2}`), 404, "activity_not_found", "slot of x")

	// The listing shows it with its places.
	r := e.do("GET", "/api/v1/activities?kind=film", "", "")
	if r.Code != 200 || !strings.Contains(r.Raw, `"remaining":2`) || !strings.Contains(r.Raw, slot) {
		t.Errorf("GET /api/v1/activities?kind=film = %d %s, want the slot with 2 places", r.Code, r.Raw)
	}
	e.want(e.do("GET", "/api/v1/activities?kind=opera", "", ""), 400, "query_invalid", "listing an unknown kind")

	book := func(token, body, key string) resp {
		t.Helper()
		var h []string
		if key != "" {
			h = []string{"Idempotency-Key", key}
		}
		return e.do("POST", "/api/v1/slots/"+slot+"/bookings", token, body, h...)
	}

	// Confirmed, with a ticket; a retry with the same key answers the same.
	ra := book(a, `{"partySize":1}`, "key-a-1")
	if ra.Code != 201 || ra.str("status") != "confirmed" || !strings.HasPrefix(ra.str("ticket"), "WT1.") || ra.str("id") == "" {
		t.Fatalf("first booking = %d %s, want 201 confirmed with a ticket", ra.Code, ra.Raw)
	}
	if again := book(a, `{"partySize":1}`, "key-a-1"); again.Code != 201 || again.str("id") != ra.str("id") || again.str("ticket") != ra.str("ticket") {
		t.Errorf("retry with the same key = %d %s, want the first answer %s", again.Code, again.Raw, ra.Raw)
	}
	e.want(book(a, `{"partySize":2}`, "key-a-1"), 409, "idempotency_key_reused", "same key, other request")
	e.want(book(a, `{"partySize":1}`, "key-a-2"), 409, "already_booked", "second booking of one person")
	// A key is remembered for 24 hours: after that the same request is a new one.
	e.set(t0.Add(25 * time.Hour))
	a = e.token("o-a")
	e.want(book(a, `{"partySize":1}`, "key-a-1"), 409, "already_booked", "a key reused after 25 hours")
	e.set(t0)
	a = e.token("o-a")
	e.want(book(a, `{"partySize":1}`, "bad key!"), 400, "idempotency_key_invalid", "malformed key")
	if n := e.pendingOutbox("booking_confirmed"); n != 1 {
		t.Errorf("booking_confirmed outbox items = %d, want 1", n)
	}

	// One place left: a party of two is refused from one read, without a write.
	before := e.tbl.Counter.Snapshot()
	e.want(book(b, `{"partySize":2}`, ""), 409, "slot_full", "party of 2 for 1 place")
	after := e.tbl.Counter.Snapshot()
	if after["TransactWriteItems"] != before["TransactWriteItems"] || after["BatchGetItem"] != before["BatchGetItem"]+1 {
		t.Errorf("a sold-out answer made calls %v → %v, want one BatchGetItem and no write", before, after)
	}
	rb := book(b, `{"partySize":2,"waitlist":true}`, "key-b")
	if rb.Code != 202 || rb.str("status") != "waitlisted" || rb.num("position") != 1 {
		t.Errorf("waitlist join = %d %s, want 202 waitlisted position 1", rb.Code, rb.Raw)
	}
	rc := book(c, "", "") // no body: one place
	if rc.Code != 201 {
		t.Fatal("c could not take the last place")
	}
	rd := book(d, `{"waitlist":true}`, "")
	if rd.Code != 202 || rd.num("position") != 2 {
		t.Errorf("second in line = %d %s, want 202 position 2", rd.Code, rd.Raw)
	}
	e.want(e.do("POST", "/api/v1/slots/nope/bookings", a, `{}`), 404, "slot_not_found", "booking an unknown slot")
	e.want(e.do("POST", "/api/v1/slots/"+slot+"/bookings", "", `{}`), 401, "token_missing", "booking without a token")
	e.want(e.do("POST", "/api/v1/slots/"+slot+"/bookings", a, `{"partySize":"two"}`), 400, "invalid_json", "booking with a wrong type")
	e.want(book(e.token("o-e"), `{"partySize":4}`, ""), 400, "party_size_invalid", "party over the maximum")

	// a cancels: one place frees; b's party of two does not fit, so d (next) is promoted.
	r = e.do("DELETE", "/api/v1/bookings/"+ra.str("id"), a, "")
	if r.Code != 200 || r.str("status") != "cancelled" {
		t.Errorf("cancel = %d %s, want 200 cancelled", r.Code, r.Raw)
	}
	e.want(e.do("DELETE", "/api/v1/bookings/"+ra.str("id"), b, ""), 404, "booking_not_found", "cancelling someone else's booking")
	mine := e.do("GET", "/api/v1/me/bookings", d, "")
	if !strings.Contains(mine.Raw, `"status":"confirmed"`) || !strings.Contains(mine.Raw, `"ticket":"WT1.`) {
		t.Errorf("d's bookings after the promotion = %s, want confirmed with a ticket", mine.Raw)
	}
	if mine := e.do("GET", "/api/v1/me/bookings", b, ""); !strings.Contains(mine.Raw, `"status":"waitlisted"`) || !strings.Contains(mine.Raw, `"position":1`) {
		t.Errorf("b's bookings = %s, want waitlisted at position 1", mine.Raw)
	}
	if n := e.pendingOutbox("booking_promoted"); n != 1 {
		t.Errorf("booking_promoted outbox items = %d, want 1", n)
	}
	// The cancelled ticket is revoked; a retry of a's first request still answers the first result.
	e.want(e.do("POST", "/api/v1/admin/checkins", staff, `{"ticket":"`+ra.str("ticket")+`"}`), 409, "ticket_revoked", "cancelled ticket")

	// Capacity raised by one: b's party of two now fits (1 + 1 free).
	r = e.do("PATCH", "/api/v1/admin/slots/"+slot, staff, `{"capacity":4}`)
	if r.Code != 200 || r.num("booked") != 4 || r.num("remaining") != 0 {
		t.Errorf("raise capacity = %d %s, want booked 4 (b promoted), remaining 0", r.Code, r.Raw)
	}
	e.want(e.do("PATCH", "/api/v1/admin/slots/"+slot, staff, `{"capacity":3}`), 409, "capacity_below_booked", "capacity under the booked places")

	// Check-in of d's ticket: too early, admitted, used, wrong door, forged.
	var dTicket, dID string
	var list struct{ Bookings []struct{ ID, Ticket string } }
	_ = json.Unmarshal([]byte(mine.Raw), &list)
	if len(list.Bookings) == 1 {
		dTicket, dID = list.Bookings[0].Ticket, list.Bookings[0].ID
	}
	scan := func(body string) resp { return e.do("POST", "/api/v1/admin/checkins", staff, body) }
	e.want(scan(`{"ticket":"`+dTicket+`"}`), 409, "too_early", "check-in days early")
	e.set(time.Date(2026, 12, 5, 11, 0, 0, 0, time.UTC))
	staff, d = e.token("o-staff", auth.RoleStaff), e.token("o-d") // sessions last 12 hours
	e.want(scan(`{"ticket":"`+dTicket+`","slotId":"other"}`), 409, "wrong_slot", "check-in at another slot's door")
	if r := scan(`{"ticket":"` + dTicket + `","slotId":"` + slot + `"}`); r.Code != 200 || r.Body["admitted"] != true || r.str("bookingId") != dID {
		t.Errorf("check-in = %d %s, want 200 admitted %s", r.Code, r.Raw, dID)
	}
	e.want(scan(`{"ticket":"`+dTicket+`"}`), 409, "ticket_used", "second scan")
	if r := e.do("POST", "/api/v1/admin/checkouts", staff, `{"ticket":"`+dTicket+`"}`); r.Code != 200 || r.Body["checkedOut"] != true {
		t.Errorf("check-out = %d %s, want 200 checkedOut", r.Code, r.Raw)
	}
	e.want(e.do("POST", "/api/v1/admin/checkouts", staff, `{"ticket":"`+dTicket+`"}`), 409, "checked_out", "second check-out")
	e.want(e.do("POST", "/api/v1/admin/checkouts", staff, `{"ticket":"`+rc.str("ticket")+`"}`), 409, "not_checked_in", "check-out before check-in")
	e.want(scan(`{"ticket":"`+dTicket[:len(dTicket)-4]+`AAAA"}`), 400, "ticket_invalid", "forged signature")
	e.want(e.do("POST", "/api/v1/admin/checkins", d, `{"ticket":"`+dTicket+`"}`), 403, "forbidden", "a resident scanning")
	e.want(e.do("DELETE", "/api/v1/bookings/"+dID, d, ""), 409, "cancellation_closed", "cancel after the cut-off")
	e.set(time.Date(2026, 12, 5, 12, 1, 0, 0, time.UTC))
	staff = e.token("o-staff", auth.RoleStaff)
	e.want(scan(`{"ticket":"`+rb.str("id")+`"}`), 400, "ticket_invalid", "a booking id is no ticket")

	if r := e.do("GET", "/api/v1/admin/slots/"+slot+"/bookings", staff, ""); r.Code != 200 || !strings.Contains(r.Raw, `"holder":"***"`) || strings.Contains(r.Raw, "o-d") {
		t.Errorf("staff list of bookings = %d %s, want masked holders", r.Code, r.Raw)
	}
	// Staff cancel the slot: every live booking is cancelled and its holder told.
	r = e.do("DELETE", "/api/v1/admin/slots/"+slot, staff, "")
	if r.Code != 200 || r.str("status") != "cancelled" || r.num("bookingsCancelled") != 3 {
		t.Errorf("cancel slot = %d %s, want cancelled with 3 bookings (b, c, d)", r.Code, r.Raw)
	}
	if n := e.pendingOutbox("slot_cancelled"); n != 3 {
		t.Errorf("slot_cancelled outbox items = %d, want 3", n)
	}
	if r := e.do("DELETE", "/api/v1/admin/slots/"+slot, staff, ""); r.Code != 200 || r.num("bookingsCancelled") != 0 {
		t.Errorf("cancel the slot again = %d %s, want 200 with nothing left to cancel", r.Code, r.Raw)
	}
	if r := e.do("GET", "/api/v1/activities", "", ""); strings.Contains(r.Raw, slot) {
		t.Errorf("listing after the slot was cancelled still shows it: %s", r.Raw)
	}
}

func TestBookingRules(t *testing.T) {
	e := mustEnv(t, t0)
	ctx := context.Background()
	staff := e.token("o-admin", auth.RoleAdmin)

	// Booking window: opens tomorrow.
	_, later := e.mustSlot(staff, `{`+slotAt+`,"capacity":5,"bookingOpensAt":"2026-12-02T00:00:00Z"}`)
	e.want(e.do("POST", "/api/v1/slots/"+later+"/bookings", e.token("o-1"), `{}`), 409, "window_closed", "booking before the window")

	// Eligibility by district subtree.
	_, local := e.mustSlot(staff, `{`+slotAt+`,"capacity":5,"eligibleDistrictId":"430211"}`)
	// Where the resident lives is their profile's home district, never what the request says.
	e.want(e.do("POST", "/api/v1/slots/"+local+"/bookings", e.token("o-1"), `{"districtId":"430211100"}`), 403, "home_district_missing", "no home set")
	e.home("o-1", "", hetang.ID)
	e.want(e.do("POST", "/api/v1/slots/"+local+"/bookings", e.token("o-1"), `{"districtId":"430211100"}`), 403, "not_eligible", "living in another county, claiming this one")
	e.home("o-1", hetang.ID, town.ID)
	if r := e.do("POST", "/api/v1/slots/"+local+"/bookings", e.token("o-1"), `{}`); r.Code != 201 {
		t.Errorf("booking from a township of the eligible county = %d %s, want 201", r.Code, r.Raw)
	}
	if r := e.do("GET", "/api/v1/activities?district=430202", "", ""); r.Code != 200 || strings.Contains(r.Raw, local) {
		t.Errorf("listing of 荷塘区 = %d %s, want none of 天元区's slots", r.Code, r.Raw)
	}
	if r := e.do("GET", "/api/v1/activities?district=430211", "", ""); r.Code != 200 || !strings.Contains(r.Raw, local) {
		t.Errorf("listing of 天元区 = %d %s, want its slot %s (its venue is in a township of it)", r.Code, r.Raw, local)
	}
	if r := e.do("GET", "/api/v1/activities?date=2026-12-05&limit=1", "", ""); r.Code != 200 || r.str("nextCursor") == "" {
		t.Errorf("listing one per page = %d %s, want a next cursor", r.Code, r.Raw)
	} else if r2 := e.do("GET", "/api/v1/activities?date=2026-12-05&limit=1&cursor="+r.str("nextCursor"), "", ""); r2.Code != 200 || r2.Raw == r.Raw {
		t.Errorf("second page = %d %s, want another slot than %s", r2.Code, r2.Raw, r.Raw)
	}
	e.want(e.do("GET", "/api/v1/activities?cursor=!!!", "", ""), 400, "cursor_invalid", "a forged cursor")

	// Per-person limit across an activity's slots: one at a time.
	act, first := e.mustSlot(staff, `{`+slotAt+`,"capacity":5,"perPersonLimit":1}`)
	r := e.do("POST", "/api/v1/admin/activities/"+act+"/slots", staff, `{"startsAt":"2026-12-06T11:30:00Z","endsAt":"2026-12-06T13:30:00Z","capacity":5}`)
	second := r.str("id")
	tok := e.token("o-2")
	rf := e.do("POST", "/api/v1/slots/"+first+"/bookings", tok, `{}`)
	if rf.Code != 201 {
		t.Fatalf("first slot = %d %s", rf.Code, rf.Raw)
	}
	e.want(e.do("POST", "/api/v1/slots/"+second+"/bookings", tok, `{}`), 409, "limit_reached", "second slot of the same activity")
	e.do("DELETE", "/api/v1/bookings/"+rf.str("id"), tok, "")
	if r := e.do("POST", "/api/v1/slots/"+second+"/bookings", tok, `{}`); r.Code != 201 {
		t.Errorf("second slot after cancelling the first = %d %s, want 201", r.Code, r.Raw)
	}
	// Booking the cancelled slot again is allowed (a new booking, a new id).
	if r := e.do("POST", "/api/v1/slots/"+first+"/bookings", e.token("o-3"), `{}`); r.Code != 201 {
		t.Errorf("another person on the first slot = %d %s", r.Code, r.Raw)
	}

	// Suspended people are refused.
	if err := e.app.People.Suspend(ctx, "o-4", t0.Add(24*time.Hour), ""); err != nil {
		t.Fatal(err)
	}
	e.want(e.do("POST", "/api/v1/slots/"+first+"/bookings", e.token("o-4"), `{}`), 403, "suspended", "a suspended person")

	// Ballot slots take entries, answered 202.
	_, ballot := e.mustSlot(staff, `{`+slotAt+`,"capacity":5,"mode":"ballot"}`)
	if r := e.do("POST", "/api/v1/slots/"+ballot+"/bookings", e.token("o-5"), `{}`); r.Code != 202 || r.str("status") != "balloted" {
		t.Errorf("ballot entry = %d %s, want 202 balloted", r.Code, r.Raw)
	}

	// The public key verifies the tickets.
	if r := e.do("GET", "/api/v1/tickets/public-key", "", ""); r.Code != 200 || r.str("alg") != "Ed25519" {
		t.Errorf("public key = %d %s", r.Code, r.Raw)
	}

	// DynamoDB failing: 503, and nothing booked.
	signedIn := e.token("o-6")
	restore := e.tbl.FailAll(t)
	e.want(e.do("POST", "/api/v1/slots/"+first+"/bookings", signedIn, `{}`), 503, "unavailable", "booking while DynamoDB fails")
	restore()
}

// A cancellation whose promotion failed leaves free places and a waiting line; the
// scheduler's sweep promotes, then drops the slot from the sweep once the line is empty,
// and a new line puts it back.
func TestSchedulerSweepPromotes(t *testing.T) {
	e := mustEnv(t, t0)
	ctx := context.Background()
	staff := e.token("o-staff", auth.RoleStaff)
	_, slot := e.mustSlot(staff, `{`+slotAt+`,"capacity":1}`)
	a, b := e.token("o-a"), e.token("o-b")
	if r := e.do("POST", "/api/v1/slots/"+slot+"/bookings", a, `{}`); r.Code != 201 {
		t.Fatalf("a books = %d %s", r.Code, r.Raw)
	}
	if r := e.do("POST", "/api/v1/slots/"+slot+"/bookings", b, `{"waitlist":true}`); r.Code != 202 {
		t.Fatalf("b waits = %d %s", r.Code, r.Raw)
	}
	// a's cancellation commits but its promotion never runs (as if the function died).
	held, err := e.app.Bookings.Booking(ctx, slot, "o-a")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.app.Bookings.Cancel(ctx, held, booking.Slot{}, "resident", false, t0); err != nil {
		t.Fatal(err)
	}
	tick := e.app.Scheduler()
	if err := tick(ctx, events.EventBridgeEvent{ID: "tick-1"}); err != nil {
		t.Fatalf("scheduler tick = %v", err)
	}
	if r := e.do("GET", "/api/v1/me/bookings", b, ""); !strings.Contains(r.Raw, `"status":"confirmed"`) {
		t.Errorf("b after the sweep = %s, want confirmed", r.Raw)
	}
	if n := e.pendingOutbox("booking_promoted"); n != 1 {
		t.Errorf("booking_promoted outbox items = %d, want 1", n)
	}
	// The line is empty: a later tick drops the slot from the sweep (after a place frees).
	if r := e.do("DELETE", "/api/v1/bookings/"+e.do("GET", "/api/v1/me/bookings", b, "").Body["bookings"].([]any)[0].(map[string]any)["id"].(string), b, ""); r.Code != 200 {
		t.Fatalf("b cancels = %d %s", r.Code, r.Raw)
	}
	if err := tick(ctx, events.EventBridgeEvent{ID: "tick-2"}); err != nil {
		t.Fatal(err)
	}
	if ids, err := e.app.Bookings.WaitingSlots(ctx); err != nil || len(ids) != 0 {
		t.Errorf("WaitingSlots after the line emptied = %v, %v; want none", ids, err)
	}
	// A new line marks the slot again, and the people's lists still work.
	c, d := e.token("o-c"), e.token("o-d")
	e.do("POST", "/api/v1/slots/"+slot+"/bookings", c, `{}`)
	if r := e.do("POST", "/api/v1/slots/"+slot+"/bookings", d, `{"waitlist":true}`); r.Code != 202 {
		t.Fatalf("d waits = %d %s", r.Code, r.Raw)
	}
	if ids, err := e.app.Bookings.WaitingSlots(ctx); err != nil || len(ids) != 1 || ids[0] != slot {
		t.Errorf("WaitingSlots after a new line = %v, %v; want [%s]", ids, err, slot)
	}
	if r := e.do("GET", "/api/v1/me/bookings", d, ""); !strings.Contains(r.Raw, `"position":1`) {
		t.Errorf("d's bookings = %s, want waiting at position 1", r.Raw)
	}
}

// Staff manage only the activities and slots of venues in their district's subtree;
// admins manage all; staff with no district manage none.
func TestStaffAreScopedToTheirDistrict(t *testing.T) {
	e := mustEnv(t, time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))
	ctx := context.Background()
	if err := e.app.Directory.SetScope(ctx, "o-staff-hetang", hetang.ID); err != nil {
		t.Fatal(err)
	}
	activity := `{"kind":"event","title":"非遗剪纸体验课","venueId":"v1"}`
	tests := []struct {
		name, token string
		want        int
		code        string
	}{
		{"staff of the venue's county", e.token("o-staff", auth.RoleStaff), 201, ""},
		{"staff of another county", e.token("o-staff-hetang", auth.RoleStaff), 403, "district_out_of_scope"},
		{"staff with no district", e.token("o-staff-nowhere", auth.RoleStaff), 403, "scope_missing"},
		{"admin", e.token("o-admin", auth.RoleAdmin), 201, ""},
	}
	var id string
	for _, tt := range tests {
		rec := e.do("POST", "/api/v1/admin/activities", tt.token, activity)
		if rec.Code != tt.want || tt.want == 403 && rec.code() != tt.code {
			t.Errorf("%s creates an activity at v1 = %d %s, want %d", tt.name, rec.Code, rec.Raw, tt.want)
		}
		if rec.Code == 201 && id == "" {
			id = rec.str("id")
		}
	}
	slot := `{"startsAt":"2026-12-05T11:00:00Z","endsAt":"2026-12-05T13:00:00Z","capacity":30}`
	if rec := e.do("POST", "/api/v1/admin/activities/"+id+"/slots", e.token("o-staff-hetang", auth.RoleStaff), slot); rec.Code != 403 {
		t.Errorf("staff of another county adds a slot = %d %s, want 403", rec.Code, rec.Raw)
	}
	rec := e.do("POST", "/api/v1/admin/activities/"+id+"/slots", e.token("o-staff", auth.RoleStaff), slot)
	slotID := rec.str("id")
	if rec.Code != 201 || slotID == "" {
		t.Fatalf("staff of the county adds a slot = %d %s", rec.Code, rec.Raw)
	}
	if rec := e.do("DELETE", "/api/v1/admin/slots/"+slotID, e.token("o-staff-hetang", auth.RoleStaff), ""); rec.Code != 403 {
		t.Errorf("staff of another county cancels the slot = %d %s, want 403", rec.Code, rec.Raw)
	}
	if rec := e.do("GET", "/api/v1/admin/slots/"+slotID+"/bookings", e.token("o-staff-hetang", auth.RoleStaff), ""); rec.Code != 403 {
		t.Errorf("staff of another county reads the roster = %d %s, want 403", rec.Code, rec.Raw)
	}
}

// A session this instance saw sold out is refused from memory: one eventually consistent
// read of the request's own record (none without a key) and no write; a retry of a
// booking still gets its first answer, the waiting list still takes entries, and a place
// this instance gives back is offered at once.
func TestSoldOutIsAnsweredFromMemory(t *testing.T) {
	e := mustEnv(t, t0)
	staff := e.token("o-staff", auth.RoleStaff)
	_, slot := e.mustSlot(staff, `{`+slotAt+`,"capacity":1}`)
	tokens := map[string]string{}
	for _, openid := range []string{"o-a", "o-b", "o-c", "o-d", "o-e", "o-f"} {
		tokens[openid] = e.token(openid)
	}
	book := func(openid, body, key string) resp {
		t.Helper()
		var h []string
		if key != "" {
			h = []string{"Idempotency-Key", key}
		}
		return e.do("POST", "/api/v1/slots/"+slot+"/bookings", tokens[openid], body, h...)
	}
	first := book("o-a", `{}`, "key-a")
	if first.Code != 201 {
		t.Fatalf("first booking = %d %s", first.Code, first.Raw)
	}
	e.want(book("o-b", `{}`, "key-b"), 409, "slot_full", "the read that shows the session full")

	calls := func(f func()) (reads, batch, gets, writes int64) {
		before := e.tbl.Counter.Snapshot()
		f()
		after := e.tbl.Counter.Snapshot()
		return after["Query"] + after["GetItem"] + after["BatchGetItem"] - before["Query"] - before["GetItem"] - before["BatchGetItem"],
			after["BatchGetItem"] - before["BatchGetItem"], after["GetItem"] - before["GetItem"],
			after["TransactWriteItems"] + after["PutItem"] + after["UpdateItem"] - before["TransactWriteItems"] - before["PutItem"] - before["UpdateItem"]
	}
	// What the request costs before the booking (its token's check, remembered once made).
	malformed := func() {
		e.want(e.do("POST", "/api/v1/slots/no!such/bookings", tokens["o-c"], `{}`), 404, "slot_not_found", "a malformed slot id")
	}
	malformed()
	authReads, _, _, _ := calls(malformed)
	if reads, batch, gets, writes := calls(func() { e.want(book("o-c", `{}`, "key-c"), 409, "slot_full", "sold out from memory") }); reads != authReads+1 || batch != 0 || gets != authReads+1 || writes != 0 {
		t.Errorf("a keyed sold-out answer made %d reads (%d batch, %d get) and %d writes; want the one read of its record beyond the token's %d", reads, batch, gets, writes, authReads)
	}
	if reads, _, _, writes := calls(func() { e.want(book("o-c", `{}`, ""), 409, "slot_full", "sold out from memory, no key") }); reads != authReads || writes != 0 {
		t.Errorf("an unkeyed sold-out answer made %d reads and %d writes; want none beyond the token's %d", reads, writes, authReads)
	}
	// The request's own checks still come first.
	e.want(book("o-c", `{"partySize":9}`, "key-c9"), 400, "party_size_invalid", "a party over the maximum at a sold-out session")
	// A retry of the booking that took the place gets its first answer.
	if again := book("o-a", `{}`, "key-a"); again.Code != 201 || again.str("id") != first.str("id") {
		t.Errorf("retry of the confirmed booking = %d %s, want its first answer %s", again.Code, again.Raw, first.Raw)
	}
	// The waiting list is not "sold out".
	if w := book("o-d", `{"waitlist":true}`, "key-d"); w.Code != 202 || w.str("status") != "waitlisted" {
		t.Errorf("joining the line of a sold-out session = %d %s, want 202 waitlisted", w.Code, w.Raw)
	}
	// a cancels: d is promoted from the line; the session is full again, read afresh.
	if r := e.do("DELETE", "/api/v1/bookings/"+first.str("id"), tokens["o-a"], ""); r.Code != 200 {
		t.Fatalf("cancel = %d %s", r.Code, r.Raw)
	}
	if reads, batch, _, _ := calls(func() { e.want(book("o-e", `{}`, "key-e"), 409, "slot_full", "after the promotion") }); batch != 1 {
		t.Errorf("the first request after a cancellation made %d reads, %d of them BatchGetItem; want the session read again", reads, batch)
	}
	// Capacity raised here: the new place is offered at once.
	if r := e.do("PATCH", "/api/v1/admin/slots/"+slot, staff, `{"capacity":2}`); r.Code != 200 {
		t.Fatalf("raise capacity = %d %s", r.Code, r.Raw)
	}
	if r := book("o-f", `{}`, "key-f"); r.Code != 201 {
		t.Errorf("booking the place added to a sold-out session = %d %s, want 201", r.Code, r.Raw)
	}
}
