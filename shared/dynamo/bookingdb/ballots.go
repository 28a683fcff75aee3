package bookingdb

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/outboxdb"
)

var _ booking.Ballots = (*Bookings)(nil)

// ballotItem is a ballot slot's secret and, once drawn, its published draw: SLOT#<id> /
// BALLOT, on GSI2 BALLOTS / <slot id> (always put with its keys; settling flips active).
type ballotItem struct {
	dynamo.Keys
	dynamo.GSI2
	SlotID     string `dynamodbav:"slotId"`
	Secret     string `dynamodbav:"secret"` // hex; never answered before the draw
	Commitment string `dynamodbav:"commitment"`
	Active     bool   `dynamodbav:"active"`
	Draw       string `dynamodbav:"draw,omitempty"` // booking.Draw as JSON
}

// OpenBallot puts the slot's ballot item, once.
func (s *Bookings) OpenBallot(ctx context.Context, slotID string, secret []byte, commitment string) error {
	return dynamo.Put(ctx, s.DB, s.Table, "open ballot", ballotItem{
		Keys: dynamo.Keys{PK: dynamo.SlotPK(slotID), SK: dynamo.SKBallot}, GSI2: dynamo.GSI2{PK: dynamo.GSIBallots, SK: slotID}, SlotID: slotID,
		Secret: hex.EncodeToString(secret), Commitment: commitment, Active: true,
	}, expression.AttributeNotExists(expression.Name("PK")))
}

// Ballot reads the slot's ballot item (strongly consistent).
func (s *Bookings) Ballot(ctx context.Context, slotID string) (booking.Ballot, error) {
	it, err := dynamo.One[ballotItem](ctx, s.DB, s.Table, "get ballot", dynamo.SlotPK(slotID), dynamo.SKBallot, true, booking.ErrBallotNotFound)
	if err != nil {
		return booking.Ballot{}, err
	}
	return it.ballot()
}

func (it ballotItem) ballot() (booking.Ballot, error) {
	secret, err := hex.DecodeString(it.Secret)
	if err != nil {
		return booking.Ballot{}, fmt.Errorf("decode ballot: %w", err)
	}
	b := booking.Ballot{SlotID: it.SlotID, Commitment: it.Commitment, Secret: secret}
	if it.Draw != "" {
		var d booking.Draw
		if err := json.Unmarshal([]byte(it.Draw), &d); err != nil {
			return booking.Ballot{}, fmt.Errorf("decode ballot: %w", err)
		}
		b.Draw = &d
	}
	return b, nil
}

// PendingBallots queries GSI2 (GSI2PK BALLOTS) for the ballots still active.
func (s *Bookings) PendingBallots(ctx context.Context) ([]string, error) {
	items, err := dynamo.QueryAll[ballotItem](ctx, s.DB, s.Table, "pending ballots", dynamo.Query{Index: "GSI2", Key: dynamo.Partition("GSI2", dynamo.GSIBallots, "")})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, it := range items {
		if it.Active {
			ids = append(ids, it.SlotID)
		}
	}
	return ids, nil
}

// PublishDraw sets the draw on the ballot item IF it has none.
func (s *Bookings) PublishDraw(ctx context.Context, d booking.Draw) error {
	doc, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("publish draw: %w", err)
	}
	err = s.updateBallot(ctx, "publish draw", d.SlotID, expression.Set(expression.Name("draw"), expression.Value(string(doc))),
		expression.AttributeExists(expression.Name("PK")).And(expression.AttributeNotExists(expression.Name("draw"))))
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return booking.ErrDrawn
	}
	return err
}

// SettleBallot sets the ballot inactive (a non-key attribute: decisions.md §20).
func (s *Bookings) SettleBallot(ctx context.Context, slotID string) error {
	err := s.updateBallot(ctx, "settle ballot", slotID, expression.Set(expression.Name("active"), expression.Value(false)),
		expression.AttributeExists(expression.Name("PK")))
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return nil
	}
	return err
}

func (s *Bookings) updateBallot(ctx context.Context, op, slotID string, upd expression.UpdateBuilder, cond expression.ConditionBuilder) error {
	_, err := dynamo.Update(ctx, s.DB, s.Table, op, dynamo.SlotPK(slotID), dynamo.SKBallot, upd, cond, types.ReturnValueNone)
	return err
}

// Win confirms a balloted booking: the booking (still balloted), the slot counter, the
// person's limit and a ballot_won outbox item, one transaction.
func (s *Bookings) Win(ctx context.Context, b booking.Booking, slot booking.Slot, now time.Time) error {
	return s.confirm(ctx, "win "+b.ID, b, b.PartySize, slot, booking.MsgBallotWon, now)
}

// Lose moves a balloted booking to the waiting list at joinedAt: the booking (still
// balloted; its GSI1 keys change from BALLOT# to WAITLIST#, keys it has already), the
// slot's waiting-list mark and a ballot_lost outbox item, one transaction.
func (s *Bookings) Lose(ctx context.Context, b booking.Booking, slot booking.Slot, joinedAt time.Time, position int, now time.Time) error {
	var tx dynamo.Tx
	upd := expression.Set(expression.Name("Status"), expression.Value(booking.StatusWaitlisted)).
		Set(expression.Name("JoinedAt"), expression.Value(joinedAt.UTC())).
		Set(expression.Name("GSI1PK"), expression.Value(dynamo.WaitlistPK(b.SlotID))).
		Set(expression.Name("GSI1SK"), expression.Value(dynamo.WaitKey(joinedAt, b.OpenID)))
	tx.Update(dynamo.SlotPK(b.SlotID), dynamo.BookingSK(b.OpenID), upd, sameBooking(b), booking.ErrBookingNotFound)
	tx.Put(waitingMark{Keys: dynamo.Keys{PK: dynamo.SlotPK(b.SlotID), SK: dynamo.SKWaiting}, SparseGSI2: dynamo.SparseGSI2{PK: dynamo.GSIWaitlists, SK: dynamo.TimeKey(slot.StartsAt) + "#" + b.SlotID}, SlotID: b.SlotID, Active: true}, expression.ConditionBuilder{}, nil)
	outboxdb.Queue(&tx, booking.BallotLostMessage(b, slot, position, now))
	return dynamo.Transact(ctx, s.DB, s.Table, "lose "+b.ID, &tx)
}
