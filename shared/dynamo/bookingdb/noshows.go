package bookingdb

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/outboxdb"
)

var _ booking.NoShows = (*Bookings)(nil)

// noShowItem records one no-show in the person's partition: USER#<openid> /
// NOSHOW#<slot id> (one per slot), with its time.
type noShowItem struct {
	dynamo.Keys
	At        string `dynamodbav:"at"` // RFC 3339 UTC: compared as a string
	SlotID    string `dynamodbav:"slotId"`
	BookingID string `dynamodbav:"bookingId"`
}

// liftItem records staff lifting a suspension: USER#<openid> / LIFT#<time>.
type liftItem struct {
	dynamo.Keys
	Reason string `dynamodbav:"reason"`
	By     string `dynamodbav:"by"`
	At     string `dynamodbav:"at"`
	Was    string `dynamodbav:"suspendedUntil"`
}

// Strikes counts the person's NOSHOW# items at or after since (consistent Query).
func (s *Bookings) Strikes(ctx context.Context, openid string, since time.Time) (int, error) {
	return dynamo.QueryCount(ctx, s.DB, s.Table, "strikes", dynamo.Query{Key: dynamo.Partition("", dynamo.UserPK(openid), dynamo.SKNoShowPrefix),
		Filter: expression.Name("at").GreaterThanEqual(expression.Value(dynamo.TimeKey(since))), Consistent: true})
}

// Release writes one no-show in a TransactWriteItems:
//
//	booking          Update Status cancelled, CancelledBy no_show IF unchanged AND not checked in
//	slot counter     Update ADD Free +p, Booked -p
//	person's limit   Update ADD held#<activity> -1 (when the booking held it)
//	no-show record   Put USER#<openid>/NOSHOW#<slot> IF new
//	ID number guard  Delete SLOT#<slot>/IDNO#<hash> (a real-name booking)
//	outbox           Put booking_cancelled (with the reason)
//	warning          Put noshow_warning (when r.Warn)
//	suspension       Update the profile's and the holds item's suspendedUntil, Put
//	                 booking_suspended (when r.Until)
func (s *Bookings) Release(ctx context.Context, r booking.Release) error {
	b, now := r.Booking, r.Now
	var tx dynamo.Tx
	upd := expression.Set(expression.Name("Status"), expression.Value(booking.StatusCancelled)).
		Set(expression.Name("CancelledAt"), expression.Value(now.UTC())).
		Set(expression.Name("CancelledBy"), expression.Value(booking.ByNoShow))
	tx.Update(dynamo.SlotPK(b.SlotID), dynamo.BookingSK(b.OpenID), upd,
		sameBooking(b).And(expression.Name("CheckedInAt").Equal(expression.Value(time.Time{}))), booking.ErrBookingNotFound)
	if r.Until.IsZero() {
		giveBack(&tx, b, r.Slot)
	} else {
		// The holds item takes the place given back and the suspension in one update.
		lb := b
		lb.LimitHeld = false
		giveBack(&tx, lb, r.Slot)
		holds := expression.Set(expression.Name("suspendedUntil"), expression.Value(dynamo.TimeKey(r.Until)))
		if b.LimitHeld {
			holds = unhold(b).Set(expression.Name("suspendedUntil"), expression.Value(dynamo.TimeKey(r.Until)))
		}
		tx.Update(dynamo.UserPK(b.OpenID), dynamo.SKHolds, holds, expression.ConditionBuilder{}, nil)
	}
	releaseIDNumber(&tx, b)
	tx.Put(noShowItem{Keys: dynamo.Keys{PK: dynamo.UserPK(b.OpenID), SK: dynamo.NoShowSK(b.SlotID)}, At: dynamo.TimeKey(now), SlotID: b.SlotID, BookingID: b.ID},
		expression.AttributeNotExists(expression.Name("PK")), booking.ErrBookingNotFound)
	if !r.Until.IsZero() {
		tx.Update(dynamo.UserPK(b.OpenID), dynamo.SKProfile, expression.Set(expression.Name("suspendedUntil"), expression.Value(dynamo.TimeKey(r.Until))).
			Set(expression.Name("suspendedBy"), expression.Value(b.SlotID)), expression.ConditionBuilder{}, nil)
	}
	for _, m := range booking.ReleaseMessages(r) {
		outboxdb.Queue(&tx, m)
	}
	return dynamo.Transact(ctx, s.DB, s.Table, "release "+b.ID, &tx)
}

// Released reports whether the slot's release mark exists.
func (s *Bookings) Released(ctx context.Context, slotID string) (bool, error) {
	it, err := dynamo.GetItem(ctx, s.DB, s.Table, "get release mark", dynamo.SlotPK(slotID), dynamo.SKReleased, true)
	return it != nil, err
}

// MarkReleased puts SLOT#<id>/RELEASED, expiring a week later (TTL).
func (s *Bookings) MarkReleased(ctx context.Context, slotID string, now time.Time) error {
	return dynamo.PutMark(ctx, s.DB, s.Table, "put release mark", dynamo.SlotPK(slotID), dynamo.SKReleased, now.Add(7*24*time.Hour))
}

// Suspension reads the profile's suspendedUntil and suspendedBy, the slot whose no-show
// suspended the person (consistent).
func (s *Bookings) Suspension(ctx context.Context, openid string) (time.Time, string, error) {
	raw, err := dynamo.GetItem(ctx, s.DB, s.Table, "get suspension", dynamo.UserPK(openid), dynamo.SKProfile, true)
	if err != nil || raw == nil {
		return time.Time{}, "", err
	}
	v, _ := dynamo.StringAttr(raw, "suspendedUntil")
	t, _ := time.Parse(time.RFC3339, v)
	slot, _ := dynamo.StringAttr(raw, "suspendedBy")
	return t, slot, nil
}

// Lift sets suspendedUntil to the lifting time (not REMOVE: decisions.md §10) and puts
// the lift record, in one transaction.
func (s *Bookings) Lift(ctx context.Context, l booking.Lift) error {
	var tx dynamo.Tx
	tx.Update(dynamo.UserPK(l.OpenID), dynamo.SKProfile, expression.Set(expression.Name("suspendedUntil"), expression.Value(dynamo.TimeKey(l.At))),
		expression.Name("suspendedUntil").Equal(expression.Value(dynamo.TimeKey(l.Was))), booking.ErrNotSuspended)
	suspendHolds(&tx, l.OpenID, l.At)
	tx.Put(liftItem{Keys: dynamo.Keys{PK: dynamo.UserPK(l.OpenID), SK: dynamo.LiftSK(l.At)}, Reason: l.Reason, By: l.By, At: dynamo.TimeKey(l.At), Was: dynamo.TimeKey(l.Was)},
		expression.AttributeNotExists(expression.Name("PK")), booking.ErrNotSuspended)
	return dynamo.Transact(ctx, s.DB, s.Table, "lift suspension", &tx)
}

// suspendHolds mirrors a suspension's end onto the person's holds item, which a booking's
// write checks (the profile stays what people read).
func suspendHolds(tx *dynamo.Tx, openid string, until time.Time) {
	tx.Update(dynamo.UserPK(openid), dynamo.SKHolds, expression.Set(expression.Name("suspendedUntil"), expression.Value(dynamo.TimeKey(until))),
		expression.ConditionBuilder{}, nil)
}
