package dynamo

import (
	"cmp"
	"context"
	"hash/fnv"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Sharded is a platform-wide index key split over N keys. A partition of a global
// secondary index has a table partition's per-key limits (1,000 write units a second),
// and a throttled index write throttles the table write that caused it; so an index key
// that anyone's action may write (every outbox message, every suggestion, every
// check-in) is N keys, <Base>#<i>, an item's shard chosen from a hash of its id, and its
// readers fan over them with QueryShards, merging by the sort key.
type Sharded struct {
	Base string
	N    int
}

// PK is the index key of the item with this id: the same shard for every write of it,
// so an item that changes its sort key stays in its partition.
func (s Sharded) PK(id string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	return s.Base + "#" + strconv.Itoa(int(h.Sum32()%uint32(s.N)))
}

// PKs are the keys a reader fans over: the N shards, then Base itself, which items
// written before the split still carry until they next move.
func (s Sharded) PKs() []string {
	pks := make([]string, 0, s.N+1)
	for i := range s.N {
		pks = append(pks, s.Base+"#"+strconv.Itoa(i))
	}
	return append(pks, s.Base)
}

// DueBy is the key condition, for QueryShards, of the items of one key of index whose
// sort keys begin with a time (TimeKey) no later than t: "~" sorts after "#" and every
// character of an id, so every item due in t's second is in.
func DueBy(index string, t time.Time) func(pk string) expression.KeyConditionBuilder {
	due := TimeKey(t) + "~"
	return func(pk string) expression.KeyConditionBuilder {
		return expression.Key(index + "PK").Equal(expression.Value(pk)).And(expression.Key(index + "SK").LessThanEqual(expression.Value(due)))
	}
}

// Whole is the key condition, for QueryShards, of every item of one key of index.
func Whole(index string) func(pk string) expression.KeyConditionBuilder {
	return func(pk string) expression.KeyConditionBuilder { return Partition(index, pk, "") }
}

// QueryShards runs q on every key of s, key(pk) being q's key condition for one key, at
// once, and merges what they read in the order of the index's sort key (descending when
// q.Backward). With limit > 0 it reads at most limit items of each key and returns the
// first limit merged: what one Query with that Limit returned of the unsharded key. With
// 0 it reads every page of every key.
func QueryShards(ctx context.Context, db *dynamodb.Client, table, op string, s Sharded, q Query, key func(pk string) expression.KeyConditionBuilder, limit int) ([]Item, error) {
	pks := s.PKs()
	found := make([][]Item, len(pks))
	errs := make([]error, len(pks))
	var wg sync.WaitGroup
	for i, pk := range pks {
		wg.Go(func() {
			one := q
			one.Key = key(pk)
			if limit > 0 {
				one.Limit = int32(limit)
				found[i], _, errs[i] = QueryPage(ctx, db, table, op, one, nil)
				return
			}
			found[i], errs[i] = QueryItems(ctx, db, table, op, one)
		})
	}
	wg.Wait()
	var items []Item
	for i := range pks {
		if errs[i] != nil {
			return nil, errs[i]
		}
		items = append(items, found[i]...)
	}
	skName := "SK"
	if q.Index != "" {
		skName = q.Index + "SK"
	}
	slices.SortStableFunc(items, func(a, b Item) int {
		x, _ := StringAttr(a, skName)
		y, _ := StringAttr(b, skName)
		if q.Backward {
			return cmp.Compare(y, x)
		}
		return cmp.Compare(x, y)
	})
	if limit > 0 && len(items) > limit {
		items = items[:limit]
	}
	return items, nil
}

// QueryShardsAll is QueryShards of every item, as Ts (never nil).
func QueryShardsAll[T any](ctx context.Context, db *dynamodb.Client, table, op string, s Sharded, q Query, key func(pk string) expression.KeyConditionBuilder) ([]T, error) {
	items, err := QueryShards(ctx, db, table, op, s, q, key, 0)
	if err != nil {
		return nil, err
	}
	return unmarshalAll[T](op, items)
}
