package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/wechat"
)

// QRBudget counts the permanent QR codes created (PK COUNTER#QR_PERMANENT, SK COUNTER)
// against WeChat's limit, with one conditional UpdateItem per code.
type QRBudget struct {
	DB    *dynamodb.Client
	Table string
	Limit int // default wechat.MaxPermanentQR
}

var _ wechat.PermanentBudget = (*QRBudget)(nil)

// Take counts one more code, or returns wechat.ErrQRBudget when the limit is reached.
func (b *QRBudget) Take(ctx context.Context) error {
	limit := b.Limit
	if limit == 0 {
		limit = wechat.MaxPermanentQR
	}
	expr, err := expression.NewBuilder().
		WithUpdate(expression.Add(expression.Name("n"), expression.Value(1))).
		WithCondition(expression.AttributeNotExists(expression.Name("n")).Or(expression.Name("n").LessThan(expression.Value(limit)))).
		Build()
	if err != nil {
		return fmt.Errorf("count qr code: %w", err)
	}
	_, err = b.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(b.Table),
		Key: Item{"PK": &types.AttributeValueMemberS{Value: counterPK(counterQRPermanent)},
			"SK": &types.AttributeValueMemberS{Value: skCounter}},
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return wechat.ErrQRBudget
	}
	return FormatError("count qr code", err)
}
