package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// OutboxPendingPK is the GSI1 partition key of every outbox item not yet delivered.
//
// While an outbox item (PK OUTBOX#<id>) is pending it carries
//
//	GSI1PK = OUTBOX#PENDING
//	GSI1SK = <due time, RFC 3339 in UTC, whole seconds>#<id>
//
// so GSI1 lists the pending items in the order they fall due. The index is sparse: the
// notifier removes GSI1PK and GSI1SK when it has delivered the item (or given up on it),
// and a failed attempt moves GSI1SK's due time to the next try. Locally, the runner's
// stream poller reads this index in place of DynamoDB Streams.
const OutboxPendingPK = "OUTBOX#PENDING"

// PendingOutbox returns at most limit pending outbox items due at or before now, the
// earliest due first (one Query of GSI1, eventually consistent).
func PendingOutbox(ctx context.Context, db *dynamodb.Client, table string, now time.Time, limit int32) ([]Item, error) {
	// "~" sorts after "#" and every character of an id, so every item due in now's
	// second is included.
	due := now.UTC().Format(time.RFC3339) + "~"
	key := expression.Key("GSI1PK").Equal(expression.Value(OutboxPendingPK)).
		And(expression.Key("GSI1SK").LessThanEqual(expression.Value(due)))
	expr, err := expression.NewBuilder().WithKeyCondition(key).Build()
	if err != nil {
		return nil, fmt.Errorf("pending outbox: %w", err)
	}
	out, err := db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		IndexName:                 aws.String("GSI1"),
		KeyConditionExpression:    expr.KeyCondition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ScanIndexForward:          aws.Bool(true),
		Limit:                     aws.Int32(limit),
	})
	if err != nil {
		return nil, FormatError("pending outbox", err)
	}
	return out.Items, nil
}
