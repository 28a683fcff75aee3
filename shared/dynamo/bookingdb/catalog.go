package bookingdb

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/fault"
)

// Catalog stores activities and slots.
type Catalog struct {
	DB    *dynamodb.Client
	Table string
}

var _ booking.Catalog = (*Catalog)(nil)

type activityItem struct {
	PK string `dynamodbav:"PK"`
	SK string `dynamodbav:"SK"`
	booking.Activity
}

// slotItem is a slot and its counter. Free (places left) and Booked change only by
// conditional writes: a booking takes places while Free ≥ its party.
type slotItem struct {
	PK     string `dynamodbav:"PK"`
	SK     string `dynamodbav:"SK"`
	GSI1PK string `dynamodbav:"GSI1PK,omitempty"`
	GSI1SK string `dynamodbav:"GSI1SK,omitempty"`
	Free   int    `dynamodbav:"Free"`
	booking.Slot
}

func newSlotItem(s booking.Slot) slotItem {
	it := slotItem{PK: dynamo.SlotPK(s.ID), SK: dynamo.SKSlot, Free: s.Capacity - s.Booked, Slot: s}
	if s.Status != booking.SlotCancelled {
		it.GSI1PK, it.GSI1SK = slotListing(s)
	}
	return it
}

// slotListing is a scheduled slot's place on GSI1: under its kind, by start time.
func slotListing(s booking.Slot) (pk, sk string) {
	return dynamo.SlotsByKindPK(string(s.Kind)), dynamo.TimeKey(s.StartsAt) + "#" + s.ID
}

// PutActivity writes an activity after validating it.
func (c *Catalog) PutActivity(ctx context.Context, a booking.Activity) error {
	if err := a.Validate(); err != nil {
		return err
	}
	return dynamo.Put(ctx, c.DB, c.Table, "put activity", activityItem{PK: dynamo.ActivityPK(a.ID), SK: dynamo.SKActivity, Activity: a}, expression.ConditionBuilder{})
}

// Activity returns an activity; ok is false when there is none.
func (c *Catalog) Activity(ctx context.Context, id string) (a booking.Activity, ok bool, err error) {
	it, _, err := dynamo.Get[activityItem](ctx, c.DB, c.Table, "get activity", dynamo.ActivityPK(id), dynamo.SKActivity, false)
	if err != nil {
		return booking.Activity{}, false, err
	}
	return it.Activity, it.PK != "", nil
}

// Activities reads the activities of ids with BatchGetItem, 100 keys a call.
func (c *Catalog) Activities(ctx context.Context, ids []string) (map[string]booking.Activity, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	keys := make([]dynamo.Item, len(ids))
	for i, id := range ids {
		keys[i] = dynamo.Key(dynamo.ActivityPK(id), dynamo.SKActivity)
	}
	items, err := dynamo.BatchGet(ctx, c.DB, c.Table, "get activities", keys, false)
	if err != nil {
		return nil, err
	}
	out := make(map[string]booking.Activity, len(items))
	for _, raw := range items {
		var it activityItem
		if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
			return nil, fmt.Errorf("get activities: %w", err)
		}
		out[it.ID] = it.Activity
	}
	return out, nil
}

// PutSlot writes a slot after validating it, replacing any slot of that id (seed data).
func (c *Catalog) PutSlot(ctx context.Context, s booking.Slot) error {
	if s.Status == "" {
		s.Status = booking.SlotScheduled
	}
	if err := s.Validate(); err != nil {
		return err
	}
	return dynamo.Put(ctx, c.DB, c.Table, "put slot", newSlotItem(s), expression.ConditionBuilder{})
}

// CreateSlot writes a new slot; an existing id is a conflict.
func (c *Catalog) CreateSlot(ctx context.Context, s booking.Slot) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if s.Hot() {
		// The session's item holds no free place: they are all in the shards.
		it := newSlotItem(s)
		it.Free = 0
		var tx dynamo.Tx
		tx.Put(it, expression.AttributeNotExists(expression.Name("PK")), fmt.Errorf("create slot %s: %w", s.ID, booking.ErrSlotExists))
		putShards(&tx, s, s.Capacity-s.Booked, s.Rev)
		return dynamo.Transact(ctx, c.DB, c.Table, "create slot", &tx)
	}
	av, err := attributevalue.MarshalMap(newSlotItem(s))
	if err != nil {
		return fmt.Errorf("create slot: %w", err)
	}
	_, err = c.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(c.Table), Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)"),
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return fmt.Errorf("create slot %s: %w", s.ID, booking.ErrSlotExists)
	}
	return dynamo.FormatError("create slot", err)
}

// Slot returns a slot (a strongly consistent read), or booking.ErrSlotNotFound.
func (c *Catalog) Slot(ctx context.Context, id string) (booking.Slot, error) {
	raw, err := dynamo.GetItem(ctx, c.DB, c.Table, "get slot", dynamo.SlotPK(id), dynamo.SKSlot, true)
	if err != nil {
		return booking.Slot{}, err
	}
	if raw == nil {
		return booking.Slot{}, booking.ErrSlotNotFound
	}
	s, err := DecodeSlot(raw)
	if err != nil {
		return s, err
	}
	return counted(ctx, c.DB, c.Table, s, true)
}

// DecodeSlot reads a slot item.
func DecodeSlot(raw dynamo.Item) (booking.Slot, error) {
	var it slotItem
	if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
		return booking.Slot{}, fmt.Errorf("decode slot: %w", err)
	}
	if it.Status == "" {
		it.Status = booking.SlotScheduled
	}
	return it.Slot, nil
}

// UpdateSlot writes s's settings over old's with one conditional UpdateItem: the
// capacity must still be old's and enough places must be free to take the reduction.
// Booked and Free are moved, never overwritten, so bookings racing the edit count.
func (c *Catalog) UpdateSlot(ctx context.Context, old, s booking.Slot) error {
	if err := s.Validate(); err != nil {
		return err
	}
	av, err := attributevalue.MarshalMap(s)
	if err != nil {
		return fmt.Errorf("update slot: %w", err)
	}
	var upd expression.UpdateBuilder
	for name, v := range av {
		switch name {
		case "ID", "ActivityID", "Kind", "Booked", "Rev":
			continue
		}
		upd = upd.Set(expression.Name(name), expression.Value(v))
	}
	upd = upd.Add(expression.Name("Rev"), expression.Value(1)) // bookings checked against old's settings no longer write
	// The listing keys change only when the slot leaves the catalogue or moves in time;
	// an edit that keeps them does not rewrite them.
	oldPK, oldSK := slotListing(old)
	switch pk, sk := slotListing(s); {
	case s.Status == booking.SlotCancelled:
		upd = upd.Remove(expression.Name("GSI1PK")).Remove(expression.Name("GSI1SK"))
	case old.Status == booking.SlotCancelled || pk != oldPK || sk != oldSK:
		upd = upd.Set(expression.Name("GSI1PK"), expression.Value(pk)).Set(expression.Name("GSI1SK"), expression.Value(sk))
	}
	if old.Hot() || s.Hot() {
		return c.updateHot(ctx, old, s, upd)
	}
	delta := s.Capacity - old.Capacity
	upd = upd.Add(expression.Name("Free"), expression.Value(delta))
	cond := expression.Name("Capacity").Equal(expression.Value(old.Capacity)).
		And(expression.Name("Free").GreaterThanEqual(expression.Value(max(0, -delta))))
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return fmt.Errorf("update slot: %w", err)
	}
	_, err = c.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(c.Table), Key: dynamo.Key(dynamo.SlotPK(s.ID), dynamo.SKSlot),
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		cur, rerr := c.Slot(ctx, s.ID)
		if rerr != nil {
			return rerr
		}
		if cur.Capacity == old.Capacity {
			return booking.ErrCapacityBelow
		}
		return fmt.Errorf("update slot %s: changed meanwhile: %w", s.ID, fault.ErrConflict)
	}
	return dynamo.FormatError("update slot", err)
}

// SlotsOfKind returns every scheduled slot of a kind, by start time.
func (c *Catalog) SlotsOfKind(ctx context.Context, kind booking.Kind) ([]booking.Slot, error) {
	items, err := dynamo.QueryAll[slotItem](ctx, c.DB, c.Table, "list slots", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.SlotsByKindPK(string(kind)), "")})
	if err != nil {
		return nil, err
	}
	return c.countAll(ctx, dynamo.Convert(items, func(it slotItem) booking.Slot { return it.Slot }))
}

// countAll counts the places booked of the hot slots among slots from their counters
// (one read each: hot sessions are few).
func (c *Catalog) countAll(ctx context.Context, slots []booking.Slot) ([]booking.Slot, error) {
	for i, s := range slots {
		var err error
		if slots[i], err = counted(ctx, c.DB, c.Table, s, false); err != nil {
			return nil, err
		}
	}
	return slots, nil
}

// ErrCursorInvalid is a listing cursor this store did not make.
var ErrCursorInvalid = fault.New(fault.Invalid, "cursor_invalid", "分页参数无效")

// Upcoming queries GSI1 once per kind (GSI1PK SLOTS#<kind>, GSI1SK between the cursor or
// the start of the range and its end), merges the kinds by start time and cuts the page.
// The cursor is the last slot's GSI1SK, opaque to clients.
func (c *Catalog) Upcoming(ctx context.Context, q booking.Query) ([]booking.Slot, string, error) {
	lo := dynamo.TimeKey(q.From)
	after := ""
	if q.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(q.Cursor)
		if err != nil || len(b) == 0 || len(b) > 200 {
			return nil, "", ErrCursorInvalid
		}
		if after = string(b); after > lo {
			lo = after
		}
	}
	hi := "~"
	if !q.To.IsZero() {
		hi = dynamo.TimeKey(q.To)
	}
	type listed struct {
		sk   string
		slot booking.Slot
	}
	var all []listed
	for _, kind := range q.Kinds {
		cond := expression.Key("GSI1PK").Equal(expression.Value(dynamo.SlotsByKindPK(string(kind)))).
			And(expression.Key("GSI1SK").Between(expression.Value(lo), expression.Value(hi)))
		expr, err := expression.NewBuilder().WithKeyCondition(cond).Build()
		if err != nil {
			return nil, "", fmt.Errorf("upcoming slots: %w", err)
		}
		out, err := c.DB.Query(ctx, &dynamodb.QueryInput{
			TableName: aws.String(c.Table), IndexName: aws.String("GSI1"),
			KeyConditionExpression: expr.KeyCondition(), ExpressionAttributeNames: expr.Names(),
			ExpressionAttributeValues: expr.Values(), Limit: aws.Int32(int32(q.Limit + 2)),
		})
		if err != nil {
			return nil, "", dynamo.FormatError("upcoming slots", err)
		}
		for _, raw := range out.Items {
			s, err := DecodeSlot(raw)
			if err != nil {
				return nil, "", err
			}
			sk, _ := dynamo.StringAttr(raw, "GSI1SK")
			if sk == after || s.Status == booking.SlotCancelled {
				continue
			}
			all = append(all, listed{sk, s})
		}
	}
	slices.SortFunc(all, func(a, b listed) int { return cmpString(a.sk, b.sk) })
	next := ""
	if len(all) > q.Limit {
		all = all[:q.Limit]
		next = base64.RawURLEncoding.EncodeToString([]byte(all[len(all)-1].sk))
	}
	slots := make([]booking.Slot, len(all))
	for i, l := range all {
		slots[i] = l.slot
	}
	slots, err := c.countAll(ctx, slots)
	return slots, next, err
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// SessionsBetween returns the slots not cancelled that start in [from, to), by start: one
// Query of GSI1 per kind (cancelled slots leave the index).
func (c *Catalog) SessionsBetween(ctx context.Context, from, to time.Time) ([]booking.Slot, error) {
	var out []booking.Slot
	for _, kind := range booking.Kinds {
		key := expression.Key("GSI1PK").Equal(expression.Value(dynamo.SlotsByKindPK(string(kind)))).
			And(expression.Key("GSI1SK").Between(expression.Value(dynamo.TimeKey(from)), expression.Value(dynamo.TimeKey(to.Add(-time.Second))+"~")))
		items, err := dynamo.QueryAll[slotItem](ctx, c.DB, c.Table, "list sessions", dynamo.Query{Index: "GSI1", Key: key})
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if !it.StartsAt.Before(from) && it.StartsAt.Before(to) && it.Status != booking.SlotCancelled {
				out = append(out, it.Slot)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b booking.Slot) int { return a.StartsAt.Compare(b.StartsAt) })
	return c.countAll(ctx, out)
}
