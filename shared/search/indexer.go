package search

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Source reads what the index holds from where it is kept (the table).
type Source interface {
	// Doc returns the doc of the thing a changed key (PK, SK) belongs to, with its id;
	// ok is false when it should not be in the index (gone, a draft), and id "" when
	// the key is none of the index's.
	Doc(ctx context.Context, pk, sk string) (doc Doc, id string, ok bool, err error)
	// All hands every doc to fn.
	All(ctx context.Context, fn func(Doc) error) error
}

// Key is a changed item's key, as a stream record names it.
type Key struct{ PK, SK string }

// Indexer keeps an index in step with its source: each changed key is read again from
// the source (so records in any order, repeated or stale, leave the index as the source
// is) and the doc put or deleted.
type Indexer struct {
	Index  *Index
	Source Source
}

// Apply re-reads the docs of the changed keys and puts or deletes them in one batch;
// it returns how many docs it put or deleted (0 when no key was one of the index's).
func (ix *Indexer) Apply(ctx context.Context, keys []Key) (int, error) {
	var put []Doc
	var del []string
	seen := map[string]bool{}
	for _, k := range keys {
		doc, id, ok, err := ix.Source.Doc(ctx, k.PK, k.SK)
		if err != nil {
			return 0, fmt.Errorf("index %s/%s: %w", k.PK, k.SK, err)
		}
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		if ok {
			put = append(put, doc)
		} else {
			del = append(del, id)
		}
	}
	if len(put) > 0 {
		if err := ix.Index.Put(put...); err != nil {
			return 0, err
		}
	}
	if len(del) > 0 {
		if err := ix.Index.Delete(del...); err != nil {
			return 0, err
		}
	}
	return len(put) + len(del), nil
}

// Rebuild puts every doc of the source into the index (which should be empty), in
// batches of 500, and returns how many.
func (ix *Indexer) Rebuild(ctx context.Context) (int, error) {
	var batch []Doc
	n := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := ix.Index.Put(batch...)
		n += len(batch)
		batch = batch[:0]
		return err
	}
	err := ix.Source.All(ctx, func(d Doc) error {
		batch = append(batch, d)
		if len(batch) == 500 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return n, err
}

// Snapshots is where the indexer publishes the index and the search function fetches
// it (the media bucket, under search/).
type Snapshots interface {
	// Fetch returns the current snapshot unless its version is have (changed false),
	// and its version; ok is false when none has been published.
	Fetch(ctx context.Context, have string) (r io.ReadCloser, version string, changed, ok bool, err error)
	// Publish stores a new snapshot.
	Publish(ctx context.Context, snapshot []byte) error
}

// PublishSnapshot writes the index's snapshot to snaps.
func (x *Index) PublishSnapshot(ctx context.Context, snaps Snapshots) (int, error) {
	var buf bytes.Buffer
	if err := x.WriteSnapshot(&buf); err != nil {
		return 0, err
	}
	return buf.Len(), snaps.Publish(ctx, buf.Bytes())
}

// Replica is a read-only copy of the published index that a search function keeps in
// its local disk (Lambda's /tmp): fetched at the first search, fetched again when a
// newer one is published, looked for at most every Refresh.
type Replica struct {
	Snapshots Snapshots
	Dir       string        // where copies are unpacked
	Refresh   time.Duration // default 30 s
	Now       func() time.Time
	Log       *slog.Logger

	mu      sync.Mutex
	idx     *Index
	version string
	checked time.Time
	n       int
}

// ErrNoIndex is Replica's answer before any snapshot has been published.
var ErrNoIndex = fmt.Errorf("search: no index published yet")

// Index returns the current copy, fetching a newer one when it is time to look.
func (r *Replica) Index(ctx context.Context) (*Index, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.Now()
	refresh := r.Refresh
	if refresh <= 0 {
		refresh = 30 * time.Second
	}
	if r.idx != nil && now.Sub(r.checked) < refresh {
		return r.idx, nil
	}
	r.checked = now
	rc, version, changed, ok, err := r.Snapshots.Fetch(ctx, r.version)
	switch {
	case err != nil && r.idx != nil:
		r.Log.Warn("search replica: keep the current copy", "err", err)
		return r.idx, nil
	case err != nil:
		return nil, err
	case !ok:
		return nil, ErrNoIndex
	case !changed:
		return r.idx, nil
	}
	defer rc.Close()
	r.n++
	dir := filepath.Join(r.Dir, fmt.Sprintf("copy-%d", r.n))
	_ = os.RemoveAll(dir)
	idx, err := ReadSnapshot(rc, dir)
	if err != nil {
		if r.idx != nil {
			r.Log.Warn("search replica: keep the current copy", "err", err)
			return r.idx, nil
		}
		return nil, err
	}
	old, oldDir := r.idx, filepath.Join(r.Dir, fmt.Sprintf("copy-%d", r.n-1))
	r.idx, r.version = idx, version
	if old != nil {
		// Searches under way on the old copy finish first: bleve's Close waits for them.
		go func() { _ = old.Close(); _ = os.RemoveAll(oldDir) }()
	}
	return r.idx, nil
}
