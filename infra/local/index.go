package main

import (
	"context"
	"log/slog"

	"github.com/wentitong/wentitong/shared/dynamotest"
)

// searchDir is the directory under -data that holds the search index.
const searchDir = "search"

// indexAll fills an empty search index from the table: a new -data directory whose
// table came from elsewhere, or one kept from before the search existed. The demo's
// seeding is indexed as it is written, through the indexer's feed.
func (p *platform) indexAll(ctx context.Context) error {
	if n, err := p.index.Count(); err != nil || n > 0 {
		return err
	}
	_, ix, err := p.app.LibraryIndexer()
	if err != nil {
		return err
	}
	n, err := ix.Rebuild(ctx)
	if n > 0 {
		p.log.Info("search index built from the table", "docs", n)
	}
	return err
}

// indexFeed stands in for IndexerFunction's event source mapping: it hands the engine's
// writes, filtered as template.yaml says, to the indexer's handler on the runner's index.
func (p *platform) indexFeed() (*feedPoller, error) {
	handle, _, err := p.app.LibraryIndexer()
	if err != nil {
		return nil, err
	}
	fn, err := p.tmpl.Function("IndexerFunction")
	if err != nil {
		return nil, err
	}
	feed, err := dynamotest.NewFeed(p.searchStream, handle, fn)
	if err != nil {
		return nil, err
	}
	return &feedPoller{feed: feed, log: p.log, what: "search indexer"}, nil
}

// feedPoller polls a feed, logging each new error once.
type feedPoller struct {
	feed    *dynamotest.Feed
	log     *slog.Logger
	what    string
	lastErr string
}

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
