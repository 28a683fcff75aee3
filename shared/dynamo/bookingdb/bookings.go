package bookingdb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/accountdb"
	"github.com/wentitong/wentitong/shared/dynamo/outboxdb"
)

// Bookings stores bookings, the counters they move, their idempotency records and the
// outbox items they cause.
type Bookings struct {
	DB    *dynamodb.Client
	Table string
	// IdempotencyTTL is how long a request's outcome is kept for replays (default 24 h).
	IdempotencyTTL time.Duration
}

var _ booking.Store = (*Bookings)(nil)

type bookingItem struct {
	dynamo.Keys
	dynamo.SparseGSI1
	dynamo.GSI2
	// found by its reference (BookingRefPK)
	dynamo.SparseGSI3
	// The booking.Booking (its answers-only Ticket, Position and Holder are not stored):
	ID           string         `dynamodbav:"ID"`
	SlotID       string         `dynamodbav:"SlotID"`
	ActivityID   string         `dynamodbav:"ActivityID"`
	OpenID       string         `dynamodbav:"OpenID"`
	PartySize    int            `dynamodbav:"PartySize"`
	Status       booking.Status `dynamodbav:"Status"`
	AcceptFewer  bool           `dynamodbav:"AcceptFewer"`
	StartsAt     time.Time      `dynamodbav:"StartsAt"`
	CreatedAt    time.Time      `dynamodbav:"CreatedAt"`
	JoinedAt     time.Time      `dynamodbav:"JoinedAt"`
	CheckedInAt  time.Time      `dynamodbav:"CheckedInAt"`
	CheckInKey   string         `dynamodbav:"CheckInKey,omitempty"`
	CheckedOutAt time.Time      `dynamodbav:"CheckedOutAt"`
	CancelledAt  time.Time      `dynamodbav:"CancelledAt"`
	CancelledBy  string         `dynamodbav:"CancelledBy"`
	Seats        []string       `dynamodbav:"Seats"`
	For          string         `dynamodbav:"For,omitempty"`
	Name         string         `dynamodbav:"Name,omitempty"`
	// IDNumberMasked is a real-name booking's masked ID number, and IDGuard the keyed
	// hash naming the slot's guard of it (IDNO#<hash>).
	IDNumberMasked string `dynamodbav:"IDNumberMasked,omitempty"`
	IDGuard        string `dynamodbav:"IDGuard,omitempty"`
	LimitHeld      bool   `dynamodbav:"LimitHeld"`
	answer
	// Announce is the kind of the message the booking's write owes its holder, queued
	// from the item's stream record (Announce): the confirmation of a booking Reserve
	// made.
	Announce string `dynamodbav:"announce,omitempty"`
}

// answer is the idempotency record of the request that made a booking, folded into the
// booking item (docs/decisions.md, "One write per booking"): the request's key, what it
// asked, until when a retry is answered from it, and the status and party it was
// answered with (the booking may have moved on since).
type answer struct {
	Key         string         `dynamodbav:"idemKey,omitempty"`
	Fingerprint string         `dynamodbav:"idemFingerprint,omitempty"`
	Until       int64          `dynamodbav:"idemUntil,omitempty"`
	Answered    booking.Status `dynamodbav:"answeredStatus,omitempty"`
	Party       int            `dynamodbav:"answeredParty,omitempty"`
}

func newBookingItem(b booking.Booking) bookingItem {
	it := bookingItem{
		Keys:       dynamo.Keys{PK: dynamo.SlotPK(b.SlotID), SK: dynamo.BookingSK(b.OpenID)},
		GSI2:       dynamo.GSI2{PK: dynamo.PersonBookingsPK(booking.PersonOf(b.OpenID)), SK: dynamo.TimeKey(b.StartsAt) + "#" + b.SlotID},
		SparseGSI3: dynamo.SparseGSI3{PK: dynamo.BookingRefPK(b.ID), SK: dynamo.GSI3SKBookingRef},
		ID:         b.ID, SlotID: b.SlotID, ActivityID: b.ActivityID, OpenID: b.OpenID, PartySize: b.PartySize, Status: b.Status,
		AcceptFewer: b.AcceptFewer, StartsAt: b.StartsAt, CreatedAt: b.CreatedAt, JoinedAt: b.JoinedAt, CheckedInAt: b.CheckedInAt,
		CheckInKey: b.CheckInKey, CheckedOutAt: b.CheckedOutAt, CancelledAt: b.CancelledAt, CancelledBy: b.CancelledBy,
		Seats: b.Seats, For: b.For, Name: b.Name, IDNumberMasked: b.IDNumberMasked, IDGuard: b.IDGuard, LimitHeld: b.LimitHeld,
	}
	switch b.Status {
	case booking.StatusWaitlisted:
		it.SparseGSI1 = dynamo.SparseGSI1{PK: dynamo.WaitlistPK(b.SlotID), SK: dynamo.WaitKey(b.JoinedAt, b.OpenID)}
	case booking.StatusBalloted:
		it.SparseGSI1 = dynamo.SparseGSI1{PK: dynamo.BallotPK(b.SlotID), SK: dynamo.WaitKey(b.JoinedAt, b.OpenID)}
	}
	return it
}

func (it bookingItem) booking() booking.Booking {
	return booking.Booking{ID: it.ID, SlotID: it.SlotID, ActivityID: it.ActivityID, OpenID: it.OpenID, PartySize: it.PartySize,
		Status: it.Status, AcceptFewer: it.AcceptFewer, StartsAt: it.StartsAt, CreatedAt: it.CreatedAt, JoinedAt: it.JoinedAt,
		CheckedInAt: it.CheckedInAt, CheckInKey: it.CheckInKey, CheckedOutAt: it.CheckedOutAt, CancelledAt: it.CancelledAt,
		CancelledBy: it.CancelledBy, Seats: it.Seats, For: it.For, Name: it.Name, IDNumberMasked: it.IDNumberMasked, IDGuard: it.IDGuard, LimitHeld: it.LimitHeld}
}

// outcome is the answer recorded on the item for key, when it is there and not expired.
func (it bookingItem) outcome(key string, now time.Time) (booking.Outcome, bool) {
	if key == "" || it.Key != key || it.Until <= now.Unix() {
		return booking.Outcome{}, false
	}
	b := booking.Booking{ID: it.ID, SlotID: it.SlotID, ActivityID: it.ActivityID, OpenID: it.OpenID,
		PartySize: it.Party, Status: it.Answered, AcceptFewer: it.AcceptFewer, StartsAt: it.StartsAt,
		CreatedAt: it.CreatedAt, Seats: it.Seats}
	return booking.Outcome{Fingerprint: it.Fingerprint, Booking: b}, true
}

// waitingMark says a slot has a waiting list: a separate item, so that joining a line
// never rewrites the slot's index keys.
type waitingMark struct {
	dynamo.Keys
	dynamo.SparseGSI2
	SlotID string `dynamodbav:"slotId"`
	// Active is false once the sweep found the line empty. Clearing flips it rather than
	// removing the index keys (see decisions.md on index keys and UpdateItem).
	Active bool `dynamodbav:"active"`
}

// queueMessage adds to tx the message telling b's holder about kind, due now. Its id is
// the booking's id and the kind, so one booking causes at most one message per reason
// (and WeChat's client_msg_id dedupes on it).
func queueMessage(tx *dynamo.Tx, kind string, b booking.Booking, slot booking.Slot, now time.Time) {
	outboxdb.Queue(tx, booking.Message(kind, b, slot, now))
}

// Prepare reads the slot, the person's profile and their booking of the slot (which
// holds the key's record) with one BatchGetItem (eventually consistent: the
// transaction, not this read, guards capacity).
func (s *Bookings) Prepare(ctx context.Context, slotID, openid, idemKey string, now time.Time) (booking.Prepared, error) {
	keys := []dynamo.Item{dynamo.Key(dynamo.SlotPK(slotID), dynamo.SKSlot), dynamo.Key(dynamo.UserPK(openid), dynamo.SKProfile)}
	if idemKey != "" {
		keys = append(keys, dynamo.Key(dynamo.SlotPK(slotID), dynamo.BookingSK(openid)))
	}
	items, err := dynamo.BatchGet(ctx, s.DB, s.Table, "prepare booking", keys, false)
	if err != nil {
		return booking.Prepared{}, err
	}
	var p booking.Prepared
	found := false
	for _, raw := range items {
		pk, _ := dynamo.StringAttr(raw, "PK")
		sk, _ := dynamo.StringAttr(raw, "SK")
		switch {
		case pk == dynamo.UserPK(openid):
			if v, ok := dynamo.StringAttr(raw, "suspendedUntil"); ok {
				p.SuspendedUntil, _ = time.Parse(time.RFC3339, v)
			}
			p.Home, _ = dynamo.StringAttr(raw, "homeDistrictId")
		case sk == dynamo.SKSlot:
			if p.Slot, err = DecodeSlot(raw); err != nil {
				return p, err
			}
			found = true
		default:
			var it bookingItem
			if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
				return p, fmt.Errorf("prepare booking: %w", err)
			}
			if o, ok := it.outcome(idemKey, now); ok {
				p.Replay = &o
			}
		}
	}
	if !found {
		return p, booking.ErrSlotNotFound
	}
	p.Slot, err = counted(ctx, s.DB, s.Table, p.Slot, false)
	return p, err
}

// Replay reads the person's booking of the slot for the key's record (strongly
// consistent).
func (s *Bookings) Replay(ctx context.Context, slotID, openid, idemKey string, now time.Time) (booking.Outcome, bool, error) {
	return s.record(ctx, slotID, openid, idemKey, now, true)
}

// Recorded is Replay eventually consistent (0.5 RCU).
func (s *Bookings) Recorded(ctx context.Context, slotID, openid, idemKey string, now time.Time) (booking.Outcome, bool, error) {
	return s.record(ctx, slotID, openid, idemKey, now, false)
}

func (s *Bookings) record(ctx context.Context, slotID, openid, idemKey string, now time.Time, consistent bool) (booking.Outcome, bool, error) {
	it, ok, err := dynamo.Get[bookingItem](ctx, s.DB, s.Table, "read booking's answer", dynamo.SlotPK(slotID), dynamo.BookingSK(openid), consistent)
	if err != nil || !ok {
		return booking.Outcome{}, false, err
	}
	o, ok := it.outcome(idemKey, now)
	return o, ok, nil
}

// Reserve writes the booking in one TransactWriteItems (docs/decisions.md, "One write
// per booking"):
//
//	booking, with the key's answer  Put, attribute_not_exists(PK) OR Status = cancelled
//	slot counter (confirmed)        Update ADD Free -p, Booked +p IF Free >= p AND Rev unchanged
//	  (waiting, balloted)           ConditionCheck: Rev unchanged
//	person's holds (confirmed)      Update ADD held#<activity> 1 IF held < limit AND not suspended
//	                                (ConditionCheck not suspended, when the slot has no limit)
//	waiting-list mark (waiting)     Put SLOT#<id>/WAITING on GSI2 WAITLISTS
//	ID number (real-name slot)      Put SLOT#<id>/IDNO#<hash> IF new; Update the owner's
//	                                item with the number IF no other (when r.ID.Record)
//
// with a ClientRequestToken derived from the person, the slot and the key. A confirmed
// booking's message is not in the transaction: the booking item says it owes one
// (announce), and its stream record queues it (Announce). The slot's
// revision stands for every setting the booking was checked against (window, party
// size, limit, mode, cancellation): r.Slot may be remembered from an earlier read.
func (s *Bookings) Reserve(ctx context.Context, r booking.Reservation) error {
	if r.Slot.Hot() && r.Booking.Status == booking.StatusConfirmed {
		return s.onShards(ctx, r.Slot, r.Booking.PartySize, func(shard int) error { return s.reserve(ctx, r, shard) })
	}
	return s.reserve(ctx, r, -1)
}

// reserve is Reserve's one transaction, taking a hot slot's places from its shard
// (none: -1).
func (s *Bookings) reserve(ctx context.Context, r booking.Reservation, shard int) error {
	b := r.Booking
	var tx dynamo.Tx
	it := newBookingItem(b)
	if r.Key != "" {
		ttl := s.IdempotencyTTL
		if ttl == 0 {
			ttl = 24 * time.Hour
		}
		it.answer = answer{Key: r.Key, Fingerprint: r.Outcome.Fingerprint, Until: r.Now.Add(ttl).Unix(), Answered: b.Status, Party: b.PartySize}
		token := b.OpenID + "\x00" + b.SlotID + "\x00" + r.Key
		if shard >= 0 {
			token += fmt.Sprintf("\x00%d", shard) // another shard is another write: the booking's condition dedupes them
		}
		sum := sha256.Sum256([]byte(token))
		tx.Idempotent(hex.EncodeToString(sum[:16]), booking.ErrReplayed) // the same key's first request holds the token
	}
	if b.Status == booking.StatusConfirmed {
		it.Announce = booking.MsgConfirmed // queued from the item's stream record (Announce)
	}
	cond := expression.AttributeNotExists(expression.Name("PK")).
		Or(expression.Name("Status").Equal(expression.Value(booking.StatusCancelled)))
	tx.Put(it, cond, booking.ErrAlreadyBooked)
	if r.ID != nil {
		guardIDNumber(&tx, b, r.Slot, *r.ID)
	}
	if b.Status == booking.StatusConfirmed {
		if shard >= 0 {
			takeShard(&tx, r.Slot, shard, b.PartySize)
		} else {
			take(&tx, b.SlotID, b.PartySize, sameRev(r.Slot.Rev))
		}
		hold(&tx, b, r.Slot.PerPersonLimit, r.Now)
		for _, seat := range b.Seats {
			holdSeat(&tx, b, seat)
		}
	} else {
		tx.Check(dynamo.SlotPK(b.SlotID), dynamo.SKSlot, sameRev(r.Slot.Rev), booking.ErrSlotCancelled)
		if b.Status == booking.StatusWaitlisted {
			tx.Put(waitingMark{Keys: dynamo.Keys{PK: dynamo.SlotPK(b.SlotID), SK: dynamo.SKWaiting}, SparseGSI2: dynamo.SparseGSI2{PK: dynamo.GSIWaitlists, SK: dynamo.TimeKey(r.Slot.StartsAt) + "#" + b.SlotID}, SlotID: b.SlotID, Active: true}, expression.ConditionBuilder{}, nil)
		}
	}
	return dynamo.Transact(ctx, s.DB, s.Table, "reserve "+b.SlotID, &tx)
}

// idGuardItem is an ID number's guard at a real-name slot: SLOT#<id> / IDNO#<keyed
// hash>, naming the booking that holds it; deleted when that booking is cancelled or
// released, and expiring (TTL) a day after the slot ends.
type idGuardItem struct {
	dynamo.Keys
	BookingID string `dynamodbav:"bookingId"`
	KeyID     string `dynamodbav:"keyId"`
	ExpiresAt int64  `dynamodbav:"expiresAt"`
}

// guardIDNumber adds to tx the slot's guard of the ID number rec carries, taken for b
// while no other booking holds it (ErrIDNumberTaken), and, when rec.Record, the record
// of the number on its owner's item: a refused booking takes and records nothing.
func guardIDNumber(tx *dynamo.Tx, b booking.Booking, slot booking.Slot, rec booking.IDRecord) {
	if rec.Record {
		accountdb.RecordIDNumber(tx, rec)
	}
	end := slot.EndsAt
	if end.IsZero() {
		end = slot.StartsAt
	}
	tx.Put(idGuardItem{Keys: dynamo.Keys{PK: dynamo.SlotPK(b.SlotID), SK: dynamo.IDGuardSK(b.IDGuard)}, BookingID: b.ID, KeyID: rec.Number.KeyID,
		ExpiresAt: end.Add(24 * time.Hour).Unix()}, expression.AttributeNotExists(expression.Name("PK")), booking.ErrIDNumberTaken)
}

// releaseIDNumber adds to tx the release of the ID number guard b holds, if any.
func releaseIDNumber(tx *dynamo.Tx, b booking.Booking) {
	if b.IDGuard == "" {
		return
	}
	tx.Delete(dynamo.SlotPK(b.SlotID), dynamo.IDGuardSK(b.IDGuard), expression.AttributeNotExists(expression.Name("PK")).
		Or(expression.Name("bookingId").Equal(expression.Value(b.ID))), nil)
}

// sameRev is the condition that a slot exists with the revision rev of its settings.
func sameRev(rev int64) expression.ConditionBuilder {
	if rev == 0 {
		return expression.AttributeExists(expression.Name("PK")).And(expression.AttributeNotExists(expression.Name("Rev")))
	}
	return expression.Name("Rev").Equal(expression.Value(rev))
}

// hold adds to tx the person's side of a confirmed booking b: not suspended at now and,
// when b holds a place in the slot's per-person limit, one more of the activity's
// places held while fewer than limit are (ErrLimitReached for either: the service reads
// which).
func hold(tx *dynamo.Tx, b booking.Booking, limit int, now time.Time) {
	free := expression.AttributeNotExists(expression.Name("suspendedUntil")).
		Or(expression.Name("suspendedUntil").LessThanEqual(expression.Value(dynamo.TimeKey(now))))
	if !b.LimitHeld {
		tx.Check(dynamo.UserPK(b.OpenID), dynamo.SKHolds, free, booking.ErrLimitReached)
		return
	}
	holdLimit(tx, b, limit, free)
}

// holdLimit adds to tx one more of b's activity's places held by its holder, while fewer
// than limit are and cond holds.
func holdLimit(tx *dynamo.Tx, b booking.Booking, limit int, cond expression.ConditionBuilder) {
	held := expression.Name(dynamo.HeldAttr(b.ActivityID))
	below := expression.AttributeNotExists(held).Or(held.LessThan(expression.Value(limit)))
	if cond.IsSet() {
		below = cond.And(below)
	}
	tx.Update(dynamo.UserPK(b.OpenID), dynamo.SKHolds, expression.Add(held, expression.Value(1)), below, booking.ErrLimitReached)
}

// slotOpen is the condition that a slot exists and was not cancelled.
func slotOpen() expression.ConditionBuilder {
	return expression.AttributeExists(expression.Name("PK")).
		And(expression.Name("Status").NotEqual(expression.Value(booking.SlotCancelled)))
}

// Booking reads the person's booking of a slot (strongly consistent).
func (s *Bookings) Booking(ctx context.Context, slotID, openid string) (booking.Booking, error) {
	return dynamo.OneAs(ctx, s.DB, s.Table, "get booking", dynamo.SlotPK(slotID), dynamo.BookingSK(openid), true, booking.ErrBookingNotFound, bookingItem.booking)
}

// ByRef returns the booking whose id is id, of slot slotID, or ErrBookingNotFound: the
// index entry of its reference (GSI3, one item, 0.5 RCU) names its holder, and the
// booking itself is then read consistently (1 RCU), as decisions follow it. The index
// may lag a booking made a moment ago, and bookings written before it was kept have no
// entry: on a miss the slot's bookings are read (OfSlot), so a miss costs what every
// scan cost before.
func (s *Bookings) ByRef(ctx context.Context, slotID, id string) (booking.Booking, error) {
	refs, _, err := dynamo.QueryPage(ctx, s.DB, s.Table, "booking by reference",
		dynamo.Query{Index: "GSI3", Key: dynamo.Partition("GSI3", dynamo.BookingRefPK(id), ""), Limit: 1}, nil)
	if err != nil {
		return booking.Booking{}, err
	}
	if len(refs) == 1 {
		ref, err := DecodeBooking(refs[0])
		if err != nil {
			return booking.Booking{}, err
		}
		if ref.SlotID == slotID {
			b, err := s.Booking(ctx, slotID, ref.OpenID)
			if err == nil && b.ID != id {
				err = booking.ErrBookingNotFound // the person's booking of the slot is another one now
			}
			return b, err
		}
	}
	bs, err := s.OfSlot(ctx, slotID)
	if err != nil {
		return booking.Booking{}, err
	}
	for _, b := range bs {
		if b.ID == id {
			return b, nil
		}
	}
	return booking.Booking{}, booking.ErrBookingNotFound
}

// DecodeBooking reads a booking item (the counters' stream consumer counts them).
func DecodeBooking(raw dynamo.Item) (booking.Booking, error) {
	var it bookingItem
	if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
		return booking.Booking{}, fmt.Errorf("decode booking: %w", err)
	}
	return it.booking(), nil
}

// Cancel marks the booking cancelled in one transaction with, for a confirmed booking,
// the slot's places and the person's limit given back, and with notify an outbox item.
func (s *Bookings) Cancel(ctx context.Context, b booking.Booking, slot booking.Slot, who string, notify bool, now time.Time) error {
	var tx dynamo.Tx
	upd := expression.Set(expression.Name("Status"), expression.Value(booking.StatusCancelled)).
		Set(expression.Name("CancelledAt"), expression.Value(now.UTC())).
		Set(expression.Name("CancelledBy"), expression.Value(who)).
		Remove(expression.Name("GSI1PK")).Remove(expression.Name("GSI1SK"))
	tx.Update(dynamo.SlotPK(b.SlotID), dynamo.BookingSK(b.OpenID), upd, sameBooking(b), booking.ErrBookingNotFound)
	if b.Status == booking.StatusConfirmed {
		giveBack(&tx, b, slot)
	}
	releaseIDNumber(&tx, b)
	if notify {
		queueMessage(&tx, booking.MsgSlotGone, b, slot, now)
	}
	return dynamo.Transact(ctx, s.DB, s.Table, "cancel "+b.ID, &tx)
}

// sameBooking is the condition that a booking is still the one read, in the same state.
func sameBooking(b booking.Booking) expression.ConditionBuilder {
	return expression.Name("ID").Equal(expression.Value(b.ID)).
		And(expression.Name("Status").Equal(expression.Value(b.Status)))
}

// Waiting queries GSI1 (GSI1PK WAITLIST#<slot>) in order.
func (s *Bookings) Waiting(ctx context.Context, slotID string) ([]booking.Booking, error) {
	items, err := dynamo.QueryAll[bookingItem](ctx, s.DB, s.Table, "waiting list", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.WaitlistPK(slotID), "")})
	if err != nil {
		return nil, err
	}
	// The index may lag (DynamoDB) or keep entries whose keys were removed (minidyn):
	// only bookings still waiting count.
	out := make([]booking.Booking, 0, len(items))
	for _, it := range items {
		if it.Status == booking.StatusWaitlisted {
			out = append(out, it.booking())
		}
	}
	return out, nil
}

// WaitingSlots queries GSI2 (GSI2PK WAITLISTS, filter active) for the slots marked as
// having a waiting list.
func (s *Bookings) WaitingSlots(ctx context.Context) ([]string, error) {
	items, err := dynamo.QueryItems(ctx, s.DB, s.Table, "waiting slots", dynamo.Query{Index: "GSI2", Key: dynamo.Partition("GSI2", dynamo.GSIWaitlists, ""),
		Filter: expression.Name("active").Equal(expression.Value(true)), Projection: expression.NamesList(expression.Name("slotId")), Project: true})
	if err != nil {
		return nil, err
	}
	return dynamo.StringAttrs(items, "slotId"), nil
}

// ClearWaiting sets the slot's mark inactive (the next join puts it back).
func (s *Bookings) ClearWaiting(ctx context.Context, slotID string) error {
	_, err := dynamo.Update(ctx, s.DB, s.Table, "clear waiting", dynamo.SlotPK(slotID), dynamo.SKWaiting,
		expression.Set(expression.Name("active"), expression.Value(false)),
		expression.AttributeExists(expression.Name("PK")), types.ReturnValueNone)
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return nil // no mark: nothing to clear
	}
	return err
}

// Position counts the waiting entries up to b's (Query GSI1, Select COUNT, filtered to
// the entries still in b's state).
func (s *Bookings) Position(ctx context.Context, b booking.Booking) (int, error) {
	pk := dynamo.WaitlistPK(b.SlotID)
	if b.Status == booking.StatusBalloted {
		pk = dynamo.BallotPK(b.SlotID)
	}
	cond := expression.Key("GSI1PK").Equal(expression.Value(pk)).
		And(expression.Key("GSI1SK").LessThanEqual(expression.Value(dynamo.WaitKey(b.JoinedAt, b.OpenID))))
	// Only entries still waiting count: the index may hold stale ones (see Waiting).
	return dynamo.QueryCount(ctx, s.DB, s.Table, "position", dynamo.Query{Index: "GSI1", Key: cond,
		Filter: expression.Name("Status").Equal(expression.Value(b.Status))})
}

// Promote confirms a waiting booking in one transaction: the booking (still waiting),
// the slot counter (Free ≥ party), the person's limit, and a booking_promoted outbox item.
func (s *Bookings) Promote(ctx context.Context, b booking.Booking, party int, slot booking.Slot, now time.Time) error {
	return s.confirm(ctx, "promote "+b.ID, b, party, slot, booking.MsgPromoted, now)
}

// confirm confirms the waiting or balloted booking b with party places and a kind outbox
// item, in one transaction.
func (s *Bookings) confirm(ctx context.Context, op string, b booking.Booking, party int, slot booking.Slot, kind string, now time.Time) error {
	if slot.Hot() {
		return s.onShards(ctx, slot, party, func(shard int) error { return s.confirmOn(ctx, op, b, party, slot, kind, now, shard) })
	}
	return s.confirmOn(ctx, op, b, party, slot, kind, now, -1)
}

// confirmOn is confirm's one transaction, taking a hot slot's places from its shard
// (none: -1).
func (s *Bookings) confirmOn(ctx context.Context, op string, b booking.Booking, party int, slot booking.Slot, kind string, now time.Time, shard int) error {
	var tx dynamo.Tx
	limit := slot.PerPersonLimit > 0
	upd := expression.Set(expression.Name("Status"), expression.Value(booking.StatusConfirmed)).
		Set(expression.Name("PartySize"), expression.Value(party)).
		Set(expression.Name("LimitHeld"), expression.Value(limit)).
		Remove(expression.Name("GSI1PK")).Remove(expression.Name("GSI1SK"))
	tx.Update(dynamo.SlotPK(b.SlotID), dynamo.BookingSK(b.OpenID), upd, sameBooking(b), booking.ErrBookingNotFound)
	if shard >= 0 {
		takeShard(&tx, slot, shard, party)
	} else {
		take(&tx, b.SlotID, party, slotOpen())
	}
	b.PartySize = party
	if limit {
		holdLimit(&tx, b, slot.PerPersonLimit, expression.ConditionBuilder{})
	}
	queueMessage(&tx, kind, b, slot, now)
	return dynamo.Transact(ctx, s.DB, s.Table, op, &tx)
}

// OfPerson queries GSI2 (GSI2PK BOOKINGS#<openid>), soonest slot first.
func (s *Bookings) OfPerson(ctx context.Context, openid string) ([]booking.Booking, error) {
	return dynamo.QueryAllAs(ctx, s.DB, s.Table, "person's bookings", dynamo.Query{Index: "GSI2", Key: dynamo.Partition("GSI2", dynamo.PersonBookingsPK(openid), "")}, bookingItem.booking)
}

// OfSlot queries the slot's partition for its bookings (SK begins_with BOOKING#).
func (s *Bookings) OfSlot(ctx context.Context, slotID string) ([]booking.Booking, error) {
	return dynamo.QueryAllAs(ctx, s.DB, s.Table, "slot's bookings", dynamo.Query{Key: dynamo.Partition("", dynamo.SlotPK(slotID), dynamo.SKBookingPrefix), Consistent: true}, bookingItem.booking)
}

// CheckIn sets CheckedInAt once (with the scan's CheckInKey, when b has one), on a
// confirmed booking that is still b.
func (s *Bookings) CheckIn(ctx context.Context, b booking.Booking, now time.Time) error {
	cond := sameBooking(b).And(expression.Name("CheckedInAt").Equal(expression.Value(time.Time{})))
	upd := expression.Set(expression.Name("CheckedInAt"), expression.Value(now.UTC()))
	if b.CheckInKey != "" {
		upd = upd.Set(expression.Name("CheckInKey"), expression.Value(b.CheckInKey))
	}
	cur, failed, err := s.stamp(ctx, "check in", b, upd, cond)
	switch {
	case err != nil || !failed:
		return err
	case cur.ID == b.ID && cur.Status == booking.StatusConfirmed:
		return booking.ErrTicketUsed
	}
	return booking.ErrTicketRevoked
}

// CheckOut sets CheckedOutAt once, on a checked-in booking that is still b.
func (s *Bookings) CheckOut(ctx context.Context, b booking.Booking, now time.Time) error {
	zero := expression.Value(time.Time{})
	cond := sameBooking(b).
		And(expression.Name("CheckedInAt").NotEqual(zero)).
		And(expression.AttributeNotExists(expression.Name("CheckedOutAt")).Or(expression.Name("CheckedOutAt").Equal(zero)))
	cur, failed, err := s.stamp(ctx, "check out", b, expression.Set(expression.Name("CheckedOutAt"), expression.Value(now.UTC())), cond)
	switch {
	case err != nil || !failed:
		return err
	case cur.ID != b.ID || cur.Status != booking.StatusConfirmed:
		return booking.ErrTicketRevoked
	case cur.CheckedInAt.IsZero():
		return booking.ErrNotCheckedIn
	}
	return booking.ErrCheckedOut
}

// stamp applies upd (a time stamped on) to b's item under cond. When the condition
// fails it reports failed with the item as it is now (the zero booking when it is gone),
// for the caller to say why.
func (s *Bookings) stamp(ctx context.Context, op string, b booking.Booking, upd expression.UpdateBuilder, cond expression.ConditionBuilder) (cur booking.Booking, failed bool, err error) {
	_, err = dynamo.Update(ctx, s.DB, s.Table, op, dynamo.SlotPK(b.SlotID), dynamo.BookingSK(b.OpenID), upd, cond, types.ReturnValueNone)
	if !errors.Is(err, dynamo.ErrConditionFailed) {
		return booking.Booking{}, false, err
	}
	cur, err = s.Booking(ctx, b.SlotID, b.OpenID)
	if err != nil && !errors.Is(err, booking.ErrBookingNotFound) {
		return booking.Booking{}, false, err
	}
	return cur, true, nil
}

// take moves party places from Free to Booked while enough are free and the slot is
// still as cond says.
func take(tx *dynamo.Tx, slotID string, party int, cond expression.ConditionBuilder) {
	upd := expression.Add(expression.Name("Free"), expression.Value(-party)).
		Add(expression.Name("Booked"), expression.Value(party))
	tx.Update(dynamo.SlotPK(slotID), dynamo.SKSlot, upd,
		cond.And(expression.Name("Free").GreaterThanEqual(expression.Value(party))), booking.ErrFull)
}

// giveBack gives a confirmed booking's places back to its slot (Booked to Free; to a
// shard of a hot slot), its place in the person's limit and its seats.
func giveBack(tx *dynamo.Tx, b booking.Booking, slot booking.Slot) {
	if slot.Hot() {
		giveShard(tx, b, slot.HotShards)
	} else {
		upd := expression.Add(expression.Name("Free"), expression.Value(b.PartySize)).
			Add(expression.Name("Booked"), expression.Value(-b.PartySize))
		tx.Update(dynamo.SlotPK(b.SlotID), dynamo.SKSlot, upd, expression.AttributeExists(expression.Name("PK")), nil)
	}
	if b.LimitHeld {
		tx.Update(dynamo.UserPK(b.OpenID), dynamo.SKHolds, unhold(b), expression.ConditionBuilder{}, nil)
	}
	giveBackSeats(tx, b)
}

// unhold gives b's place in its holder's limit back (not conditional: a booking held
// before the holds item existed may take it below zero, which only lets the person book
// once more).
func unhold(b booking.Booking) expression.UpdateBuilder {
	return expression.Add(expression.Name(dynamo.HeldAttr(b.ActivityID)), expression.Value(-1))
}

// giveBackSeats frees b's seats.
func giveBackSeats(tx *dynamo.Tx, b booking.Booking) {
	for _, seat := range b.Seats {
		tx.Update(dynamo.SlotPK(b.SlotID), dynamo.SeatSK(seat), expression.Set(expression.Name("free"), expression.Value(true)),
			expression.Name("bookingId").Equal(expression.Value(b.ID)), nil)
	}
}

// seatItem is a seat held at a seated slot: SLOT#<id> / SEAT#<seat>, freed by setting
// free (never deleted), so the hold's condition is "absent or free".
type seatItem struct {
	dynamo.Keys
	Seat      string `dynamodbav:"seat"`
	Holder    string `dynamodbav:"holder"`
	BookingID string `dynamodbav:"bookingId"`
	Free      bool   `dynamodbav:"free"`
}

func holdSeat(tx *dynamo.Tx, b booking.Booking, seat string) {
	cond := expression.AttributeNotExists(expression.Name("PK")).Or(expression.Name("free").Equal(expression.Value(true)))
	tx.Put(seatItem{Keys: dynamo.Keys{PK: dynamo.SlotPK(b.SlotID), SK: dynamo.SeatSK(seat)}, Seat: seat, Holder: b.OpenID, BookingID: b.ID}, cond, booking.ErrSeatTaken)
}

// TakenSeats queries the slot's partition for seats not free (consistent).
func (s *Bookings) TakenSeats(ctx context.Context, slotID string) ([]string, error) {
	items, err := dynamo.QueryItems(ctx, s.DB, s.Table, "taken seats", dynamo.Query{Key: dynamo.Partition("", dynamo.SlotPK(slotID), dynamo.SKSeatPrefix),
		Filter: expression.Name("free").Equal(expression.Value(false)), Consistent: true})
	if err != nil {
		return nil, err
	}
	return dynamo.StringAttrs(items, "seat"), nil
}
