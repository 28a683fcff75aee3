package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// scheduler invokes the scheduler function as EventBridge's rate(1 minute) rule does.
type scheduler struct {
	handle func(context.Context, events.EventBridgeEvent) error
	log    *slog.Logger
	n      int
}

func (s *scheduler) tick(ctx context.Context) {
	s.n++
	ev := events.EventBridgeEvent{
		Version:    "0",
		ID:         "local-tick-" + strconv.Itoa(s.n),
		DetailType: "Scheduled Event",
		Source:     "aws.events",
		AccountID:  "000000000000",
		Time:       time.Now().UTC(),
		Region:     "local",
		Resources:  []string{"arn:aws:events:local:000000000000:rule/SchedulerTick"},
		Detail:     json.RawMessage("{}"),
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute) // the function's Timeout
	defer cancel()
	if err := s.handle(ctx, ev); err != nil && ctx.Err() == nil {
		s.log.Error("scheduler tick failed", "eventId", ev.ID, "err", err)
	}
}
