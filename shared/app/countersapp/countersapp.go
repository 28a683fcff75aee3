// Package countersapp wires the counters function (CountersFunction): it keeps the
// report counters up to date from the table's stream. It reads only the table: no WeChat
// setting, no secret.
package countersapp

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/dynamo/countersdb"
)

// Needs is the configuration the counters function reads.
var Needs = boot.Needs

// chunk is how many records are synced together: a failure retries from the first
// record of its chunk.
const chunk = 20

// Handler brings the report counters up to date with the items the records name (keys
// are all it reads of a record: it counts each item as it is now, so a record delivered
// again, late or out of order counts nothing twice). Records of items that are not
// counted are skipped. When a chunk cannot be synced, its first record and every later
// one are reported as batch item failures, so Lambda retries from there.
func Handler(b *boot.Base) func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	return handler(&countersdb.Counters{DB: b.DB, Table: b.Table}, b.Log)
}

func handler(c *countersdb.Counters, log *slog.Logger) func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		var resp events.DynamoDBEventResponse
		for start := 0; start < len(ev.Records); start += chunk {
			recs := ev.Records[start:min(start+chunk, len(ev.Records))]
			subjects := make([]countersdb.Subject, 0, len(recs))
			for _, rec := range recs {
				pk, sk := rec.Change.Keys["PK"], rec.Change.Keys["SK"]
				if pk.DataType() != events.DataTypeString || sk.DataType() != events.DataTypeString {
					continue
				}
				subjects = append(subjects, countersdb.Subject{PK: pk.String(), SK: sk.String()})
			}
			if err := c.Sync(ctx, subjects); err != nil {
				log.Error("counters: sync failed", "records", len(ev.Records)-start, "first", recs[0].EventID, "err", err)
				for _, rec := range ev.Records[start:] {
					resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: rec.Change.SequenceNumber})
				}
				return resp, nil
			}
		}
		return resp, nil
	}
}
