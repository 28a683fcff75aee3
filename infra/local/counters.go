package main

import (
	"context"
	"log/slog"

	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/sam"
)

// changeFeed stands in for CountersFunction's event source mapping: it hands the items
// the embedded engine's writes changed (recorded by the stream in front of the engine)
// to the counters' handler, filtered and batched as template.yaml says. Records the
// handler reports failed wait for the next poll. The records live in memory: those not
// yet handed over when the runner is killed are streamed again at the next start, from
// the writes the engine replays from its journal (a compaction in the last poll before
// the kill can take some of them with it: the reconciliation repairs that, go run
// ./infra/reconcile -fix).
type changeFeed struct {
	feed    *dynamotest.Feed
	log     *slog.Logger
	lastErr string
}

func newChangeFeed(stream *dynamotest.Stream, handle dynamotest.Consumer, tmpl *sam.Template, log *slog.Logger) (*changeFeed, error) {
	fn, err := tmpl.Function("CountersFunction")
	if err != nil {
		return nil, err
	}
	feed, err := dynamotest.NewFeed(stream, handle, fn)
	if err != nil {
		return nil, err
	}
	return &changeFeed{feed: feed, log: log}, nil
}

// poll delivers what was recorded since the last poll, logging each new error once.
func (f *changeFeed) poll(ctx context.Context) {
	_, err := f.feed.Poll(ctx)
	switch {
	case err == nil:
		f.lastErr = ""
	case ctx.Err() == nil && err.Error() != f.lastErr:
		f.log.Error("change feed: counters failed", "err", err)
		f.lastErr = err.Error()
	}
}
