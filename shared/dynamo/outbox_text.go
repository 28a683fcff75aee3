package dynamo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/gateway"
)

// KindCustomText is the outbox kind of a customer-service text message: the chat's
// answers that could not be the passive reply (a scan inside a subscribe event).
const KindCustomText = "custom_text"

// Outbox writes outbox items (PK OUTBOX#<id>, SK OUTBOX, pending on GSI1 until sent).
type Outbox struct {
	DB    *dynamodb.Client
	Table string
}

var _ gateway.Outbox = (*Outbox)(nil)

// OutboxItem is an outbox item's stored form. Payload is the kind's own data.
type OutboxItem struct {
	PK         string            `dynamodbav:"PK"`
	SK         string            `dynamodbav:"SK"`
	GSI1PK     string            `dynamodbav:"GSI1PK,omitempty"`
	GSI1SK     string            `dynamodbav:"GSI1SK,omitempty"`
	ID         string            `dynamodbav:"id"`
	Kind       string            `dynamodbav:"kind"`
	Recipient  string            `dynamodbav:"recipient"`
	Payload    map[string]string `dynamodbav:"payload"`
	CreatedAt  string            `dynamodbav:"createdAt"`
	Status     string            `dynamodbav:"status,omitempty"` // "", sent, failed
	FinishedAt string            `dynamodbav:"finishedAt,omitempty"`
	LastError  string            `dynamodbav:"lastError,omitempty"`
	ExpiresAt  int64             `dynamodbav:"expiresAt,omitempty"`
}

// CustomText queues a customer-service text, once per id (a conditional put: a second
// call with the same id changes nothing).
func (o *Outbox) CustomText(ctx context.Context, id, openid, text string, due time.Time) error {
	item, err := attributevalue.MarshalMap(OutboxItem{
		PK: outboxPK(id), SK: skOutbox, GSI1PK: OutboxPendingPK, GSI1SK: outboxDueKey(due, id),
		ID: id, Kind: KindCustomText, Recipient: openid, Payload: map[string]string{"text": text},
		CreatedAt: due.UTC().Format(time.RFC3339),
		// WeChat accepts customer-service messages for 48 hours after the person's
		// message; the item is kept a week for the record.
		ExpiresAt: due.Add(7 * 24 * time.Hour).Unix(),
	})
	if err != nil {
		return fmt.Errorf("queue custom text: %w", err)
	}
	expr, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name("PK"))).Build()
	if err != nil {
		return fmt.Errorf("queue custom text: %w", err)
	}
	_, err = o.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(o.Table), Item: item,
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(),
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return nil // queued already by a retry's first delivery
	}
	return FormatError("queue custom text", err)
}

// ErrOutboxDone is returned by FinishOutbox when the item is no longer pending.
var ErrOutboxDone = fault.New(fault.Conflict, "outbox_done", "消息已处理")

// PendingOutboxItem reads an outbox item consistently; ok is false when it is no longer
// pending (sent, given up, or gone). The notifier reads before sending, so a stream
// record delivered twice is not sent twice.
func PendingOutboxItem(ctx context.Context, db *dynamodb.Client, table, pk string) (item Item, ok bool, err error) {
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		Key: Item{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: skOutbox}},
	})
	if err != nil {
		return nil, false, FormatError("read outbox item", err)
	}
	if _, pending := out.Item["GSI1PK"]; !pending {
		return nil, false, nil
	}
	return out.Item, true, nil
}

// FinishOutbox takes a pending outbox item, as PendingOutboxItem read it, out of the
// pending index, recording its status ("sent" or "failed") and, for a failure, the
// reason; ErrOutboxDone when another delivery finished it first.
//
// It rewrites the item without GSI1PK and GSI1SK in a PutItem conditioned on GSI1PK
// still being there, rather than an UpdateItem with REMOVE: the embedded engine
// (minidyn v0.8.2) ignores REMOVE of top-level attributes, and the replacing put is as
// atomic on DynamoDB.
func FinishOutbox(ctx context.Context, db *dynamodb.Client, table string, item Item, status, reason string, at time.Time) error {
	done := maps.Clone(item)
	delete(done, "GSI1PK")
	delete(done, "GSI1SK")
	done["status"] = &types.AttributeValueMemberS{Value: status}
	done["finishedAt"] = &types.AttributeValueMemberS{Value: at.UTC().Format(time.RFC3339)}
	if reason != "" {
		done["lastError"] = &types.AttributeValueMemberS{Value: reason}
	}
	expr, err := expression.NewBuilder().WithCondition(expression.AttributeExists(expression.Name("GSI1PK"))).Build()
	if err != nil {
		return fmt.Errorf("finish outbox item: %w", err)
	}
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(table), Item: done,
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(),
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ErrOutboxDone
	}
	return FormatError("finish outbox item", err)
}
