package app_test

import (
	"encoding/json"
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
	req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
	req.Header.Set("Authorization", "Bearer "+token)
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	return rec
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
