package bookingdb

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

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

// The items below name their attributes here, not by the domain types, so that renaming
// a field there changes no stored data.

// activityItem is a booking.Activity in the table.
type activityItem struct {
	dynamo.Keys
	ID          string       `dynamodbav:"ID"`
	Kind        booking.Kind `dynamodbav:"Kind"`
	Title       string       `dynamodbav:"Title"`
	Description string       `dynamodbav:"Description"`
	VenueID     string       `dynamodbav:"VenueID"`
	DistrictID  string       `dynamodbav:"DistrictID"`
	CreatedAt   time.Time    `dynamodbav:"CreatedAt"`
	NoShow      *noShowAttr  `dynamodbav:"NoShow,omitempty"`
}

// noShowAttr is an activity's booking.NoShowRules.
type noShowAttr struct {
	ReleaseAfterMinutes int `dynamodbav:"ReleaseAfterMinutes"`
	Strikes             int `dynamodbav:"Strikes"`
	WindowDays          int `dynamodbav:"WindowDays"`
	SuspendDays         int `dynamodbav:"SuspendDays"`
}

func newActivityItem(a booking.Activity) activityItem {
	it := activityItem{Keys: dynamo.Keys{PK: dynamo.ActivityPK(a.ID), SK: dynamo.SKActivity}, ID: a.ID, Kind: a.Kind, Title: a.Title,
		Description: a.Description, VenueID: a.VenueID, DistrictID: a.DistrictID, CreatedAt: a.CreatedAt}
	if r := a.NoShow; r != nil {
		it.NoShow = &noShowAttr{ReleaseAfterMinutes: r.ReleaseAfterMinutes, Strikes: r.Strikes, WindowDays: r.WindowDays, SuspendDays: r.SuspendDays}
	}
	return it
}

func (it activityItem) activity() booking.Activity {
	a := booking.Activity{ID: it.ID, Kind: it.Kind, Title: it.Title, Description: it.Description, VenueID: it.VenueID,
		DistrictID: it.DistrictID, CreatedAt: it.CreatedAt}
	if r := it.NoShow; r != nil {
		a.NoShow = &booking.NoShowRules{ReleaseAfterMinutes: r.ReleaseAfterMinutes, Strikes: r.Strikes, WindowDays: r.WindowDays, SuspendDays: r.SuspendDays}
	}
	return a
}

// slotItem is a slot and its counter. Free (places left) and Booked change only by
// conditional writes: a booking takes places while Free ≥ its party. The item is in no
// index, so a booking writes no index partition: the listings read the slot's listing
// entry (listingItem). Slots written before the entry existed carry GSI1 keys of their
// own until their next edit moves them to an entry (the readers take both).
type slotItem struct {
	dynamo.Keys
	Free int `dynamodbav:"Free"`
	slotAttrs
}

// slotAttrs are a booking.Slot's settings and counts, which UpdateSlot writes over.
type slotAttrs struct {
	ID                  string             `dynamodbav:"ID"`
	ActivityID          string             `dynamodbav:"ActivityID"`
	Kind                booking.Kind       `dynamodbav:"Kind"`
	StartsAt            time.Time          `dynamodbav:"StartsAt"`
	EndsAt              time.Time          `dynamodbav:"EndsAt"`
	Capacity            int                `dynamodbav:"Capacity"`
	Booked              int                `dynamodbav:"Booked"`
	BookingOpensAt      time.Time          `dynamodbav:"BookingOpensAt"`
	BookingClosesAt     time.Time          `dynamodbav:"BookingClosesAt"`
	PerPersonLimit      int                `dynamodbav:"PerPersonLimit"`
	MaxPartySize        int                `dynamodbav:"MaxPartySize"`
	Mode                booking.Mode       `dynamodbav:"Mode"`
	EligibleDistrictID  string             `dynamodbav:"EligibleDistrictID"`
	RealName            bool               `dynamodbav:"RealName,omitempty"`
	CancelCutoffMinutes int                `dynamodbav:"CancelCutoffMinutes"`
	Status              booking.SlotStatus `dynamodbav:"Status"`
	Title               string             `dynamodbav:"Title"`
	VenueName           string             `dynamodbav:"VenueName"`
	BallotCommitment    string             `dynamodbav:"BallotCommitment,omitempty"`
	SeatRows            int                `dynamodbav:"SeatRows,omitempty"`
	SeatsPerRow         int                `dynamodbav:"SeatsPerRow,omitempty"`
	Instructor          string             `dynamodbav:"Instructor,omitempty"`
	Rev                 int64              `dynamodbav:"Rev,omitempty"`
	HotShards           int                `dynamodbav:"HotShards,omitempty"`
}

func newSlotAttrs(s booking.Slot) slotAttrs {
	return slotAttrs{ID: s.ID, ActivityID: s.ActivityID, Kind: s.Kind, StartsAt: s.StartsAt, EndsAt: s.EndsAt, Capacity: s.Capacity,
		Booked: s.Booked, BookingOpensAt: s.BookingOpensAt, BookingClosesAt: s.BookingClosesAt, PerPersonLimit: s.PerPersonLimit,
		MaxPartySize: s.MaxPartySize, Mode: s.Mode, EligibleDistrictID: s.EligibleDistrictID, RealName: s.RealName, CancelCutoffMinutes: s.CancelCutoffMinutes,
		Status: s.Status, Title: s.Title, VenueName: s.VenueName, BallotCommitment: s.BallotCommitment, SeatRows: s.SeatRows,
		SeatsPerRow: s.SeatsPerRow, Instructor: s.Instructor, Rev: s.Rev, HotShards: s.HotShards}
}

// slot is the slot a's item holds; one written before slots had a status is scheduled.
func (a slotAttrs) slot() booking.Slot {
	return booking.Slot{ID: a.ID, ActivityID: a.ActivityID, Kind: a.Kind, StartsAt: a.StartsAt, EndsAt: a.EndsAt, Capacity: a.Capacity,
		Booked: a.Booked, BookingOpensAt: a.BookingOpensAt, BookingClosesAt: a.BookingClosesAt, PerPersonLimit: a.PerPersonLimit,
		MaxPartySize: a.MaxPartySize, Mode: a.Mode, EligibleDistrictID: a.EligibleDistrictID, RealName: a.RealName, CancelCutoffMinutes: a.CancelCutoffMinutes,
		Status: cmp.Or(a.Status, booking.SlotScheduled), Title: a.Title, VenueName: a.VenueName, BallotCommitment: a.BallotCommitment, SeatRows: a.SeatRows,
		SeatsPerRow: a.SeatsPerRow, Instructor: a.Instructor, Rev: a.Rev, HotShards: a.HotShards}
}

func newSlotItem(s booking.Slot) slotItem {
	return slotItem{Keys: dynamo.Keys{PK: dynamo.SlotPK(s.ID), SK: dynamo.SKSlot}, Free: s.Capacity - s.Booked, slotAttrs: newSlotAttrs(s)}
}

// listingItem is a scheduled slot's entry on GSI1, under its kind by start time
// (SLOTS#<kind> / <startsAt>#<id>): written when the slot is created or edited, deleted
// when it is cancelled, never by a booking.
type listingItem struct {
	dynamo.Keys
	dynamo.GSI1
}

func newListingItem(s booking.Slot) listingItem {
	return listingItem{Keys: dynamo.Keys{PK: dynamo.SlotPK(s.ID), SK: dynamo.SKListing},
		GSI1: dynamo.GSI1{PK: dynamo.SlotsByKindPK(string(s.Kind)), SK: dynamo.TimeKey(s.StartsAt) + "#" + s.ID}}
}

// list adds to tx what s's listing entry becomes: put while s is scheduled, deleted
// once it is cancelled.
func list(tx *dynamo.Tx, s booking.Slot) {
	if s.Status == booking.SlotCancelled {
		tx.Delete(dynamo.SlotPK(s.ID), dynamo.SKListing, expression.ConditionBuilder{}, nil)
		return
	}
	tx.Put(newListingItem(s), expression.ConditionBuilder{}, nil)
}

// PutActivity writes an activity after validating it.
func (c *Catalog) PutActivity(ctx context.Context, a booking.Activity) error {
	if err := a.Validate(); err != nil {
		return err
	}
	return dynamo.Put(ctx, c.DB, c.Table, "put activity", newActivityItem(a), expression.ConditionBuilder{})
}

// Activity returns an activity; ok is false when there is none.
func (c *Catalog) Activity(ctx context.Context, id string) (a booking.Activity, ok bool, err error) {
	it, found, err := dynamo.Get[activityItem](ctx, c.DB, c.Table, "get activity", dynamo.ActivityPK(id), dynamo.SKActivity, false)
	return it.activity(), found, err
}

// Activities reads the activities of ids with BatchGetItem, 100 keys a call.
func (c *Catalog) Activities(ctx context.Context, ids []string) (map[string]booking.Activity, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	keys := dynamo.Convert(ids, func(id string) dynamo.Item { return dynamo.Key(dynamo.ActivityPK(id), dynamo.SKActivity) })
	items, err := dynamo.BatchGetAll[activityItem](ctx, c.DB, c.Table, "get activities", keys, false)
	if err != nil {
		return nil, err
	}
	out := make(map[string]booking.Activity, len(items))
	for _, it := range items {
		out[it.ID] = it.activity()
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
	var tx dynamo.Tx
	tx.Put(newSlotItem(s), expression.ConditionBuilder{}, nil)
	list(&tx, s)
	return dynamo.Transact(ctx, c.DB, c.Table, "put slot", &tx)
}

// CreateSlot writes a new slot; an existing id is a conflict.
func (c *Catalog) CreateSlot(ctx context.Context, s booking.Slot) error {
	if err := s.Validate(); err != nil {
		return err
	}
	var tx dynamo.Tx
	it := newSlotItem(s)
	if s.Hot() {
		it.Free = 0 // the session's item holds no free place: they are all in the shards
		putShards(&tx, s, s.Capacity-s.Booked, s.Rev)
	}
	tx.Put(it, expression.AttributeNotExists(expression.Name("PK")), booking.ErrSlotExists)
	list(&tx, s)
	return dynamo.Transact(ctx, c.DB, c.Table, "create slot "+s.ID, &tx)
}

// Slot returns a slot (a strongly consistent read), or booking.ErrSlotNotFound.
func (c *Catalog) Slot(ctx context.Context, id string) (booking.Slot, error) {
	s, err := dynamo.OneAs(ctx, c.DB, c.Table, "get slot", dynamo.SlotPK(id), dynamo.SKSlot, true, booking.ErrSlotNotFound, slotItem.slot)
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
	return it.slot(), nil
}

// UpdateSlot writes s's settings over old's with one conditional UpdateItem: the
// capacity must still be old's and enough places must be free to take the reduction.
// Booked and Free are moved, never overwritten, so bookings racing the edit count.
func (c *Catalog) UpdateSlot(ctx context.Context, old, s booking.Slot) error {
	if err := s.Validate(); err != nil {
		return err
	}
	av, err := attributevalue.MarshalMap(newSlotAttrs(s))
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
	// The slot's own GSI1 keys, which slots written before the listing entries carry, go:
	// the entry, put with the edit, lists it now.
	upd = upd.Remove(expression.Name("GSI1PK")).Remove(expression.Name("GSI1SK"))
	if old.Hot() || s.Hot() {
		return c.updateHot(ctx, old, s, upd)
	}
	delta := s.Capacity - old.Capacity
	upd = upd.Add(expression.Name("Free"), expression.Value(delta))
	cond := expression.Name("Capacity").Equal(expression.Value(old.Capacity)).
		And(expression.Name("Free").GreaterThanEqual(expression.Value(max(0, -delta))))
	var tx dynamo.Tx
	tx.Update(dynamo.SlotPK(s.ID), dynamo.SKSlot, upd, cond, errSlotMoved)
	list(&tx, s)
	err = dynamo.Transact(ctx, c.DB, c.Table, "update slot "+s.ID, &tx)
	if errors.Is(err, errSlotMoved) {
		cur, rerr := c.Slot(ctx, s.ID)
		if rerr != nil {
			return rerr
		}
		if cur.Capacity == old.Capacity {
			return booking.ErrCapacityBelow
		}
		return fmt.Errorf("update slot %s: changed meanwhile: %w", s.ID, fault.ErrConflict)
	}
	return err
}

// errSlotMoved is UpdateSlot's failed condition: the capacity changed, or the places
// taken meanwhile leave too few for the reduction (a read says which).
var errSlotMoved = errors.New("slot's capacity or free places moved")

// SlotsOfKind returns every scheduled slot of a kind, by start time.
func (c *Catalog) SlotsOfKind(ctx context.Context, kind booking.Kind) ([]booking.Slot, error) {
	entries, err := dynamo.QueryItems(ctx, c.DB, c.Table, "list slots", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.SlotsByKindPK(string(kind)), "")})
	if err != nil {
		return nil, err
	}
	listed, err := c.listed(ctx, "list slots", entries)
	if err != nil {
		return nil, err
	}
	return c.countAll(ctx, dynamo.Convert(listed, func(l listedSlot) booking.Slot { return l.slot }))
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

// listedSlot is a slot read from its listing entry, with the entry's GSI1SK.
type listedSlot struct {
	sk   string
	slot booking.Slot
}

// listed reads the slots of listing entries (GSI1 items under SLOTS#<kind>, in the order
// given) from their slot items, which hold the settings and the counter: one
// BatchGetItem, eventually consistent as the index is. A slot gone meanwhile is left
// out; a slot listed by its own item (written before the entries) is read alike.
func (c *Catalog) listed(ctx context.Context, op string, entries []dynamo.Item) ([]listedSlot, error) {
	var (
		pks  []string
		sks  = map[string]string{}
		keys []dynamo.Item
	)
	for _, e := range entries {
		pk, _ := dynamo.StringAttr(e, "PK")
		if _, seen := sks[pk]; seen {
			continue
		}
		sks[pk], _ = dynamo.StringAttr(e, "GSI1SK")
		pks = append(pks, pk)
		keys = append(keys, dynamo.Key(pk, dynamo.SKSlot))
	}
	if len(keys) == 0 {
		return nil, nil
	}
	items, err := dynamo.BatchGet(ctx, c.DB, c.Table, op, keys, false)
	if err != nil {
		return nil, err
	}
	byPK := make(map[string]dynamo.Item, len(items))
	for _, it := range items {
		pk, _ := dynamo.StringAttr(it, "PK")
		byPK[pk] = it
	}
	out := make([]listedSlot, 0, len(pks))
	for _, pk := range pks {
		raw, ok := byPK[pk]
		if !ok {
			continue
		}
		s, err := DecodeSlot(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, listedSlot{sks[pk], s})
	}
	return out, nil
}

// ErrCursorInvalid is a listing cursor this store did not make.
var ErrCursorInvalid = fault.New(fault.Invalid, "cursor_invalid", "分页参数无效")

// Upcoming queries GSI1 once per kind (GSI1PK SLOTS#<kind>, GSI1SK between the cursor or
// the start of the range and its end), merges the kinds' listing entries by start time,
// cuts the page and reads its slots (listed). The cursor is the last slot's GSI1SK,
// opaque to clients.
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
	var entries []dynamo.Item
	for _, kind := range q.Kinds {
		cond := expression.Key("GSI1PK").Equal(expression.Value(dynamo.SlotsByKindPK(string(kind)))).
			And(expression.Key("GSI1SK").Between(expression.Value(lo), expression.Value(hi)))
		page, _, err := dynamo.QueryPage(ctx, c.DB, c.Table, "upcoming slots", dynamo.Query{Index: "GSI1", Key: cond, Limit: int32(q.Limit + 2)}, nil)
		if err != nil {
			return nil, "", err
		}
		for _, e := range page {
			if sk, _ := dynamo.StringAttr(e, "GSI1SK"); sk != after {
				entries = append(entries, e)
			}
		}
	}
	gsk := func(e dynamo.Item) string { sk, _ := dynamo.StringAttr(e, "GSI1SK"); return sk }
	slices.SortFunc(entries, func(a, b dynamo.Item) int { return cmpString(gsk(a), gsk(b)) })
	// The page and one more, to know whether there is a next page: only those are read.
	entries = entries[:min(len(entries), q.Limit+1)]
	all, err := c.listed(ctx, "upcoming slots", entries)
	if err != nil {
		return nil, "", err
	}
	all = slices.DeleteFunc(all, func(l listedSlot) bool { return l.slot.Status == booking.SlotCancelled })
	next := ""
	if len(all) > q.Limit {
		all = all[:q.Limit]
		next = base64.RawURLEncoding.EncodeToString([]byte(all[len(all)-1].sk))
	}
	slots := make([]booking.Slot, len(all))
	for i, l := range all {
		slots[i] = l.slot
	}
	slots, err = c.countAll(ctx, slots)
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
// Query of GSI1 per kind (cancelled slots leave the index), then their slots (listed).
func (c *Catalog) SessionsBetween(ctx context.Context, from, to time.Time) ([]booking.Slot, error) {
	var out []booking.Slot
	for _, kind := range booking.Kinds {
		key := expression.Key("GSI1PK").Equal(expression.Value(dynamo.SlotsByKindPK(string(kind)))).
			And(expression.Key("GSI1SK").Between(expression.Value(dynamo.TimeKey(from)), expression.Value(dynamo.TimeKey(to.Add(-time.Second))+"~")))
		entries, err := dynamo.QueryItems(ctx, c.DB, c.Table, "list sessions", dynamo.Query{Index: "GSI1", Key: key})
		if err != nil {
			return nil, err
		}
		listed, err := c.listed(ctx, "list sessions", entries)
		if err != nil {
			return nil, err
		}
		for _, l := range listed {
			if s := l.slot; !s.StartsAt.Before(from) && s.StartsAt.Before(to) && s.Status != booking.SlotCancelled {
				out = append(out, s)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b booking.Slot) int { return a.StartsAt.Compare(b.StartsAt) })
	return c.countAll(ctx, out)
}
