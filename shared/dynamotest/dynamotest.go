// Package dynamotest gives each test a fresh table in the embedded engine (minidyn's
// DynamoDB HTTP server on loopback), created exactly as template.yaml defines it and
// reached through the real aws-sdk-go-v2 client.
package dynamotest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/truora/minidyn/server"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamodev"
)

// TableName is the name of the test table.
const TableName = "wentitong-test"

// Table is a fresh table in its own embedded engine.
type Table struct {
	DB      *dynamodb.Client
	Name    string
	URL     string // the engine's endpoint (DYNAMODB_ENDPOINT)
	Engine  *server.Server
	Counter *dynamodev.CallCounter
	// Faults injects errors into a share of the calls (off until its Set).
	Faults *Faults
	// Throttle answers calls beyond DynamoDB's per-item limits with its throttling
	// errors (off until its Limit).
	Throttle *Throttle
	// Stream records the items each write changed, for stream consumers
	// (Stream.Deliver hands them over as DynamoDB Streams would).
	Stream *Stream
}

// New starts an embedded engine for the test, creates the table from template.yaml and
// returns it; the engine stops when the test ends. The client retries a failing call
// three times with a 1 ms pause, so tests with injected faults stay fast.
func New(tb testing.TB) *Table {
	tb.Helper()
	engine := server.NewServer()
	stream := NewStream(engine)
	throttle, err := NewThrottle(stream)
	if err != nil {
		tb.Fatalf("dynamotest: %v", err)
	}
	faults := &Faults{next: throttle}
	srv := httptest.NewServer(faults)
	tb.Cleanup(srv.Close)
	counter := dynamodev.NewCallCounter()
	ctx := context.Background()
	db, err := dynamo.NewClient(ctx, dynamo.ClientOptions{Endpoint: srv.URL, APIOptions: counter.APIOptions(), RetryBackoff: time.Millisecond})
	if err != nil {
		tb.Fatalf("dynamotest: client: %v", err)
	}
	if err := dynamodev.EnsureTable(ctx, db, TableName); err != nil {
		tb.Fatalf("dynamotest: %v", err)
	}
	counter.Reset()
	stream.Take() // creating the table changed no item
	if os.Getenv("DYNAMOTEST_CONTENTION") != "" {
		faults.Contend(true)
	}
	return &Table{DB: db, Name: TableName, URL: srv.URL, Engine: engine, Counter: counter, Faults: faults, Throttle: throttle, Stream: stream}
}

// Transactions returns how many TransactWriteItems calls the engine answered, not
// counting those Faults cancelled by contention.
func (t *Table) Transactions() int64 {
	return t.Counter.Snapshot()["TransactWriteItems"] - t.Faults.Conflicted()
}

// PutKey puts an item with only its keys (pk, SK "X"), on condition cond when it is not
// nil, and returns the error as the adapter formats it.
func (t *Table) PutKey(tb testing.TB, pk string, cond *expression.ConditionBuilder) error {
	tb.Helper()
	in := &dynamodb.PutItemInput{
		TableName: aws.String(t.Name),
		Item: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: pk},
			"SK": &types.AttributeValueMemberS{Value: "X"},
		},
	}
	if cond != nil {
		expr, err := expression.NewBuilder().WithCondition(*cond).Build()
		if err != nil {
			tb.Fatal(err)
		}
		in.ConditionExpression = expr.Condition()
		in.ExpressionAttributeNames = expr.Names()
	}
	_, err := t.DB.PutItem(context.Background(), in)
	return dynamo.FormatError("put", err)
}

// WantAttributes fails the test unless the stored item's attributes are named want, in
// any order: what a store test pins so that a renamed domain field cannot rename stored
// data.
func (t *Table) WantAttributes(tb testing.TB, pk, sk string, want ...string) {
	tb.Helper()
	out, err := t.DB.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(t.Name),
		Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: sk}}})
	if err != nil {
		tb.Fatal(err)
	}
	got := make([]string, 0, len(out.Item))
	for n := range out.Item {
		got = append(got, n)
	}
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		tb.Errorf("%s %s attributes = %q, want %q", pk, sk, got, want)
	}
}

// FailAll makes every call to the engine fail with InternalServerError until the returned
// function is called (or the test ends).
func (t *Table) FailAll(tb testing.TB) (restore func()) {
	t.Engine.EmulateFailure(server.FailureConditionInternalServerError)
	restore = func() { t.Engine.EmulateFailure(server.FailureConditionNone) }
	tb.Cleanup(restore)
	return restore
}

// Faults stands in front of an engine and fails a share of the calls with the
// InternalServerError that minidyn's EmulateFailure answers (which fails every call, so
// it cannot model a flaky DynamoDB). Half the failures happen before the engine sees the
// call; the other half after it applied the call, with the answer lost: the case that
// makes a retry dangerous and idempotency necessary.
type Faults struct {
	next       http.Handler
	mu         sync.Mutex
	rate       float64
	rnd        *rand.Rand
	injected   int64
	conflicts  int               // TransactWriteItems calls still to cancel with TransactionConflict
	contend    bool              // cancel the first attempt of every transaction
	seen       map[[32]byte]bool // the transactions cancelled once, by their request body
	conflicted int64             // how many calls were cancelled
	lost       int64             // transactions applied whose answer was lost
}

// NewFaults returns a fault injector in front of next, off until Set.
func NewFaults(next http.Handler) *Faults { return &Faults{next: next} }

// Set makes a share rate (0 to 1) of the calls fail, drawn from seed.
func (f *Faults) Set(rate float64, seed uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rate, f.rnd = rate, rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// Injected returns how many calls failed by injection so far.
func (f *Faults) Injected() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.injected
}

// Lost returns how many TransactWriteItems calls the engine applied while their answer
// was lost, so far.
func (f *Faults) Lost() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lost
}

// draw decides a call's fate: fail it, and if so before or after the engine applies it.
func (f *Faults) draw() (fail, after bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rate <= 0 || f.rnd.Float64() >= f.rate {
		return false, false
	}
	f.injected++
	return true, f.rnd.IntN(2) == 1
}

// Conflict cancels the next n TransactWriteItems calls with TransactionConflict, as
// DynamoDB does when another transaction or write holds one of the items, before the
// engine sees them: the contention the transaction runner retries.
func (f *Faults) Conflict(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.conflicts = n
}

// Contend(true) cancels the first attempt of every transaction from now on with
// TransactionConflict, and lets the same transaction through when it is sent again: every
// multi-item write meets contention once. Setting DYNAMOTEST_CONTENTION=1 turns it on for
// every table New makes (CI runs the race tests so); Contend(false) turns it off, for a
// test that counts the calls itself.
func (f *Faults) Contend(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.contend, f.seen = on, map[[32]byte]bool{}
}

// Conflicted returns how many calls Conflict and Contend cancelled so far.
func (f *Faults) Conflicted() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.conflicted
}

// conflict reports whether to cancel this call by contention.
func (f *Faults) conflict(r *http.Request) bool {
	if !strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".TransactWriteItems") {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.conflicts > 0:
		f.conflicts--
	case f.contend:
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return false
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		// The SDK writes maps in random order: the same transaction sent again is the
		// same JSON value, not the same bytes.
		var v any
		if json.Unmarshal(body, &v) == nil {
			body, _ = json.Marshal(v)
		}
		sum := sha256.Sum256(body)
		if f.seen[sum] {
			return false
		}
		f.seen[sum] = true
	default:
		return false
	}
	f.conflicted++
	return true
}

func (f *Faults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.conflict(r) {
		writeConflict(w, r)
		return
	}
	fail, after := f.draw()
	if !fail {
		f.next.ServeHTTP(w, r)
		return
	}
	if after {
		rec := httptest.NewRecorder()
		f.next.ServeHTTP(rec, r)
		if rec.Code == http.StatusOK && strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".TransactWriteItems") {
			f.mu.Lock()
			f.lost++
			f.mu.Unlock()
		}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"injected fault"}`))
}

// writeConflict answers a TransactWriteItems with the TransactionCanceledException
// DynamoDB sends when contention cancels it: the first item TransactionConflict, the
// others None.
func writeConflict(w http.ResponseWriter, r *http.Request) {
	var in struct{ TransactItems []json.RawMessage }
	_ = json.NewDecoder(r.Body).Decode(&in)
	writeCanceled(w, len(in.TransactItems), 0, "TransactionConflict", "Transaction is ongoing for the item")
}

// writeCanceled answers a TransactWriteItems of n items with a TransactionCanceledException
// whose reason for item is code (with message), None for the others.
func writeCanceled(w http.ResponseWriter, n, item int, code, message string) {
	type reason struct{ Code, Message string }
	reasons := make([]reason, max(n, item+1))
	codes := make([]string, len(reasons))
	for i := range reasons {
		reasons[i], codes[i] = reason{Code: "None"}, "None"
	}
	reasons[item] = reason{Code: code, Message: message}
	codes[item] = code
	body, _ := json.Marshal(map[string]any{
		"__type":              "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
		"Message":             "Transaction cancelled, please refer cancellation reasons for specific reasons [" + strings.Join(codes, ", ") + "]",
		"CancellationReasons": reasons,
	})
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write(body)
}
