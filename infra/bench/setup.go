package main

import (
	"context"
	"io"
	"net/http"
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

// rig is what a scenario's app runs on: a table in an embedded engine, reached through
// a client that counts its calls, and the fake WeChat API when the scenario needs one.
type rig struct {
	db      *dynamodb.Client
	counter *dynamodev.CallCounter
	wxURL   string // the fake WeChat API's base URL (WECHAT_API_BASE); empty without one
	stops   []func()
}

// newRig starts an embedded engine with table on it and, unless wx is nil, serves wx as
// the WeChat API; Close stops both.
func newRig(ctx context.Context, table string, wx http.Handler) (*rig, error) {
	engine := httptest.NewServer(server.NewServer())
	r := &rig{counter: dynamodev.NewCallCounter(), stops: []func(){engine.Close}}
	db, err := dynamo.NewClient(ctx, dynamo.ClientOptions{Endpoint: engine.URL, APIOptions: r.counter.APIOptions()})
	if err == nil {
		err = dynamodev.EnsureTable(ctx, db, table)
	}
	if err != nil {
		r.Close()
		return nil, err
	}
	r.db = db
	if wx != nil {
		srv := httptest.NewServer(wx)
		r.wxURL, r.stops = srv.URL, append(r.stops, srv.Close)
	}
	return r, nil
}

// Close stops what newRig started.
func (r *rig) Close() {
	for _, stop := range r.stops {
		stop()
	}
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
