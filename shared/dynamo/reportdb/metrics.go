package reportdb

import (
	"context"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/report"
)

// Metrics reads the report counters, which Counters (from the stream) and the outbox
// (failed notifications) keep, so that reports read one item per district and period.
type Metrics struct {
	DB    *dynamodb.Client
	Table string
}

// Metrics returns the counters of a district for a period (GetItem; zero when none).
func (m *Metrics) Metrics(ctx context.Context, districtID, period string) (report.Metrics, error) {
	item, err := dynamo.GetItem(ctx, m.DB, m.Table, "get metrics", dynamo.MetricPK(districtID), period, false)
	if err != nil {
		return nil, err
	}
	out := report.Metrics{}
	for k, v := range item {
		if n, ok := v.(*types.AttributeValueMemberN); ok {
			if i, err := strconv.Atoi(n.Value); err == nil {
				out[k] = i
			}
		}
	}
	return out, nil
}
