package reportdb

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/report"
)

// CountTx is one transaction of counter changes: items, and the counters' deltas that
// Run adds to them.
type CountTx struct {
	dynamo.Tx
	metrics map[[2]string]map[string]int // {district, period} → metric → delta
	members map[report.Count]int         // member totals' deltas
}

func NewCountTx() *CountTx {
	return &CountTx{metrics: map[[2]string]map[string]int{}, members: map[report.Count]int{}}
}

// Count adds n to a count: a counter, or a member's total of a distinct metric.
func (t *CountTx) Count(c report.Count, n int) {
	if c.Member != "" {
		t.members[c] += n
		return
	}
	t.Metric(c.District, c.Period, c.Metric, n)
}

// Metric adds n to a counter.
func (t *CountTx) Metric(district, period, metric string, n int) {
	k := [2]string{district, period}
	if t.metrics[k] == nil {
		t.metrics[k] = map[string]int{}
	}
	t.metrics[k][metric] += n
}

// Members returns the deltas of members' totals of distinct metrics, for the caller to
// turn into moves of the metrics.
func (t *CountTx) Members() map[report.Count]int { return t.members }

// Metrics returns how many district and period counter items the transaction moves.
func (t *CountTx) Metrics() int { return len(t.metrics) }

// Run adds the counter updates and executes the transaction.
func (t *CountTx) Run(ctx context.Context, db *dynamodb.Client, table, op string) error {
	for k, deltas := range t.metrics {
		var upd expression.UpdateBuilder
		set := false
		for metric, n := range deltas {
			switch {
			case n == 0:
			case !set:
				upd, set = expression.Add(expression.Name(metric), expression.Value(n)), true
			default:
				upd = upd.Add(expression.Name(metric), expression.Value(n))
			}
		}
		if set {
			t.Update(dynamo.MetricPK(k[0]), k[1], upd, expression.ConditionBuilder{}, nil)
		}
	}
	return dynamo.Transact(ctx, db, table, op, &t.Tx)
}

// FailedAt returns when an outbox message failed, when it stands failed: the time its
// GSI1 sort key in the failed partition starts with.
func FailedAt(it dynamo.Item) (time.Time, bool) {
	if st, _ := dynamo.StringAttr(it, "status"); st != "failed" {
		return time.Time{}, false
	}
	sk, _ := dynamo.StringAttr(it, "GSI1SK")
	stamp, _, _ := strings.Cut(sk, "#")
	t, err := time.Parse(time.RFC3339, stamp)
	return t, err == nil
}
