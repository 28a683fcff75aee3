// Package searchapp wires the search for the functions that read it (the library's API,
// the chat's 搜 and the pages): a replica of the index IndexerFunction publishes to the
// media bucket, kept in the function's /tmp.
package searchapp

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/bucket"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/search"
)

// Source returns the index to search; the replica fetches a newer snapshot when one is
// published.
type Source = func(ctx context.Context) (*search.Index, error)

// Needs is the configuration of a function that only searches: the bucket holding the
// snapshot (without it, search is not offered).
var Needs = config.Needs{Optional: []string{"MEDIA_BUCKET", "S3_ENDPOINT"}}

// Waits for the first copy of the index a cold function fetches: the chat's reply must
// leave WeChat's 5 s with room to spare; a page can wait longer.
const (
	ChatWait = time.Second
	PageWait = 10 * time.Second
)

// Replica returns a replica of the published index, read from bkt, or from the bucket
// MEDIA_BUCKET names when bkt is nil; nil when there is no bucket configured. It begins
// fetching the index at once, and a search waits at most wait for the first copy.
func Replica(ctx context.Context, b *boot.Base, bkt *bucket.Bucket, wait time.Duration) (Source, error) {
	if bkt == nil {
		if b.Config.MediaBucket == "" {
			return nil, nil
		}
		var err error
		if bkt, err = bucket.New(ctx, bucket.Options{Name: b.Config.MediaBucket, Endpoint: b.Config.S3Endpoint}); err != nil {
			return nil, err
		}
	}
	r := &search.Replica{Snapshots: bucket.SearchSnapshots{Bucket: bkt}, Dir: filepath.Join(os.TempDir(), "search"),
		Wait: wait, Now: b.Now, Log: b.Log}
	r.Start()
	return r.Index, nil
}

// Fixed returns a source that always reads idx (the local runner's and tests' index,
// kept up to date by the indexer's handler in the same process).
func Fixed(idx *search.Index) Source {
	if idx == nil {
		return nil
	}
	return func(context.Context) (*search.Index, error) { return idx, nil }
}
