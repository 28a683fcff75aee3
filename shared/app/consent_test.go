package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/account"
	"github.com/wentitong/wentitong/shared/dynamo/accountdb"
	"github.com/wentitong/wentitong/shared/notify"
)

// Withdrawing consent stops the use at once: no message is sent to someone who withdrew
// their consent to messages, and no location is kept for someone who withdrew theirs
// (the one kept is deleted with the withdrawal). Agreeing again starts it again; every
// decision is in the person's log with its time and version.
func TestWithdrawnConsentStopsMessagesAndLocation(t *testing.T) {
	w := newNotifyWorld(t)
	ctx := context.Background()
	const who = "o-consent"
	decide := func(purpose string, granted bool) {
		t.Helper()
		if _, err := account.Decide(ctx, w.a.People, who, purpose, granted, "h5", w.now); err != nil {
			t.Fatal(err)
		}
		w.now = w.now.Add(time.Minute)
	}

	first := w.add("booking_reminder", who)
	w.stream(first)
	decide(account.PurposeMessages, false)
	second := w.add("booking_reminder", who)
	w.stream(second)
	if m := w.message(second); m.Status != notify.StatusSkipped || m.LastError != "consent_withdrawn" {
		t.Errorf("a message after the withdrawal = %s (%s), want skipped: consent_withdrawn", m.Status, m.LastError)
	}
	decide(account.PurposeMessages, true)
	third := w.add("booking_reminder", who)
	w.stream(third)
	if got := w.sentTo(who); got != 2 {
		t.Errorf("sent %d messages to %s, want 2 (before the withdrawal and after agreeing again)", got, who)
	}

	located := func() bool {
		t.Helper()
		_, ok, err := w.a.People.LastLocation(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	report := func() {
		t.Helper()
		if err := w.a.People.SetLocation(ctx, who, accountdb.Location{Lat: 27.83, Lng: 113.15, At: w.now}); err != nil {
			t.Fatal(err)
		}
	}
	report()
	if !located() {
		t.Fatal("a location WeChat reported is not kept before any withdrawal")
	}
	decide(account.PurposeLocation, false)
	if located() {
		t.Error("the location kept is still there after the withdrawal")
	}
	report()
	if located() {
		t.Error("a location reported after the withdrawal was kept")
	}
	decide(account.PurposeLocation, true)
	report()
	if !located() {
		t.Error("a location reported after agreeing again is not kept")
	}

	current, log, err := w.a.People.Consents(ctx, who)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 4 || log[0].Purpose != account.PurposeLocation || !log[0].Granted || log[3].Purpose != account.PurposeMessages || log[3].Granted {
		t.Errorf("the log = %+v, want the four decisions, newest first", log)
	}
	for _, c := range log {
		if p, _ := account.PurposeOf(c.Purpose); c.Version != p.Version || c.At.IsZero() || c.Channel != "h5" {
			t.Errorf("logged decision %+v lacks its version, time or channel", c)
		}
	}
	if !current[account.PurposeMessages].Granted || !current[account.PurposeLocation].Granted {
		t.Errorf("current decisions = %+v, want both granted again", current)
	}
}

// The API's decisions: a withdrawal shows in the caller's consents; a purpose that does
// not exist, or a body that does not say whether it agrees, is refused and changes
// nothing.
func TestConsentsThroughTheAPI(t *testing.T) {
	w := newArena(t)
	if rec := w.send(residentA, with("PUT", "/api/v1/me/consents/location", `{"granted":false}`)); rec.Code != 200 {
		t.Fatalf("withdraw location = %d %s", rec.Code, rec.Body)
	}
	rec := w.send(residentA, get("/api/v1/me/consents"))
	var got struct {
		Purposes []account.Purpose
		Current  map[string]account.Consent
		Log      []account.Consent
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != 200 {
		t.Fatalf("GET /api/v1/me/consents = %d %s", rec.Code, rec.Body)
	}
	if c, ok := got.Current["location"]; !ok || c.Granted || c.Version != "location-v1" || len(got.Log) != 1 || len(got.Purposes) != len(account.Purposes) {
		t.Errorf("consents after withdrawing location = %s", rec.Body)
	}
	before := w.state()
	for _, tt := range []struct{ path, body, code string }{
		{"/api/v1/me/consents/ads", `{"granted":true}`, "purpose_unknown"},
		{"/api/v1/me/consents/messages", `{}`, "granted_required"},
		{"/api/v1/me/consents/messages", `{"granted":"yes"}`, "invalid_json"},
	} {
		if rec := w.send(residentA, with("PUT", tt.path, tt.body)); rec.Code/100 != 4 || errorCode(rec) != tt.code {
			t.Errorf("PUT %s %s = %d %s, want %s", tt.path, tt.body, rec.Code, rec.Body, tt.code)
		}
	}
	if w.state() != before {
		t.Error("a refused decision changed the table")
	}
	if page := w.send(residentA, get("/h5/me/consents")).Body.String(); !strings.Contains(page, "已撤回") || !strings.Contains(page, "location-v1") {
		t.Errorf("同意与授权 does not show the withdrawal:\n%s", page)
	}
}
