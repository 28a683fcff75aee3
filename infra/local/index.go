package main

import (
	"context"
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

// indexFeed stands in for IndexerFunction's event source mapping (feedPoller): it hands
// the engine's writes, filtered as template.yaml says, to the indexer's handler on the
// runner's index.
func (p *platform) indexFeed() (*feedPoller, error) {
	handle, _, err := p.app.LibraryIndexer()
	if err != nil {
		return nil, err
	}
	return newFeedPoller(p.searchStream, handle, p.tmpl, "IndexerFunction", "search indexer", p.log)
}
