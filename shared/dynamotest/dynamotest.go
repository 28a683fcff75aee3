// Package dynamotest gives each test a fresh table in the embedded engine (minidyn's
// DynamoDB HTTP server on loopback), created exactly as template.yaml defines it and
// reached through the real aws-sdk-go-v2 client.
package dynamotest

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/truora/minidyn/server"

	"github.com/wentitong/wentitong/shared/dynamo"
)

// TableName is the name of the test table.
const TableName = "wentitong-test"

// Table is a fresh table in its own embedded engine.
type Table struct {
	DB      *dynamodb.Client
	Name    string
	URL     string // the engine's endpoint (DYNAMODB_ENDPOINT)
	Engine  *server.Server
	Counter *dynamo.Counter
}

// New starts an embedded engine for the test, creates the table from template.yaml and
// returns it; the engine stops when the test ends. The client retries a failing call
// three times with a 1 ms pause, so tests with injected faults stay fast.
func New(tb testing.TB) *Table {
	tb.Helper()
	engine := server.NewServer()
	srv := httptest.NewServer(engine)
	tb.Cleanup(srv.Close)
	counter := dynamo.NewCounter()
	ctx := context.Background()
	db, err := dynamo.NewClient(ctx, dynamo.ClientOptions{Endpoint: srv.URL, Counter: counter, RetryBackoff: time.Millisecond})
	if err != nil {
		tb.Fatalf("dynamotest: client: %v", err)
	}
	if err := dynamo.EnsureTable(ctx, db, TableName); err != nil {
		tb.Fatalf("dynamotest: %v", err)
	}
	counter.Reset()
	return &Table{DB: db, Name: TableName, URL: srv.URL, Engine: engine, Counter: counter}
}

// FailAll makes every call to the engine fail with InternalServerError until the returned
// function is called (or the test ends).
func (t *Table) FailAll(tb testing.TB) (restore func()) {
	t.Engine.EmulateFailure(server.FailureConditionInternalServerError)
	restore = func() { t.Engine.EmulateFailure(server.FailureConditionNone) }
	tb.Cleanup(restore)
	return restore
}
