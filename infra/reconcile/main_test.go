package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/infra/local/demo"
	"github.com/wentitong/wentitong/shared/apptest"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo/reportdb"
)

// The reconciliation finds the drift of counters written by hand and of changes the
// counters never took (records lost), repairs both with -fix, and then finds none.
func TestReconcile(t *testing.T) {
	a, tbl := apptest.Start(t, time.Date(2026, 11, 28, 13, 0, 0, 0, time.UTC))
	cfg := apptest.Config(tbl) // the reconciliation connects to the table's endpoint itself
	ctx := context.Background()
	if _, err := demo.SeedBase(ctx, a); err != nil {
		t.Fatal(err)
	}
	feed := tbl.MustFeed(t, "CountersFunction", a.Counters())
	svc := apptest.Bookings(t, a)
	if _, err := svc.Book(ctx, "o-r1", "a-film-wandering-earth-1", "k1", booking.Request{PartySize: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := feed.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	reconcile := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, args, cfg, &out, io.Discard)
		return out.String(), err
	}
	if out, err := reconcile("-period", "2026-11"); err != nil || !strings.Contains(out, "no drift") {
		t.Fatalf("reconcile after counting = %v\n%s", err, out)
	}

	// A booking whose change the counters never see, and a counter written by hand.
	if _, err := svc.Book(ctx, "o-r2", "a-film-wandering-earth-1", "k2", booking.Request{PartySize: 1}); err != nil {
		t.Fatal(err)
	}
	tbl.Stream.Take()
	if _, err := tbl.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(tbl.Name),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "METRIC#430203"}, "SK": &types.AttributeValueMemberS{Value: "2026-11"},
		},
		UpdateExpression:          aws.String("ADD attendance :n"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": &types.AttributeValueMemberN{Value: "100"}},
	}); err != nil {
		t.Fatal(err)
	}
	out, err := reconcile("-period", "2026-11")
	if !errors.Is(err, errDrift) || !strings.Contains(out, "430203 2026-11 attendance: counted 100, items say 0") ||
		!strings.Contains(out, "430203 2026-11 bookings: counted 2, items say 3") {
		t.Fatalf("reconcile with drift = %v\n%s", err, out)
	}
	if out, err := reconcile("-fix"); err != nil || !strings.Contains(out, "no drift left") {
		t.Fatalf("reconcile -fix = %v\n%s", err, out)
	}
	if out, err := reconcile(); err != nil || !strings.Contains(out, "no drift") {
		t.Fatalf("reconcile after the fix = %v\n%s", err, out)
	}
	m, err := (&reportdb.Metrics{DB: tbl.DB, Table: tbl.Name}).Metrics(ctx, "430200", "2026-11")
	if err != nil || m["bookings"] != 3 || m["attendance"] != 0 || m["uniqueResidents"] != 2 {
		t.Errorf("city counters after the fix = %v, %v; want 3 bookings of 2 residents, no attendance", m, err)
	}
	if _, err := reconcile("-period", "2026-13"); err == nil {
		t.Errorf("reconcile -period 2026-13 succeeded")
	}
}
