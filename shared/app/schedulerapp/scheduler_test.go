package schedulerapp

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/wentitong/wentitong/shared/app/boot"
)

func TestHandlerRunsEveryJobAndReportsFailures(t *testing.T) {
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	var ran []string
	jobs := []boot.Job{
		{Name: "fails", Run: func(context.Context, time.Time) error { ran = append(ran, "fails"); return errors.New("boom") }},
		{Name: "works", Run: func(context.Context, time.Time) error { ran = append(ran, "works"); return nil }},
	}
	err := Handler(jobs, log, time.Now)(context.Background(), events.EventBridgeEvent{ID: "e1"})
	if err == nil || len(ran) != 2 {
		t.Errorf("Handler() = %v after running %v; want an error after running both jobs", err, ran)
	}
	if err := Handler(jobs[1:], log, time.Now)(context.Background(), events.EventBridgeEvent{}); err != nil {
		t.Errorf("Handler() with only a working job = %v, want nil", err)
	}
}
