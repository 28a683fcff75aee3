// Package browsertest drives the H5 pages in headless Chromium: it starts the whole
// platform in-process, composed as the local runner composes it (every function of
// template.yaml on one address, the /_dev routes, an embedded table whose changes keep
// the report counters, and the fake WeChat API), opens phone-sized browsers on it, measures the 长辈版 rules on every page
// in both versions, and decodes QR codes from screenshots.
//
//	p := browsertest.Start(t, browsertest.Options{Seed: demo.Seed})
//	b := p.Browser(t)
//	b.SignIn("o-resident-1", "/h5/me/bookings")
//	b.Check("我的预约")        // measures both versions, saves screenshots with -screenshots DIR
//
// Tests that need Chromium skip when it is missing, unless CI=true, where they fail
// (.ci/run installs Debian's chromium and fonts-noto-cjk).
package browsertest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wentitong/wentitong/infra/local/demo"
	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/apptest"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/buckettest"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/library"
	"github.com/wentitong/wentitong/shared/sam"
	"github.com/wentitong/wentitong/shared/search"
	"github.com/wentitong/wentitong/shared/syncio"
	"github.com/wentitong/wentitong/shared/web"
	"github.com/wentitong/wentitong/shared/wechattest"
)

// Options say how to start the platform.
type Options struct {
	// Seed fills the empty table (the local runner's demo.Seed); nil leaves it empty.
	Seed func(ctx context.Context, a *app.App) error
	// Now is the platform's clock at the start; zero: the real time.
	Now time.Time
	// Mount adds routes served beside the platform's, on the same address (the local
	// runner's WeChat simulator); p.URL, App and Fake are set when it is called.
	Mount func(p *Platform, rt *web.Router) error
	// Gateway wraps the platform as API Gateway stands in front of it: a test's throttle
	// answers as the gateway does before any function runs. Nil: nothing in front.
	Gateway func(next http.Handler) http.Handler
}

// Platform is the platform running in-process on a loopback port.
type Platform struct {
	URL   string // http://127.0.0.1:port, the API and the pages (URL + "/h5/")
	App   *app.App
	Fake  *wechattest.Fake
	Table *dynamotest.Table

	mediaHost string // the embedded S3 server's host: presigned media URLs point there

	// feeds stand in for the stream-triggered functions (counters, search indexer, the
	// notifier's queueing of bookings' confirmations); feedMu makes a poll whole, so that
	// DeliverDue finds what the writes before it queued.
	feeds  []*dynamotest.Feed
	feedMu sync.Mutex

	mu     sync.Mutex
	offset time.Duration // the clock's distance from the real time
}

// The local runner's dev settings, so that tokens and tickets made here read the same.
var devConfig = map[string]string{
	"WECHAT_APP_ID":           "wx-dev-app",
	"WECHAT_APP_SECRET":       "dev-secret",
	"WECHAT_TOKEN":            "dev-token",
	"WECHAT_ENCODING_AES_KEY": "wentitongLocalDevEncodingAESKey0123456789ab",
	"WECHAT_MESSAGE_MODE":     "compat",
	"SESSION_SECRET":          "wentitong-local-dev-session-secret-0123456789",
	"TICKET_SIGNING_KEY":      "d2VudGl0b25nLWxvY2FsLWRldi10aWNrZXQtc2VlZCE=",
	"ID_HASH_KEY":             "wentitong-local-dev-id-number-hash-key-0123456789",
	"ADMIN_OPENIDS":           "o-admin",
	"LOG_LEVEL":               "warn",
}

// Start starts the platform for the test and stops it when the test ends.
func Start(tb testing.TB, o Options) *Platform {
	tb.Helper()
	p := &Platform{Table: dynamotest.New(tb)}
	if !o.Now.IsZero() {
		p.offset = time.Until(o.Now)
	}
	p.Fake = wechattest.NewFake(devConfig["WECHAT_APP_ID"], devConfig["WECHAT_APP_SECRET"])
	wx := httptest.NewServer(p.Fake)
	tb.Cleanup(wx.Close)
	p.Fake.SetNow(p.Now)

	// The listener first: H5_BASE_URL is this server's /h5, as the runner's is.
	srv := httptest.NewUnstartedServer(nil)
	tb.Cleanup(srv.Close)
	p.URL = "http://" + srv.Listener.Addr().String()
	media := buckettest.New(tb)
	if u, err := url.Parse(media.URL); err == nil {
		p.mediaHost = u.Host
	}
	env := map[string]string{"TABLE_NAME": p.Table.Name, "DYNAMODB_ENDPOINT": p.Table.URL, "WECHAT_API_BASE": wx.URL, "H5_BASE_URL": p.URL + "/h5",
		"MEDIA_BUCKET": buckettest.BucketName, "S3_ENDPOINT": media.URL}
	for k, v := range devConfig {
		env[k] = v
	}
	// The platform's log is shown when the test fails, with what failed inside.
	logs := syncio.NewBuffer()
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("the platform's log:\n%s", logs.String())
		}
	})
	a, err := app.New(context.Background(), config.From(func(k string) string { return env[k] }),
		app.Options{DB: p.Table.DB, Now: p.Now, LogOutput: logs})
	if err != nil {
		tb.Fatalf("browsertest: %v", err)
	}
	a.Bucket = media.Bucket
	searchStream := p.Table.Stream.Fork() // before the seed: its writes are indexed too
	noticeStream := p.Table.Stream.Fork() // the bookings' confirmations, queued as the notifier does
	// S3 notifies MediaFunction of each file uploaded under media/: checked as stored,
	// a thumbnail made, counted.
	media.Server.Created = func(_, key string) {
		if !strings.HasPrefix(key, library.MediaPrefix) {
			return
		}
		if parts, err := a.Library(); err == nil {
			_ = parts.Library.Process(context.Background(), key) // a file it refuses is recorded as such
		}
	}
	// One search index for every function, kept up to date below, as the runner's.
	if a.SearchIndex, err = search.NewMemory(); err != nil {
		tb.Fatalf("browsertest: %v", err)
	}
	tb.Cleanup(func() { _ = a.SearchIndex.Close() })
	p.App = a
	if o.Seed != nil {
		if err := o.Seed(context.Background(), a); err != nil {
			tb.Fatalf("browsertest: seed: %v", err)
		}
	}
	// The report counters follow the table's changes, as the runner's change feed keeps
	// them: what a test does through the pages shows in the reports.
	feed := p.Table.MustFeed(tb, "CountersFunction", a.Counters())
	indexer, _, err := a.LibraryIndexer()
	if err != nil {
		tb.Fatalf("browsertest: %v", err)
	}
	// The search index follows the table as IndexerFunction's stream would make it; it
	// has its own stream of the table's writes (each consumer takes what it reads).
	tmplFn, err := sam.LoadDefault()
	if err != nil {
		tb.Fatalf("browsertest: %v", err)
	}
	fn, err := tmplFn.Function("IndexerFunction")
	if err != nil {
		tb.Fatalf("browsertest: %v", err)
	}
	searchFeed, err := dynamotest.NewFeed(searchStream, indexer, fn)
	if err != nil {
		tb.Fatalf("browsertest: %v", err)
	}
	notifierFn, err := tmplFn.Function("NotifierFunction")
	if err != nil {
		tb.Fatalf("browsertest: %v", err)
	}
	noticeFeed, err := dynamotest.NewFeed(noticeStream, a.Announcements(), notifierFn)
	if err != nil {
		tb.Fatalf("browsertest: %v", err)
	}
	p.feeds = []*dynamotest.Feed{feed, searchFeed, noticeFeed}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			p.poll(ctx)
			select {
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	tb.Cleanup(func() { stop(); <-done })
	tmpl, err := sam.LoadDefault()
	if err != nil {
		tb.Fatalf("browsertest: %v", err)
	}
	rt := web.NewRouter(nil) // each function's router enforces its routes' rules
	if err := a.Mount(rt, tmpl); err != nil {
		tb.Fatalf("browsertest: %v", err)
	}
	if err := a.MountDev(rt); err != nil {
		tb.Fatalf("browsertest: %v", err)
	}
	if o.Mount != nil {
		if err := o.Mount(p, rt); err != nil {
			tb.Fatalf("browsertest: mount: %v", err)
		}
	}
	srv.Config.Handler = rt
	if o.Gateway != nil {
		srv.Config.Handler = o.Gateway(rt)
	}
	srv.Start()
	return p
}

// poll hands the table's changes recorded so far to every stream consumer.
func (p *Platform) poll(ctx context.Context) {
	p.feedMu.Lock()
	defer p.feedMu.Unlock()
	for _, f := range p.feeds {
		_, _ = f.Poll(ctx)
	}
}

// DeliverDue delivers the messages due, as the runner's poller does: first what the
// table's stream owes (a booking's confirmation is queued from the booking's record),
// then the pending outbox. It returns how many were delivered.
func (p *Platform) DeliverDue(ctx context.Context, limit int) (int, error) {
	p.poll(ctx)
	return p.App.Notify.DeliverDue(ctx, limit)
}

// StartDemo starts the platform on the demo's data (Demo) for a test that drives a
// browser: it skips, or fails on CI, first when Chromium is missing.
func StartDemo(tb testing.TB) *Platform {
	tb.Helper()
	Chromium(tb)
	return Start(tb, Options{Seed: Demo})
}

// Bookings is the platform's booking service; it fails the test when it cannot be built.
func (p *Platform) Bookings(tb testing.TB) *booking.Service {
	tb.Helper()
	return apptest.Bookings(tb, p.App)
}

// Demo fills the table with the local runner's demo data (demo.Seed): the Seed of the
// tests that run on the demo.
func Demo(ctx context.Context, a *app.App) error {
	_, err := demo.Seed(ctx, a)
	return err
}

// Now is the platform's clock.
func (p *Platform) Now() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return time.Now().Add(p.offset)
}

// SetNow moves the platform's clock to t; it runs on from there.
func (p *Platform) SetNow(t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.offset = time.Until(t)
}
