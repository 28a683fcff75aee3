package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/notify"
)

// Notifier returns the stream handler of the notifier function: it delivers each
// inserted outbox message and reports as batch item failures only the records whose
// outcome could not be recorded, so that only those are retried. After a quota error it
// stops: the rest stay pending in the table and the scheduler delivers them when due.
func (a *App) Notifier() func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		var resp events.DynamoDBEventResponse
		for _, rec := range ev.Records {
			err := a.deliver(ctx, rec)
			if errors.Is(err, notify.ErrQuotaHit) {
				break
			}
			if err != nil {
				a.Log.Error("outbox record failed", "eventId", rec.EventID, "err", err)
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: rec.Change.SequenceNumber})
			}
		}
		return resp, nil
	}
}

func (a *App) deliver(ctx context.Context, rec events.DynamoDBEventRecord) error {
	if rec.EventName != string(events.DynamoDBOperationTypeInsert) {
		return nil // the template's filter sends only inserts; anything else is not ours
	}
	pk, ok := rec.Change.Keys["PK"]
	if !ok || pk.DataType() != events.DataTypeString {
		return fmt.Errorf("record %s has no string PK", rec.EventID)
	}
	id, ok := strings.CutPrefix(pk.String(), dynamo.OutboxPrefix)
	if !ok {
		return nil
	}
	return a.Notify.Deliver(ctx, id)
}
