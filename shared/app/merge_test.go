package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo/countersdb"
	"github.com/wentitong/wentitong/shared/dynamo/persondb"
	"github.com/wentitong/wentitong/shared/evaluator"
	"github.com/wentitong/wentitong/shared/figure"
	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/training"
	"github.com/wentitong/wentitong/shared/volunteer"
)

// noShow gives holder a confirmed booking of a session of activity that ended before
// the clock's time, and releases it as a no-show: a strike.
func (w *arena) noShow(activity, slotID, holder string) {
	w.t.Helper()
	ctx := context.Background()
	start := w.now.Add(-30 * time.Hour)
	sl := booking.Slot{ID: slotID, ActivityID: activity, Kind: booking.KindEvent, StartsAt: start, EndsAt: start.Add(2 * time.Hour),
		Capacity: 100, BookingOpensAt: start.Add(-48 * time.Hour), BookingClosesAt: start, MaxPartySize: 1, Mode: booking.ModeFirstCome}
	if err := w.a.Catalog.PutSlot(ctx, sl); err != nil {
		w.t.Fatal(err)
	}
	b := booking.Booking{ID: booking.BookingID(sl.ID, "ns"+w.fresh()), SlotID: sl.ID, ActivityID: activity, OpenID: holder, PartySize: 1,
		Status: booking.StatusConfirmed, StartsAt: start, CreatedAt: start.Add(-time.Hour), JoinedAt: start.Add(-time.Hour)}
	if err := w.a.Bookings.Reserve(ctx, booking.Reservation{Booking: b, Slot: sl, Now: b.CreatedAt}); err != nil {
		w.t.Fatal(err)
	}
	if err := w.a.Bookings.Release(ctx, booking.Release{Booking: b, Slot: sl, Now: start.Add(time.Hour), Strikes: 1}); err != nil {
		w.t.Fatal(err)
	}
}

// tally counts what a merge must neither lose nor duplicate, over the whole table.
type tally struct {
	Bookings, Places, Strikes, Minutes, Ratings, Tickets, Volunteers, Dependants int
	Invitations, Answers, Applications, Guards                                   int
}

func (w *arena) tally() tally {
	w.t.Helper()
	var t tally
	for _, l := range strings.Split(w.state(), "\n") {
		var n int
		switch {
		case strings.Contains(l, `"SK":"BOOKING#`):
			t.Bookings++
			if strings.Contains(l, `"Status":"confirmed"`) {
				_, _ = fmt.Sscanf(l[strings.Index(l, `"PartySize":`)+len(`"PartySize":`):], "%d", &n)
				t.Places += n
			}
		case strings.Contains(l, `"SK":"NOSHOW#`):
			t.Strikes++
		case strings.Contains(l, `"SK":"RATING#`):
			t.Ratings++
		case strings.Contains(l, `"SK":"FEEDBACK"`):
			t.Tickets++
		case strings.Contains(l, `"SK":"DEP#`):
			t.Dependants++
		case strings.Contains(l, `"SK":"INVITE#`):
			t.Invitations++
		case strings.Contains(l, `"SK":"ANSWER#`):
			t.Answers++
		case strings.Contains(l, `"SK":"FIGAPP"`):
			t.Applications++
		case strings.Contains(l, `"SK":"APPLICANT#`):
			t.Guards++
		case strings.Contains(l, `"SK":"VOLUNTEER"`) && strings.Contains(l, `"PK":"VOLUNTEER#`):
			t.Volunteers++
			for _, k := range []string{`"CreditMinutes":`, `"HonourMinutes":`} {
				if i := strings.Index(l, k); i >= 0 {
					_, _ = fmt.Sscanf(l[i+len(k):], "%d", &n)
					t.Minutes += n
				}
			}
		}
	}
	return t
}

// recount checks what goes with votes and attendances against the items: each film's
// tally counts the votes for it, and each person's training totals of a year add up
// the attendances they hold; it returns the votes and attendances there are.
func (w *arena) recount() (votes, attendances int) {
	w.t.Helper()
	tallies, voted := map[string]float64{}, map[string]float64{}
	days, totals := map[string]float64{}, map[string]float64{}
	for _, l := range strings.Split(w.state(), "\n") {
		var it map[string]any
		if err := json.Unmarshal([]byte(l), &it); err != nil {
			w.t.Fatal(err)
		}
		pk, _ := it["PK"].(string)
		sk, _ := it["SK"].(string)
		switch {
		case strings.HasPrefix(pk, "POLL#") && strings.HasPrefix(sk, "TALLY#"):
			tallies[pk+"#"+strings.TrimPrefix(sk, "TALLY#")] += it["n"].(float64)
		case strings.HasPrefix(pk, "POLL#") && strings.HasPrefix(sk, "VOTE#"):
			voted[fmt.Sprintf("%s#%v", pk, it["choice"])]++
			votes++
		case strings.HasPrefix(pk, "TRAINING#") && strings.HasPrefix(sk, "ATTENDEE#"):
			date, _ := time.Parse(time.RFC3339, it["Date"].(string))
			days[fmt.Sprintf("%s#%d", it["OpenID"], date.In(beijing.Zone).Year())] += it["Days"].(float64)
			attendances++
		case strings.HasPrefix(pk, "USER#") && strings.HasPrefix(sk, "TRAINING#"):
			totals[strings.TrimPrefix(pk, "USER#")+"#"+strings.TrimPrefix(sk, "TRAINING#")] += it["Days"].(float64)
		}
	}
	for _, pair := range [][2]map[string]float64{{tallies, voted}, {totals, days}} {
		for k := range pair[0] {
			if pair[0][k] != pair[1][k] {
				w.t.Errorf("%s counts %v, the items %v", k, pair[0][k], pair[1][k])
			}
		}
		for k := range pair[1] {
			if pair[0][k] != pair[1][k] {
				w.t.Errorf("%s counts %v, the items %v", k, pair[0][k], pair[1][k])
			}
		}
	}
	return votes, attendances
}

// Two people who both have records — the same session booked by both, both
// volunteers with hours, strikes on both (one at the same session), a rating of the
// same activity — merge into one with faults injected into the table's calls: every
// run that fails midway is run again until one finishes, and then nothing is lost or
// counted twice, nothing is left under the merged person, and the counters agree.
func TestMergeKeepsEveryBookingHourAndStrike(t *testing.T) {
	w := newArena(t)
	ctx := context.Background()
	feed := w.tbl.MustFeed(t, "CountersFunction", w.a.Counters())
	count := func() {
		t.Helper()
		if _, err := feed.Poll(ctx); err != nil {
			t.Fatal(err)
		}
	}
	oa, into := w.signIn("/api/v1/auth/wechat", "dev:o-ma")
	mini, from := w.signIn("/api/v1/auth/miniprogram", "dev:m-ma")
	if !strings.HasPrefix(from, "p-") || into != "o-ma" {
		t.Fatalf("people %q and %q, want an openid and a p- id", into, from)
	}
	both := w.slot("film", 48*time.Hour, "")
	limited := w.slot("event", 72*time.Hour, `,"perPersonLimit":1`)
	var bothIDs []string
	for _, tok := range []string{oa, mini} {
		bothIDs = append(bothIDs, str(decode(t, w.sendAs(tok, post("/api/v1/slots/"+both+"/bookings", `{"partySize":1}`))), "id"))
	}
	if rec := w.sendAs(mini, post("/api/v1/slots/"+limited+"/bookings", `{"partySize":2}`)); rec.Code != 201 {
		t.Fatalf("book the limited session = %d %s", rec.Code, rec.Body)
	}
	mother := str(decode(t, w.sendAs(mini, post("/api/v1/me/dependants", `{"name":"马秀兰","relation":"mother"}`))), "id")
	if rec := w.sendAs(mini, post("/api/v1/slots/"+both+"/bookings", quoted(`{"partySize":1,"for":%q}`, mother))); rec.Code != 201 {
		t.Fatalf("book for the mother = %d %s", rec.Code, rec.Body)
	}
	for i, p := range []string{into, from} {
		id := w.volunteer(p, volunteer.StatusActive)
		w.must(admin, "POST", "/api/v1/admin/volunteers/"+id+"/hours", fmt.Sprintf(`{"kind":"honour","hours":%d,"reason":"补录服务时长"}`, 2+i))
	}
	strikeAct := w.activity("event")
	w.noShow(strikeAct, "ns-both", into)
	w.noShow(strikeAct, "ns-both", from) // the same session: two bookings, two strikes
	w.noShow(strikeAct, "ns-from", from)
	w.noShow(strikeAct, "ns-mother", booking.Holder(from, mother))
	rated := w.activity("event")
	attend(t, w.a, rated, w.now, into, from)
	for _, tok := range []string{oa, mini} {
		if rec := w.sendAs(tok, post("/api/v1/ratings", quoted(`{"activityId":%q,"score":5,"comment":"很好"}`, rated))); rec.Code != 201 {
			t.Fatalf("rate = %d %s", rec.Code, rec.Body)
		}
	}
	if rec := w.sendAs(mini, post("/api/v1/feedback", quoted(`{"text":"希望增加周末场次","category":"suggestion","venueId":%q}`, venueX))); rec.Code != 201 {
		t.Fatalf("feedback = %d %s", rec.Code, rec.Body)
	}
	if rec := w.sendAs(mini, post("/api/v1/me/phone", `{"code":"dev:13933334444"}`)); rec.Code != 200 {
		t.Fatalf("link a phone = %d %s", rec.Code, rec.Body)
	}
	// What they took part in: both voted in one poll (a vote each) and the merged
	// person in another; both attended one course and the merged person another; both
	// were invited to one survey (the merged person answered) and the merged person to
	// another; both applied in one year's figure call and the merged person in another.
	for _, p := range []string{into, from} {
		if err := w.a.People.SetHome(ctx, p, "", villageX, w.now); err != nil {
			t.Fatal(err)
		}
	}
	polls := []string{w.poll(), w.poll()}
	for i, v := range []struct{ tok, poll string }{{oa, polls[0]}, {mini, polls[0]}, {mini, polls[1]}} {
		if rec := w.sendAs(v.tok, post("/api/v1/film-polls/"+v.poll+"/votes", fmt.Sprintf(`{"film":%d}`, i%2))); rec.Code/100 != 2 {
			t.Fatalf("vote = %d %s", rec.Code, rec.Body)
		}
	}
	courses := []string{w.course(), w.course()}
	for _, a := range []struct{ course, person string }{{courses[0], into}, {courses[0], from}, {courses[1], from}} {
		if err := w.a.Volunteers.Attend(ctx, training.Attendance{CourseID: a.course, OpenID: a.person, Title: "培训", Mode: training.Remote,
			Date: w.now, Days: 0.5, ClassHours: 4, RecordedBy: admin.openid, RecordedAt: w.now}); err != nil {
			t.Fatal(err)
		}
	}
	surveys := []string{w.survey(false), w.survey(false)}
	invite := func(survey, person string) {
		t.Helper()
		inv := evaluator.Invitation{SurveyID: survey, OpenID: person, DistrictID: districtX, At: w.now}
		m := notify.Message{ID: "survey." + survey + "." + person, Kind: evaluator.SurveyKind, To: person, CreatedAt: w.now,
			Data: map[string]string{"district": "天元区", "title": "文化活动满意度调查", "count": "1", "closes": "12月8日"}}
		if _, err := w.a.Surveys().Store.Invite(ctx, inv, m); err != nil {
			t.Fatal(err)
		}
	}
	invite(surveys[0], into)
	invite(surveys[0], from)
	if err := w.a.Surveys().Store.Respond(ctx, evaluator.Response{SurveyID: surveys[0], OpenID: from, DistrictID: districtX, Answers: []int{5}, At: w.now}); err != nil {
		t.Fatal(err)
	}
	var years []int
	for range 2 {
		y, _ := w.call(true)
		years = append(years, y)
	}
	for i, a := range []struct {
		year   int
		person string
	}{{years[0], into}, {years[0], from}, {years[1], from}} {
		if err := w.a.Figures().Store.AddApplication(ctx, figure.Application{ID: fmt.Sprintf("fa-merge-%d", i), Year: a.year, OpenID: a.person, Name: "马湘云",
			Discipline: "folk_arts", DistrictID: townX, DistrictPath: "430200/" + districtX + "/" + townX, Works: []string{"《湘江晨曲》"}, SubmittedAt: w.now}); err != nil {
			t.Fatal(err)
		}
	}
	w.deliverAll()
	// A message not about a booking still queued for the merged person when the merge
	// runs: it reaches the survivor.
	invite(surveys[1], from)
	count()
	mine := append(w.bookingIDs(oa), w.bookingIDs(mini)...)
	slices.Sort(mine)
	before := w.tally()
	if before.Strikes != 4 || before.Volunteers != 2 || before.Ratings != 2 || before.Minutes != 5*60 || before.Invitations != 3 ||
		before.Answers != 1 || before.Applications != 3 || before.Guards != 3 {
		t.Fatalf("fixture = %+v", before)
	}
	votes, attendances := w.recount()
	if votes != 3 || attendances != 3 {
		t.Fatalf("fixture holds %d votes and %d attendances, want 3 each", votes, attendances)
	}
	// What the merge's record must count: every item of the merged person's, once.
	want := persondb.Merged{Bookings: 7, Kept: 3, Identities: 2, Strikes: 3, Tickets: 1, Ratings: 1, Volunteers: 1,
		Votes: 1, Trainings: 1, Surveys: 2, Figures: 2, Folded: 2}
	for _, l := range strings.Split(w.state(), "\n") {
		if !strings.Contains(l, `"PK":"USER#`+from+`"`) && !strings.Contains(l, `"PK":"USER#`+from+`~`) {
			continue
		}
		switch sk := l[strings.Index(l, `"SK":"`)+6:]; {
		case strings.HasPrefix(sk, "PROFILE") && strings.Contains(l, `"PK":"USER#`+from+`"`), strings.HasPrefix(sk, "IDENT#"),
			strings.HasPrefix(sk, "VOTED#"), strings.HasPrefix(sk, "NOSHOW#"), strings.HasPrefix(sk, `VOLUNTEER"`):
		default:
			want.Records++ // family, limits, consents, links, training totals, …
		}
	}

	listed := func(p string) int { return strings.Count(w.state(), `"GSI2PK":"BOOKINGS#`+p+`"`) }
	start, all := listed(into), listed(into)+listed(from)
	data := &persondb.Data{DB: w.tbl.DB, Table: w.tbl.Name}
	runs, partial := 0, 0
	var moved persondb.Merged
	for {
		runs++
		// A quarter of the calls fail (each after the SDK's retries, some after the engine
		// applied them) for the first runs, then none: runs stop midway, and the last
		// goes on from where they stopped.
		if runs <= 12 {
			w.tbl.Faults.Set(0.25, uint64(runs))
		} else {
			w.tbl.Faults.Set(0, 0)
		}
		var err error
		if moved, err = data.Merge(ctx, into, from, into, "phone", w.now); err == nil {
			break
		}
		// Stopped midway: nothing lost or duplicated at this point either.
		w.tbl.Faults.Set(0, 0)
		if now := w.tally(); now != before {
			t.Fatalf("after run %d stopped (%v) the table holds %+v, want %+v", runs, err, now, before)
		}
		w.recount()
		if n := listed(into); n > start && n < all {
			partial++
		}
		if runs == 500 {
			t.Fatalf("the merge still fails after %d runs: %v", runs, err)
		}
	}
	w.tbl.Faults.Set(0, 0)
	if partial == 0 {
		t.Errorf("no run of %d stopped with some bookings moved and some not (%d faults injected)", runs, w.tbl.Faults.Injected())
	}
	if w.tbl.Faults.Lost() == 0 {
		t.Errorf("no transaction's answer was lost in %d runs (%d faults injected): the record's counts were not tried", runs, w.tbl.Faults.Injected())
	}
	t.Logf("merged in %d runs (%d stopped between bookings), %d faults injected, %d transactions applied with their answer lost: %+v",
		runs, partial, w.tbl.Faults.Injected(), w.tbl.Faults.Lost(), moved)

	if after := w.tally(); after != before {
		t.Errorf("the merge changed what the table holds:\nbefore %+v\nafter  %+v", before, after)
	}
	if moved != want {
		t.Errorf("the merge's record counts %+v, want what moved: %+v", moved, want)
	}
	if recs, err := data.Merges(ctx, into); err != nil || len(recs) != 1 || recs[0].Moved != want {
		t.Errorf("the survivor's merge records = %+v (%v), want one counting %+v", recs, err, want)
	}
	// One vote in the poll both voted in, one attendance of the course both attended.
	if votes, attendances := w.recount(); votes != 2 || attendances != 2 {
		t.Errorf("after the merge the table holds %d votes and %d attendances, want 2 each (one folded of each)", votes, attendances)
	}
	// The invitation queued for the merged person, who used only the mini program,
	// reaches the survivor's official account.
	surveyed := func() (n int) {
		for _, m := range w.wx.Sent() {
			if strings.Contains(string(m.Data), "文化活动满意度调查") {
				if m.ToUser != into {
					t.Errorf("a survey invitation went to %s, want %s", m.ToUser, into)
				}
				n++
			}
		}
		return n
	}
	sentBefore := surveyed()
	w.deliverAll()
	if got := surveyed(); got != sentBefore+1 {
		t.Errorf("after the merge %d survey invitations were sent, want the one queued for the merged person sent to the survivor (%d before)", got, sentBefore)
	}
	count() // the counters follow the moved bookings (the stream)
	state := w.state()
	beside := into + "~" + from // what both held of one session or activity, kept beside
	for _, l := range strings.Split(state, "\n") {
		// The counters' records of the moved items, emptied; messages delivered (or
		// skipped) before, and the survivor's pointers to them, which expire.
		if strings.Contains(l, `"facts":"null"`) || strings.Contains(l, `"n":0}`) || strings.Contains(l, `"status":"skipped"`) || strings.Contains(l, `"status":"sent"`) ||
			strings.HasPrefix(l, `{"PK":"USER#`+into+`","SK":"MSG#`) {
			continue
		}
		// (The merge's record, and the forward that sends the merged person's messages
		// to the survivor.)
		if strings.Contains(strings.ReplaceAll(l, beside, ""), from) && !strings.Contains(l, `"SK":"MERGE#`+from) && !strings.Contains(l, `"PK":"MERGED#`+from) {
			t.Errorf("after the merge the table still names the merged person: %s", l)
		}
	}
	for _, want := range []string{`"SK":"BOOKING#` + into + "~" + from + `"`, `"PK":"USER#` + into + "~" + from + `","SK":"NOSHOW#ns-both"`,
		`"SK":"BOOKING#` + into + "~" + mother + `"`, `"PK":"USER#` + into + "~" + mother + `","SK":"NOSHOW#ns-mother"`, `"status":"done"`} {
		if !strings.Contains(state, want) {
			t.Errorf("after the merge the table lacks %s", want)
		}
	}
	again, person := w.signIn("/api/v1/auth/miniprogram", "dev:m-ma")
	if person != into {
		t.Errorf("the mini program signs in as %q after the merge, want the survivor %q", person, into)
	}
	if got := w.bookingIDs(again); !slices.Equal(got, mine) {
		t.Errorf("the survivor's bookings = %v, want both people's %v", got, mine)
	}
	w.now = w.now.Add(auth.StandingTTL) // other functions' caches of the standing expire
	if rec := w.sendAs(mini, get("/api/v1/me/bookings")); rec.Code != 401 {
		t.Errorf("the merged person's old session = %d, want 401", rec.Code)
	}
	strikes, err := w.a.Bookings.Strikes(ctx, into, w.now.Add(-90*24*time.Hour))
	if err != nil || strikes != 2 {
		t.Errorf("the survivor's strikes = %d (%v), want their own and the merged person's other one", strikes, err)
	}
	var held string
	for _, l := range strings.Split(state, "\n") {
		if strings.Contains(l, `"PK":"USER#`+into+`","SK":"HOLDS"`) {
			held = l
		}
	}
	if !strings.Contains(held, `:1`) {
		t.Errorf("the survivor's holds = %s, want the limited session's place", held)
	}
	// The booking kept beside the survivor's own of the same session is theirs to
	// cancel, and cancelling it leaves their own.
	if rec := w.sendAs(again, with("DELETE", "/api/v1/bookings/"+bothIDs[1], "")); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"cancelled"`) {
		t.Errorf("cancel the kept booking = %d %s", rec.Code, rec.Body)
	}
	if rec := w.sendAs(again, with("DELETE", "/api/v1/bookings/"+bothIDs[0], "")); rec.Code != 200 || !strings.Contains(rec.Body.String(), bothIDs[0]) {
		t.Errorf("cancel the survivor's own booking after the kept one = %d %s", rec.Code, rec.Body)
	}
	count()
	state = w.state()
	// A finished merge run again changes nothing.
	if _, err := data.Merge(ctx, into, from, into, "phone", w.now.Add(time.Hour)); err != nil || w.state() != state {
		a, b := strings.Split(state, "\n"), strings.Split(w.state(), "\n")
		for _, l := range b {
			if !slices.Contains(a, l) {
				t.Log("+", l)
			}
		}
		for _, l := range a {
			if !slices.Contains(b, l) {
				t.Log("-", l)
			}
		}
		t.Errorf("a finished merge run again: %v, changed the table: %v", err, w.state() != state)
	}
	// The counters agree with a recount.
	r, err := (&countersdb.Counters{DB: w.tbl.DB, Table: w.tbl.Name}).Recount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if drift := r.Drift(""); len(drift) > 0 {
		t.Errorf("the counters drift from the items after the merge: %v", drift)
	}

	// The survivor's export lists what both took part in; their erasure keeps it for
	// the polls, courses, surveys and calls without them.
	export := w.sendAs(again, get("/api/v1/me/export")).Body.String()
	for record, n := range map[string]int{"vote": 2, "attendee": 2, "invite": 3, "answer": 1, "figapp": 3} {
		if got := strings.Count(export, `"record":"`+record+`"`); got != n {
			t.Errorf("the survivor's export lists %d %s records, want %d", got, record, n)
		}
	}
	took := w.tally()
	if rec := w.sendAs(again, post("/api/v1/me/erase", `{"confirm":"注销"}`)); rec.Code != 200 {
		t.Fatalf("erase = %d %s", rec.Code, rec.Body)
	}
	left := w.tally()
	if left.Invitations != took.Invitations || left.Answers != took.Answers || left.Applications != took.Applications || left.Guards != took.Guards {
		t.Errorf("the erasure changed the surveys' or calls' items: %+v, want %+v", left, took)
	}
	if votes, attendances := w.recount(); votes != 2 || attendances != 2 {
		t.Errorf("after the erasure the table holds %d votes and %d attendances, want them kept (2 each)", votes, attendances)
	}
	for _, l := range strings.Split(w.state(), "\n") {
		if strings.Contains(l, "马湘云") || strings.Contains(l, "湘江晨曲") {
			t.Errorf("after the erasure an application still names the person: %s", l)
		}
		for _, p := range []string{into, from} {
			if strings.Contains(l, p) && (strings.Contains(l, `"SK":"VOTE`) || strings.Contains(l, `"SK":"ATTENDEE#`) || strings.Contains(l, `"SK":"INVITE#`) ||
				strings.Contains(l, `"SK":"ANSWER#`) || strings.Contains(l, `"SK":"APPLICANT#`) || strings.Contains(l, `"SK":"FIGAPP"`) || strings.Contains(l, `"PK":"MERGED#`)) {
				t.Errorf("after the erasure the table still names %s: %s", p, l)
			}
		}
	}
}

// Through the API: a person proves a phone that another person linked, sees what each
// holds, confirms, and holds the other's bookings; the one who came through the official
// account stays, so a mini program person who proves such a person's phone gets that
// person's session. Refusals change nothing.
func TestMergeThroughTheAPI(t *testing.T) {
	w := newArena(t)
	w.wx.BindUnion("u-gu", "o-gu", "m-gu") // the official account person's phone is linked from their mini program
	slot := w.slot("film", 48*time.Hour, "")
	mini, from := w.signIn("/api/v1/auth/miniprogram", "dev:m-he")
	booked := str(decode(t, w.sendAs(mini, post("/api/v1/slots/"+slot+"/bookings", `{"partySize":2}`))), "id")
	if rec := w.sendAs(mini, post("/api/v1/me/phone", `{"code":"dev:13955556666"}`)); rec.Code != 200 {
		t.Fatalf("link a phone = %d %s", rec.Code, rec.Body)
	}
	oa, into := w.signIn("/api/v1/auth/wechat", "dev:o-he")

	before := w.state()
	for _, tt := range []struct{ body, code string }{
		{`{"kind":"email","code":"dev:13955556666"}`, "merge_kind_invalid"},
		{`{"kind":"phone","code":"nope"}`, "code_invalid"},
	} {
		if rec := w.sendAs(oa, post("/api/v1/me/merge", tt.body)); rec.Code/100 != 4 || errorCode(rec) != tt.code {
			t.Errorf("merge with %s = %d %s, want %s", tt.body, rec.Code, rec.Body, tt.code)
		}
	}
	if w.state() != before {
		t.Error("a refused proof changed the table")
	}
	rec := w.sendAs(oa, post("/api/v1/me/merge", `{"kind":"phone","code":"dev:13955556666"}`))
	var offered struct {
		Offer struct {
			ID, Identity, Status string
			YouStay              bool
			Theirs, Yours        struct{ Bookings, Upcoming, Identities int }
		}
	}
	if rec.Code != 201 || json.Unmarshal(rec.Body.Bytes(), &offered) != nil {
		t.Fatalf("prove the other's phone = %d %s, want 201 with an offer", rec.Code, rec.Body)
	}
	o := offered.Offer
	if !o.YouStay || o.Status != "offered" || o.Theirs.Bookings != 1 || o.Theirs.Upcoming != 1 || o.Theirs.Identities != 2 || o.Yours.Bookings != 0 ||
		o.Identity == "" || strings.Contains(rec.Body.String(), "13955556666") || strings.Contains(rec.Body.String(), from) {
		t.Errorf("offer = %s, want the official account person staying, the other's booking and two identities, the phone masked and no person ids", rec.Body)
	}
	other, _ := w.signIn("/api/v1/auth/wechat", "dev:o-stranger")
	unchanged := w.state()
	if rec := w.sendAs(oa, post("/api/v1/me/merge/"+o.ID, `{"confirm":false}`)); rec.Code != 400 || errorCode(rec) != "merge_unconfirmed" {
		t.Errorf("merge unconfirmed = %d %s", rec.Code, rec.Body)
	}
	if rec := w.sendAs(other, post("/api/v1/me/merge/"+o.ID, `{"confirm":true}`)); rec.Code != 404 || errorCode(rec) != "merge_offer_not_found" {
		t.Errorf("another's offer confirmed = %d %s, want 404", rec.Code, rec.Body)
	}
	if w.state() != unchanged {
		t.Error("a refused confirmation changed the table")
	}
	if rec := w.sendAs(oa, post("/api/v1/me/merge/"+o.ID, `{"confirm":true}`)); rec.Code != 200 || strings.Contains(rec.Body.String(), `"session"`) {
		t.Fatalf("confirm = %d %s, want 200 without a new session", rec.Code, rec.Body)
	}
	if ids := w.bookingIDs(oa); !slices.Equal(ids, []string{booked}) {
		t.Errorf("after the merge the survivor's bookings = %v, want %s", ids, booked)
	}
	if rec := w.sendAs(oa, post("/api/v1/me/merge/"+o.ID, `{"confirm":true}`)); rec.Code != 200 {
		t.Errorf("a merge done confirmed again = %d %s, want it answered again", rec.Code, rec.Body)
	}
	if _, p := w.signIn("/api/v1/auth/miniprogram", "dev:m-he"); p != into {
		t.Errorf("the mini program signs in as %q, want %q", p, into)
	}
	if rec := w.sendAs(oa, get("/api/v1/me/export")); !strings.Contains(rec.Body.String(), `"via":"phone"`) {
		t.Error("the export lacks the merge's record")
	}

	// A mini program person proves the phone of an official account person: the other
	// stays, and the caller's session becomes theirs.
	w.signIn("/api/v1/auth/wechat", "dev:o-gu")
	gu, _ := w.signIn("/api/v1/auth/miniprogram", "dev:m-gu") // o-gu, through the unionid
	if rec := w.sendAs(gu, post("/api/v1/me/phone", `{"code":"dev:13977778888"}`)); rec.Code != 200 {
		t.Fatalf("link a phone = %d %s", rec.Code, rec.Body)
	}
	newcomer, _ := w.signIn("/api/v1/auth/miniprogram", "dev:m-gu2")
	id := str(decode(t, w.sendAs(newcomer, post("/api/v1/me/merge", `{"kind":"phone","code":"dev:13977778888"}`)))["offer"].(map[string]any), "id")
	var done struct {
		Offer   struct{ YouStay bool }
		Session struct{ Token, OpenID string }
	}
	rec = w.sendAs(newcomer, post("/api/v1/me/merge/"+id, `{"confirm":true}`))
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &done) != nil || done.Offer.YouStay || done.Session.OpenID != "o-gu" || done.Session.Token == "" {
		t.Fatalf("confirm as the one who goes = %d %s, want the survivor's session\n%s", rec.Code, rec.Body, w.logs.String())
	}
	if rec := w.sendAs(done.Session.Token, get("/api/v1/me")); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"openid":"o-gu"`) {
		t.Errorf("the new session = %d %s", rec.Code, rec.Body)
	}

	// Two official account people, and a staff member who would go, are refused.
	before = w.state()
	if rec := w.sendAs(other, post("/api/v1/me/merge", `{"kind":"phone","code":"dev:13977778888"}`)); rec.Code != 409 || errorCode(rec) != "merge_two_official" {
		t.Errorf("two official account people = %d %s", rec.Code, rec.Body)
	}
	if w.state() != before {
		t.Error("a refused merge of two official account people changed the table")
	}
	_, staff := w.signIn("/api/v1/auth/miniprogram", "dev:m-staff")
	if err := w.a.People.GrantRoles(context.Background(), staff, []string{auth.RoleStaff}, w.now); err != nil {
		t.Fatal(err)
	}
	before = w.state()
	if rec := w.sendAs(other, post("/api/v1/me/merge", `{"kind":"mp","code":"dev:m-staff"}`)); rec.Code != 409 || errorCode(rec) != "merge_staff" {
		t.Errorf("a staff member who would go = %d %s", rec.Code, rec.Body)
	}
	if w.state() != before {
		t.Error("a refused merge changed the table")
	}
}

// A mother her son booked for takes over her own account: he makes a one-time link on
// 我的家人, she opens it signed in with her own WeChat and confirms (with faults injected
// into the table's calls, so runs stop midway and are run again), and then her bookings
// — a future one, one of a session she had booked herself too, a past one attended and a
// no-show — are hers, her strike counts against her, he no longer lists or books for
// her, and nothing is lost or duplicated.
func TestDependantTakesOverTheirAccount(t *testing.T) {
	w := newArena(t)
	ctx := context.Background()
	son, guardian := w.signIn("/api/v1/auth/wechat", "dev:o-zhou")
	mother := str(decode(t, w.sendAs(son, post("/api/v1/me/dependants", `{"name":"周桂英","relation":"mother","birthYear":1950}`))), "id")
	holder := booking.Holder(guardian, mother)
	future := w.slot("film", 48*time.Hour, "")
	shared := w.slot("event", 72*time.Hour, `,"perPersonLimit":1`)
	var hers []string
	for _, s := range []string{future, shared} {
		hers = append(hers, str(decode(t, w.sendAs(son, post("/api/v1/slots/"+s+"/bookings", quoted(`{"partySize":1,"for":%q}`, mother)))), "id"))
	}
	attend(t, w.a, w.activity("event"), w.now, holder)
	w.noShow(w.activity("event"), "ns-zhou", holder)
	own, person := w.signIn("/api/v1/auth/wechat", "dev:o-zhou-mother")
	mine := str(decode(t, w.sendAs(own, post("/api/v1/slots/"+shared+"/bookings", `{"partySize":1}`))), "id")

	rec := w.sendAs(son, post("/api/v1/me/dependants/"+mother+"/takeover", ""))
	var offered struct{ Code, Path string }
	if rec.Code != 201 || json.Unmarshal(rec.Body.Bytes(), &offered) != nil || !strings.HasSuffix(offered.Path, offered.Code) {
		t.Fatalf("make a takeover link = %d %s", rec.Code, rec.Body)
	}
	before := w.tally()
	if rec := w.sendAs(son, get("/api/v1/takeover/"+offered.Code)); rec.Code != 409 || errorCode(rec) != "takeover_self" {
		t.Errorf("the son opens his own link = %d %s, want takeover_self", rec.Code, rec.Body)
	}
	if rec := w.sendAs(own, get("/api/v1/takeover/"+offered.Code)); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"bookings":4`) ||
		!strings.Contains(rec.Body.String(), "周桂英（母亲）") {
		t.Errorf("she opens the link = %d %s, want her name and her four bookings", rec.Code, rec.Body)
	}
	unchanged := w.state()
	if rec := w.sendAs(own, post("/api/v1/takeover/"+offered.Code, `{"confirm":false}`)); rec.Code != 400 || errorCode(rec) != "takeover_unconfirmed" || w.state() != unchanged {
		t.Errorf("unconfirmed = %d %s, want 400 and nothing changed", rec.Code, rec.Body)
	}
	if rec := w.sendAs(own, get("/api/v1/takeover/abcdefghijklmnopqrstuvwxyz")); rec.Code != 404 {
		t.Errorf("an unknown code = %d %s, want 404", rec.Code, rec.Body)
	}

	runs := 0
	for {
		runs++
		if runs <= 12 {
			w.tbl.Faults.Set(0.4, uint64(100+runs))
		} else {
			w.tbl.Faults.Set(0, 0)
		}
		rec := w.sendAs(own, post("/api/v1/takeover/"+offered.Code, `{"confirm":true}`))
		w.tbl.Faults.Set(0, 0)
		if rec.Code == 200 {
			break
		}
		if now := w.tally(); now != before {
			t.Fatalf("after run %d stopped (%d %s) the table holds %+v, want %+v", runs, rec.Code, rec.Body, now, before)
		}
		if runs == 50 {
			t.Fatalf("the takeover still fails after %d runs: %d %s", runs, rec.Code, rec.Body)
		}
	}
	t.Logf("taken over in %d runs, %d faults injected", runs, w.tbl.Faults.Injected())
	if after := w.tally(); after.Bookings != before.Bookings || after.Places != before.Places || after.Strikes != before.Strikes || after.Dependants != before.Dependants-1 {
		t.Errorf("the takeover changed what the table holds:\nbefore %+v\nafter  %+v (one dependant fewer)", before, after)
	}
	got := w.bookingIDs(own)
	for _, id := range append(slices.Clone(hers), mine) {
		if !slices.Contains(got, id) {
			t.Errorf("her bookings after the takeover = %v, lack %s", got, id)
		}
	}
	if len(got) != 5 {
		t.Errorf("her bookings after the takeover = %v, want her own, the two future and the past two", got)
	}
	if ids := w.bookingIDs(son); len(ids) != 0 {
		t.Errorf("his bookings after the takeover = %v, want none", ids)
	}
	state := w.state()
	for _, l := range strings.Split(state, "\n") {
		// The counters' records of the moved items, emptied, and her own record of
		// where her bookings came from.
		if strings.Contains(l, holder) && !strings.Contains(l, `"facts":"null"`) && !strings.Contains(l, `"n":0}`) && !strings.Contains(l, `"SK":"TOOKOVER#`) {
			t.Errorf("after the takeover the table still holds a record of the dependant's holder: %s", l)
		}
	}
	if strikes, err := w.a.Bookings.Strikes(ctx, person, w.now.Add(-90*24*time.Hour)); err != nil || strikes != 1 {
		t.Errorf("her strikes = %d (%v), want the no-show made in her name", strikes, err)
	}
	if rec := w.sendAs(son, post("/api/v1/slots/"+w.slot("film", 48*time.Hour, "")+"/bookings", quoted(`{"partySize":1,"for":%q}`, mother))); rec.Code != 404 || errorCode(rec) != "dependant_not_found" {
		t.Errorf("he books for her after the takeover = %d %s, want dependant_not_found", rec.Code, rec.Body)
	}
	if rec := w.sendAs(son, with("DELETE", "/api/v1/bookings/"+hers[0], "")); rec.Code != 404 {
		t.Errorf("he cancels her booking after the takeover = %d %s, want 404", rec.Code, rec.Body)
	}
	for _, id := range hers {
		if rec := w.sendAs(own, with("DELETE", "/api/v1/bookings/"+id, "")); rec.Code != 200 {
			t.Errorf("she cancels %s = %d %s", id, rec.Code, rec.Body)
		}
	}
	if rec := w.sendAs(own, post("/api/v1/takeover/"+offered.Code, `{"confirm":true}`)); rec.Code != 200 {
		t.Errorf("the link confirmed again by her = %d %s, want it answered again", rec.Code, rec.Body)
	}
	stranger, _ := w.signIn("/api/v1/auth/wechat", "dev:o-stranger")
	if rec := w.sendAs(stranger, post("/api/v1/takeover/"+offered.Code, `{"confirm":true}`)); rec.Code/100 != 4 {
		t.Errorf("the link used by someone else = %d %s, want refused", rec.Code, rec.Body)
	}
	told, err := w.a.People.Dependants(ctx, guardian)
	if err != nil || len(told) != 0 {
		t.Errorf("his family after the takeover = %v (%v), want empty", told, err)
	}
	// He is told by a message, once, in Beijing time; his father's takeover, after he
	// withdrew his consent to messages, is recorded but not sent.
	w.deliverAll()
	messages := func() (msgs []string) {
		for _, m := range w.wx.Sent() {
			if m.ToUser == guardian && strings.Contains(string(m.Data), "开始用自己的微信管理账号") {
				msgs = append(msgs, string(m.Data))
			}
		}
		return msgs
	}
	at := w.now.In(beijing.Zone).Format("2006年1月2日 15:04")
	if got := messages(); len(got) != 1 || !strings.Contains(got[0], "家人周桂英（母亲）已于 "+at) || !strings.Contains(got[0], "您代为预约的 4 场活动已转到其名下") {
		t.Errorf("his messages about the takeover = %q, want one naming her, the time (%s) and her four bookings", got, at)
	}
	if rec := w.sendAs(son, with("PUT", "/api/v1/me/consents/messages", `{"granted":false}`)); rec.Code != 200 {
		t.Fatalf("withdraw consent = %d %s", rec.Code, rec.Body)
	}
	father := str(decode(t, w.sendAs(son, post("/api/v1/me/dependants", `{"name":"周建国","relation":"father"}`))), "id")
	code := str(decode(t, w.sendAs(son, post("/api/v1/me/dependants/"+father+"/takeover", ""))), "code")
	his, _ := w.signIn("/api/v1/auth/wechat", "dev:o-zhou-father")
	if rec := w.sendAs(his, post("/api/v1/takeover/"+code, `{"confirm":true}`)); rec.Code != 200 {
		t.Fatalf("the father takes over = %d %s", rec.Code, rec.Body)
	}
	w.deliverAll()
	if got := messages(); len(got) != 1 {
		t.Errorf("after he withdrew his consent he was sent %q, want only the first message", got)
	}
	if !strings.Contains(w.state(), `"lastError":"consent_withdrawn"`) {
		t.Error("the father's takeover queued no message skipped for the withdrawn consent")
	}
}
