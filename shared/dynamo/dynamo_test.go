package dynamo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/fault"
)

func put(t *testing.T, tbl *dynamotest.Table, pk string, cond *expression.ConditionBuilder) error {
	t.Helper()
	in := &dynamodb.PutItemInput{
		TableName: aws.String(tbl.Name),
		Item: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: pk},
			"SK": &types.AttributeValueMemberS{Value: "X"},
		},
	}
	if cond != nil {
		expr, err := expression.NewBuilder().WithCondition(*cond).Build()
		if err != nil {
			t.Fatal(err)
		}
		in.ConditionExpression = expr.Condition()
		in.ExpressionAttributeNames = expr.Names()
	}
	_, err := tbl.DB.PutItem(context.Background(), in)
	return dynamo.FormatError("put", err)
}

func TestFormatError(t *testing.T) {
	tbl := dynamotest.New(t)
	if err := put(t, tbl, "A", nil); err != nil {
		t.Fatal(err)
	}
	notExists := expression.AttributeNotExists(expression.Name("PK"))
	err := put(t, tbl, "A", &notExists)
	if !errors.Is(err, dynamo.ErrConditionFailed) || fault.KindOf(err) != fault.Conflict {
		t.Errorf("conditional put of an existing item = %v (kind %v), want a conflict", err, fault.KindOf(err))
	}

	restore := tbl.FailAll(t)
	err = put(t, tbl, "B", nil)
	restore()
	if fault.KindOf(err) != fault.Unavailable {
		t.Errorf("put while the engine fails = %v (kind %v), want unavailable", err, fault.KindOf(err))
	}

	_, err = tbl.DB.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String("no-such-table"),
		Key:       map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "A"}, "SK": &types.AttributeValueMemberS{Value: "X"}},
	})
	if err := dynamo.FormatError("get", err); fault.KindOf(err) != fault.Internal {
		t.Errorf("get from a missing table = %v (kind %v), want internal", err, fault.KindOf(err))
	}
}

func TestTransactionCanceledReasons(t *testing.T) {
	tbl := dynamotest.New(t)
	tbl.Faults.Contend(false) // this test sends TransactWriteItems itself, once
	if err := put(t, tbl, "TAKEN", nil); err != nil {
		t.Fatal(err)
	}
	notExists, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name("PK"))).Build()
	if err != nil {
		t.Fatal(err)
	}
	putItem := func(pk string) types.TransactWriteItem {
		return types.TransactWriteItem{Put: &types.Put{
			TableName:                aws.String(tbl.Name),
			Item:                     map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: "X"}},
			ConditionExpression:      notExists.Condition(),
			ExpressionAttributeNames: notExists.Names(),
		}}
	}
	_, err = tbl.DB.TransactWriteItems(context.Background(), &dynamodb.TransactWriteItemsInput{
		TransactItems: []types.TransactWriteItem{putItem("FREE"), putItem("TAKEN")},
	})
	var tx *dynamo.TxCanceled
	if !errors.As(dynamo.FormatError("tx", err), &tx) {
		t.Fatalf("FormatError(%v) is not a *TxCanceled", err)
	}
	if tx.Failed(0) || !tx.Failed(1) || tx.Transient() {
		t.Errorf("reasons = %v, want item 1 alone to fail its condition", tx.Reasons)
	}
}

func TestCache(t *testing.T) {
	tbl := dynamotest.New(t)
	now := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	c := &dynamo.Cache{DB: tbl.DB, Table: tbl.Name, Now: func() time.Time { return now }}
	if got := c.Get("token"); got != nil {
		t.Fatalf("Get(token) on an empty cache = %v, want nil", got)
	}
	if err := c.Set("token", "abc", time.Hour); err != nil {
		t.Fatal(err)
	}
	// Another instance (another Cache value on the same table) sees it.
	other := &dynamo.Cache{DB: tbl.DB, Table: tbl.Name, Now: func() time.Time { return now }}
	if got := other.Get("token"); got != "abc" {
		t.Errorf("Get(token) from another instance = %v, want abc", got)
	}
	// A warm instance answers from memory: the table is not read again.
	reads := tbl.Counter.Snapshot()["GetItem"]
	if got := other.Get("token"); got != "abc" || tbl.Counter.Snapshot()["GetItem"] != reads {
		t.Errorf("second Get = %v after %d more reads, want abc from memory", got, tbl.Counter.Snapshot()["GetItem"]-reads)
	}
	now = now.Add(time.Hour)
	if got := c.Get("token"); got != nil || c.IsExist("token") {
		t.Errorf("Get(token) after expiry = %v, want nil", got)
	}
	now = now.Add(-time.Minute)
	if err := c.Delete("token"); err != nil {
		t.Fatal(err)
	}
	if got := c.Get("token"); got != nil {
		t.Errorf("Get(token) after Delete = %v, want nil", got)
	}
	if err := c.Set("token", struct{}{}, time.Hour); err == nil {
		t.Error("Set with a struct value = nil error, want an error")
	}
	restore := tbl.FailAll(t)
	defer restore()
	if got := c.Get("token"); got != nil {
		t.Errorf("Get while the table fails = %v, want nil (the caller fetches a fresh token)", got)
	}
	if err := c.Set("token", "x", time.Hour); fault.KindOf(err) != fault.Unavailable {
		t.Errorf("Set while the table fails = %v, want unavailable", err)
	}
}
