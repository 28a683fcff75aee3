package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/fault"
)

// ErrNoSender is the fate of an outbox item whose kind no sender handles: the record is
// reported failed, so after its retries it lands in the dead-letter queue, not lost.
var ErrNoSender = fault.New(fault.Internal, "no_sender", "没有可用的消息发送方式")

// Notifier returns the stream handler of the notifier function: it delivers each
// inserted outbox item and reports the records it could not deliver as batch item
// failures, so that only those are retried.
func (a *App) Notifier() func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		var resp events.DynamoDBEventResponse
		for _, rec := range ev.Records {
			if err := a.deliver(ctx, rec); err != nil {
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
	item, err := dynamo.FromImage(rec.Change.NewImage)
	if err != nil {
		return fmt.Errorf("decode record: %w", err)
	}
	pk, _ := dynamo.StringAttr(item, "PK")
	if !strings.HasPrefix(pk, dynamo.OutboxPrefix) {
		return nil
	}
	kind, _ := dynamo.StringAttr(item, "kind")
	sender, ok := a.senders[kind]
	if !ok {
		return fmt.Errorf("outbox kind %q: %w", kind, ErrNoSender)
	}
	return sender(ctx, item)
}
