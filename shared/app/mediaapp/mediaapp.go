// Package mediaapp wires the MediaFunction: each file uploaded to the media bucket is
// checked, given a thumbnail and counted, or rejected, and the files of deleted items
// are purged. It builds the library service on the media bucket, which libraryapp builds
// on too; it links no search index.
package mediaapp

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
	"github.com/wentitong/wentitong/shared/bucket"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamo/librarydb"
	"github.com/wentitong/wentitong/shared/library"
)

// BucketNeeds is the configuration of a function that uses the media bucket.
var BucketNeeds = config.Needs{Required: []string{"MEDIA_BUCKET"}, Optional: []string{"S3_ENDPOINT"}}

// Needs is the configuration the media function reads.
var Needs = boot.Needs.And(BucketNeeds)

// Bucket returns bkt, or when it is nil the media bucket MEDIA_BUCKET (and S3_ENDPOINT)
// names.
func Bucket(ctx context.Context, b *boot.Base, bkt *bucket.Bucket) (*bucket.Bucket, error) {
	if bkt != nil {
		return bkt, nil
	}
	if err := b.Check(Needs); err != nil {
		return nil, err
	}
	return bucket.New(ctx, bucket.Options{Name: b.Config.MediaBucket, Endpoint: b.Config.S3Endpoint})
}

// Library returns the library service on the table and bkt, with its store.
func Library(b *boot.Base, bkt *bucket.Bucket) (*library.Service, *librarydb.Library) {
	store := &librarydb.Library{DB: b.DB, Table: b.Table}
	return &library.Service{
		Store: store, Objects: bkt, Institutions: store, Places: b.Directory(),
		Now: b.Now, NewID: ShortID, Log: b.Log,
	}, store
}

// ShortID is a random id of 12 hex digits: enough for the library's few hundred
// thousand records (the Put conditions refuse a collision), short for keys and URLs.
func ShortID() string {
	u := uuid.New()
	return fmt.Sprintf("%x", u[:6])
}

// New builds the media function's library service on b; bkt is the media bucket, or nil
// to build it from MEDIA_BUCKET (and S3_ENDPOINT).
func New(ctx context.Context, b *boot.Base, bkt *bucket.Bucket) (*library.Service, error) {
	bkt, err := Bucket(ctx, b, bkt)
	if err != nil {
		return nil, err
	}
	svc, _ := Library(b, bkt)
	return svc, nil
}

// Deployed builds the MediaFunction's handler as its main serves it, on the media bucket
// MEDIA_BUCKET names.
func Deployed(b *boot.Base) (func(ctx context.Context, raw json.RawMessage) error, error) {
	svc, err := New(context.Background(), b, nil)
	if err != nil {
		return nil, err
	}
	return Handler(svc, b.Log), nil
}

// Handler is the MediaFunction's handler: the bucket's "object created" notifications
// (each media file is checked, given a thumbnail and counted, or rejected) and the hourly
// schedule that purges the files of deleted items whose deletion could not remove them
// at once. A record that fails fails the invocation, and Lambda retries the event
// (Process ignores what it already did).
func Handler(svc *library.Service, log *slog.Logger) func(ctx context.Context, raw json.RawMessage) error {
	return func(ctx context.Context, raw json.RawMessage) error {
		var probe struct {
			DetailType string `json:"detail-type"`
		}
		if err := json.Unmarshal(raw, &probe); err != nil {
			return fmt.Errorf("media: unreadable event: %w", err)
		}
		if probe.DetailType != "" {
			n, err := svc.PurgePending(ctx, 100)
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
			if err := svc.Process(ctx, key); err != nil {
				log.Error("process upload", "key", key, "err", err)
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
}
