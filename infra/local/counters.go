package main

import (
	"context"
	"log/slog"

	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/sam"
)

// feedPoller stands in for a stream-triggered function's event source mapping (the
// counters', the search indexer's): it hands the items the embedded engine's writes
// changed (recorded by the stream in front of the engine) to the function's handler,
// filtered and batched as template.yaml says. Records the handler reports failed wait
// for the next poll. The records live in memory: those not yet handed over when the
// runner is killed are streamed again at the next start, from the writes the engine
// replays from its journal (a compaction in the last poll before the kill can take some
// of them with it: for the counters, the reconciliation repairs that, go run
// ./infra/reconcile -fix).
type feedPoller struct {
	feed    *dynamotest.Feed
	log     *slog.Logger
	what    string // what the handler keeps, for the log: "counters"
	lastErr string
}

// newFeedPoller feeds stream's records to handle as template.yaml's function (its
// logical id) receives them.
func newFeedPoller(stream *dynamotest.Stream, handle dynamotest.Consumer, tmpl *sam.Template, function, what string, log *slog.Logger) (*feedPoller, error) {
	fn, err := tmpl.Function(function)
	if err != nil {
		return nil, err
	}
	feed, err := dynamotest.NewFeed(stream, handle, fn)
	if err != nil {
		return nil, err
	}
	return &feedPoller{feed: feed, log: log, what: what}, nil
}

// poll delivers what was recorded since the last poll, logging each new error once.
func (f *feedPoller) poll(ctx context.Context) {
	_, err := f.feed.Poll(ctx)
	switch {
	case err == nil:
		f.lastErr = ""
	case ctx.Err() == nil && err.Error() != f.lastErr:
		f.log.Error("change feed: "+f.what+" failed", "err", err)
		f.lastErr = err.Error()
	}
}
