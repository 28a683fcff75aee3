// Package apptest builds the whole application (app.New) for a test on an embedded
// table, its clock stopped at a fixed time:
//
//	a, tbl := apptest.Start(t, now) // on a fresh table, with Config
//	a := apptest.New(t, tbl, cfg, now)
package apptest

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamotest"
)

// Config is a configuration app.New accepts on tbl: a WeChat app, the secrets that sign
// sessions and tickets and hash ID numbers, and the table's endpoint for a command that
// connects to it itself.
func Config(tbl *dynamotest.Table) config.Config {
	return config.Config{TableName: tbl.Name, DynamoEndpoint: tbl.URL, WeChatAppID: "wx", WeChatAppSecret: "s",
		SessionSecret: "apptest-session-secret-0123456789abcdef", TicketSigningKey: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
		IDHashKey: "apptest-id-number-hash-key-0123456789abcdef"}
}

// Start builds the app with Config on a fresh table (dynamotest.New) at now, as New.
func Start(tb testing.TB, now time.Time) (*app.App, *dynamotest.Table) {
	tb.Helper()
	tbl := dynamotest.New(tb)
	return New(tb, tbl, Config(tbl), now), tbl
}

// New builds the app with cfg on tbl, its clock stopped at now (the real time when now
// is zero) and its log discarded; it fails the test when the app cannot be built.
func New(tb testing.TB, tbl *dynamotest.Table, cfg config.Config, now time.Time) *app.App {
	tb.Helper()
	o := app.Options{DB: tbl.DB, LogOutput: io.Discard}
	if !now.IsZero() {
		o.Now = func() time.Time { return now }
	}
	a, err := app.New(context.Background(), cfg, o)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// HTTP returns the handler of a's HTTP function (its logical id in template.yaml); it
// fails the test when the function cannot be built.
func HTTP(tb testing.TB, a *app.App, function string) http.Handler {
	tb.Helper()
	h, err := a.HTTP(function)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// Bookings returns a's booking service; it fails the test when it cannot be built.
func Bookings(tb testing.TB, a *app.App) *booking.Service {
	tb.Helper()
	svc, err := a.Booking()
	if err != nil {
		tb.Fatal(err)
	}
	return svc
}
