// Package schedulerapp wires the scheduler function (SchedulerFunction): every minute it
// runs the timed work of every context (ballot draws, reminders, deliveries that are due,
// overdue feedback, volunteers' forgotten check-outs …).
package schedulerapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/wentitong/wentitong/shared/app/bookingsapp"
	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/directoryapp"
	"github.com/wentitong/wentitong/shared/app/newsapp"
	"github.com/wentitong/wentitong/shared/app/notifierapp"
	"github.com/wentitong/wentitong/shared/app/volunteersapp"
	"github.com/wentitong/wentitong/shared/notify"
)

// Needs is the configuration the scheduler function reads: it delivers what is due
// through WeChat's API.
var Needs = boot.Needs.And(notifierapp.DeliveryNeeds)

// Jobs returns the timed work of every context; deliveries go out through svc.
func Jobs(b *boot.Base, svc *notify.Service) ([]boot.Job, error) {
	if err := b.Check(Needs); err != nil {
		return nil, err
	}
	var jobs []boot.Job
	jobs = append(jobs, bookingsapp.Jobs(b)...)
	jobs = append(jobs, remindJob(b), shiftRemindJob(b))
	jobs = append(jobs, notifierapp.Jobs(svc)...)
	jobs = append(jobs, directoryapp.Jobs(b)...)
	jobs = append(jobs, volunteersapp.Jobs(b)...)
	jobs = append(jobs, newsapp.Jobs(b)...)
	return jobs, nil
}

// Handler returns the handler of the scheduler function: every tick runs every job,
// each on its own (one failing job does not stop the others), and fails the invocation
// when any job failed so that the failure shows in the function's error metric.
func Handler(jobs []boot.Job, log *slog.Logger, now func() time.Time) func(context.Context, events.EventBridgeEvent) error {
	return func(ctx context.Context, ev events.EventBridgeEvent) error {
		now := now()
		var errs []error
		for _, job := range jobs {
			start := time.Now()
			if err := job.Run(ctx, now); err != nil {
				log.Error("job failed", "job", job.Name, "err", err)
				errs = append(errs, fmt.Errorf("job %s: %w", job.Name, err))
				continue
			}
			log.Debug("job done", "job", job.Name, "duration", time.Since(start))
		}
		log.Info("scheduler tick", "jobs", len(jobs), "failed", len(errs), "eventId", ev.ID)
		return errors.Join(errs...)
	}
}
