package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Job is one piece of timed work. Run must be idempotent: the scheduler may run it twice
// for the same minute (an EventBridge retry, two local ticks) and nothing may happen twice.
type Job struct {
	Name string
	Run  func(ctx context.Context, now time.Time) error
}

// Scheduler returns the handler of the scheduler function: every tick runs every job,
// each on its own (one failing job does not stop the others), and fails the invocation
// when any job failed so that the failure shows in the function's error metric.
func (a *App) Scheduler() func(context.Context, events.EventBridgeEvent) error {
	return func(ctx context.Context, ev events.EventBridgeEvent) error {
		now := a.Now()
		var errs []error
		for _, job := range a.jobs {
			start := time.Now()
			if err := job.Run(ctx, now); err != nil {
				a.Log.Error("job failed", "job", job.Name, "err", err)
				errs = append(errs, fmt.Errorf("job %s: %w", job.Name, err))
				continue
			}
			a.Log.Debug("job done", "job", job.Name, "duration", time.Since(start))
		}
		a.Log.Info("scheduler tick", "jobs", len(a.jobs), "failed", len(errs), "eventId", ev.ID)
		return errors.Join(errs...)
	}
}
