package dynamodev

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/dynamo"
)

// SweepExpired deletes the items whose TTL attribute attr (epoch seconds) is at or
// before now, as DynamoDB's TTL process does in AWS: the embedded engine has no TTL
// process, so the local runner calls this on a timer. Each Delete is conditioned on
// the item being expired still (an item renewed since the Scan stays). It returns the
// number of items deleted. A paginated Scan: an operator's tool, never a request path.
func SweepExpired(ctx context.Context, db *dynamodb.Client, table, attr string, now time.Time) (int, error) {
	cutoff := expression.Value(now.Unix())
	expired := expression.Name(attr).LessThanEqual(cutoff)
	scan, err := expression.NewBuilder().WithFilter(expired).WithProjection(expression.NamesList(expression.Name("PK"), expression.Name("SK"))).Build()
	if err != nil {
		return 0, err
	}
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(table), FilterExpression: scan.Filter(),
		ProjectionExpression: scan.Projection(), ExpressionAttributeNames: scan.Names(), ExpressionAttributeValues: scan.Values()})
	var keys []map[string]types.AttributeValue
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, dynamo.FormatError("ttl scan", err)
		}
		for _, it := range page.Items {
			keys = append(keys, map[string]types.AttributeValue{"PK": it["PK"], "SK": it["SK"]})
		}
	}
	del, err := expression.NewBuilder().WithCondition(expired).Build()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, k := range keys {
		_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: k, ConditionExpression: del.Condition(),
			ExpressionAttributeNames: del.Names(), ExpressionAttributeValues: del.Values()})
		var ccf *types.ConditionalCheckFailedException
		switch {
		case errors.As(err, &ccf):
			continue // renewed since
		case err != nil:
			return n, dynamo.FormatError("ttl delete", err)
		}
		n++
	}
	return n, nil
}
