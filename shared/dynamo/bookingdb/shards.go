package bookingdb

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/fault"
)

// A hot session's places (booking.Slot.HotShards) are split over counter shards, items
// of their own (docs/decisions.md, "Hot sessions over counter shards"): a confirmed
// booking takes its places from one shard, picked at random, rather than from the
// session's item, which stays the session's settings and a reserve of places (its Free:
// places added later, until a shard runs short and takes them). The places free are
// the reserve's and the shards' together; the places booked are the capacity less them.
// Every shard carries the revision of the session's settings, so that a booking checked
// against remembered settings is written only while they hold, without touching the
// session's item.

// shardItem is one counter shard.
type shardItem struct {
	dynamo.Keys
	SlotID string `dynamodbav:"slotId"`
	Free   int    `dynamodbav:"Free"`
	Rev    int64  `dynamodbav:"Rev"`
}

// shardRounds bounds how often a booking looks for another shard, or gathers places
// into one, before it answers that the service is busy (never that the session is full
// while places are left).
const shardRounds = 6

// split shares free places over n shards: the first free%n one more.
func split(free, n int) []int {
	parts := make([]int, n)
	for i := range parts {
		parts[i] = free / n
		if i < free%n {
			parts[i]++
		}
	}
	return parts
}

// putShards adds to tx the shards of the hot slot s, sharing free places, at the
// revision rev.
func putShards(tx *dynamo.Tx, s booking.Slot, free int, rev int64) {
	for i, n := range split(free, s.HotShards) {
		tx.Put(shardItem{Keys: dynamo.Keys{PK: dynamo.SlotShardPK(s.ID, i), SK: dynamo.SKSlotShard}, SlotID: s.ID, Free: n, Rev: rev},
			expression.ConditionBuilder{}, nil)
	}
}

// shardState is a hot slot's counters as read: each shard's free places and revision,
// and the reserve on the slot's item.
type shardState struct {
	free    []int
	revs    []int64
	reserve int
}

func (st shardState) total() int {
	n := st.reserve
	for _, f := range st.free {
		n += f
	}
	return n
}

// readShards reads the slot's item and its shards with one BatchGetItem.
func readShards(ctx context.Context, db *dynamodb.Client, table string, s booking.Slot, consistent bool) (shardState, error) {
	keys := []dynamo.Item{dynamo.Key(dynamo.SlotPK(s.ID), dynamo.SKSlot)}
	for i := range s.HotShards {
		keys = append(keys, dynamo.Key(dynamo.SlotShardPK(s.ID, i), dynamo.SKSlotShard))
	}
	items, err := dynamo.BatchGet(ctx, db, table, "read shards of "+s.ID, keys, consistent)
	if err != nil {
		return shardState{}, err
	}
	st := shardState{free: make([]int, s.HotShards), revs: make([]int64, s.HotShards)}
	for i := range st.revs {
		st.revs[i] = -1 // missing
	}
	for _, raw := range items {
		if sk, _ := dynamo.StringAttr(raw, "SK"); sk == dynamo.SKSlot {
			var it slotItem
			if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
				return shardState{}, fmt.Errorf("read shards of %s: %w", s.ID, err)
			}
			st.reserve = it.Free
			continue
		}
		var it shardItem
		if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
			return shardState{}, fmt.Errorf("read shards of %s: %w", s.ID, err)
		}
		for i := range s.HotShards {
			if dynamo.SlotShardPK(s.ID, i) == it.PK {
				st.free[i], st.revs[i] = it.Free, it.Rev
			}
		}
	}
	return st, nil
}

// counted returns the hot slot s with its places booked counted from its counters
// (capacity less the places free); any other slot as it is.
func counted(ctx context.Context, db *dynamodb.Client, table string, s booking.Slot, consistent bool) (booking.Slot, error) {
	if !s.Hot() {
		return s, nil
	}
	st, err := readShards(ctx, db, table, s, consistent)
	if err != nil {
		return s, err
	}
	s.Booked = max(0, s.Capacity-st.total())
	return s, nil
}

// takeShard adds to tx the move of party places out of shard i of slot while it has
// them and the session keeps slot's settings (ErrFull otherwise).
func takeShard(tx *dynamo.Tx, slot booking.Slot, i, party int) {
	cond := expression.Name("Rev").Equal(expression.Value(slot.Rev)).
		And(expression.Name("Free").GreaterThanEqual(expression.Value(party)))
	tx.Update(dynamo.SlotShardPK(slot.ID, i), dynamo.SKSlotShard, expression.Add(expression.Name("Free"), expression.Value(-party)), cond, booking.ErrFull)
}

// giveShard adds to tx the return of b's places to a shard of its hot slot: the shard
// its id hashes to (any shard would do: the shards only count what is free).
func giveShard(tx *dynamo.Tx, b booking.Booking, shards int) {
	h := fnv.New32a()
	_, _ = h.Write([]byte(b.ID))
	i := int(h.Sum32() % uint32(shards))
	tx.Update(dynamo.SlotShardPK(b.SlotID, i), dynamo.SKSlotShard, expression.Add(expression.Name("Free"), expression.Value(b.PartySize)),
		expression.AttributeExists(expression.Name("PK")), nil)
}

// onShards writes a confirmed booking of party places at the hot slot with write(i),
// which takes them from shard i (takeShard) in its transaction: first a shard at
// random; when that one has too few, another that has enough, as a read of the
// counters shows; when none has enough on its own but together they have (the last
// places, spread thin, or places added to the reserve), it gathers them into one
// (gather) and takes them there. It returns ErrFull when the counters have fewer than
// party places, or the session's settings changed (the shards' revision is not slot's);
// fault.ErrUnavailable when others kept taking the places it found.
func (s *Bookings) onShards(ctx context.Context, slot booking.Slot, party int, write func(shard int) error) error {
	try := rand.IntN(slot.HotShards)
	for round := 0; ; round++ {
		err := write(try)
		if !errors.Is(err, booking.ErrFull) {
			return err
		}
		if round == shardRounds {
			return fmt.Errorf("book %s: the shards kept changing: %w", slot.ID, fault.ErrUnavailable)
		}
		st, err := readShards(ctx, s.DB, s.Table, slot, true)
		if err != nil {
			return err
		}
		for _, rev := range st.revs {
			if rev != slot.Rev {
				return booking.ErrFull // other settings: the service reads them again
			}
		}
		if st.total() < party {
			return booking.ErrFull
		}
		fits := []int{}
		for i, f := range st.free {
			if f >= party {
				fits = append(fits, i)
			}
		}
		if len(fits) > 0 {
			try = fits[rand.IntN(len(fits))]
			continue
		}
		try = rand.IntN(slot.HotShards)
		if err := s.gather(ctx, slot, st, try, party); err != nil && !errors.Is(err, dynamo.ErrConditionFailed) {
			return err
		}
	}
}

// gather moves party places into shard to from the reserve and the other shards, as st
// read them, in one transaction whose conditions keep every counter at zero or above: a
// counter that changed since makes it fail (dynamo.ErrConditionFailed) and the caller
// reads again.
func (s *Bookings) gather(ctx context.Context, slot booking.Slot, st shardState, to, party int) error {
	var tx dynamo.Tx
	need := party - st.free[to]
	take := func(pk, sk string, n int) {
		cond := expression.Name("Free").GreaterThanEqual(expression.Value(n))
		tx.Update(pk, sk, expression.Add(expression.Name("Free"), expression.Value(-n)), cond, nil)
		need -= n
	}
	if n := min(need, st.reserve); n > 0 {
		take(dynamo.SlotPK(slot.ID), dynamo.SKSlot, n)
	}
	for i, f := range st.free {
		if n := min(need, f); i != to && n > 0 {
			take(dynamo.SlotShardPK(slot.ID, i), dynamo.SKSlotShard, n)
		}
	}
	moved := party - st.free[to] - need
	tx.Update(dynamo.SlotShardPK(slot.ID, to), dynamo.SKSlotShard, expression.Add(expression.Name("Free"), expression.Value(moved)),
		expression.Name("Rev").Equal(expression.Value(slot.Rev)), nil)
	return dynamo.Transact(ctx, s.DB, s.Table, "gather places of "+slot.ID, &tx)
}

// updateHot is UpdateSlot for a slot that is or becomes hot, in one transaction: the
// slot's item takes the settings (upd, under the old capacity and revision), and every
// shard the new revision. A slot becoming hot moves its free places into new shards; a
// hot slot's capacity grows in the reserve and shrinks from the reserve first, then from
// the shards, each under a condition that it still has them (ErrCapacityBelow when
// they have not enough).
func (c *Catalog) updateHot(ctx context.Context, old, s booking.Slot, upd expression.UpdateBuilder) error {
	if old.Hot() && s.HotShards != old.HotShards {
		return booking.ErrHotFixed
	}
	var tx dynamo.Tx
	cond := expression.Name("Capacity").Equal(expression.Value(old.Capacity)).And(sameRev(old.Rev))
	rev := old.Rev + 1
	delta := s.Capacity - old.Capacity
	if !old.Hot() {
		// The slot's free places, all of them, into the new shards.
		free := old.Capacity - old.Booked
		cond = cond.And(expression.Name("Free").Equal(expression.Value(free)))
		upd = upd.Set(expression.Name("Free"), expression.Value(0))
		if free+delta < 0 {
			return booking.ErrCapacityBelow
		}
		tx.Update(dynamo.SlotPK(s.ID), dynamo.SKSlot, upd, cond, nil)
		putShards(&tx, s, free+delta, rev)
		return c.transactUpdate(ctx, s, &tx)
	}
	st, err := readShards(ctx, c.DB, c.Table, old, true)
	if err != nil {
		return err
	}
	if st.total()+delta < 0 {
		return booking.ErrCapacityBelow
	}
	fromReserve := 0
	if delta > 0 {
		upd = upd.Add(expression.Name("Free"), expression.Value(delta))
	} else {
		fromReserve = min(-delta, st.reserve)
		upd = upd.Add(expression.Name("Free"), expression.Value(-fromReserve))
		cond = cond.And(expression.Name("Free").GreaterThanEqual(expression.Value(fromReserve)))
	}
	tx.Update(dynamo.SlotPK(s.ID), dynamo.SKSlot, upd, cond, nil)
	need := max(0, -delta) - fromReserve
	for i, f := range st.free {
		shard := expression.Set(expression.Name("Rev"), expression.Value(rev))
		shardCond := expression.AttributeExists(expression.Name("PK"))
		if n := min(need, f); n > 0 {
			shard = shard.Add(expression.Name("Free"), expression.Value(-n))
			shardCond = shardCond.And(expression.Name("Free").GreaterThanEqual(expression.Value(n)))
			need -= n
		}
		tx.Update(dynamo.SlotShardPK(s.ID, i), dynamo.SKSlotShard, shard, shardCond, nil)
	}
	return c.transactUpdate(ctx, s, &tx)
}

// transactUpdate runs a hot slot's update with its listing entry: a failed condition means the slot or its
// counters changed since they were read.
func (c *Catalog) transactUpdate(ctx context.Context, s booking.Slot, tx *dynamo.Tx) error {
	list(tx, s)
	err := dynamo.Transact(ctx, c.DB, c.Table, "update slot "+s.ID, tx)
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return fmt.Errorf("update slot %s: changed meanwhile: %w", s.ID, fault.ErrConflict)
	}
	return err
}
