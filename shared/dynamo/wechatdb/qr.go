package wechatdb

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/dynamo"
)

// QRBudget counts the permanent QR codes created (PK COUNTER#QR_PERMANENT, SK COUNTER)
// against WeChat's limit, with one conditional UpdateItem per code.
type QRBudget struct {
	DB    *dynamodb.Client
	Table string
	Limit int // the most codes that may be created (wechat.MaxPermanentQR)
}

// Take counts one more code; it returns false, counting nothing, when Limit codes were
// created already.
func (b *QRBudget) Take(ctx context.Context) (bool, error) {
	limit := b.Limit
	expr, err := expression.NewBuilder().
		WithUpdate(expression.Add(expression.Name("n"), expression.Value(1))).
		WithCondition(expression.AttributeNotExists(expression.Name("n")).Or(expression.Name("n").LessThan(expression.Value(limit)))).
		Build()
	if err != nil {
		return false, fmt.Errorf("count qr code: %w", err)
	}
	_, err = b.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(b.Table),
		Key: dynamo.Item{"PK": &types.AttributeValueMemberS{Value: dynamo.CounterPK(dynamo.CounterQRPermanent)},
			"SK": &types.AttributeValueMemberS{Value: dynamo.SKCounter}},
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return false, nil
	}
	return err == nil, dynamo.FormatError("count qr code", err)
}

// Sequences hands out numbers one after another per name (PK COUNTER#<name>, SK
// COUNTER): human references such as a day's feedback numbers.
type Sequences struct {
	DB    *dynamodb.Client
	Table string
}

// Next returns the next number of the sequence name, from 1 (one UpdateItem). A number
// whose use then fails is not given again: references may skip, never repeat.
func (s *Sequences) Next(ctx context.Context, name string) (int, error) {
	expr, err := expression.NewBuilder().WithUpdate(expression.Add(expression.Name("n"), expression.Value(1))).Build()
	if err != nil {
		return 0, fmt.Errorf("next %s: %w", name, err)
	}
	out, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.Table),
		Key: dynamo.Item{"PK": &types.AttributeValueMemberS{Value: dynamo.CounterPK(name)},
			"SK": &types.AttributeValueMemberS{Value: dynamo.SKCounter}},
		UpdateExpression:          expr.Update(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return 0, dynamo.FormatError("next "+name, err)
	}
	n, ok := out.Attributes["n"].(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("next %s: no number answered", name)
	}
	return strconv.Atoi(n.Value)
}
