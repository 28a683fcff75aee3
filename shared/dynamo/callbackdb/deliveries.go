package callbackdb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/wechat/callback"
)

// Deliveries is the WeChat callback's dedup record: one item per delivery, PK
// WXMSG#<key>, SK DELIVERY, expiring at expiresAt (checked by the condition, since TTL
// deletion is lazy).
type Deliveries struct {
	DB    *dynamodb.Client
	Table string
	// Lease is how long an unanswered claim holds off retries (default 15 s, three
	// times the callback function's timeout).
	Lease time.Duration
}

var _ callback.Deliveries = (*Deliveries)(nil)

type deliveryItem struct {
	dynamo.Keys
	Answered   bool   `dynamodbav:"answered"`
	Reply      string `dynamodbav:"reply,omitempty"`
	LeaseUntil int64  `dynamodbav:"leaseUntil"`
	ExpiresAt  int64  `dynamodbav:"expiresAt"`
}

func (d *Deliveries) lease() time.Duration {
	if d.Lease > 0 {
		return d.Lease
	}
	return 15 * time.Second
}

// Claim writes the delivery's record unless a live one exists, in one conditional
// PutItem; when one exists, the failed condition returns it.
func (d *Deliveries) Claim(ctx context.Context, key string, now time.Time, ttl time.Duration) (callback.Delivery, error) {
	return d.put(ctx, "claim delivery", deliveryItem{
		Keys:       dynamo.Keys{PK: dynamo.DeliveryPK(key), SK: dynamo.SKDelivery},
		LeaseUntil: now.Add(d.lease()).Unix(), ExpiresAt: now.Add(ttl).Unix(),
	}, now)
}

// Record writes the delivery's record with its reply unless a live one exists, in one
// conditional PutItem (the claim and the answer in one write); when one exists, the
// failed condition returns it.
func (d *Deliveries) Record(ctx context.Context, key string, reply []byte, now time.Time, ttl time.Duration) (callback.Delivery, error) {
	return d.put(ctx, "record delivery", deliveryItem{
		Keys:     dynamo.Keys{PK: dynamo.DeliveryPK(key), SK: dynamo.SKDelivery},
		Answered: true, Reply: string(reply), ExpiresAt: now.Add(ttl).Unix(),
	}, now)
}

// put writes it unless a live record of its key exists: one that has not expired and is
// answered, or claimed within its lease.
func (d *Deliveries) put(ctx context.Context, op string, it deliveryItem, now time.Time) (callback.Delivery, error) {
	item, err := attributevalue.MarshalMap(it)
	if err != nil {
		return callback.Delivery{}, fmt.Errorf("%s: %w", op, err)
	}
	nowV := expression.Value(now.Unix())
	cond := expression.AttributeNotExists(expression.Name("PK")).
		Or(expression.Name("expiresAt").LessThanEqual(nowV)).
		Or(expression.Name("answered").Equal(expression.Value(false)).And(expression.Name("leaseUntil").LessThanEqual(nowV)))
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return callback.Delivery{}, fmt.Errorf("%s: %w", op, err)
	}
	_, err = d.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           aws.String(d.Table),
		Item:                                item,
		ConditionExpression:                 expr.Condition(),
		ExpressionAttributeNames:            expr.Names(),
		ExpressionAttributeValues:           expr.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if err == nil {
		return callback.Delivery{Claimed: true}, nil
	}
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		return callback.Delivery{}, dynamo.FormatError(op, err)
	}
	old := ccf.Item
	if old == nil { // engines that do not return the item (the embedded one)
		if old, err = dynamo.GetItem(ctx, d.DB, d.Table, op, it.PK, dynamo.SKDelivery, true); err != nil {
			return callback.Delivery{}, err
		}
	}
	var prev deliveryItem
	if err := attributevalue.UnmarshalMap(old, &prev); err != nil {
		return callback.Delivery{}, fmt.Errorf("%s: %w", op, err)
	}
	return callback.Delivery{Answered: prev.Answered, Reply: []byte(prev.Reply)}, nil
}

// Answer records the reply on the delivery's record.
func (d *Deliveries) Answer(ctx context.Context, key string, reply []byte, now time.Time, ttl time.Duration) error {
	upd := expression.Set(expression.Name("answered"), expression.Value(true)).
		Set(expression.Name("reply"), expression.Value(string(reply))).
		Set(expression.Name("expiresAt"), expression.Value(now.Add(ttl).Unix()))
	return d.update(ctx, "answer delivery", key, upd)
}

// Release ends the claim's lease at once, so that a retry may claim the delivery.
func (d *Deliveries) Release(ctx context.Context, key string) error {
	return d.update(ctx, "release delivery", key, expression.Set(expression.Name("leaseUntil"), expression.Value(0)))
}

func (d *Deliveries) update(ctx context.Context, op, key string, upd expression.UpdateBuilder) error {
	_, err := dynamo.Update(ctx, d.DB, d.Table, op, dynamo.DeliveryPK(key), dynamo.SKDelivery, upd, expression.ConditionBuilder{}, types.ReturnValueNone)
	return err
}
