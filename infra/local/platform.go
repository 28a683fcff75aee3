package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/infra/local/demo"
	"github.com/wentitong/wentitong/infra/local/engine"
	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/app/mediaapp"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamodev"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/sam"
	"github.com/wentitong/wentitong/shared/search"
	"github.com/wentitong/wentitong/shared/secrets"
	"github.com/wentitong/wentitong/shared/secrets/secretstest"
	"github.com/wentitong/wentitong/shared/wechattest"
)

// platform is what the runner builds before it serves: the engines, the app on them,
// and the data.
type platform struct {
	settings *settings
	tmpl     *sam.Template
	db       *dynamodb.Client
	app      *app.App
	fake     *wechattest.Fake // nil when the environment's WECHAT_API_BASE is used
	engine   *engine.Engine
	stream   *dynamotest.Stream // the engine's writes, for the counters (no streams in minidyn)
	// searchStream is the engine's writes for the search indexer, index its index under
	// -data/search.
	searchStream *dynamotest.Stream
	// noticeStream is the engine's writes for the notifier, which queues and sends the
	// message each booking's record says it owes, as NotifierFunction does (the poller
	// sends the rest of the outbox).
	noticeStream *dynamotest.Stream
	index        *search.Index
	dataDir      string // opts.data made absolute, for the guide
	log          *slog.Logger
	opts         options
	origin       string // how the data came to be, for the guide
	resident     string // an openid to act as
}

// start opens the embedded DynamoDB engine on the data directory (its snapshot and the
// journal replayed on top), starts the fake WeChat API, builds the app on them, and
// seeds the demo data into an empty table. Each engine's stop is appended to stops.
func (r runner) start(ctx context.Context, opts options, logOut io.Writer, log *slog.Logger, stops *[]func()) (*platform, error) {
	p := &platform{settings: newSettings(r.getenv), log: log, opts: opts, resident: "o-resident-1"}
	dir, err := filepath.Abs(opts.data)
	if err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	p.dataDir = dir
	tmpl, err := sam.LoadDefault()
	if err != nil {
		return nil, err
	}
	p.tmpl = tmpl

	// The writes replayed from the journal are streamed again: the counters may not have
	// seen them before a crash (they count each item once, however often it comes).
	type write struct {
		op   string
		body []byte
	}
	var replayed []write
	p.engine, err = engine.Open(ctx, engine.Options{Dir: dir, Table: p.settings.config().TableName, Log: log,
		Replayed: func(op string, status int, body []byte) {
			if status == http.StatusOK {
				replayed = append(replayed, write{op, bytes.Clone(body)})
			}
		}})
	if err != nil {
		return nil, err
	}
	*stops = append(*stops, func() { _ = p.engine.Close(context.Background()) })
	// Three stand-ins for the table's stream, one per stream-triggered function: the
	// counters', the search indexer's and the notifier's (each takes what it reads).
	p.noticeStream = dynamotest.NewStream(p.engine)
	p.searchStream = dynamotest.NewStream(p.noticeStream)
	p.stream = dynamotest.NewStream(p.searchStream)
	for _, w := range replayed {
		p.stream.Written(w.op, w.body)
		p.searchStream.Written(w.op, w.body)
		p.noticeStream.Written(w.op, w.body)
	}
	srv, err := serveLoopback(p.stream, log)
	if err != nil {
		return nil, err
	}
	*stops = append(*stops, func() { _ = srv.stop(time.Second) })
	note := "embedded engine"
	if p.settings.fromEnv["DYNAMODB_ENDPOINT"] {
		note = "embedded engine; the environment's value is not used"
	}
	p.settings.set("DYNAMODB_ENDPOINT", srv.url, note)
	if !p.settings.fromEnv["H5_BASE_URL"] && opts.url != "" {
		p.settings.set("H5_BASE_URL", opts.url+"/h5", "this runner's pages")
	}

	if !p.settings.fromEnv["WECHAT_API_BASE"] {
		p.fake = wechattest.NewFake(p.settings.get("WECHAT_APP_ID"), p.settings.get("WECHAT_APP_SECRET"))
		for _, id := range demo.Residents {
			// o-resident-1 in the official account is m-resident-1 in the mini program.
			n := strings.TrimPrefix(id, "o-")
			p.fake.BindUnion("u-"+n, id, "m-"+n)
		}
		wx, err := serveLoopback(p.fake, log)
		if err != nil {
			return nil, err
		}
		*stops = append(*stops, func() { _ = wx.stop(time.Second) })
		p.settings.set("WECHAT_API_BASE", wx.url, "fake WeChat API")
	}

	objs, err := startObjects(opts.data, log)
	if err != nil {
		return nil, err
	}
	*stops = append(*stops, objs.stop)
	note = "embedded S3, objects under " + filepath.Join(opts.data, objectsDir)
	if p.settings.fromEnv["S3_ENDPOINT"] {
		note = "embedded S3; the environment's value is not used"
	}
	p.settings.set("S3_ENDPOINT", objs.url, note)

	cfg, cache, err := p.secrets(ctx, log, stops)
	if err != nil {
		return nil, err
	}
	media, err := objs.bucket(ctx, cfg.MediaBucket)
	if err != nil {
		return nil, err
	}
	p.db, err = dynamo.NewClient(ctx, dynamo.ClientOptions{Endpoint: cfg.DynamoEndpoint})
	if err != nil {
		return nil, err
	}
	p.app, err = app.New(ctx, cfg, app.Options{DB: p.db, LogOutput: logOut, Secrets: cache})
	if err != nil {
		return nil, err
	}
	p.app.Bucket = media
	if p.index, err = search.Open(filepath.Join(dir, searchDir)); err != nil {
		return nil, err
	}
	*stops = append(*stops, func() { _ = p.index.Close() })
	p.app.SearchIndex = p.index
	lib, err := p.app.Library()
	if err != nil {
		return nil, err
	}
	objs.mu.Lock()
	objs.notify = mediaapp.Handler(lib.Library, p.app.Log)
	objs.mu.Unlock()
	if err := p.fill(ctx); err != nil {
		return nil, err
	}
	return p, p.indexAll(ctx)
}

// secrets puts the secrets' values into a fake Secrets Manager and returns the
// configuration as a deployed function has it, each secret by its reference
// (config.SecretRef), with the SDK's client that reads them over HTTP.
func (p *platform) secrets(ctx context.Context, log *slog.Logger, stops *[]func()) (config.Config, *secrets.Cache, error) {
	store := secretstest.NewStore()
	refs := map[string]string{}
	for _, v := range config.Secrets {
		if val := p.settings.get(v); val != "" {
			name := "wentitong/local/" + v
			store.Put(name, val)
			refs[config.SecretRef(v)] = name
		}
	}
	srv, err := serveLoopback(store, log)
	if err != nil {
		return config.Config{}, nil, err
	}
	*stops = append(*stops, func() { _ = srv.stop(time.Second) })
	cache, err := secrets.New(ctx, srv.url)
	if err != nil {
		return config.Config{}, nil, err
	}
	cfg := config.From(func(k string) string {
		if ref, ok := refs[k]; ok {
			return ref
		}
		return p.settings.get(k)
	}).WithoutSecrets()
	return cfg, cache, nil
}

// fill says what the engine loaded, or seeds the demo data into the empty table, in
// bulk: one snapshot at the end, so a crash while seeding leaves an empty table that the
// next start seeds again. The counters count the demo's past at the first poll.
func (p *platform) fill(ctx context.Context) error {
	l := p.engine.Loaded()
	switch {
	case l.Items > 0:
		p.origin = fmt.Sprintf("%d items: the snapshot's %d, then %d writes replayed from the journal", l.Items, l.SnapshotItems, l.Replayed)
		if l.Dropped > 0 {
			p.origin += fmt.Sprintf(" (and %d bytes of a write torn by a crash, never answered, dropped)", l.Dropped)
		}
	case !p.opts.demo:
		p.origin = "empty table (-demo=false)"
	default:
		var sum demo.Summary
		err := p.engine.Bulk(ctx, func() (err error) {
			if sum, err = demo.Seed(ctx, p.app); err != nil {
				return err
			}
			return demo.SeedLibrary(ctx, p.app, &sum)
		})
		if err != nil {
			return fmt.Errorf("seed demo data: %w", err)
		}
		p.origin = fmt.Sprintf("demo data: %d districts, %d venues, %d activities, %d slots; %d collections, %d items, %d media files, %d articles; staff %v; residents %v",
			sum.Districts, sum.Venues, sum.Activities, sum.Slots, sum.Collections, sum.Items, sum.Media, sum.News, sum.Staff, sum.Residents)
		if len(sum.Residents) > 0 {
			p.resident = sum.Residents[0]
		}
		if p.fake != nil { // offered on the fake WeChat authorisation page
			p.fake.SuggestOpenIDs(append(append(sum.Residents, sum.Staff...), p.app.Config.AdminOpenIDs...)...)
		}
	}
	return nil
}

// background starts the stream poller and the scheduler; they stop when ctx is done,
// and wg waits for them.
func (p *platform) background(ctx context.Context, wg *sync.WaitGroup, polled func(events.DynamoDBEvent, events.DynamoDBEventResponse)) {
	opts := p.opts
	pl := newPoller(p.db, p.app.Config.TableName, p.app.Notifier(), p.app.Now, p.log)
	pl.polled = polled
	sch := &scheduler{handle: p.app.Scheduler(), log: p.log}
	wg.Go(func() { every(ctx, opts.poll, pl.poll) })
	if feed, err := p.indexFeed(); err != nil {
		p.log.Error("search is not kept up to date", "err", err)
	} else {
		wg.Go(func() { every(ctx, opts.poll, feed.poll) })
	}
	if fn, err := p.tmpl.Function("NotifierFunction"); err != nil {
		p.log.Error("bookings' confirmations are not queued", "err", err)
	} else if feed, err := dynamotest.NewFeed(p.noticeStream, p.app.Notifier(), fn); err != nil {
		p.log.Error("bookings' confirmations are not queued", "err", err)
	} else {
		poll := func(f *dynamotest.Feed) func(context.Context) {
			return func(ctx context.Context) {
				if _, err := f.Poll(ctx); err != nil && ctx.Err() == nil {
					p.log.Warn("bookings' confirmations: retried at the next poll", "err", err)
				}
			}
		}
		queue := *feed // the notifier's first step alone: queue, not send
		queue.Handler = p.app.Announcements()
		wg.Go(func() {
			every(ctx, opts.poll, poll(feed))
			// What the last bookings owe is queued before the final save: the snapshot
			// keeps it, and the poller of the next start sends it.
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
			defer cancel()
			poll(&queue)(final)
		})
	}
	if feed, err := newFeedPoller(p.stream, p.app.Counters(), p.tmpl, "CountersFunction", "counters", p.log); err != nil {
		p.log.Error("report counters are not kept", "err", err)
	} else {
		wg.Go(func() {
			every(ctx, opts.poll, feed.poll)
			// What the last requests changed is counted before the final save.
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
			defer cancel()
			feed.poll(final)
		})
	}
	wg.Go(func() { every(ctx, opts.tick, sch.tick) })
	if def, err := p.tmpl.Table(dynamodev.TableLogicalID); err != nil || !def.TimeToLiveSpecification.Enabled {
		p.log.Error("expired items are not deleted: the table's TTL is not in template.yaml", "err", err)
	} else {
		ttl := &sweeper{db: p.db, table: p.app.Config.TableName, attr: def.TimeToLiveSpecification.AttributeName, now: p.app.Now, log: p.log}
		wg.Go(func() { every(ctx, opts.tick, ttl.sweep) })
	}
}

// sweeper stands in for DynamoDB's TTL process, which the embedded engine lacks: each
// tick it deletes the items whose TTL attribute has passed (dedup records, sent
// messages after 90 days, locations after a day, …), as AWS does within a day or two.
type sweeper struct {
	db    *dynamodb.Client
	table string
	attr  string
	now   func() time.Time
	log   *slog.Logger
}

func (s *sweeper) sweep(ctx context.Context) {
	n, err := dynamodev.SweepExpired(ctx, s.db, s.table, s.attr, s.now())
	switch {
	case err != nil && ctx.Err() == nil:
		s.log.Error("delete expired items", "err", err)
	case n > 0:
		s.log.Info("expired items deleted", "items", n)
	}
}

// guide is the text printed when the runner is ready.
func (p *platform) guide(base string) guide {
	g := guide{
		Base:     base,
		Data:     p.dataDir,
		Pid:      os.Getpid(),
		Engine:   p.settings.get("DYNAMODB_ENDPOINT"),
		WeChat:   p.settings.get("WECHAT_API_BASE"),
		FakeOn:   p.fake != nil,
		Settings: p.settings,
		Origin:   p.origin,
		Resident: p.resident,
		Admin:    "o-admin",
		WXToken:  p.settings.get("WECHAT_TOKEN"),
	}
	if admins := p.app.Config.AdminOpenIDs; len(admins) > 0 {
		g.Admin = admins[0]
	}
	if p.settings.fromEnv["WECHAT_TOKEN"] {
		g.WXToken = `"$WECHAT_TOKEN"`
	}
	return g
}
