// Package libraryapp wires the digital resource library and the news centre with the
// search: the LibraryFunction's routes and the IndexerFunction's index. It builds on
// mediaapp's library service (the MediaFunction, which links no search index).
package libraryapp

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/aws/aws-lambda-go/events"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/mediaapp"
	"github.com/wentitong/wentitong/shared/app/newsapp"
	"github.com/wentitong/wentitong/shared/app/searchapp"
	"github.com/wentitong/wentitong/shared/bucket"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamo/librarydb"
	"github.com/wentitong/wentitong/shared/dynamo/searchdb"
	"github.com/wentitong/wentitong/shared/h5/libpages"
	"github.com/wentitong/wentitong/shared/institution"
	"github.com/wentitong/wentitong/shared/library"
	"github.com/wentitong/wentitong/shared/news"
	"github.com/wentitong/wentitong/shared/search"
	"github.com/wentitong/wentitong/shared/web"
)

// Needs is the configuration the library function reads.
var Needs = boot.Needs.And(boot.SessionNeeds, mediaapp.BucketNeeds, config.Needs{Optional: []string{"H5_BASE_URL"}})

// Parts is the library's graph.
type Parts struct {
	Bucket       *bucket.Bucket
	Store        *librarydb.Library
	Library      *library.Service
	Institutions *institution.Service
	News         *news.Service
	// Search returns the index searches read: the replica of the published snapshot in
	// AWS, or the index UseIndex gave (the local runner's and tests').
	Search func(ctx context.Context) (*search.Index, error)
	source *searchdb.Source
}

// New builds the library's graph on b; bkt is the media bucket, or nil to build it from
// MEDIA_BUCKET (and S3_ENDPOINT).
func New(ctx context.Context, b *boot.Base, bkt *bucket.Bucket) (*Parts, error) {
	bkt, err := mediaapp.Bucket(ctx, b, bkt)
	if err != nil {
		return nil, err
	}
	p := &Parts{Bucket: bkt}
	p.Library, p.Store = mediaapp.Library(b, bkt)
	p.Institutions = &institution.Service{Store: p.Store, Places: b.Directory()}
	p.News = newsapp.Service(b, mediaapp.ShortID)
	p.News.Covers = p.Bucket
	p.source = &searchdb.Source{DB: b.DB, Table: b.Table}
	if p.Search, err = searchapp.Replica(ctx, b, p.Bucket, searchapp.PageWait); err != nil {
		return nil, err
	}
	return p, nil
}

// PageSources are what the residents' library pages read.
func (p *Parts) PageSources(ctx context.Context) (libpages.Sources, error) {
	origin, err := p.Bucket.Origin(ctx)
	if err != nil {
		return libpages.Sources{}, err
	}
	return libpages.Sources{Library: p.Library, News: p.News, Search: p.Search, MediaOrigin: origin}, nil
}

// UseIndex makes searches read idx, kept up to date by the caller (Indexer).
func (p *Parts) UseIndex(idx *search.Index) {
	p.Search = func(context.Context) (*search.Index, error) { return idx, nil }
}

// Indexer keeps idx in step with the table.
func (p *Parts) Indexer(idx *search.Index) *search.Indexer {
	return &search.Indexer{Index: idx, Source: p.source}
}

// IndexerHandler is the IndexerFunction's handler: each batch of the table's stream
// (the items, news, activities and venues that changed) is applied to the index, then
// published when publish is set and a doc changed (the search functions fetch the
// snapshot). A batch that fails, publishing included, is retried whole, so the stream
// moves on only past what a published snapshot holds; applying a record twice leaves
// the index as the table is.
func IndexerHandler(ix *search.Indexer, publish func(ctx context.Context) error, log *slog.Logger) func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		keys := make([]search.Key, 0, len(ev.Records))
		for _, r := range ev.Records {
			keys = append(keys, search.Key{PK: r.Change.Keys["PK"].String(), SK: r.Change.Keys["SK"].String()})
		}
		n, err := ix.Apply(ctx, keys)
		if err != nil {
			log.Error("index changes", "records", len(keys), "err", err)
			return events.DynamoDBEventResponse{}, err
		}
		if publish != nil && n > 0 {
			if err := publish(ctx); err != nil {
				log.Error("publish the search index", "err", err)
				return events.DynamoDBEventResponse{}, err
			}
		}
		return events.DynamoDBEventResponse{}, nil
	}
}

// DeployedIndexer builds the IndexerFunction's handler as its main serves it: the index
// in the function's /tmp, published to the media bucket.
func DeployedIndexer(b *boot.Base) (func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error), error) {
	ix, publish, err := NewIndexer(context.Background(), b, filepath.Join(os.TempDir(), "search-index"))
	if err != nil {
		return nil, err
	}
	return IndexerHandler(ix, publish, b.Log), nil
}

// IndexNeeds is the configuration the indexer function reads.
var IndexNeeds = mediaapp.Needs

// NewIndexer builds the IndexerFunction's graph at its cold start: the index in dir,
// from the published snapshot (or rebuilt from the table when there is none), and a
// publisher of its snapshots.
func NewIndexer(ctx context.Context, b *boot.Base, dir string) (*search.Indexer, func(context.Context) error, error) {
	p, err := New(ctx, b, nil)
	if err != nil {
		return nil, nil, err
	}
	snaps := bucket.SearchSnapshots{Bucket: p.Bucket}
	_ = os.RemoveAll(dir)
	var idx *search.Index
	rc, _, _, ok, err := snaps.Fetch(ctx, "")
	switch {
	case err != nil:
		return nil, nil, err
	case ok:
		defer rc.Close()
		if idx, err = search.ReadSnapshot(rc, dir); err == nil {
			idx.Close()
			idx, err = search.Open(dir) // writable again
		}
	default:
		idx, err = search.Open(dir)
	}
	if err != nil {
		return nil, nil, err
	}
	ix := p.Indexer(idx)
	if !ok {
		n, err := ix.Rebuild(ctx)
		if err != nil {
			return nil, nil, err
		}
		b.Log.Info("search index rebuilt from the table", "docs", n)
	}
	publish := func(ctx context.Context) error {
		_, err := idx.PublishSnapshot(ctx, snaps)
		return err
	}
	return ix, publish, nil
}

// Deployed builds the LibraryFunction's routes as its main serves them: on the media
// bucket MEDIA_BUCKET names, searching the published index's replica.
func Deployed(b *boot.Base) (*web.Router, error) {
	p, err := New(context.Background(), b, nil)
	if err != nil {
		return nil, err
	}
	return Router(b, p)
}

// Router returns the LibraryFunction's routes.
func Router(b *boot.Base, p *Parts) (*web.Router, error) {
	policy, err := b.PolicyFor(Needs)
	if err != nil {
		return nil, err
	}
	rt := web.NewRouter(policy)
	institution.Routes(rt, p.Institutions)
	library.Routes(rt, p.Library)
	news.Routes(rt, p.News)
	search.Routes(rt, p.Search)
	return rt, nil
}
