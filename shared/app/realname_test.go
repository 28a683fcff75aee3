package app_test

import (
	"encoding/json"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/volunteer"

	"github.com/wentitong/wentitong/shared/privacy"
)

// A real-name session (实名制) asks for a family member's ID number: a missing, invalid
// or inconsistent one is refused and changes nothing; a valid one is kept as a keyed
// hash on the family member (never in clear, never logged), the booking and the door
// show its masked form, and a later real-name booking for her uses the one on file.
// Ordinary sessions ask for nothing.
func TestRealNameSessionTakesTheDependantsIDNumber(t *testing.T) {
	w := newArena(t)
	mother := str(w.must(residentA, "POST", "/api/v1/me/dependants", `{"name":"王秀英","relation":"mother","birthYear":1950}`), "id")
	start := w.now.Add(30 * time.Minute)
	sl := w.must(admin, "POST", "/api/v1/admin/activities/"+w.activity("event")+"/slots", quoted(`{"startsAt":%q,"endsAt":%q,"capacity":30,"maxPartySize":2,"realName":true}`,
		rfc(start), rfc(start.Add(2*time.Hour))))
	if sl["realName"] != true {
		t.Errorf("the created session = %v, want realName true", sl)
	}
	slot := str(sl, "id")
	number := "43020019500307" + "123"
	number += string(privacy.IDCheckChar(number))
	born1990 := idNumber(5) // 1990
	bad := number[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", number[17])+1)%11])

	book := func(body string) (int, map[string]any, string) {
		rec := w.send(residentA, post("/api/v1/slots/"+slot+"/bookings", body))
		m := map[string]any{}
		if rec.Code/100 == 2 {
			m = decode(t, rec)
		}
		return rec.Code, m, errorCode(rec)
	}
	before := w.state()
	for _, tt := range []struct{ body, code string }{
		{quoted(`{"partySize":1,"for":%q}`, mother), "id_number_required"},
		{quoted(`{"partySize":1,"for":%q,"idNumber":%q}`, mother, bad), "id_number_invalid"},
		{quoted(`{"partySize":1,"for":%q,"idNumber":%q}`, mother, "4302"), "id_number_invalid"},
		{quoted(`{"partySize":1,"for":%q,"idNumber":%q}`, mother, born1990), "id_number_mismatch"}, // she was born in 1950
	} {
		if code, _, got := book(tt.body); code/100 != 4 || got != tt.code {
			t.Errorf("book %s = %d %s, want %s", tt.body, code, got, tt.code)
		}
	}
	if w.state() != before {
		t.Error("a refused real-name booking changed the table")
	}

	code, theirs, _ := book(quoted(`{"partySize":1,"for":%q,"idNumber":%q}`, mother, strings.ToLower(number)))
	if code != 201 || theirs["idNumberMasked"] != privacy.IDNumber(number) || theirs["name"] != "王秀英（母亲）" {
		t.Fatalf("book for her with her ID number = %d %v, want 201 with her name and %s", code, theirs, privacy.IDNumber(number))
	}
	middle := number[4:14]
	if s := w.state(); strings.Contains(s, middle) || !strings.Contains(s, `"idNumberHash"`) {
		t.Errorf("the table holds the ID number in clear, or no hash of it")
	}
	if strings.Contains(w.logs.String(), middle) {
		t.Error("the ID number was logged")
	}
	if deps := w.send(residentA, get("/api/v1/me/dependants")).Body.String(); !strings.Contains(deps, `"idNumberMasked":"`+privacy.IDNumber(number)+`"`) || strings.Contains(deps, "Hash") {
		t.Errorf("GET /api/v1/me/dependants = %s, want her masked number and no hash", deps)
	}
	door := w.send(staffIn, post("/h5/admin/checkins", form("ticket", str(theirs, "ticket"), "key", "scan-rn")))
	if body := door.Body.String(); door.Code != 200 || !strings.Contains(body, "持票人：王秀英（母亲）") || !strings.Contains(body, "身份证："+privacy.IDNumber(number)) {
		t.Errorf("the door's scan of her real-name ticket = %d, want her name and masked ID number:\n%s", door.Code, body)
	}

	// Another real-name session: the number on file serves; another number is refused.
	second := w.slot("film", 48*time.Hour, `,"realName":true`)
	if rec := w.send(residentA, post("/api/v1/slots/"+second+"/bookings", quoted(`{"partySize":1,"for":%q,"idNumber":%q}`, mother, idNumber(9)))); errorCode(rec) != "id_number_mismatch" {
		t.Errorf("another number for her = %d %s, want id_number_mismatch", rec.Code, rec.Body)
	}
	if again := w.must(residentA, "POST", "/api/v1/slots/"+second+"/bookings", quoted(`{"partySize":1,"for":%q}`, mother)); str(again, "idNumberMasked") != privacy.IDNumber(number) {
		t.Errorf("a second real-name booking with her number on file = %v, want its masked form", again)
	}
	// An ordinary session asks for nothing and shows nothing.
	plain := w.slot("film", 72*time.Hour, "")
	if b := w.must(residentA, "POST", "/api/v1/slots/"+plain+"/bookings", quoted(`{"partySize":1,"for":%q}`, mother)); str(b, "idNumberMasked") != "" {
		t.Errorf("an ordinary session's booking for her = %v, want no ID number", b)
	}
}

// The resident's own booking of a real-name session asks for their own ID number once:
// checked as a family member's, kept on their profile as a keyed hash, shown masked at
// the door, used again for the next real-name session; another number is refused. A
// volunteer's registered number serves without being asked again.
func TestRealNameSessionTakesTheResidentsOwnIDNumber(t *testing.T) {
	w := newArena(t)
	slot := w.slot("event", 30*time.Minute, `,"realName":true`)
	number, other := idNumber(31), idNumber(32)
	book := func(as caller, slot, body string) (*httptest.ResponseRecorder, map[string]any) {
		rec := w.send(as, post("/api/v1/slots/"+slot+"/bookings", body))
		m := map[string]any{}
		if rec.Code/100 == 2 {
			m = decode(t, rec)
		}
		return rec, m
	}
	before := w.state()
	for _, tt := range []struct{ body, code, says string }{
		{`{"partySize":1}`, "id_number_required", "请填写您本人的身份证号码"},
		{quoted(`{"partySize":1,"idNumber":%q}`, number[:17]+"Z"), "id_number_invalid", "身份证号码无效"},
		{`{"partySize":1,"idNumber":"43020019901301001X"}`, "id_number_invalid", "身份证号码无效"},   // the 13th month
		{quoted(`{"partySize":2,"idNumber":%q}`, number), "real_name_one_person", "每次只能预约一人"}, // the session takes 2 a booking elsewhere
	} {
		if rec, _ := book(residentA, slot, tt.body); rec.Code/100 != 4 || errorCode(rec) != tt.code || !strings.Contains(rec.Body.String(), tt.says) {
			t.Errorf("book %s = %d %s, want %s saying %s", tt.body, rec.Code, rec.Body, tt.code, tt.says)
		}
	}
	if w.state() != before {
		t.Error("a refused real-name booking changed the table")
	}
	rec, own := book(residentA, slot, quoted(`{"partySize":1,"idNumber":%q}`, number))
	if rec.Code != 201 || str(own, "idNumberMasked") != privacy.IDNumber(number) {
		t.Fatalf("book with her own number = %d %s, want 201 with %s", rec.Code, rec.Body, privacy.IDNumber(number))
	}
	if s := w.state(); strings.Contains(s, number[4:14]) || !strings.Contains(s, `"idNumberKeyId"`) {
		t.Error("the table holds the number in clear, or no hash of it on the profile")
	}
	door := w.send(staffIn, post("/h5/admin/checkins", form("ticket", str(own, "ticket"), "key", "scan-own")))
	if body := door.Body.String(); door.Code != 200 || !strings.Contains(body, "身份证："+privacy.IDNumber(number)) {
		t.Errorf("the door's scan of her own real-name ticket = %d, want her masked number:\n%s", door.Code, body)
	}
	second := w.slot("film", 48*time.Hour, `,"realName":true`)
	before = w.state()
	if rec, _ := book(residentA, second, quoted(`{"partySize":1,"idNumber":%q}`, other)); errorCode(rec) != "id_number_mismatch" || !strings.Contains(rec.Body.String(), "与您已登记的号码不一致") {
		t.Errorf("another number of hers = %d %s, want id_number_mismatch", rec.Code, rec.Body)
	}
	if w.state() != before {
		t.Error("a refused number changed the table")
	}
	if _, again := book(residentA, second, `{"partySize":1}`); str(again, "idNumberMasked") != privacy.IDNumber(number) {
		t.Errorf("her second real-name booking = %v, want the number on file", again)
	}

	// A volunteer registered with their number: it serves, another is refused.
	w.volunteer(residentB.openid, volunteer.StatusActive) // registers idNumber(n) for the arena's next n
	if _, b := book(residentB, slot, `{"partySize":1}`); !strings.HasSuffix(str(b, "idNumberMasked"), "**"+idNumber(w.n)[16:]) {
		t.Errorf("a volunteer's booking without a number = %v, want their registered number's masked form", b)
	}
	if rec, _ := book(residentB, second, quoted(`{"partySize":1,"idNumber":%q}`, other)); errorCode(rec) != "id_number_mismatch" {
		t.Errorf("a volunteer's booking with another number = %d %s, want id_number_mismatch", rec.Code, rec.Body)
	}
	if strings.Contains(w.logs.String(), number[4:14]) || strings.Contains(w.logs.String(), other[4:14]) {
		t.Error("an ID number was logged")
	}
}

// One ID number is booked once per session, whoever books it (the person or someone
// else's family member), while that booking stands: the guard goes when it is
// cancelled. A number given for a booking that is refused (sold out, the limit) is not
// kept.
func TestRealNameSessionTakesEveryIDNumberOnce(t *testing.T) {
	w := newArena(t)
	slot := w.slot("event", 30*time.Minute, `,"realName":true`)
	number := idNumber(41)
	grandma := str(w.must(residentB, "POST", "/api/v1/me/dependants", `{"name":"李桂芳","relation":"grandparent"}`), "id")
	mine := w.must(residentA, "POST", "/api/v1/slots/"+slot+"/bookings", quoted(`{"partySize":1,"idNumber":%q}`, number))
	before := w.state()
	rec := w.send(residentB, post("/api/v1/slots/"+slot+"/bookings", quoted(`{"partySize":1,"for":%q,"idNumber":%q}`, grandma, number)))
	if errorCode(rec) != "id_number_taken" || !strings.Contains(rec.Body.String(), "同一证件每个场次只能预约一次") {
		t.Errorf("the same number for another family's member = %d %s, want id_number_taken", rec.Code, rec.Body)
	}
	if w.state() != before {
		t.Error("a refused booking of a taken number changed the table (recorded it on her, or took a place)")
	}
	w.must(residentA, "DELETE", "/api/v1/bookings/"+str(mine, "id"), "")
	if b := w.must(residentB, "POST", "/api/v1/slots/"+slot+"/bookings", quoted(`{"partySize":1,"for":%q,"idNumber":%q}`, grandma, number)); str(b, "idNumberMasked") != privacy.IDNumber(number) {
		t.Errorf("the number once its booking was cancelled = %v, want it booked", b)
	}

	// Refused for another reason: nothing of the number is kept.
	full := w.slot("event", 50*time.Hour, `,"realName":true,"capacity":1`)
	w.must(residentB, "POST", "/api/v1/slots/"+full+"/bookings", quoted(`{"partySize":1,"idNumber":%q}`, idNumber(42)))
	mother := str(w.must(residentA, "POST", "/api/v1/me/dependants", `{"name":"王秀英","relation":"mother"}`), "id")
	before = w.state()
	for _, body := range []string{
		quoted(`{"partySize":1,"for":%q,"idNumber":%q}`, mother, idNumber(43)),
		quoted(`{"partySize":1,"idNumber":%q}`, idNumber(44)),
	} {
		if rec := w.send(residentA, post("/api/v1/slots/"+full+"/bookings", body)); errorCode(rec) != "slot_full" {
			t.Errorf("book the full session = %d %s, want slot_full", rec.Code, rec.Body)
		}
	}
	if w.state() != before {
		t.Error("a number given for a refused booking was kept")
	}
	// Refused by the write itself (the activity's limit of one booking, held by an
	// ordinary session of it): the number goes with the refused write.
	act := w.activity("event")
	slotOf := func(in time.Duration, extra string) string {
		start := w.now.Add(in)
		return str(w.must(admin, "POST", "/api/v1/admin/activities/"+act+"/slots", quoted(`{"startsAt":%q,"endsAt":%q,"capacity":30%s}`,
			rfc(start), rfc(start.Add(time.Hour)), extra)), "id")
	}
	plain, named := slotOf(60*time.Hour, ""), slotOf(70*time.Hour, `,"realName":true`)
	w.must(residentA, "POST", "/api/v1/slots/"+plain+"/bookings", quoted(`{"partySize":1,"for":%q}`, mother))
	before = w.state()
	if rec := w.send(residentA, post("/api/v1/slots/"+named+"/bookings", quoted(`{"partySize":1,"for":%q,"idNumber":%q}`, mother, idNumber(43)))); errorCode(rec) != "limit_reached" {
		t.Errorf("book past the limit = %d %s, want limit_reached", rec.Code, rec.Body)
	}
	if w.state() != before {
		t.Error("a number given for a booking the limit refused was kept")
	}
}

// Two families race to book one ID number for one session: exactly one wins, the others
// are told id_number_taken, and only the winner's number is recorded.
func TestIDNumberRaceHasOneWinner(t *testing.T) {
	w := newArena(t)
	slot := w.slot("event", 30*time.Minute, `,"realName":true`)
	number := idNumber(51)
	type try struct {
		as   caller
		body string
	}
	tries := []try{{residentA, quoted(`{"partySize":1,"idNumber":%q}`, number)}, {residentB, quoted(`{"partySize":1,"idNumber":%q}`, number)}}
	for _, as := range []caller{residentA, residentA, residentB, residentB} {
		dep := str(w.must(as, "POST", "/api/v1/me/dependants", `{"name":"王秀英","relation":"mother"}`), "id")
		tries = append(tries, try{as, quoted(`{"partySize":1,"for":%q,"idNumber":%q}`, dep, number)})
	}
	codes := make([]string, len(tries))
	var wg sync.WaitGroup
	for i, tr := range tries {
		wg.Go(func() {
			rec := w.send(tr.as, post("/api/v1/slots/"+slot+"/bookings", tr.body))
			codes[i] = strconv.Itoa(rec.Code) + " " + errorCode(rec)
		})
	}
	wg.Wait()
	won := 0
	for _, c := range codes {
		switch c {
		case "201 ":
			won++
		case "409 id_number_taken":
		default:
			t.Errorf("a racer was answered %s, want 201 or 409 id_number_taken", c)
		}
	}
	s := w.state()
	if won != 1 || strings.Count(s, `"idNumberKeyId"`) != 1 || strings.Count(s, `"IDGuard"`) != 1 {
		t.Errorf("%d of %d racers won (%v), %d numbers recorded, %d bookings carry it: want one of each", won, len(tries), codes,
			strings.Count(s, `"idNumberKeyId"`), strings.Count(s, `"IDGuard"`))
	}
}

// Under injected faults (calls failing before or after the table applied them, the
// answer lost) real-name bookings and cancellations of one number leave nothing half
// written: every guard names a booking that stands and carries it, every standing
// booking's guard is there, and a number is on someone's item only where a booking
// of theirs carries it.
func TestIDNumberGuardUnderFaults(t *testing.T) {
	w := newArena(t)
	number := idNumber(61)
	mother := str(w.must(residentB, "POST", "/api/v1/me/dependants", `{"name":"王秀英","relation":"mother"}`), "id")
	tries := []struct {
		token, body string // a token issued before the faults: issuing reads the table
	}{
		{w.token(residentA), quoted(`{"partySize":1,"idNumber":%q}`, number)},
		{w.token(residentB), quoted(`{"partySize":1,"for":%q,"idNumber":%q}`, mother, number)},
	}
	failed := 0
	for round := range 12 {
		slot := w.slot("event", 30*time.Minute, `,"realName":true`)
		w.tbl.Faults.Set(0.5, uint64(round))
		for i := range 6 {
			tr := tries[(round+i)%2]
			rec := w.sendAs(tr.token, post("/api/v1/slots/"+slot+"/bookings", tr.body))
			if rec.Code/100 != 2 {
				failed++
				continue
			}
			if i%3 == 0 {
				if rec := w.sendAs(tr.token, with("DELETE", "/api/v1/bookings/"+str(decode(t, rec), "id"), "")); rec.Code/100 != 2 {
					failed++
				}
			}
		}
		w.tbl.Faults.Set(0, 0)
	}
	if failed == 0 || w.tbl.Faults.Injected() == 0 {
		t.Fatalf("no request failed (%d faults injected): the test tests nothing", w.tbl.Faults.Injected())
	}
	guards, bookings := map[string]string{}, map[string]map[string]any{} // slot/hash → booking id; booking id → item
	recorded := map[string]string{}                                      // owner holder → hash
	for _, line := range strings.Split(w.state(), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		pk, sk := str(m, "PK"), str(m, "SK")
		switch {
		case strings.HasPrefix(sk, "IDNO#"):
			guards[pk+"/"+strings.TrimPrefix(sk, "IDNO#")] = str(m, "bookingId")
		case strings.HasPrefix(sk, "BOOKING#") && str(m, "IDGuard") != "":
			bookings[str(m, "ID")] = m
		case str(m, "idNumberHash") != "":
			holder := strings.TrimPrefix(pk, "USER#")
			if dep, ok := strings.CutPrefix(sk, "DEP#"); ok {
				holder += "~" + dep
			}
			recorded[holder] = str(m, "idNumberHash")
		}
	}
	for at, id := range guards {
		b := bookings[id]
		if b == nil || str(b, "Status") == "cancelled" || "SLOT#"+str(b, "SlotID")+"/"+str(b, "IDGuard") != at {
			t.Errorf("guard %s names booking %s, which does not stand with it: %v", at, id, b)
		}
	}
	for id, b := range bookings {
		if str(b, "Status") != "cancelled" && guards["SLOT#"+str(b, "SlotID")+"/"+str(b, "IDGuard")] != id {
			t.Errorf("standing booking %s has no guard of its number", id)
		}
	}
	for holder, hash := range recorded {
		found := false
		for _, b := range bookings {
			found = found || (str(b, "OpenID") == holder && str(b, "IDGuard") == hash)
		}
		if !found {
			t.Errorf("%s has a number on file that no booking of theirs carries", holder)
		}
	}
	t.Logf("%d requests failed of %d faults injected; %d guards, %d real-name bookings", failed, w.tbl.Faults.Injected(), len(guards), len(bookings))
}
