package dynamo_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamotest"
)

// Items of a sharded index key spread over its shards, the same id always to the same
// one, and a fanned-out query reads them back as one partition did: in sort-key order
// either way, the first limit of them, with items still under the unsharded key.
func TestQueryShards(t *testing.T) {
	tbl := dynamotest.New(t)
	ctx := context.Background()
	s := dynamo.Sharded{Base: "TEST#OPEN", N: 4}
	type item struct {
		PK, SK, GSI1PK, GSI1SK string
	}
	var want []string
	used := map[string]int{}
	for i := range 40 {
		id := fmt.Sprintf("id-%02d", i)
		pk := s.PK(id)
		if pk != s.PK(id) || !slices.Contains(s.PKs(), pk) {
			t.Fatalf("PK(%s) = %s, not stable or not among %v", id, pk, s.PKs())
		}
		if i%10 == 9 {
			pk = s.Base // written before the split
		}
		used[pk]++
		sk := fmt.Sprintf("2026-11-%02dT00:00:00Z#%s", 1+(i*7)%28, id)
		want = append(want, sk)
		if err := dynamo.Put(ctx, tbl.DB, tbl.Name, "put", item{PK: "X#" + id, SK: "X", GSI1PK: pk, GSI1SK: sk}, expression.ConditionBuilder{}); err != nil {
			t.Fatal(err)
		}
	}
	if len(used) != s.N+1 {
		t.Errorf("40 ids used keys %v; want all %d shards and the base", used, s.N)
	}
	slices.Sort(want)
	key := func(pk string) expression.KeyConditionBuilder { return dynamo.Partition("GSI1", pk, "") }
	sks := func(items []dynamo.Item) []string {
		var out []string
		for _, it := range items {
			sk, _ := dynamo.StringAttr(it, "GSI1SK")
			out = append(out, sk)
		}
		return out
	}
	for _, tt := range []struct {
		backward bool
		limit    int
	}{{false, 0}, {true, 0}, {false, 7}, {true, 7}, {false, 100}} {
		items, err := dynamo.QueryShards(ctx, tbl.DB, tbl.Name, "list", s, dynamo.Query{Index: "GSI1", Backward: tt.backward}, key, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		exp := slices.Clone(want)
		if tt.backward {
			slices.Reverse(exp)
		}
		if tt.limit > 0 && tt.limit < len(exp) {
			exp = exp[:tt.limit]
		}
		if got := sks(items); !slices.Equal(got, exp) {
			t.Errorf("backward %v, limit %d: got %v\nwant %v", tt.backward, tt.limit, got, exp)
		}
	}
}
