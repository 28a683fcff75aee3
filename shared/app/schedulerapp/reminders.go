package schedulerapp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/bookingdb"
	"github.com/wentitong/wentitong/shared/dynamo/notifydb"
	"github.com/wentitong/wentitong/shared/dynamo/volunteerdb"
	"github.com/wentitong/wentitong/shared/volunteer"
)

// reminderWindow is how far back from "now + lead" a run still reminds: a tick that
// comes late (or a scheduler that was down for a few minutes) still reminds everyone.
const reminderWindow = 15 * time.Minute

// remindJob writes a booking_reminder message for every confirmed booking of the slots
// that start lead from now (within the window). It is idempotent: a message's id is the
// booking's id and the lead, and the outbox keeps one message per id; a mark on the slot
// spares later runs the work once every holder was reminded.
func remindJob(b *boot.Base) boot.Job {
	catalog := &bookingdb.Catalog{DB: b.DB, Table: b.Table}
	return boot.Job{Name: "booking-reminders", Run: func(ctx context.Context, now time.Time) error {
		var errs []error
		for _, r := range booking.Reminders {
			slots, _, err := catalog.Upcoming(ctx, booking.Query{Kinds: booking.Kinds, From: now.Add(r.Lead - reminderWindow), To: now.Add(r.Lead), Limit: 1000})
			if err != nil {
				return fmt.Errorf("reminders %s: %w", r.Name, err)
			}
			for _, slot := range slots {
				if slot.Status == booking.SlotCancelled {
					continue
				}
				if err := remindSlot(ctx, b, slot, r, now); err != nil {
					errs = append(errs, err)
				}
			}
		}
		return errors.Join(errs...)
	}}
}

func remindSlot(ctx context.Context, b *boot.Base, slot booking.Slot, r booking.Reminder, now time.Time) error {
	marker := "reminded:slot:" + slot.ID + ":" + r.Name
	if done, err := marks(b).Done(ctx, marker); err != nil || done {
		return err
	}
	held, err := (&bookingdb.Bookings{DB: b.DB, Table: b.Table}).OfSlot(ctx, slot.ID)
	if err != nil {
		return fmt.Errorf("reminders for slot %s: %w", slot.ID, err)
	}
	outbox := &notifydb.Outbox{DB: b.DB, Table: b.Table}
	for _, b := range held {
		if b.Status != booking.StatusConfirmed {
			continue
		}
		if err := outbox.Add(ctx, booking.ReminderMessage(r, b, slot, now)); err != nil {
			return fmt.Errorf("remind booking %s: %w", b.ID, err)
		}
	}
	return marks(b).Set(ctx, marker, now, markKeep)
}

// markKeep is how long a "reminded" mark outlives the run that set it: past the start.
const markKeep = 7 * 24 * time.Hour

func marks(b *boot.Base) *dynamo.Marks { return &dynamo.Marks{DB: b.DB, Table: b.Table} }

// shiftRemindJob writes a shift_reminder message to every volunteer signed up for a
// shift that starts volunteer.ShiftReminderLead from now (within the window), once: the message id is the
// shift's and the volunteer's, and a mark spares later runs the work.
func shiftRemindJob(b *boot.Base) boot.Job {
	return boot.Job{Name: "shift-reminders", Run: func(ctx context.Context, now time.Time) error {
		shifts, err := (&volunteerdb.Volunteers{DB: b.DB, Table: b.Table}).ShiftsBetween(ctx, now.Add(volunteer.ShiftReminderLead-reminderWindow), now.Add(volunteer.ShiftReminderLead))
		if err != nil {
			return fmt.Errorf("shift reminders: %w", err)
		}
		var errs []error
		for _, sh := range shifts {
			if err := remindShift(ctx, b, sh, now); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}}
}

func remindShift(ctx context.Context, b *boot.Base, sh volunteer.Shift, now time.Time) error {
	marker := "reminded:shift:" + sh.ID
	if done, err := marks(b).Done(ctx, marker); err != nil || done {
		return err
	}
	roster, err := (&volunteerdb.Volunteers{DB: b.DB, Table: b.Table}).Roster(ctx, sh.ID)
	if err != nil {
		return fmt.Errorf("shift reminders for %s: %w", sh.ID, err)
	}
	venue := sh.VenueID
	if v, err := b.Directory().Venue(ctx, sh.VenueID); err == nil {
		venue = v.Name
	}
	for _, sg := range roster {
		if sg.Status != volunteer.SignedUp {
			continue
		}
		v, err := (&volunteerdb.Volunteers{DB: b.DB, Table: b.Table}).Volunteer(ctx, sg.VolunteerID)
		if err != nil {
			return fmt.Errorf("shift reminder for %s: %w", sg.VolunteerID, err)
		}
		m := volunteer.ShiftReminder(sh, sg.VolunteerID, v.OpenID, venue).Message(now)
		if err := (&notifydb.Outbox{DB: b.DB, Table: b.Table}).Add(ctx, m); err != nil {
			return fmt.Errorf("shift reminder for %s: %w", sg.VolunteerID, err)
		}
	}
	return marks(b).Set(ctx, marker, now, markKeep)
}
