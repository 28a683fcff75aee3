package dynamo_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/fault"
)

func TestFormatError(t *testing.T) {
	tbl := dynamotest.New(t)
	if err := tbl.PutKey(t, "A", nil); err != nil {
		t.Fatal(err)
	}
	notExists := expression.AttributeNotExists(expression.Name("PK"))
	err := tbl.PutKey(t, "A", &notExists)
	if !errors.Is(err, dynamo.ErrConditionFailed) || fault.KindOf(err) != fault.Conflict {
		t.Errorf("conditional put of an existing item = %v (kind %v), want a conflict", err, fault.KindOf(err))
	}

	restore := tbl.FailAll(t)
	err = tbl.PutKey(t, "B", nil)
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
	if err := tbl.PutKey(t, "TAKEN", nil); err != nil {
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
