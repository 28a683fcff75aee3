package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/privacy"
)

// A real-name session (实名制) asks for a family member's ID number: a missing, invalid
// or inconsistent one is refused and changes nothing; a valid one is kept as a keyed
// hash on the family member (never in clear, never logged), the booking and the door
// show its masked form, and a later real-name booking for her uses the one on file. The
// resident's own booking and ordinary sessions ask for nothing.
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
	if own := w.book(residentA, slot); str(own, "idNumberMasked") != "" {
		t.Errorf("the resident's own booking = %v, want no ID number asked or shown", own)
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
