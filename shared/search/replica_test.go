package search_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/bucket"
	"github.com/wentitong/wentitong/shared/buckettest"
	"github.com/wentitong/wentitong/shared/search"
)

// The production path on this machine: the indexer publishes its snapshot to the
// bucket (the embedded S3 server, through the real client), a search function's replica
// fetches it at its first search and fetches it again only when a newer one is
// published and its refresh period has passed.
func TestReplicaFollowsPublishedSnapshots(t *testing.T) {
	ctx := context.Background()
	kit := buckettest.New(t)
	snaps := bucket.SearchSnapshots{Bucket: kit.Bucket}
	idx, set := mustIndex(t)
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	r := &search.Replica{Snapshots: snaps, Dir: filepath.Join(t.TempDir(), "replica"), Refresh: time.Minute,
		Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)}
	if _, err := r.Index(ctx); err != search.ErrNoIndex {
		t.Fatalf("before any snapshot: %v, want ErrNoIndex", err)
	}
	if _, err := idx.PublishSnapshot(ctx, snaps); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Minute)
	first := func() string {
		t.Helper()
		copyIdx, err := r.Index(ctx)
		if err != nil {
			t.Fatal(err)
		}
		res, err := copyIdx.Search(search.Query{Text: "龙舟"})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 {
			return ""
		}
		return res.Hits[0].ID
	}
	if got := first(); got != "item:dg-1" {
		t.Errorf("replica's 龙舟 = %q, want item:dg-1", got)
	}
	// A new doc, published: not seen until the refresh period passes.
	doc := set.Docs[len(set.Docs)-1]
	doc.ID, doc.Title = "item:dg-2", "龙舟下水仪式"
	if err := idx.Delete("item:dg-1"); err != nil {
		t.Fatal(err)
	}
	if err := idx.Put(doc); err != nil {
		t.Fatal(err)
	}
	if _, err := idx.PublishSnapshot(ctx, snaps); err != nil {
		t.Fatal(err)
	}
	if got := first(); got != "item:dg-1" {
		t.Errorf("within the refresh period = %q, want the old copy's item:dg-1", got)
	}
	// After it, the search that looks answers from the copy it has while the new one is
	// fetched; the searches after that read the new copy.
	now = now.Add(2 * time.Minute)
	if got := first(); got != "item:dg-1" && got != "item:dg-2" {
		t.Errorf("after the refresh period = %q", got)
	}
	deadline := time.Now().Add(10 * time.Second)
	for first() != "item:dg-2" {
		if time.Now().After(deadline) {
			t.Fatal("the new copy was never read")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// slowSnapshots is a bucket that takes its time to hand a snapshot over, as a cold
// function's first download of a large one does.
type slowSnapshots struct {
	search.Snapshots
	release chan struct{}
}

func (s slowSnapshots) Fetch(ctx context.Context, have string) (io.ReadCloser, string, bool, bool, error) {
	<-s.release
	return s.Snapshots.Fetch(ctx, have)
}

// A cold replica does not hold a search past its Wait: it answers ErrLoading at once
// while the snapshot is still arriving, and the fetch Start began goes on, so that a
// later search finds the copy.
func TestColdReplicaAnswersWithinItsWait(t *testing.T) {
	ctx := context.Background()
	kit := buckettest.New(t)
	snaps := bucket.SearchSnapshots{Bucket: kit.Bucket}
	idx, _ := mustIndex(t)
	if _, err := idx.PublishSnapshot(ctx, snaps); err != nil {
		t.Fatal(err)
	}
	slow := slowSnapshots{Snapshots: snaps, release: make(chan struct{})}
	r := &search.Replica{Snapshots: slow, Dir: filepath.Join(t.TempDir(), "replica"), Wait: 50 * time.Millisecond,
		Now: time.Now, Log: slog.New(slog.DiscardHandler)}
	r.Start()
	start := time.Now()
	if _, err := r.Index(ctx); !errors.Is(err, search.ErrLoading) {
		t.Fatalf("while the snapshot arrives: %v, want ErrLoading", err)
	}
	if waited := time.Since(start); waited > 2*time.Second {
		t.Errorf("the search waited %v for a 50 ms Wait", waited)
	}
	close(slow.release)
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := r.Index(ctx)
		if err == nil {
			res, err := got.Search(search.Query{Text: "龙舟"})
			if err != nil || len(res.Hits) == 0 {
				t.Fatalf("the fetched copy's 龙舟: %v, %v", res, err)
			}
			return
		}
		if !errors.Is(err, search.ErrLoading) || time.Now().After(deadline) {
			t.Fatalf("after the snapshot arrived: %v", err)
		}
	}
}
