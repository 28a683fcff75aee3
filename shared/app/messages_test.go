package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/wechattest"
)

// sentTo returns the texts the fake WeChat API delivered to openid, in order.
func sentTo(wx *wechattest.Server, openid string) []string {
	var out []string
	for _, m := range wx.Sent() {
		if m.ToUser == openid {
			out = append(out, string(m.Data))
		}
	}
	return out
}

// A resident who cancels before the notifier runs never gets 预约成功 (the message is
// skipped and says why); one person's messages about one booking go out in the order
// they were written, a later one waiting while an earlier one is retried.
func TestMessagesStillTrueInOrder(t *testing.T) {
	cst := beijing.Zone
	w := newWorld(t, time.Date(2026, 11, 10, 9, 0, 0, 0, cst))
	ctx := context.Background()
	admin := func() string { return w.as("o-admin", "admin") }
	w.do(admin(), "POST", "/api/v1/admin/districts", 201, map[string]string{"id": "430200", "name": "株洲市", "level": "city"})
	v := w.do(admin(), "POST", "/api/v1/admin/venues", 201, map[string]any{"name": "株洲市图书馆", "kind": "library", "districtId": "430200",
		"address": "神农城", "location": map[string]float64{"lat": 27.83, "lng": 113.08}})
	act := w.do(admin(), "POST", "/api/v1/admin/activities", 201, map[string]any{"kind": "event", "title": "非遗剪纸体验课", "description": "d", "venueId": str(v, "id")})
	start := time.Date(2026, 11, 20, 14, 30, 0, 0, cst)
	slot := str(w.do(admin(), "POST", "/api/v1/admin/activities/"+str(act, "id")+"/slots", 201, map[string]any{
		"startsAt": start, "endsAt": start.Add(2 * time.Hour), "capacity": 10}), "id")
	deliver := func() {
		t.Helper()
		if _, err := w.a.Notify.DeliverDue(ctx, 100); err != nil {
			t.Fatal(err)
		}
	}

	// Booked and cancelled a second later, before the notifier ran.
	b := w.do(w.as("o-quick"), "POST", "/api/v1/slots/"+slot+"/bookings", 201, map[string]any{})
	w.at(w.clock.Add(time.Second))
	w.do(w.as("o-quick"), "DELETE", "/api/v1/bookings/"+str(b, "id"), 200)
	deliver()
	if got := sentTo(w.wx, "o-quick"); len(got) != 0 {
		t.Errorf("sent to the resident who cancelled: %q, want nothing", got)
	}
	m, err := w.a.Outbox.Message(ctx, booking.MessageID(str(b, "id"), booking.MsgConfirmed))
	if err != nil || m.Status != notify.StatusSkipped || m.LastError != booking.NoLongerBooked {
		t.Errorf("the confirmation = %+v, %v; want skipped because %s", m, err, booking.NoLongerBooked)
	}

	// Booked; the confirmation's first send fails (WeChat busy), and a reminder is written
	// meanwhile: the reminder waits for the confirmation, which goes first.
	w.at(w.clock.Add(time.Minute))
	w.do(w.as("o-patient"), "POST", "/api/v1/slots/"+slot+"/bookings", 201, map[string]any{})
	w.wx.FailNext(wechattest.OpCustom, -1, 1)
	deliver()
	w.at(w.clock.Add(time.Second))
	held, err := w.a.Bookings.Booking(ctx, slot, "o-patient")
	if err != nil {
		t.Fatal(err)
	}
	sl, err := w.a.Catalog.Slot(ctx, slot)
	if err != nil {
		t.Fatal(err)
	}
	reminder := booking.ReminderMessage(booking.Reminders[0], held, sl, w.clock)
	if err := w.a.Outbox.Add(ctx, reminder); err != nil {
		t.Fatal(err)
	}
	deliver()
	if got := sentTo(w.wx, "o-patient"); len(got) != 0 {
		t.Errorf("sent before the confirmation's retry: %q, want nothing yet", got)
	}
	if m, _ := w.a.Outbox.Message(ctx, reminder.ID); m.Status != notify.StatusPending || m.LastError != "waiting_for_earlier" || m.Attempts != 0 {
		t.Errorf("the reminder = %+v, want pending, waiting for the earlier message, no attempt counted", m)
	}
	for range 3 {
		w.at(w.clock.Add(2 * time.Minute))
		deliver()
	}
	got := sentTo(w.wx, "o-patient")
	if len(got) != 2 || !strings.Contains(got[0], "预约成功") || !strings.Contains(got[1], "活动提醒") {
		t.Errorf("sent to the resident = %q, want 预约成功 then the reminder", got)
	}
}

// Residents read a short reference for their feedback, never a UUID; the staff alert
// names the category, the deadline and the reference in Chinese.
func TestFeedbackReference(t *testing.T) {
	w := newWorld(t, time.Date(2026, 11, 10, 9, 0, 0, 0, beijing.Zone))
	ctx := context.Background()
	w.do(w.as("o-admin", "admin"), "POST", "/api/v1/admin/districts", 201, map[string]string{"id": "430200", "name": "株洲市", "level": "city"})
	first := w.do(w.as("o-r1"), "POST", "/api/v1/feedback", 201, map[string]any{"category": "complaint", "text": "图书馆周末人太多"})
	second := w.do(w.as("o-r2"), "POST", "/api/v1/feedback", 201, map[string]any{"text": "希望增加夜场电影"})
	if str(first, "id") != "FK-20261110-0001" || str(second, "id") != "FK-20261110-0002" {
		t.Errorf("feedback references = %q, %q; want FK-20261110-0001 and -0002", str(first, "id"), str(second, "id"))
	}
	for range 2 { // the alert to role:admin fans out, then each copy goes
		if _, err := w.a.Notify.DeliverDue(ctx, 100); err != nil {
			t.Fatal(err)
		}
	}
	alerts := sentTo(w.wx, "o-admin")
	if len(alerts) != 2 {
		t.Fatalf("alerts to the admin = %q, want two", alerts)
	}
	if all := strings.Join(alerts, "\n"); !strings.Contains(all, "新的群众意见（投诉），请在 2026年11月13日 09:00 前答复，编号 FK-20261110-0001。") ||
		!strings.Contains(all, "新的群众意见（建议），请在 2026年11月13日 09:00 前答复，编号 FK-20261110-0002。") {
		t.Errorf("staff alerts = %s, want the category, the deadline and the reference in Chinese", all)
	}
}
