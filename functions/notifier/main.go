// Command notifier is the NotifierFunction Lambda: it delivers outbox items from the
// table's stream, and queues the confirmations bookings' records say they owe.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/notifierapp"
	"github.com/wentitong/wentitong/shared/dynamo/bookingdb"
)

func main() {
	live := boot.MustLive(func(b *boot.Base) (stream, error) {
		svc, err := notifierapp.Sender(b)
		if err != nil {
			return nil, err
		}
		return notifierapp.Handler(svc, &bookingdb.Bookings{DB: b.DB, Table: b.Table}, b.Log), nil
	})
	lambda.Start(func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		return live.Current(ctx)(ctx, ev)
	})
}

type stream = func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error)
