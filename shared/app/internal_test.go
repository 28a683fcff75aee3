package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/wentitong/wentitong/shared/dynamo"
)

func testApp() *App {
	return &App{Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Now: time.Now}
}

func record(name, seq, pk, kind string) events.DynamoDBEventRecord {
	img := map[string]events.DynamoDBAttributeValue{
		"PK": events.NewStringAttribute(pk), "SK": events.NewStringAttribute("OUTBOX"),
	}
	if kind != "" {
		img["kind"] = events.NewStringAttribute(kind)
	}
	return events.DynamoDBEventRecord{EventName: name, Change: events.DynamoDBStreamRecord{SequenceNumber: seq, NewImage: img}}
}

func TestNotifierReportsOnlyFailedRecords(t *testing.T) {
	a := testApp()
	var delivered []string
	a.senders = map[string]func(context.Context, dynamo.Item) error{
		"ok": func(_ context.Context, it dynamo.Item) error {
			pk, _ := dynamo.StringAttr(it, "PK")
			delivered = append(delivered, pk)
			return nil
		},
		"flaky": func(context.Context, dynamo.Item) error { return errors.New("wechat -1") },
	}
	resp, err := a.Notifier()(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		record("INSERT", "1", "OUTBOX#a", "ok"),
		record("INSERT", "2", "OUTBOX#b", "flaky"),
		record("INSERT", "3", "OUTBOX#c", "nobody-sends-this"),
		record("MODIFY", "4", "OUTBOX#d", "ok"),
		record("INSERT", "5", "SLOT#x", ""),
	}})
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	if len(failed) != 2 || failed[0] != "2" || failed[1] != "3" {
		t.Errorf("BatchItemFailures = %v, want [2 3] (the failing send and the kind without a sender)", failed)
	}
	if len(delivered) != 1 || delivered[0] != "OUTBOX#a" {
		t.Errorf("delivered %v, want only OUTBOX#a", delivered)
	}
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
