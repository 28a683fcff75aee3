package dynamo_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/fault"
)

var errTaken = errors.New("taken")

type testItem struct {
	PK string `dynamodbav:"PK"`
	SK string `dynamodbav:"SK"`
	N  int    `dynamodbav:"n"`
}

// pair is a transaction of two items: a new one (errTaken when it exists) and a counter.
func pair(id string) *dynamo.Tx {
	var tx dynamo.Tx
	tx.Put(testItem{PK: "T#" + id, SK: "A"}, expression.AttributeNotExists(expression.Name("PK")), errTaken)
	tx.Update("T#count", "C", expression.Add(expression.Name("n"), expression.Value(1)), expression.ConditionBuilder{}, nil)
	return &tx
}

func count(t *testing.T, tbl *dynamotest.Table) int {
	t.Helper()
	it, _, err := dynamo.Get[testItem](context.Background(), tbl.DB, tbl.Name, "count", "T#count", "C", true)
	if err != nil {
		t.Fatal(err)
	}
	return it.N
}

// Contention (TransactionConflict) is retried up to TxAttempts in all and the
// transaction then applies once; beyond that it is unavailable and nothing is written.
func TestTransactRetriesContention(t *testing.T) {
	ctx := context.Background()
	for conflicts := range dynamo.TxAttempts + 1 {
		tbl := dynamotest.New(t)
		tbl.Faults.Contend(false)
		tbl.Faults.Conflict(conflicts)
		err := dynamo.Transact(ctx, tbl.DB, tbl.Name, "pair", pair("a"))
		want := 1
		if conflicts >= dynamo.TxAttempts {
			want = 0
			if fault.KindOf(err) != fault.Unavailable {
				t.Errorf("%d conflicts: Transact = %v, want unavailable", conflicts, err)
			}
		} else if err != nil {
			t.Errorf("%d conflicts: Transact = %v, want nil", conflicts, err)
		}
		if got := count(t, tbl); got != want {
			t.Errorf("%d conflicts: counter = %d, want %d", conflicts, got, want)
		}
		if got, want := tbl.Faults.Conflicted(), int64(min(conflicts, dynamo.TxAttempts)); got != want {
			t.Errorf("%d conflicts: %d calls cancelled, want %d", conflicts, got, want)
		}
	}
}

// A failed condition is the error its item names, and is not retried. (The embedded
// engine ignores ClientRequestToken, so Idempotent's reused error is not tested here.)
func TestTransactMapsReasons(t *testing.T) {
	ctx := context.Background()
	tbl := dynamotest.New(t)
	if err := dynamo.Transact(ctx, tbl.DB, tbl.Name, "pair", pair("a")); err != nil {
		t.Fatal(err)
	}
	before := tbl.Transactions()
	if err := dynamo.Transact(ctx, tbl.DB, tbl.Name, "pair", pair("a")); !errors.Is(err, errTaken) {
		t.Errorf("second pair = %v, want %v", err, errTaken)
	}
	if n := tbl.Transactions() - before; n != 1 {
		t.Errorf("a failed condition was sent %d times, want once", n)
	}
	if got := count(t, tbl); got != 1 {
		t.Errorf("counter = %d, want 1", got)
	}

	var del dynamo.Tx
	del.Delete("T#a", "A", expression.Name("n").Equal(expression.Value(7)), errTaken)
	if err := dynamo.Transact(ctx, tbl.DB, tbl.Name, "delete", &del); !errors.Is(err, errTaken) {
		t.Errorf("delete under a condition that fails = %v, want %v", err, errTaken)
	}
	del = dynamo.Tx{}
	del.Delete("T#a", "A", expression.AttributeExists(expression.Name("PK")), nil)
	if err := dynamo.Transact(ctx, tbl.DB, tbl.Name, "delete", &del); err != nil {
		t.Fatalf("delete = %v", err)
	}
	if _, found, err := dynamo.Get[testItem](ctx, tbl.DB, tbl.Name, "get", "T#a", "A", true); err != nil || found {
		t.Errorf("after delete: found %v, %v", found, err)
	}

	var tx dynamo.Tx
	tx.Check("T#count", "C", expression.AttributeNotExists(expression.Name("PK")), nil)
	err := dynamo.Transact(ctx, tbl.DB, tbl.Name, "check", &tx)
	var tc *dynamo.TxCanceled
	if !errors.Is(err, dynamo.ErrConditionFailed) || !errors.As(err, &tc) {
		t.Errorf("unnamed failed condition = %v, want ErrConditionFailed wrapping *TxCanceled", err)
	}
}

// Transact is the one place that calls TransactWriteItems: every multi-item write gets
// its retry of contention and its mapping of reasons.
func TestTransactIsTheOnlyCaller(t *testing.T) {
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != root) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(src), ".TransactWriteItems(") && filepath.ToSlash(path) != "../../shared/dynamo/tx.go" {
			t.Errorf("%s calls TransactWriteItems; use dynamo.Transact", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
