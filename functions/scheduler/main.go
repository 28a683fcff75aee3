// Command scheduler is the SchedulerFunction Lambda: the platform's timed jobs, run on
// an EventBridge schedule.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/notifierapp"
	"github.com/wentitong/wentitong/shared/app/schedulerapp"
)

func main() {
	live := boot.MustLive(func(b *boot.Base) (tick, error) {
		svc, err := notifierapp.Sender(b)
		if err != nil {
			return nil, err
		}
		jobs, err := schedulerapp.Jobs(b, svc)
		if err != nil {
			return nil, err
		}
		return schedulerapp.Handler(jobs, b.Log, b.Now), nil
	})
	lambda.Start(func(ctx context.Context, ev events.EventBridgeEvent) error {
		return live.Current(ctx)(ctx, ev)
	})
}

type tick = func(context.Context, events.EventBridgeEvent) error
