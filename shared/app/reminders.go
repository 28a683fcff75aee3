package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo"
)

// reminderLeads are how long before a slot's start its confirmed holders are reminded.
var reminderLeads = []struct {
	name string
	lead time.Duration
}{{"24h", 24 * time.Hour}, {"2h", 2 * time.Hour}}

// reminderWindow is how far back from "now + lead" a run still reminds: a tick that
// comes late (or a scheduler that was down for a few minutes) still reminds everyone.
const reminderWindow = 15 * time.Minute

// remindJob writes a booking_reminder message for every confirmed booking of the slots
// that start lead from now (within the window). It is idempotent: a message's id is the
// booking's id and the lead, and the outbox keeps one message per id; a mark on the slot
// spares later runs the work once every holder was reminded.
func (a *App) remindJob() Job {
	return Job{Name: "booking-reminders", Run: func(ctx context.Context, now time.Time) error {
		var errs []error
		for _, r := range reminderLeads {
			slots, _, err := a.Catalog.Upcoming(ctx, booking.Query{Kinds: booking.Kinds, From: now.Add(r.lead - reminderWindow), To: now.Add(r.lead), Limit: 1000})
			if err != nil {
				return fmt.Errorf("reminders %s: %w", r.name, err)
			}
			for _, slot := range slots {
				if slot.Status == booking.SlotCancelled {
					continue
				}
				if err := a.remindSlot(ctx, slot, r.name, now); err != nil {
					errs = append(errs, err)
				}
			}
		}
		return errors.Join(errs...)
	}}
}

func (a *App) remindSlot(ctx context.Context, slot booking.Slot, lead string, now time.Time) error {
	if done, err := a.Bookings.Reminded(ctx, slot.ID, lead); err != nil || done {
		return err
	}
	held, err := a.Bookings.OfSlot(ctx, slot.ID)
	if err != nil {
		return fmt.Errorf("reminders for slot %s: %w", slot.ID, err)
	}
	for _, b := range held {
		if b.Status != booking.StatusConfirmed {
			continue
		}
		m := dynamo.BookingMessage("booking_reminder", b, slot, now)
		m.ID = b.ID + ".reminder-" + lead
		if err := a.Outbox.Add(ctx, m); err != nil {
			return fmt.Errorf("remind booking %s: %w", b.ID, err)
		}
	}
	return a.Bookings.MarkReminded(ctx, slot.ID, lead, now)
}
