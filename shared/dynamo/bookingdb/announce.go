package bookingdb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/outboxdb"
)

// AnnounceWithin is how long after a booking was made its stream record still queues
// its confirmation: the stream keeps records for 24 hours, and a delivered message stays
// in the table far longer (outboxdb.Keep), so a record of the booking seen later
// (a check-in, a cancellation) never queues it again.
const AnnounceWithin = 24 * time.Hour

// Announce queues the message a booking's write owes (its announce attribute: the
// confirmation of a booking made by Reserve), from a stream record of the booking item
// at pk/sk: it reads the booking (consistently) and its slot's settings (eventually
// consistent) and puts the outbox item IF new, so that
// the records of one booking, however many and however often delivered, queue it once
// (docs/decisions.md, "One write per booking"). It returns the message's id, and ok
// false when the item is not a booking, owes nothing, or is no longer confirmed.
func (s *Bookings) Announce(ctx context.Context, pk, sk string, now time.Time) (id string, ok bool, err error) {
	if !strings.HasPrefix(pk, dynamo.SlotPK("")) || !strings.HasPrefix(sk, dynamo.SKBookingPrefix) {
		return "", false, nil
	}
	it, found, err := dynamo.Get[bookingItem](ctx, s.DB, s.Table, "read booking to announce", pk, sk, true)
	if err != nil || !found || it.Announce == "" || it.Status != booking.StatusConfirmed || now.Sub(it.CreatedAt) > AnnounceWithin {
		return "", false, err
	}
	// The session's settings for the message (title, time, place): eventually consistent,
	// half the read of the sale's hottest item.
	slot, err := dynamo.OneAs(ctx, s.DB, s.Table, "read slot to announce", pk, dynamo.SKSlot, false, booking.ErrSlotNotFound, slotItem.slot)
	if err != nil {
		return "", false, fmt.Errorf("announce %s: %w", it.ID, err)
	}
	b := it.booking()
	b.PartySize = it.Party // what the confirmation answered, whatever came since
	if b.PartySize == 0 {
		b.PartySize = it.PartySize
	}
	m := booking.Message(it.Announce, b, slot, it.CreatedAt)
	item, err := outboxdb.NewItem(m)
	if err != nil {
		return "", false, fmt.Errorf("announce %s: %w", it.ID, err)
	}
	err = dynamo.Put(ctx, s.DB, s.Table, "queue "+it.Announce, item, expression.AttributeNotExists(expression.Name("PK")))
	if err != nil && !errors.Is(err, dynamo.ErrConditionFailed) {
		return "", false, err
	}
	return m.ID, true, nil
}
