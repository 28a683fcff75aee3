package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/wentitong/wentitong/infra/local/demo"
	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo/notifydb"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/notify"
)

type outboxEntry struct {
	Kind, Recipient string
	Payload         map[string]string
}

// pendingOutbox returns the pending outbox items, the earliest due first.
func pendingOutbox(t *testing.T, tbl *dynamotest.Table) []outboxEntry {
	t.Helper()
	items, err := notifydb.PendingOutbox(context.Background(), tbl.DB, tbl.Name, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []outboxEntry
	for _, it := range items {
		var e struct {
			Kind      string            `dynamodbav:"kind"`
			Recipient string            `dynamodbav:"recipient"`
			Payload   map[string]string `dynamodbav:"data"`
		}
		if err := unmarshalItem(it, &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, outboxEntry{e.Kind, e.Recipient, e.Payload})
	}
	return out
}

// attend gives each openid a confirmed booking, checked in, of an evening of activity
// that ended before the clock's time: only attendees may rate.
func attend(t *testing.T, a *app.App, activity string, now time.Time, openids ...string) {
	t.Helper()
	ctx := context.Background()
	start := now.Add(-14 * time.Hour)
	slot := booking.Slot{ID: "past-" + activity, ActivityID: activity, Kind: booking.KindEvent, StartsAt: start, EndsAt: start.Add(2 * time.Hour),
		Capacity: 100, BookingOpensAt: start.Add(-48 * time.Hour), BookingClosesAt: start, PerPersonLimit: 0, MaxPartySize: 1, Mode: booking.ModeFirstCome}
	if err := a.Catalog.PutSlot(ctx, slot); err != nil {
		t.Fatal(err)
	}
	for i, o := range openids {
		// A random-looking suffix, as a booking's id has: none embeds its holder.
		b := booking.Booking{ID: booking.BookingID(slot.ID, fmt.Sprintf("att%04d", i)), SlotID: slot.ID, ActivityID: activity, OpenID: o, PartySize: 1,
			Status: booking.StatusConfirmed, StartsAt: start, CreatedAt: start.Add(-time.Hour), JoinedAt: start.Add(-time.Hour)}
		if err := a.Bookings.Reserve(ctx, booking.Reservation{Booking: b, Slot: slot, Now: b.CreatedAt}); err != nil {
			t.Fatal(err)
		}
		if err := a.Bookings.CheckIn(ctx, b, start); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRatingsAndSatisfaction(t *testing.T) {
	do, token, tbl, clock, a := mustDirectoryApp(t)
	admin := token("o-admin", "admin")
	var raters []string
	for i := range 10 {
		raters = append(raters, fmt.Sprintf("o-r%d", i))
	}
	attend(t, a, "a-event-xiangju", *clock, raters...)
	alerts := func() []outboxEntry { // the outbox without the attendees' confirmations
		var out []outboxEntry
		for _, e := range pendingOutbox(t, tbl) {
			if e.Kind != "booking_confirmed" {
				out = append(out, e)
			}
		}
		return out
	}
	tbl.Counter.Reset()
	// People with no checked-in booking of the activity may not rate.
	for _, openid := range []string{"o-x", "o-never"} {
		rec := do("POST", "/api/v1/ratings", `{"activityId":"a-event-xiangju","score":5}`, token(openid))
		if rec.Code != 403 || errorCode(rec) != "not_attended" {
			t.Errorf("%s rates = %d %s, want 403 not_attended", openid, rec.Code, rec.Body)
		}
	}
	rate := func(openid string, score int) (int, string) {
		rec := do("POST", "/api/v1/ratings", fmt.Sprintf(`{"activityId":"a-event-xiangju","score":%d,"comment":"唱得好"}`, score), token(openid))
		return rec.Code, errorCode(rec)
	}

	// A low rating with nobody assigned to the venue's districts alerts the admins.
	if code, _ := rate("o-r0", 2); code != 201 {
		t.Fatalf("rate 2 stars = %d, want 201", code)
	}
	if got := alerts(); len(got) != 1 || got[0].Kind != "low_rating" || got[0].Recipient != "role:admin" || got[0].Payload["venueId"] != "v-city-museum" {
		t.Errorf("outbox after a low rating = %+v, want one low_rating to role:admin about v-city-museum", got)
	}
	// With staff assigned to the venue's street, they are alerted instead.
	if rec := do("PUT", "/api/v1/admin/scopes/o-staff-library", `{"districtId":"430211001"}`, admin); rec.Code != 200 {
		t.Fatalf("set scope = %d %s", rec.Code, rec.Body)
	}
	if code, _ := rate("o-r1", 1); code != 201 {
		t.Fatalf("rate 1 star = %d", code)
	}
	if got := alerts(); len(got) != 2 || !slices.ContainsFunc(got, func(e outboxEntry) bool { return e.Recipient == "o-staff-library" }) {
		t.Errorf("outbox after the second low rating = %+v, want one to o-staff-library", got)
	}

	// Refusals: each has its code and writes nothing.
	before := len(alerts())
	sat := func(subject string) map[string]any {
		rec := do("GET", "/api/v1/satisfaction?subject="+subject, "", "")
		var m map[string]any
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &m) != nil {
			t.Fatalf("satisfaction of %s = %d %s", subject, rec.Code, rec.Body)
		}
		return m
	}
	ratingsBefore := sat("venue:v-city-museum")["ratings"]
	bad := []struct {
		name, method, path, body, token string
		status                          int
		code                            string
	}{
		{"again", "POST", "/api/v1/ratings", `{"activityId":"a-event-xiangju","score":5}`, token("o-r1"), 409, "already_rated"},
		{"zero stars", "POST", "/api/v1/ratings", `{"activityId":"a-event-xiangju","score":0}`, token("o-x"), 400, "rating_invalid"},
		{"six stars", "POST", "/api/v1/ratings", `{"activityId":"a-event-xiangju","score":6}`, token("o-x"), 400, "rating_invalid"},
		{"stars as text", "POST", "/api/v1/ratings", `{"activityId":"a-event-xiangju","score":"5"}`, token("o-x"), 400, "invalid_json"},
		{"long comment", "POST", "/api/v1/ratings", `{"activityId":"a-event-xiangju","score":5,"comment":"` + strings.Repeat("好", 501) + `"}`, token("o-x"), 400, "rating_invalid"},
		{"unknown activity", "POST", "/api/v1/ratings", `{"activityId":"nope","score":5}`, token("o-x"), 404, "activity_not_found"},
		{"no token", "POST", "/api/v1/ratings", `{"activityId":"a-event-xiangju","score":5}`, "", 401, "token_missing"},
		{"bad subject", "GET", "/api/v1/satisfaction?subject=user:o-1", "", "", 400, "subject_invalid"},
		{"no subject", "GET", "/api/v1/satisfaction", "", "", 400, "subject_invalid"},
		{"bad period", "GET", "/api/v1/satisfaction?subject=venue:v1&period=2026-13", "", "", 400, "period_invalid"},
	}
	for _, tt := range bad {
		if rec := do(tt.method, tt.path, tt.body, tt.token); rec.Code != tt.status || errorCode(rec) != tt.code {
			t.Errorf("%s: %s %s = %d %s, want %d %s", tt.name, tt.method, tt.path, rec.Code, rec.Body, tt.status, tt.code)
		}
	}
	if after := len(alerts()); after != before {
		t.Errorf("refused ratings wrote %d outbox items", after-before)
	}
	if got := sat("venue:v-city-museum")["ratings"]; got != ratingsBefore {
		t.Errorf("refused ratings changed the tally: %v → %v", ratingsBefore, got)
	}

	// Below the minimum sample nothing is published; at it, the index is.
	if m := sat("venue:v-city-museum"); m["sufficient"] != false || m["index"] != nil {
		t.Errorf("two ratings published %v", m)
	}
	for i := range 8 { // eight 5-star ratings: 2+1+40 = 43 over 10
		if code, _ := rate(fmt.Sprintf("o-r%d", i+2), 5); code != 201 {
			t.Fatalf("rating %d = %d", i+2, code)
		}
	}
	// mean 4.3 → index 100 × 3.3 / 4 = 82.5; 8 of 10 satisfied.
	for _, subject := range []string{"venue:v-city-museum", "activity:a-event-xiangju", "district:430211001", "district:430211", "district:430200"} {
		m := sat(subject)
		if m["ratings"] != 10.0 || m["index"] != 82.5 || m["satisfiedPercent"] != 80.0 || m["sufficient"] != true {
			t.Errorf("satisfaction of %s = %v, want 10 ratings, index 82.5, 80%% satisfied", subject, m)
		}
	}
	if m := sat("district:430202"); m["ratings"] != 0.0 {
		t.Errorf("荷塘区 has %v ratings, want 0", m["ratings"])
	}
	rec := do("GET", "/api/v1/satisfaction?subject=venue:v-city-museum&period=2026-11", "", "")
	if !strings.Contains(rec.Body.String(), `"ratings":10`) {
		t.Errorf("November's satisfaction = %s, want the 10 ratings", rec.Body)
	}
}

func TestFeedbackTickets(t *testing.T) {
	do, token, tbl := mustDirectory(t)
	admin, resident := token("o-admin", "admin"), token("o-1")
	staff, coordinator := token("o-staff-library", "staff"), token("o-coordinator-youxian", "coordinator")
	for openid, district := range map[string]string{"o-staff-library": "430211", "o-coordinator-youxian": "430223"} {
		if rec := do("PUT", "/api/v1/admin/scopes/"+openid, `{"districtId":"`+district+`"}`, admin); rec.Code != 200 {
			t.Fatalf("set scope = %d %s", rec.Code, rec.Body)
		}
	}

	rec := do("POST", "/api/v1/feedback", `{"category":"complaint","text":"博物馆周一闭馆，希望能开放","venueId":"v-city-museum"}`, resident)
	var ticket struct {
		ID, Status, DistrictID string
		DueAt                  time.Time
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &ticket); err != nil || rec.Code != 201 || ticket.Status != "open" || ticket.DistrictID != "430211001" {
		t.Fatalf("file feedback = %d %s, want 201 open in 430211001", rec.Code, rec.Body)
	}
	if want := time.Date(2026, 11, 31, 9, 0, 0, 0, time.UTC); !ticket.DueAt.Equal(want) {
		t.Errorf("due %v, want %v (72 hours)", ticket.DueAt, want)
	}
	if got := pendingOutbox(t, tbl); len(got) != 1 || got[0].Kind != "feedback_ticket" || got[0].Recipient != "o-staff-library" || got[0].Payload["ticketId"] != ticket.ID {
		t.Errorf("outbox after filing = %+v, want one feedback_ticket to o-staff-library", got)
	}
	// A city-wide ticket nobody is assigned to goes to the admins.
	if rec := do("POST", "/api/v1/feedback", `{"text":"希望增加夜间场次"}`, token("o-2")); rec.Code != 201 {
		t.Fatalf("file city-wide feedback = %d %s", rec.Code, rec.Body)
	}
	if got := pendingOutbox(t, tbl); len(got) != 2 || !slices.ContainsFunc(got, func(e outboxEntry) bool { return e.Recipient == "role:admin" && e.Kind == "feedback_ticket" }) {
		t.Errorf("outbox after a city-wide ticket = %+v, want one to role:admin", got)
	}

	list := func(tok string) []map[string]any {
		rec := do("GET", "/api/v1/admin/feedback", "", tok)
		var body struct{ Tickets []map[string]any }
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
			t.Fatalf("list = %d %s", rec.Code, rec.Body)
		}
		return body.Tickets
	}
	if got := list(staff); len(got) != 1 || got[0]["id"] != ticket.ID || got[0]["owner"] != "o-staff-library" || got[0]["overdue"] != false {
		t.Errorf("天元区 staff see %v, want the museum ticket, owned by them, not overdue", got)
	}
	if got := list(coordinator); len(got) != 0 {
		t.Errorf("攸县's coordinator sees %v, want nothing", got)
	}
	if got := list(admin); len(got) != 2 {
		t.Errorf("the admin sees %d tickets, want 2", len(got))
	}
	if body := do("GET", "/api/v1/admin/feedback", "", staff).Body.String(); strings.Contains(body, "o-1") {
		t.Errorf("staff listing exposes the resident's openid: %s", body)
	}

	before := len(pendingOutbox(t, tbl))
	reply := "/api/v1/admin/feedback/" + ticket.ID + "/reply"
	bad := []struct {
		name, method, path, body, token string
		status                          int
		code                            string
	}{
		{"no text", "POST", "/api/v1/feedback", `{"text":" "}`, resident, 400, "feedback_invalid"},
		{"long text", "POST", "/api/v1/feedback", `{"text":"` + strings.Repeat("长", 1001) + `"}`, resident, 400, "feedback_invalid"},
		{"bad category", "POST", "/api/v1/feedback", `{"text":"x","category":"spam"}`, resident, 400, "feedback_invalid"},
		{"unknown venue", "POST", "/api/v1/feedback", `{"text":"x","venueId":"nope"}`, resident, 404, "venue_not_found"},
		{"unknown district", "POST", "/api/v1/feedback", `{"text":"x","districtId":"nope"}`, resident, 404, "district_not_found"},
		{"anonymous", "POST", "/api/v1/feedback", `{"text":"x"}`, "", 401, "token_missing"},
		{"resident lists", "GET", "/api/v1/admin/feedback", "", resident, 403, "forbidden"},
		{"resident replies", "POST", reply, `{"text":"好"}`, resident, 403, "forbidden"},
		{"out of scope", "POST", reply, `{"text":"好"}`, coordinator, 403, "district_out_of_scope"},
		{"staff without a district", "POST", reply, `{"text":"好"}`, token("o-staff-new", "staff"), 403, "scope_missing"},
		{"empty reply", "POST", reply, `{"text":""}`, staff, 400, "reply_invalid"},
		{"unknown ticket", "POST", "/api/v1/admin/feedback/nope/reply", `{"text":"好"}`, staff, 404, "feedback_not_found"},
		{"malformed", "POST", reply, `{"text":`, staff, 400, "invalid_json"},
	}
	for _, tt := range bad {
		if rec := do(tt.method, tt.path, tt.body, tt.token); rec.Code != tt.status || errorCode(rec) != tt.code {
			t.Errorf("%s: %s %s = %d %s, want %d %s", tt.name, tt.method, tt.path, rec.Code, rec.Body, tt.status, tt.code)
		}
	}
	if after := len(pendingOutbox(t, tbl)); after != before {
		t.Errorf("refused requests wrote %d outbox items", after-before)
	}
	if got := list(admin); len(got) != 2 {
		t.Errorf("after refusals the admin sees %d open tickets, want 2", len(got))
	}

	// The staff member answers; the reply is queued for the resident's WeChat.
	if rec := do("POST", reply, `{"text":"已反馈馆方，下月起周一上午开放。"}`, staff); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"status":"answered"`) {
		t.Fatalf("reply = %d %s", rec.Code, rec.Body)
	}
	got := pendingOutbox(t, tbl)
	if !slices.ContainsFunc(got, func(e outboxEntry) bool {
		return e.Kind == "feedback_reply" && e.Recipient == "o-1" && strings.Contains(e.Payload["reply"], "周一上午")
	}) || len(got) != before+1 {
		t.Errorf("outbox after the reply = %+v, want one more: a feedback_reply to o-1", got)
	}
	if rec := do("POST", reply, `{"text":"再答一次"}`, admin); rec.Code != 409 || errorCode(rec) != "feedback_answered" {
		t.Errorf("second reply = %d %s, want 409 feedback_answered", rec.Code, rec.Body)
	}
	if got := list(staff); len(got) != 0 {
		t.Errorf("after the reply staff see %v open, want none", got)
	}
	rec = do("GET", "/api/v1/me/feedback", "", resident)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "周一上午") || strings.Contains(rec.Body.String(), "夜间场次") {
		t.Errorf("GET /api/v1/me/feedback = %d %s, want the resident's own ticket with its reply", rec.Code, rec.Body)
	}
}

// A ticket still open past its deadline is escalated once to the admins and its owner by
// the scheduler, however many times it ticks; an answered one is not.
func TestOverdueFeedbackEscalates(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	clock := now
	a, _, _ := mustApp(t, now)
	a.Now = func() time.Time { return clock }
	ctx := context.Background()
	if _, err := demo.SeedBase(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := a.Directory.SetScope(ctx, "o-staff-library", "430211"); err != nil {
		t.Fatal(err)
	}
	svc := a.Evaluation()
	late, err := svc.File(ctx, evaluation.Ticket{OpenID: "o-1", Text: "空调太冷", VenueID: "v-city-museum"})
	if err != nil {
		t.Fatal(err)
	}
	answered, err := svc.File(ctx, evaluation.Ticket{OpenID: "o-2", Text: "灯太暗", VenueID: "v-city-museum", Source: "chat"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Reply(ctx, auth.Claims{OpenID: "o-admin", Roles: []string{auth.RoleAdmin}}, answered.ID, "已更换灯具"); err != nil {
		t.Fatal(err)
	}
	tick := a.Scheduler()
	// The escalations written, whether the notifier has sent them yet or not (leaving
	// out the notifier's per-admin copies of a role:admin message, whose ids end in the
	// admin's openid).
	overdue := func() (n int, to []string) {
		for _, st := range []notify.Status{notify.StatusPending, notify.StatusSent} {
			ms, err := a.Outbox.List(ctx, st, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				if m.Kind != "feedback_overdue" || strings.HasSuffix(m.ID, "."+m.To) {
					continue
				}
				n++
				to = append(to, m.To)
				if m.Data["ticketId"] != late.ID {
					t.Errorf("escalated %s, want only %s", m.Data["ticketId"], late.ID)
				}
			}
		}
		slices.Sort(to)
		return n, to
	}
	clock = now.Add(71 * time.Hour)
	if err := tick(ctx, events.EventBridgeEvent{}); err != nil {
		t.Fatal(err)
	}
	if n, _ := overdue(); n != 0 {
		t.Errorf("%d escalations before the deadline", n)
	}
	clock = now.Add(73 * time.Hour)
	for range 2 {
		if err := tick(ctx, events.EventBridgeEvent{}); err != nil {
			t.Fatal(err)
		}
	}
	if n, to := overdue(); n != 2 || !slices.Equal(to, []string{"o-staff-library", "role:admin"}) {
		t.Errorf("escalations = %d to %v, want one to the owner and one to the admins", n, to)
	}
}
