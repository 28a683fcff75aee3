package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/wentitong/wentitong/infra/local/demo"
	"github.com/wentitong/wentitong/shared/apptest"
	"github.com/wentitong/wentitong/shared/booking"
)

// Holders are reminded 24 hours and 2 hours before the start, once each, however often
// the scheduler ticks; cancelled bookings are not.
func TestSchedulerRemindsHoldersOnce(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	clock := now
	a, _, wx := mustApp(t, now)
	a.Now = func() time.Time { return clock }
	ctx := context.Background()
	if _, err := demo.Seed(ctx, a); err != nil {
		t.Fatal(err)
	}
	svc := apptest.Bookings(t, a)
	svc.Now = a.Now
	start := now.Add(24*time.Hour - 5*time.Minute)
	end := start.Add(2 * time.Hour)
	slot, err := svc.CreateSlot(ctx, "a-event-paper-cutting", booking.SlotPatch{StartsAt: &start, EndsAt: &end, Capacity: ptr(10)})
	if err != nil {
		t.Fatal(err)
	}
	for i, who := range []string{"o-r1", "o-r2", "o-r3"} {
		b, err := svc.Book(ctx, who, slot.ID, "k"+who, booking.Request{})
		if err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			if _, err := svc.Cancel(ctx, who, b.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	tick := a.Scheduler()
	reminders := func() map[string]int {
		got := map[string]int{}
		for _, m := range wx.Sent() {
			if strings.Contains(string(m.Data), "活动提醒") {
				got[m.ToUser]++
			}
		}
		return got
	}
	for range 3 { // the reminders are written on one tick and sent on the next
		if err := tick(ctx, events.EventBridgeEvent{}); err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(time.Minute)
	}
	if got := reminders(); len(got) != 2 || got["o-r1"] != 1 || got["o-r2"] != 1 {
		t.Errorf("24 h reminders = %v, want one each to o-r1 and o-r2 (o-r3 cancelled)", got)
	}
	clock = start.Add(-2*time.Hour + time.Minute)
	for range 3 {
		if err := tick(ctx, events.EventBridgeEvent{}); err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(time.Minute)
	}
	if got := reminders(); got["o-r1"] != 2 || got["o-r2"] != 2 || got["o-r3"] != 0 {
		t.Errorf("after the 2 h reminders = %v, want two each to o-r1 and o-r2", got)
	}
}

func ptr[T any](v T) *T { return &v }
