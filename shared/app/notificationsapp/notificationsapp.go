// Package notificationsapp wires the notifications function (NotificationsFunction):
// staff read the notification deliveries of their district and send failed ones again.
// It calls no WeChat API: a retried message is delivered by the notifier and the
// scheduler.
package notificationsapp

import (
	"context"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo/bookingdb"
	"github.com/wentitong/wentitong/shared/dynamo/evaluationdb"
	"github.com/wentitong/wentitong/shared/dynamo/notifydb"
	"github.com/wentitong/wentitong/shared/dynamo/volunteerdb"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/web"
)

// Needs is the configuration the notifications function reads.
var Needs = boot.Needs.And(boot.SessionNeeds)

// Router returns the notifications function's routes.
func Router(b *boot.Base) (*web.Router, error) {
	p, err := b.PolicyFor(Needs)
	if err != nil {
		return nil, err
	}
	return notify.Handler(p, Log(b)), nil
}

// Log returns the notification log: the outbox's messages, each placed in its district.
func Log(b *boot.Base) notify.Log {
	return notify.Log{Store: &notifydb.Outbox{DB: b.DB, Table: b.Table}, Place: Place(b), Guard: b.Guard(), Now: b.Now}
}

// Place returns the district a notification is about, from the facts it carries: the
// booking, shift, volunteer, feedback ticket or activity it tells of (the first of an
// activity's districts, its venue's). Messages about none of these (chat replies, staff
// alerts), and those whose subject is gone, are in no district: admins' only.
func Place(b *boot.Base) func(ctx context.Context, m notify.Message) (string, error) {
	dir := b.Directory()
	bookings := &booking.Service{Catalog: &bookingdb.Catalog{DB: b.DB, Table: b.Table}, Venues: dir, Districts: dir} // enough for the scopes
	volunteers, tickets := &volunteerdb.Volunteers{DB: b.DB, Table: b.Table}, &evaluationdb.Evaluation{DB: b.DB, Table: b.Table}
	first := func(paths []string, err error) (string, error) {
		if fault.KindOf(err) == fault.NotFound || err == nil && len(paths) == 0 {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		return paths[0], nil
	}
	return func(ctx context.Context, m notify.Message) (string, error) {
		d := m.Data
		switch {
		case m.Alert:
			return "", nil
		case d["bookingId"] != "":
			slot, ok := booking.SlotOfBooking(d["bookingId"])
			if !ok {
				return "", nil
			}
			return first(bookings.SlotScope(ctx, slot))
		case d["shiftId"] != "":
			sh, err := volunteers.Shift(ctx, d["shiftId"])
			return first([]string{sh.DistrictPath}, err)
		case d["volunteerId"] != "":
			v, err := volunteers.Volunteer(ctx, d["volunteerId"])
			return first([]string{v.DistrictPath}, err)
		case d["ticketId"] != "":
			t, err := tickets.Ticket(ctx, d["ticketId"])
			return first([]string{t.DistrictPath}, err)
		case d["activityId"] != "":
			return first(bookings.ActivityScope(ctx, d["activityId"]))
		}
		return "", nil
	}
}
