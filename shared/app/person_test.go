package app_test

import (
	"context"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/dynamo/countersdb"
	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/privacy"
	"github.com/wentitong/wentitong/shared/wechattest"

	"encoding/json"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// signIn signs in through a channel's route with a code and returns the session.
func (w *arena) signIn(route, code string) (token, person string) {
	w.t.Helper()
	rec := w.send(anonymous, post(route, `{"code":"`+code+`"}`))
	if rec.Code != 200 {
		w.t.Fatalf("POST %s with %s = %d %s", route, code, rec.Code, rec.Body)
	}
	var s struct{ Token, OpenID string }
	if err := json.Unmarshal(rec.Body.Bytes(), &s); err != nil {
		w.t.Fatal(err)
	}
	return s.Token, s.OpenID
}

// sendAs sends c with a session token from a sign-in.
func (w *arena) sendAs(token string, c call) *httptest.ResponseRecorder {
	return serve(w.h, c.method, c.path, c.body, token)
}

// bookingIDs lists the ids of the caller's bookings.
func (w *arena) bookingIDs(token string) []string {
	w.t.Helper()
	rec := w.sendAs(token, get("/api/v1/me/bookings"))
	if rec.Code != 200 {
		w.t.Fatalf("GET /api/v1/me/bookings = %d %s", rec.Code, rec.Body)
	}
	var out struct{ Bookings []struct{ ID string } }
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		w.t.Fatal(err)
	}
	var ids []string
	for _, b := range out.Bookings {
		ids = append(ids, b.ID)
	}
	slices.Sort(ids)
	return ids
}

// A resident who books from the official account sees the same bookings when they
// sign in from the mini program (the apps share a unionid), and the other way round; a
// mini program without a unionid is a person of its own until linked.
func TestOnePersonAcrossChannels(t *testing.T) {
	w := newArena(t)
	w.wx.BindUnion("u-wang", "o-wang", "m-wang")
	w.wx.BindUnion("u-li", "o-li", "m-li")

	oa, person := w.signIn("/api/v1/auth/wechat", "dev:o-wang")
	if person != "o-wang" {
		t.Errorf("official account's newcomer = person %q, want their openid o-wang", person)
	}
	slot := w.slot("film", 48*time.Hour, "")
	if rec := w.sendAs(oa, post("/api/v1/slots/"+slot+"/bookings", `{"partySize":1}`)); rec.Code != 201 && rec.Code != 200 {
		t.Fatalf("book from the official account = %d %s", rec.Code, rec.Body)
	}
	mini, miniPerson := w.signIn("/api/v1/auth/miniprogram", "dev:m-wang")
	if miniPerson != person {
		t.Errorf("mini program sign-in = person %q, want %q", miniPerson, person)
	}
	if got, want := w.bookingIDs(mini), w.bookingIDs(oa); len(want) != 1 || !slices.Equal(got, want) {
		t.Errorf("bookings seen from the mini program = %v, from the official account = %v, want the same one", got, want)
	}
	rec := w.sendAs(mini, get("/api/v1/me/identities"))
	for _, kind := range []string{`"kind":"oa"`, `"kind":"mp"`, `"kind":"union"`} {
		if !strings.Contains(rec.Body.String(), kind) {
			t.Errorf("GET /api/v1/me/identities = %s, want %s among them", rec.Body, kind)
		}
	}
	if strings.Contains(rec.Body.String(), "m-wang") {
		t.Errorf("GET /api/v1/me/identities = %s, names an openid in full", rec.Body)
	}

	// The mini program first: an opaque person id, which the official account joins.
	mini2, li := w.signIn("/api/v1/auth/miniprogram", "dev:m-li")
	if !strings.HasPrefix(li, "p-") {
		t.Errorf("mini program's newcomer = person %q, want an opaque p- id", li)
	}
	if rec := w.sendAs(mini2, post("/api/v1/slots/"+slot+"/bookings", `{"partySize":1}`)); rec.Code/100 != 2 {
		t.Fatalf("book from the mini program = %d %s", rec.Code, rec.Body)
	}
	oa2, again := w.signIn("/api/v1/auth/wechat", "dev:o-li")
	if again != li || !slices.Equal(w.bookingIDs(oa2), w.bookingIDs(mini2)) {
		t.Errorf("official account after the mini program = person %q, want %q with the same bookings", again, li)
	}
	if _, again := w.signIn("/api/v1/auth/miniprogram", "dev:m-li"); again != li {
		t.Errorf("second mini program sign-in = %q, want %q", again, li)
	}

	// Without a unionid the channels cannot be told to be one person.
	if _, other := w.signIn("/api/v1/auth/miniprogram", "dev:m-stranger"); other == "" || other == person || other == li {
		t.Errorf("unbound mini program openid = person %q, want a new person", other)
	}
	// A bad code changes nothing.
	before := w.state()
	if rec := w.send(anonymous, post("/api/v1/auth/miniprogram", `{"code":"nope"}`)); rec.Code != 401 || errorCode(rec) != "code_invalid" {
		t.Errorf("bad mini program code = %d %s, want 401 code_invalid", rec.Code, rec.Body)
	}
	if w.state() != before {
		t.Error("a refused mini program sign-in changed the table")
	}
}

// A resident adds their mother, books a screening for her beside their own booking,
// and her ticket admits her at the door with her name on the scanner; the limit of
// bookings per person counts her apart from them; nobody else can book in her name.
func TestFamilyBooksForAParent(t *testing.T) {
	w := newArena(t)
	mother := w.dependant(residentA)
	act := w.activity("film")
	session := func(in time.Duration) string {
		return str(w.must(admin, "POST", "/api/v1/admin/activities/"+act+"/slots", quoted(`{"startsAt":%q,"endsAt":%q,"capacity":30,"maxPartySize":2,"perPersonLimit":1}`,
			rfc(w.now.Add(in)), rfc(w.now.Add(in+2*time.Hour)))), "id")
	}
	slot, other := session(30*time.Minute), session(72*time.Hour)
	if page := w.send(residentA, get("/h5/slots/"+slot)).Body.String(); !strings.Contains(page, "为谁预约") || !strings.Contains(page, "王秀英（母亲）") {
		t.Errorf("the session's page for a resident with a family does not ask whom the booking is for:\n%s", page)
	}
	rec := w.send(residentA, post("/api/v1/slots/"+slot+"/bookings", quoted(`{"partySize":1,"for":%q}`, mother)))
	var theirs struct{ ID, Ticket, Name, For string }
	if err := json.Unmarshal(rec.Body.Bytes(), &theirs); err != nil || rec.Code != 201 || theirs.Name != "王秀英（母亲）" || theirs.For != mother || theirs.Ticket == "" {
		t.Fatalf("book for the mother = %d %s, want 201 with her name and a ticket", rec.Code, rec.Body)
	}
	own := w.book(residentA, slot)
	if str(own, "name") != "" || str(own, "ticket") == "" {
		t.Errorf("the resident's own booking beside = %v, want theirs, without a dependant's name", own)
	}
	if rec := w.send(residentA, post("/api/v1/slots/"+slot+"/bookings", quoted(`{"partySize":1,"for":%q}`, mother))); rec.Code != 409 || errorCode(rec) != "already_booked" {
		t.Errorf("book for the mother twice = %d %s, want 409 already_booked", rec.Code, rec.Body)
	}
	if rec := w.send(residentA, post("/api/v1/slots/"+other+"/bookings", quoted(`{"partySize":1,"for":%q}`, mother))); rec.Code != 409 || errorCode(rec) != "limit_reached" {
		t.Errorf("a second session of the activity for the mother = %d %s, want 409 limit_reached (one each)", rec.Code, rec.Body)
	}
	before := w.state()
	for _, tt := range []struct {
		as   caller
		body string
		code string
	}{
		{residentB, quoted(`{"partySize":1,"for":%q}`, mother), "dependant_not_found"},
		{residentA, `{"partySize":1,"for":"dnope000000"}`, "dependant_not_found"},
		{residentA, `{"partySize":1,"for":"x~y"}`, "dependant_unknown"},
	} {
		if rec := w.send(tt.as, post("/api/v1/slots/"+slot+"/bookings", tt.body)); rec.Code/100 != 4 || errorCode(rec) != tt.code {
			t.Errorf("book %s as %s = %d %s, want %s", tt.body, tt.as.name, rec.Code, rec.Body, tt.code)
		}
	}
	if w.state() != before {
		t.Error("a refused booking for someone else's dependant changed the table")
	}

	if page := w.send(residentA, get("/h5/slots/"+slot)).Body.String(); !strings.Contains(page, "已为王秀英（母亲）预约这一场") || strings.Contains(page, "为谁预约") {
		t.Errorf("the session's page once everyone is booked should say so and offer no form")
	}
	mine := w.must(residentA, "GET", "/api/v1/me/bookings", "")
	if b, _ := json.Marshal(mine); !strings.Contains(string(b), "王秀英（母亲）") || len(mine["bookings"].([]any)) != 2 {
		t.Errorf("my bookings = %s, want mine and my mother's, hers with her name", b)
	}
	page := w.send(residentA, get("/h5/bookings/"+theirs.ID+"/ticket"))
	if page.Code != 200 || !strings.Contains(page.Body.String(), "持票人：王秀英（母亲）") {
		t.Errorf("the mother's ticket page = %d, want it to name her", page.Code)
	}
	door := w.send(staffIn, post("/h5/admin/checkins", form("ticket", theirs.Ticket, "key", "scan-1")))
	if door.Code != 200 || !strings.Contains(door.Body.String(), "入场") || !strings.Contains(door.Body.String(), "持票人：王秀英（母亲）") {
		t.Errorf("the door's scan of the mother's ticket = %d, want 入场 with her name:\n%s", door.Code, door.Body)
	}
	// Her booking is the resident's to cancel, by its id.
	if rec := w.send(residentB, with("DELETE", "/api/v1/bookings/"+str(own, "id"), "")); rec.Code != 404 {
		t.Errorf("another resident cancels = %d, want 404", rec.Code)
	}
}

// The walk-through: a resident signs in from the official account and from the
// mini program and sees the same bookings; adds their mother, books a screening for her
// and the door's scan shows her name; exports their data and erases their account,
// after which nothing of theirs is left in the table and the city's reports, counted
// again from the items, are what they were.
func TestExportThenEraseLeavesNoTrace(t *testing.T) {
	w := newArena(t)
	ctx := context.Background()
	feed := w.tbl.MustFeed(t, "CountersFunction", w.a.Counters())
	count := func() {
		t.Helper()
		w.deliverAll()
		if _, err := feed.Poll(ctx); err != nil {
			t.Fatal(err)
		}
	}
	w.wx.BindUnion("u-zhao", "o-zhao", "m-zhao")
	oa, person := w.signIn("/api/v1/auth/wechat", "dev:o-zhao")
	mini, _ := w.signIn("/api/v1/auth/miniprogram", "dev:m-zhao")
	rec := w.sendAs(mini, post("/api/v1/me/dependants", `{"name":"赵桂兰","relation":"mother","birthYear":1946}`))
	mother := str(decode(t, rec), "id")
	slot := w.slot("film", 30*time.Minute, `,"realName":true`) // her ID number is asked for
	motherID := "43020019460815" + "204"
	motherID += string(privacy.IDCheckChar(motherID))
	theirs := decode(t, w.sendAs(oa, post("/api/v1/slots/"+slot+"/bookings", quoted(`{"partySize":1,"for":%q,"idNumber":%q}`, mother, motherID))))
	if rec := w.sendAs(mini, post("/api/v1/slots/"+slot+"/bookings", quoted(`{"partySize":1,"idNumber":%q}`, idNumber(78)))); rec.Code != 201 {
		t.Fatalf("own booking = %d %s", rec.Code, rec.Body)
	}
	if got, want := w.bookingIDs(mini), w.bookingIDs(oa); len(want) != 2 || !slices.Equal(got, want) {
		t.Errorf("bookings from the two channels = %v and %v, want the same two", got, want)
	}
	door := w.send(staffIn, post("/h5/admin/checkins", form("ticket", str(theirs, "ticket"), "key", "scan-zhao")))
	if !strings.Contains(door.Body.String(), "持票人：赵桂兰（母亲）") {
		t.Errorf("the door's scan = %d, want the mother's name", door.Code)
	}
	// A volunteer, a feedback ticket and a rating of an activity attended: kept for the
	// city's figures, without the person, after the erasure.
	volID := idNumber(77)
	rec = w.sendAs(oa, post("/api/v1/volunteers", quoted(`{"name":"赵志强","phone":"13912345678","idNumber":%q,"districtId":%q,"category":"culture","skills":["摄影"],"team":"赵家志愿队"}`, volID, villageX)))
	if rec.Code != 201 {
		t.Fatalf("register as a volunteer = %d %s", rec.Code, rec.Body)
	}
	w.must(admin, "POST", "/api/v1/admin/volunteers/"+str(decode(t, rec), "id")+"/approve", `{"reason":"核实"}`)
	rec = w.sendAs(oa, post("/api/v1/feedback", quoted(`{"text":"门口路灯坏了请修理","category":"suggestion","venueId":%q}`, venueX)))
	if rec.Code != 201 {
		t.Fatalf("file feedback = %d %s", rec.Code, rec.Body)
	}
	w.must(admin, "POST", "/api/v1/admin/feedback/"+str(decode(t, rec), "id")+"/reply", `{"text":"已派人修理路灯"}`)
	w.deliverAll()
	rated := w.activity("event")
	attend(t, w.a, rated, w.now, person)
	if rec := w.sendAs(oa, post("/api/v1/ratings", quoted(`{"activityId":%q,"score":4,"comment":"座位舒适音响清楚"}`, rated))); rec.Code != 201 {
		t.Fatalf("rate = %d %s", rec.Code, rec.Body)
	}
	// A film vote in their village's poll: kept in the poll's tallies, without the person.
	if err := w.a.People.SetHome(ctx, person, "", villageX, w.now); err != nil {
		t.Fatal(err)
	}
	poll := w.poll()
	if rec := w.sendAs(oa, post("/api/v1/film-polls/"+poll+"/votes", `{"film":1}`)); rec.Code/100 != 2 {
		t.Fatalf("vote = %d %s", rec.Code, rec.Body)
	}
	tallies := func() any { return w.must(anonymous, "GET", "/api/v1/film-polls/"+poll, "")["votes"] }
	votedBefore := fmt.Sprint(tallies())
	count()
	reports := func() string {
		var lines []string
		for _, l := range strings.Split(w.state(), "\n") {
			if strings.Contains(l, `"PK":"METRIC#`) || strings.Contains(l, `"PK":"SAT#`) {
				lines = append(lines, l)
			}
		}
		return strings.Join(lines, "\n")
	}
	before := reports()
	if !strings.Contains(before, `"attendance"`) {
		t.Fatalf("the reports count no attendance before the erasure:\n%s", before)
	}

	rec = w.sendAs(mini, get("/api/v1/me/export"))
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Disposition"), "attachment") {
		t.Fatalf("export = %d %v", rec.Code, rec.Header())
	}
	var export struct {
		Person   string
		Records  []map[string]any
		Bookings []map[string]any
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &export); err != nil {
		t.Fatal(err)
	}
	body := rec.Body.String()
	for _, want := range []string{"赵志强", "门口路灯坏了请修理", "座位舒适音响清楚"} {
		if !strings.Contains(body, want) {
			t.Errorf("the export lacks %q (volunteer record, ticket, rating)", want)
		}
	}
	if !strings.Contains(body, `"record":"vote"`) || !strings.Contains(body, `"pollId":"`+poll+`"`) {
		t.Errorf("the export lacks the film vote or its poll: %s", body)
	}
	if export.Person != person || len(export.Bookings) != 3 || !strings.Contains(body, "赵桂兰") || !strings.Contains(body, "m-zhao") || !strings.Contains(body, "u-zhao") {
		t.Errorf("export = %s, want the person, both bookings, the mother and every linked identity", body)
	}
	motherHash := privacy.HashIDNumber([]byte(testIDHashKey), motherID)
	if !strings.Contains(body, privacy.IDNumber(motherID)) || strings.Contains(body, motherHash) || strings.Contains(body, motherID[4:14]) {
		t.Errorf("the export holds the mother's ID number in clear or hashed, or not even masked: %s", body)
	}
	ownID := idNumber(78)
	ownHash := privacy.HashIDNumber([]byte(testIDHashKey), ownID)
	if !strings.Contains(body, privacy.IDNumber(ownID)) || strings.Contains(body, ownHash) || strings.Contains(body, ownID[4:14]) {
		t.Errorf("the export holds their own ID number in clear or hashed, or not even masked: %s", body)
	}

	unchanged := w.state()
	if rec := w.sendAs(mini, post("/api/v1/me/erase", `{"confirm":"好"}`)); rec.Code != 400 || errorCode(rec) != "erase_unconfirmed" || w.state() != unchanged {
		t.Errorf("erase without the confirmation = %d %s, want 400 erase_unconfirmed and nothing changed", rec.Code, rec.Body)
	}
	if rec := w.sendAs(mini, post("/api/v1/me/erase", `{"confirm":"注销"}`)); rec.Code != 200 {
		t.Fatalf("erase = %d %s", rec.Code, rec.Body)
	}
	count()
	left := w.state()
	// (The mother's id, random, stays in her booking's reference, which no longer leads
	// to anyone.)
	// The mother's year of birth as a value (a number, or a string), not as four digits
	// inside a random id.
	for _, trace := range []string{"zhao", "赵桂兰", ":1946", `"1946"`, "赵志强", "13912345678", volID, volID[len(volID)-4:] + `"`, "赵家志愿队", "门口路灯坏了请修理", "座位舒适音响清楚",
		motherHash, privacy.IDNumber(motherID), ownHash, privacy.IDNumber(ownID)} {
		if strings.Contains(left, trace) {
			var lines []string
			for _, l := range strings.Split(left, "\n") {
				if strings.Contains(l, trace) {
					lines = append(lines, l)
				}
			}
			t.Errorf("after the erasure the table still holds %q:\n%s", trace, strings.Join(lines, "\n"))
		}
	}
	if !strings.Contains(left, `"Name":"（已注销）"`) || !strings.Contains(left, "（内容已随账号注销删除）") || !strings.Contains(left, `"Score":4`) {
		t.Error("the volunteer record, the ticket or the rating is gone, not kept without the person")
	}
	if after := fmt.Sprint(tallies()); after != votedBefore || !strings.Contains(left, `"SK":"VOTE#anon-`) {
		t.Errorf("the poll's tallies went from %s to %s with the erasure, or the vote is gone rather than kept without the person", votedBefore, after)
	}
	if after := reports(); after != before {
		t.Errorf("the reports changed with the erasure:\nbefore %s\nafter  %s", before, after)
	}
	r, err := (&countersdb.Counters{DB: w.tbl.DB, Table: w.tbl.Name}).Recount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if drift := r.Drift(""); len(drift) > 0 {
		t.Errorf("the counters drift from the items after the erasure: %v", drift)
	}
	w.now = w.now.Add(auth.StandingTTL) // other functions' caches of the standing expire
	for _, token := range []string{oa, mini} {
		if rec := w.sendAs(token, get("/api/v1/me/bookings")); rec.Code != 401 || errorCode(rec) != "token_revoked" {
			t.Errorf("a session from before the erasure = %d %s, want 401 token_revoked", rec.Code, rec.Body)
		}
	}
	// Signing in again starts afresh.
	again, _ := w.signIn("/api/v1/auth/wechat", "dev:o-zhao")
	if ids := w.bookingIDs(again); len(ids) != 0 {
		t.Errorf("bookings after signing in again = %v, want none", ids)
	}
}

func decode(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	if rec.Code/100 != 2 {
		t.Fatalf("= %d %s", rec.Code, rec.Body)
	}
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// A person who first came through the mini program (p-…) is told of their booking
// through the official account once it is linked to them; one known only through the
// mini program is not sent to, with a reason staff can read.
func TestNotifierReachesMiniProgramPeople(t *testing.T) {
	w := newArena(t)
	ctx := context.Background()
	notices := w.tbl.MustFeed(t, "NotifierFunction", w.a.Announcements()) // queues what bookings owe
	w.wx.BindUnion("u-sun", "o-sun", "m-sun")
	slot := w.slot("film", 48*time.Hour, "")
	book := func(token string) string {
		t.Helper()
		rec := w.sendAs(token, post("/api/v1/slots/"+slot+"/bookings", `{"partySize":1}`))
		return str(decode(t, rec), "id")
	}
	mini, sun := w.signIn("/api/v1/auth/miniprogram", "dev:m-sun")
	if _, again := w.signIn("/api/v1/auth/wechat", "dev:o-sun"); again != sun || !strings.HasPrefix(sun, "p-") {
		t.Fatalf("the official account joined person %q, want the mini program's %q", again, sun)
	}
	linked := book(mini)
	solo, _ := w.signIn("/api/v1/auth/miniprogram", "dev:m-solo")
	alone := book(solo)
	if _, err := notices.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	w.deliverAll()
	var toSun, toPerson int
	for _, m := range w.wx.Sent() {
		switch m.ToUser {
		case "o-sun":
			toSun++
		case sun:
			toPerson++
		}
	}
	if toSun == 0 || toPerson != 0 {
		t.Errorf("sent %d messages to o-sun and %d to the person id %s, want the booking's to the official account openid", toSun, toPerson, sun)
	}
	for id, want := range map[string]string{linked: "", alone: "no_mini_subscription"} {
		m, err := w.a.Outbox.Message(ctx, id+".booking_confirmed")
		if err != nil {
			t.Fatal(err)
		}
		if m.LastError != want || (want != "" && m.Status != notify.StatusSkipped) {
			t.Errorf("the confirmation of %s = %s (%q), want reason %q", id, m.Status, m.LastError, want)
		}
	}
}

// A resident verifies their phone number through the mini program's getPhoneNumber
// button: it is linked to them as a way to find them; a number linked to someone else is
// refused and changes nothing; a bad code is refused.
func TestPhoneLinksAsAnIdentity(t *testing.T) {
	w := newArena(t)
	mini, _ := w.signIn("/api/v1/auth/miniprogram", "dev:m-zhou")
	rec := w.sendAs(mini, post("/api/v1/me/phone", `{"code":"dev:13911112222"}`))
	if rec.Code != 200 || strings.Contains(rec.Body.String(), "13911112222") {
		t.Fatalf("link a phone = %d %s, want 200 with the number masked", rec.Code, rec.Body)
	}
	if ids := w.sendAs(mini, get("/api/v1/me/identities")).Body.String(); !strings.Contains(ids, `"kind":"phone"`) {
		t.Errorf("identities after linking a phone = %s", ids)
	}
	if rec := w.sendAs(mini, post("/api/v1/me/phone", `{"code":"dev:13911112222"}`)); rec.Code != 200 {
		t.Errorf("linking the same number again = %d %s, want 200", rec.Code, rec.Body)
	}
	other, _ := w.signIn("/api/v1/auth/miniprogram", "dev:m-wu")
	before := w.state()
	for _, tt := range []struct{ body, code string }{
		{`{"code":"dev:13911112222"}`, "identity_taken"},
		{`{"code":"nope"}`, "code_invalid"},
	} {
		if rec := w.sendAs(other, post("/api/v1/me/phone", tt.body)); rec.Code/100 != 4 || errorCode(rec) != tt.code {
			t.Errorf("link %s = %d %s, want %s", tt.body, rec.Code, rec.Body, tt.code)
		}
	}
	if w.state() != before {
		t.Error("a refused phone link changed the table")
	}
}

// An erasure deletes the person's holds (their places in per-person limits) with their
// partition and marks the bookings it keeps as holding none, so that what later gives
// those bookings back (the organiser cancelling the session) touches no holds and
// recreates nothing under the anonymous holder.
func TestErasureLeavesNoHoldsBehind(t *testing.T) {
	w := newArena(t)
	token, person := w.signIn("/api/v1/auth/wechat", "dev:o-qian")
	slot := w.slot("event", 48*time.Hour, `,"perPersonLimit":1`)
	if rec := w.sendAs(token, post("/api/v1/slots/"+slot+"/bookings", `{"partySize":1}`)); rec.Code != 201 {
		t.Fatalf("book = %d %s", rec.Code, rec.Body)
	}
	held := false
	for _, l := range strings.Split(w.state(), "\n") {
		held = held || strings.Contains(l, `"SK":"HOLDS"`) && strings.Contains(l, `"USER#`+person+`"`)
	}
	if !held {
		t.Fatal("a booking under a per-person limit wrote no holds item")
	}
	if rec := w.sendAs(token, post("/api/v1/me/erase", `{"confirm":"注销"}`)); rec.Code != 200 {
		t.Fatalf("erase = %d %s", rec.Code, rec.Body)
	}
	if rec := w.send(admin, with("DELETE", "/api/v1/admin/slots/"+slot, "")); rec.Code/100 != 2 {
		t.Fatalf("cancel the session = %d %s", rec.Code, rec.Body)
	}
	for _, l := range strings.Split(w.state(), "\n") {
		if strings.Contains(l, `"SK":"HOLDS"`) && (strings.Contains(l, "anon-") || strings.Contains(l, person)) {
			t.Errorf("after the erasure and the cancellation a holds item is left: %s", l)
		}
		if strings.Contains(l, `"SK":"BOOKING#anon-`) && !strings.Contains(l, `"LimitHeld":false`) {
			t.Errorf("a kept booking still holds a place in a limit: %s", l)
		}
	}
}

// A person known only through the mini program is sent the mini program's subscribe
// message of a confirmation once they accepted one there (wx.requestSubscribeMessage,
// reported to POST /api/v1/me/mini-subscriptions): each acceptance is one message, a
// message without one is skipped with a reason staff read, and a send WeChat could not
// take gives the acceptance back for the retry.
func TestMiniProgramSubscribeMessages(t *testing.T) {
	w := newArena(t)
	ctx := context.Background()
	notices := w.tbl.MustFeed(t, "NotifierFunction", w.a.Announcements())
	token, person := w.signIn("/api/v1/auth/miniprogram", "dev:m-zhou")
	book := func() string {
		t.Helper()
		slot := w.slot("film", 48*time.Hour, "")
		id := str(decode(t, w.sendAs(token, post("/api/v1/slots/"+slot+"/bookings", `{"partySize":1}`))), "id")
		if _, err := notices.Poll(ctx); err != nil {
			t.Fatal(err)
		}
		w.deliverAll()
		return id + ".booking_confirmed"
	}
	outcome := func(id string) (notify.Status, string) {
		t.Helper()
		m, err := w.a.Outbox.Message(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return m.Status, m.LastError
	}
	sentTo := func() []wechattest.Message {
		var out []wechattest.Message
		for _, m := range w.wx.Sent() {
			if m.ToUser == "m-zhou" || m.ToUser == person {
				out = append(out, m)
			}
		}
		return out
	}
	accept := func(body string) *httptest.ResponseRecorder {
		return w.sendAs(token, post("/api/v1/me/mini-subscriptions", body))
	}

	if st, why := outcome(book()); st != notify.StatusSkipped || why != "no_mini_subscription" {
		t.Errorf("a confirmation before any acceptance = %s %q, want skipped no_mini_subscription", st, why)
	}
	before := w.state()
	for _, body := range []string{`{"templateIds":[]}`, `{"templateIds":["a","b","c","d"]}`, `{"templateIds":["M booked"]}`, `{"templateIds":["M-booked","M-booked"]}`} {
		if rec := accept(body); rec.Code != 400 || errorCode(rec) != "subscriptions_invalid" {
			t.Errorf("report %s = %d %s, want 400 subscriptions_invalid", body, rec.Code, rec.Body)
		}
	}
	if w.state() != before {
		t.Error("a refused report of acceptances changed the table")
	}
	if rec := accept(`{"templateIds":["M-booked"]}`); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"M-booked":1`) {
		t.Fatalf("report one acceptance = %d %s", rec.Code, rec.Body)
	}
	if st, why := outcome(book()); st != notify.StatusSent || why != "" {
		t.Errorf("a confirmation with an acceptance = %s %q, want sent", st, why)
	}
	got := sentTo()
	if len(got) != 1 || got[0].Kind != "mini_subscribe" || got[0].ToUser != "m-zhou" || got[0].TemplateID != "M-booked" ||
		got[0].URL != "pages/bookings/bookings" || !strings.Contains(string(got[0].Data), "thing1") {
		t.Fatalf("sent to the person = %+v, want one mini program subscribe message M-booked to m-zhou", got)
	}
	if st, why := outcome(book()); st != notify.StatusSkipped || why != "no_mini_subscription" {
		t.Errorf("a second confirmation on one acceptance = %s %q, want skipped no_mini_subscription", st, why)
	}
	if n := len(sentTo()); n != 1 {
		t.Errorf("%d messages sent to the person on one acceptance, want 1", n)
	}

	// WeChat busy: not sent, the acceptance is kept for the retry, which sends.
	if rec := accept(`{"templateIds":["M-booked"]}`); rec.Code != 200 {
		t.Fatalf("report = %d %s", rec.Code, rec.Body)
	}
	w.wx.FailNext(wechattest.OpMiniSubscribe, -1, 1)
	busy := book()
	if st, _ := outcome(busy); st == notify.StatusSent || st == notify.StatusSkipped {
		t.Fatalf("a confirmation WeChat was too busy for = %s, want it pending a retry", st)
	}
	w.now = w.now.Add(time.Hour)
	w.deliverAll()
	if st, why := outcome(busy); st != notify.StatusSent {
		t.Errorf("the retry = %s %q, want sent on the acceptance given back", st, why)
	}
	if n := len(sentTo()); n != 2 {
		t.Errorf("%d messages sent to the person on two acceptances, want 2", n)
	}
}
