// Package libraryapp wires the digital resource library and the news centre: the
// LibraryFunction's routes and the MediaFunction's upload processor. Only these two
// functions import the S3 client.
package libraryapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/newsapp"
	"github.com/wentitong/wentitong/shared/app/searchapp"
	"github.com/wentitong/wentitong/shared/bucket"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamo/librarydb"
	"github.com/wentitong/wentitong/shared/h5/libpages"
	"github.com/wentitong/wentitong/shared/institution"
	"github.com/wentitong/wentitong/shared/library"
	"github.com/wentitong/wentitong/shared/news"
	"github.com/wentitong/wentitong/shared/search"
	"github.com/wentitong/wentitong/shared/web"
)

// BucketNeeds is the configuration of a function that uses the media bucket.
var BucketNeeds = config.Needs{Required: []string{"MEDIA_BUCKET"}, Optional: []string{"S3_ENDPOINT"}}

// Needs is the configuration the library function reads.
var Needs = boot.Needs.And(boot.SessionNeeds, BucketNeeds, config.Needs{Optional: []string{"H5_BASE_URL"}})

// MediaNeeds is the configuration the media function reads.
var MediaNeeds = boot.Needs.And(BucketNeeds)

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
	source *librarydb.Searchable
}

// New builds the library's graph on b; bkt is the media bucket, or nil to build it from
// MEDIA_BUCKET (and S3_ENDPOINT).
func New(ctx context.Context, b *boot.Base, bkt *bucket.Bucket) (*Parts, error) {
	if err := b.Check(boot.Needs.And(BucketNeeds)); err != nil && bkt == nil {
		return nil, err
	}
	p := &Parts{Bucket: bkt}
	if p.Bucket == nil {
		var err error
		if p.Bucket, err = bucket.New(ctx, bucket.Options{Name: b.Config.MediaBucket, Endpoint: b.Config.S3Endpoint}); err != nil {
			return nil, err
		}
	}
	p.Store = &librarydb.Library{DB: b.DB, Table: b.Table}
	p.Library = &library.Service{
		Store: p.Store, Objects: p.Bucket, Institutions: p.Store, Places: b.Directory(),
		Now: b.Now, NewID: ShortID, Log: b.Log,
	}
	p.Institutions = &institution.Service{Store: p.Store, Places: b.Directory()}
	p.News = newsapp.Service(b, ShortID)
	p.News.Covers = p.Bucket
	p.source = &librarydb.Searchable{DB: b.DB, Table: b.Table}
	var err error
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

// IndexNeeds is the configuration the indexer function reads.
var IndexNeeds = boot.Needs.And(BucketNeeds)

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

// ShortID is a random id of 12 hex digits: enough for the library's few hundred
// thousand records (the Put conditions refuse a collision), short for keys and URLs.
func ShortID() string {
	u := uuid.New()
	return fmt.Sprintf("%x", u[:6])
}

// MediaHandler is the MediaFunction's handler: the bucket's "object created"
// notifications (each media file is checked, given a thumbnail and counted, or rejected)
// and the hourly schedule that purges the files of deleted items whose deletion could
// not remove them at once. A record that fails fails the invocation, and Lambda retries
// the event (Process ignores what it already did).
func (p *Parts) MediaHandler(log *slog.Logger) func(ctx context.Context, raw json.RawMessage) error {
	return func(ctx context.Context, raw json.RawMessage) error {
		var probe struct {
			DetailType string `json:"detail-type"`
		}
		if err := json.Unmarshal(raw, &probe); err != nil {
			return fmt.Errorf("media: unreadable event: %w", err)
		}
		if probe.DetailType != "" {
			n, err := p.Library.PurgePending(ctx, 100)
			log.Info("purged deleted media", "purges", n)
			return err
		}
		var ev events.S3Event
		if err := json.Unmarshal(raw, &ev); err != nil {
			return fmt.Errorf("media: unreadable S3 event: %w", err)
		}
		var errs []error
		for _, rec := range ev.Records {
			key, err := url.QueryUnescape(rec.S3.Object.Key) // S3 sends keys URL-encoded
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if err := p.Library.Process(ctx, key); err != nil {
				log.Error("process upload", "key", key, "err", err)
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
}
