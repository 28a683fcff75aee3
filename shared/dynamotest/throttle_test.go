package dynamotest_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/fault"
)

// The throttle refuses a second write of an item, or of an index partition, within a
// window spent by the first, with the error the SDK's retryer counts as throttling; other
// items and later windows are not affected; a transaction on a hot item is cancelled with
// ThrottlingError, which dynamo.Transact retries and then reports unavailable.
func TestThrottleLimitsEachItemAndIndexPartition(t *testing.T) {
	tbl := dynamotest.New(t)
	tbl.Faults.Contend(false)
	var clock atomic.Int64
	tbl.Throttle.Clock = func(*http.Request) time.Duration { return time.Duration(clock.Load()) }
	tbl.Throttle.Limit(10, 30, 100*time.Millisecond) // 1 write unit, 3 read units a window
	ctx := context.Background()
	at := func(window int) { clock.Store(int64(window) * int64(100*time.Millisecond)) }
	put := func(pk, gsi1 string) error {
		it := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: "X"}}
		if gsi1 != "" {
			it["GSI1PK"] = &types.AttributeValueMemberS{Value: gsi1}
			it["GSI1SK"] = &types.AttributeValueMemberS{Value: pk}
		}
		_, err := tbl.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(tbl.Name), Item: it})
		return err
	}
	update := func(pk string) error {
		_, err := dynamo.Update(ctx, tbl.DB, tbl.Name, "touch", pk, "X", expression.Add(expression.Name("n"), expression.Value(1)),
			expression.ConditionBuilder{}, types.ReturnValueNone)
		return err
	}
	throttled := func(what string, err error) {
		t.Helper()
		var pte *types.ProvisionedThroughputExceededException
		if !errors.As(err, &pte) {
			t.Fatalf("%s: %v, want ProvisionedThroughputExceededException", what, err)
		}
		if retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) != aws.TrueTernary {
			t.Fatalf("%s: the SDK does not see %v as throttling", what, err)
		}
	}

	at(0)
	if err := put("A", ""); err != nil {
		t.Fatal(err)
	}
	throttled("second write of A", put("A", ""))
	if err := put("B", ""); err != nil {
		t.Fatalf("another item: %v", err)
	}
	at(1)
	if err := put("A", ""); err != nil {
		t.Fatalf("next window: %v", err)
	}
	for range 3 {
		if _, err := dynamo.GetItem(ctx, tbl.DB, tbl.Name, "read A", "A", "X", true); err != nil {
			t.Fatalf("reads within the read budget: %v", err)
		}
	}
	_, err := dynamo.GetItem(ctx, tbl.DB, tbl.Name, "read A", "A", "X", true)
	if !errors.Is(err, fault.ErrUnavailable) {
		t.Fatalf("fourth consistent read in a window: %v, want unavailable", err)
	}

	// C and D are two items under one index partition, HOT.
	at(2)
	if err := put("C", "HOT"); err != nil {
		t.Fatal(err)
	}
	throttled("a second item under the same index partition", put("D", "HOT"))
	at(3)
	if err := put("D", "HOT"); err != nil {
		t.Fatal(err)
	}
	at(4)
	if err := update("C"); err != nil {
		t.Fatal(err)
	}
	if err := update("D"); !errors.Is(err, fault.ErrUnavailable) {
		t.Fatalf("an update of another item of the index partition (all attributes projected): %v, want unavailable", err)
	}

	at(5)
	for i := range 2 {
		var tx dynamo.Tx
		tx.Update("B", "X", expression.Add(expression.Name("n"), expression.Value(1)), expression.ConditionBuilder{}, nil)
		err := dynamo.Transact(ctx, tbl.DB, tbl.Name, "one", &tx)
		if i == 0 && err != nil {
			t.Fatalf("a transaction on a cool item: %v", err)
		}
		if i == 1 && !errors.Is(err, fault.ErrUnavailable) {
			t.Fatalf("a transaction on an item whose window is spent: %v, want unavailable", err)
		}
	}
	if got := tbl.Throttle.Stats(); got.Throttled < 2+3+3+dynamo.TxAttempts || len(got.Hottest) == 0 {
		t.Fatalf("stats: %+v", got)
	}
}
