package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/shared/syncio"
)

const (
	shutdownGrace = 5 * time.Second  // for the requests in flight at shutdown
	saveTimeout   = 30 * time.Second // for the final compaction
)

// runner runs the platform. Its fields besides getenv are hooks for tests.
type runner struct {
	getenv func(string) string
	ready  func(readyInfo)                                          // called once serving
	polled func(events.DynamoDBEvent, events.DynamoDBEventResponse) // after each notifier call
}

// readyInfo is what a test needs to reach a running runner.
type readyInfo struct {
	URL   string // the API's base URL
	DB    *dynamodb.Client
	Table string
}

func (r runner) run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	opts, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	stderr = &syncio.Writer{W: stderr} // the runner's and the app's loggers write it
	log := slog.New(slog.NewJSONHandler(stderr, nil)).With("component", "local")

	// Bind first, so a busy port fails before anything slow starts.
	ln, err := net.Listen("tcp", opts.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", opts.addr, err)
	}
	var stops []func() // what start started, stopped in reverse order when run returns
	defer func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}()
	stops = append(stops, func() { ln.Close() })
	opts.url = "http://" + ln.Addr().String()
	p, err := r.start(ctx, opts, stderr, log, &stops)
	if err != nil {
		return err
	}
	simulator, err := p.simulator("http://" + ln.Addr().String())
	if err != nil {
		return err
	}
	h, err := handler(p.app, p.tmpl, p.fake, simulator)
	if err != nil {
		return err
	}
	api := serve(ln, h, log)

	// The background work outlives ctx until the server has drained, so that what the
	// last requests wrote is polled.
	bg, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	p.background(bg, &wg, r.polled)

	if err := p.guide(api.url).print(stdout); err != nil {
		log.Warn("print the guide", "err", err)
	}
	log.Info("listening on "+api.url, "startupMs", time.Since(start).Milliseconds(), "pid", os.Getpid(),
		"data", p.dataDir, "durability", durability)
	if r.ready != nil {
		r.ready(readyInfo{URL: api.url, DB: p.db, Table: p.app.Config.TableName})
	}

	select {
	case <-ctx.Done():
		log.Info("shutting down", "cause", context.Cause(ctx).Error())
	case <-api.done:
	}
	serveErr := api.stop(shutdownGrace)
	stopBackground()
	wg.Wait()
	saveCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	if err := p.engine.Close(saveCtx); err != nil {
		// The journal still holds every answered write: the next start replays it.
		return errors.Join(serveErr, err)
	}
	st := p.engine.Stats()
	log.Info("stopped; the journal is compacted into the snapshot", "data", p.dataDir,
		"writesJournaled", st.Records, "fsyncs", st.Flushes)
	return serveErr
}

// durability is what the runner promises about the data it answers for.
const durability = "every write is in the journal on disk (fsynced) before it is answered; kill -9 loses nothing answered"
