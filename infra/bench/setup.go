package main

import (
	"context"
	"io"
	"net/http/httptest"
	"os"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/truora/minidyn/server"

	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamodev"
)

// benchConfig is the configuration of a benchmark's app on table: development secrets.
func benchConfig(table string) config.Config {
	return config.Config{TableName: table, WeChatAppID: "wx-bench", WeChatAppSecret: "s",
		SessionSecret: "wentitong-bench-session-secret-0123456789", TicketSigningKey: "d2VudGl0b25nLWxvY2FsLWRldi10aWNrZXQtc2VlZCE=",
		IDHashKey: "wentitong-bench-id-number-hash-key-0123456789"}
}

// bookingApp creates table on db and builds the app on it with the clock now (nil: the
// time), with act in its catalogue, and its booking service.
func bookingApp(ctx context.Context, db *dynamodb.Client, table string, now func() time.Time, act booking.Activity) (*app.App, *booking.Service, error) {
	if err := dynamodev.EnsureTable(ctx, db, table); err != nil {
		return nil, nil, err
	}
	a, err := app.New(ctx, benchConfig(table), app.Options{DB: db, Now: now, LogOutput: io.Discard})
	if err != nil {
		return nil, nil, err
	}
	svc, err := a.Booking()
	if err != nil {
		return nil, nil, err
	}
	return a, svc, a.Catalog.PutActivity(ctx, act)
}

// countedTable starts an embedded engine with table on it and returns a client that
// counts its calls, and what stops the engine.
func countedTable(ctx context.Context, table string) (*dynamodb.Client, *dynamodev.CallCounter, func(), error) {
	engine := httptest.NewServer(server.NewServer())
	counter := dynamodev.NewCallCounter()
	db, err := dynamo.NewClient(ctx, dynamo.ClientOptions{Endpoint: engine.URL, APIOptions: counter.APIOptions()})
	if err == nil {
		err = dynamodev.EnsureTable(ctx, db, table)
	}
	if err != nil {
		engine.Close()
		return nil, nil, nil, err
	}
	return db, counter, engine.Close, nil
}

// cpuProfile starts writing a CPU profile to path (none when path is empty) and returns
// what stops it, which may be called more than once.
func cpuProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return sync.OnceFunc(func() {
		pprof.StopCPUProfile()
		f.Close()
	}), nil
}
