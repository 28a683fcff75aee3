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

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/newsapp"
	"github.com/wentitong/wentitong/shared/bucket"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamo/librarydb"
	"github.com/wentitong/wentitong/shared/institution"
	"github.com/wentitong/wentitong/shared/library"
	"github.com/wentitong/wentitong/shared/news"
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
}

// New builds the library's graph on b; bkt is the media bucket, or nil to build it from
// MEDIA_BUCKET (and S3_ENDPOINT).
func New(ctx context.Context, b *boot.Base, bkt *bucket.Bucket) (*Parts, error) {
	if err := b.Config.Check(boot.Needs.And(BucketNeeds)); err != nil && bkt == nil {
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
	return p, nil
}

// Router returns the LibraryFunction's routes.
func Router(b *boot.Base, p *Parts) (*web.Router, error) {
	if err := b.Config.Check(Needs); err != nil {
		return nil, err
	}
	policy, err := b.Policy()
	if err != nil {
		return nil, err
	}
	rt := web.NewRouter(policy)
	institution.Routes(rt, p.Institutions)
	library.Routes(rt, p.Library)
	news.Routes(rt, p.News)
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
