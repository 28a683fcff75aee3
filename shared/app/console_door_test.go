package app_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The door's scanner answers every kind of scan with its own verdict, on the full-screen
// answer, and only the first scan of a ticket (or its retry with the same key) admits.
func TestDoorAnswersEveryVerdict(t *testing.T) {
	w := newArena(t)
	// scan answers the status, the answer screen's colour, verdict and text.
	type answer struct {
		code                 int
		colour, verdict, all string
	}
	scan := func(as caller, ticket, slot, key string) answer {
		t.Helper()
		rec := w.send(as, post("/h5/admin/checkins", form("ticket", ticket, "slot", slot, "key", key)))
		m := answerScreen.FindStringSubmatch(rec.Body.String())
		if m == nil {
			t.Fatalf("scan of %q answered %d without the answer screen: %s", ticket, rec.Code, rec.Body)
		}
		return answer{rec.Code, m[1], m[2], text(m[0])}
	}
	expect := func(name string, a answer, code int, verdict string, details ...string) {
		t.Helper()
		colour := "no"
		if verdict == "入场" {
			colour = "ok"
		}
		if a.code != code || a.colour != colour || a.verdict != verdict {
			t.Errorf("%s: %d, a %s screen saying %q; want %d, %s, %q", name, a.code, a.colour, a.verdict, code, colour, verdict)
		}
		for _, s := range details {
			if !strings.Contains(a.all, s) {
				t.Errorf("%s: the answer says %q, want %q in it", name, a.all, s)
			}
		}
	}

	soon := w.slot("film", 30*time.Minute, "")
	b := w.book(residentA, soon)
	ticket, code := str(b, "ticket"), str(b, "code")
	a := scan(staffIn, ticket, soon, "k1")
	expect("first scan", a, http.StatusOK, "入场", "1 人")
	before := w.state()
	a = scan(staffIn, ticket, soon, "k1")
	expect("the same scan retried", a, http.StatusOK, "入场", "1 人")
	a = scan(staffIn, ticket, soon, "k2")
	expect("a second scan", a, http.StatusConflict, "已使用", "已于 12月1日 09:00 检票入场") // matrixNow in Beijing
	a = scan(staffIn, code, soon, "k3")
	expect("its code typed", a, http.StatusConflict, "已使用")
	if w.state() != before {
		t.Error("a retried or repeated scan changed the table")
	}

	other := w.slot("film", 40*time.Minute, "")
	a = scan(staffIn, str(w.book(residentA, other), "ticket"), soon, "k4")
	expect("another session's ticket", a, http.StatusConflict, "非本场次", "票上的场次")

	cancelled := w.book(residentB, soon)
	w.must(residentB, "DELETE", "/api/v1/bookings/"+str(cancelled, "id"), "")
	a = scan(staffIn, str(cancelled, "ticket"), soon, "k5")
	expect("a cancelled booking", a, http.StatusConflict, "已取消")

	later := w.slot("film", 72*time.Hour, "")
	a = scan(staffIn, str(w.book(residentA, later), "ticket"), later, "k6")
	expect("days early", a, http.StatusConflict, "未到检票时间", "开始检票")

	a = scan(staffIn, "WT1.bm90LWEtdGlja2V0.c2lnbmF0dXJl", "", "k7")
	expect("a forged ticket", a, http.StatusConflict, "无效票")
	a = scan(staffIn, "00000000", soon, "k8")
	expect("an unknown code", a, http.StatusConflict, "无效票", "预约码")
	a = scan(staffIn, code, "", "k9")
	expect("a code at a door set to no session", a, http.StatusConflict, "无法核验", "选择本场次")

	late := w.book(residentB, soon)
	a = scan(staffOut, str(late, "ticket"), "", "k10")
	expect("another district's staff", a, http.StatusForbidden, "非本辖区")
	w.now = w.now.Add(3 * time.Hour) // the session began 2.5 hours ago; its door closed 30 minutes after
	a = scan(staffIn, str(late, "ticket"), soon, "k11")
	expect("after the door closed", a, http.StatusConflict, "已结束", "结束")
}

// answerScreen is the scanner's full-screen answer: its colour and verdict.
var answerScreen = regexp.MustCompile(`(?s)<section id="answer" class="answer (ok|no)".*?<p class="verdict"[^>]*>([^<]*)</p>.*?</section>`)

// text is an HTML fragment's text, tags dropped, spaces collapsed.
func text(html string) string {
	var b strings.Builder
	in := false
	for _, r := range html {
		switch {
		case r == '<':
			in = true
			b.WriteByte(' ')
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
