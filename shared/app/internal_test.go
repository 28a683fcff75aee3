package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

func testApp() *App {
	return &App{Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Now: time.Now}
}

func TestSchedulerRunsEveryJobAndReportsFailures(t *testing.T) {
	a := testApp()
	var ran []string
	a.jobs = []Job{
		{Name: "fails", Run: func(context.Context, time.Time) error { ran = append(ran, "fails"); return errors.New("boom") }},
		{Name: "works", Run: func(context.Context, time.Time) error { ran = append(ran, "works"); return nil }},
	}
	err := a.Scheduler()(context.Background(), events.EventBridgeEvent{ID: "e1"})
	if err == nil || len(ran) != 2 {
		t.Errorf("Scheduler() = %v after running %v; want an error after running both jobs", err, ran)
	}
	a.jobs = a.jobs[1:]
	if err := a.Scheduler()(context.Background(), events.EventBridgeEvent{}); err != nil {
		t.Errorf("Scheduler() with only a working job = %v, want nil", err)
	}
}
