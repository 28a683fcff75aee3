package dynamo

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/report"
)

// Metrics stores the report counters that the bookings, volunteers and notifications
// ADD to as things happen, so that reports read one item per district and period.
type Metrics struct {
	DB    *dynamodb.Client
	Table string
}

// MetricUpdates returns the transaction items that add deltas to the counters of every
// district of path (ids joined by "/") for at's month and for all time: include them in
// the transaction that records what they count.
func MetricUpdates(table, path string, at time.Time, deltas map[string]int) ([]types.TransactWriteItem, error) {
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range deltas {
			if !yield(k) {
				return
			}
		}
	})
	if len(names) == 0 || path == "" {
		return nil, nil
	}
	var upd expression.UpdateBuilder
	for i, n := range names {
		if i == 0 {
			upd = expression.Add(expression.Name(n), expression.Value(deltas[n]))
		} else {
			upd = upd.Add(expression.Name(n), expression.Value(deltas[n]))
		}
	}
	expr, err := expression.NewBuilder().WithUpdate(upd).Build()
	if err != nil {
		return nil, fmt.Errorf("metric updates: %w", err)
	}
	var out []types.TransactWriteItem
	for _, id := range strings.Split(path, "/") {
		for _, period := range []string{evaluation.Period(at), evaluation.AllTime} {
			out = append(out, types.TransactWriteItem{Update: &types.Update{
				TableName: aws.String(table),
				Key: map[string]types.AttributeValue{
					"PK": &types.AttributeValueMemberS{Value: metricPK(id)},
					"SK": &types.AttributeValueMemberS{Value: period},
				},
				UpdateExpression:          expr.Update(),
				ExpressionAttributeNames:  expr.Names(),
				ExpressionAttributeValues: expr.Values(),
			}})
		}
	}
	return out, nil
}

// Add adds deltas to the counters of every district of path for at's month and all time,
// in one transaction.
func (m *Metrics) Add(ctx context.Context, path string, at time.Time, deltas map[string]int) error {
	items, err := MetricUpdates(m.Table, path, at, deltas)
	if err != nil || len(items) == 0 {
		return err
	}
	_, err = m.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	return txError("add metrics", err, ErrConditionFailed)
}

// AddOnce is Add the first time it is called with marker (for example
// "resident#<openid>#<district>#<month>") and nothing after; it reports whether it
// counted. The marker expires (TTL) 400 days after at.
func (m *Metrics) AddOnce(ctx context.Context, marker, path string, at time.Time, deltas map[string]int) (bool, error) {
	items, err := MetricUpdates(m.Table, path, at, deltas)
	if err != nil {
		return false, err
	}
	mark, err := attributevalue.MarshalMap(map[string]any{
		"PK": markPK(marker), "SK": skMark, "expiresAt": at.Add(400 * 24 * time.Hour).Unix(),
	})
	if err != nil {
		return false, fmt.Errorf("add metrics once: %w", err)
	}
	items = append([]types.TransactWriteItem{{Put: &types.Put{TableName: aws.String(m.Table), Item: mark,
		ConditionExpression: aws.String("attribute_not_exists(PK)")}}}, items...)
	_, err = m.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if err = txError("add metrics once", err, errCounted); err == errCounted {
		return false, nil
	}
	return err == nil, err
}

var errCounted = fmt.Errorf("already counted")

// Metrics returns the counters of a district for a period (GetItem; zero when none).
func (m *Metrics) Metrics(ctx context.Context, districtID, period string) (report.Metrics, error) {
	res, err := m.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(m.Table),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: metricPK(districtID)},
			"SK": &types.AttributeValueMemberS{Value: period},
		},
	})
	if err != nil {
		return nil, FormatError("get metrics", err)
	}
	out := report.Metrics{}
	for k, v := range res.Item {
		if n, ok := v.(*types.AttributeValueMemberN); ok {
			if i, err := strconv.Atoi(n.Value); err == nil {
				out[k] = i
			}
		}
	}
	return out, nil
}
