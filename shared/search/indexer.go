package search

import (
	"bytes"
	"context"
	"errors"
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
// its local disk (Lambda's /tmp), fetched in the background: Start begins the first
// fetch when the function starts, a search looks for a newer snapshot at most every
// Refresh and keeps answering from the current copy while it is fetched. A search that
// finds no copy yet waits at most Wait for the fetch under way and then answers
// ErrLoading, so that a cold function (a 57 MB snapshot at 100,000 items) never holds
// a chat reply past WeChat's 5 s.
type Replica struct {
	Snapshots Snapshots
	Dir       string        // where copies are unpacked
	Refresh   time.Duration // default 30 s
	Wait      time.Duration // default 1 s
	Now       func() time.Time
	Log       *slog.Logger

	mu      sync.Mutex
	idx     *Index
	version string
	dir     string // the current copy's
	checked time.Time
	n       int
	loading chan struct{} // closed when the fetch under way ends; nil when none is
	err     error         // the last fetch's error while there is no copy
}

// Errors of a replica without a copy.
var (
	// ErrNoIndex is the answer before any snapshot has been published.
	ErrNoIndex = errors.New("search: no index published yet")
	// ErrLoading is the answer while the first copy is still being fetched.
	ErrLoading = errors.New("search: the index is still being fetched")
)

// fetchTimeout bounds one fetch, which goes on after the search that started it ends.
const fetchTimeout = 2 * time.Minute

// Start begins fetching the published index, without waiting.
func (r *Replica) Start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fetchLocked()
}

// Index returns the current copy, and starts fetching a newer one when it is time to
// look; without a copy it waits for the fetch at most Wait (or until ctx is done).
func (r *Replica) Index(ctx context.Context) (*Index, error) {
	r.mu.Lock()
	refresh := r.Refresh
	if refresh <= 0 {
		refresh = 30 * time.Second
	}
	if r.idx == nil || r.Now().Sub(r.checked) >= refresh {
		r.fetchLocked()
	}
	idx, loading := r.idx, r.loading
	r.mu.Unlock()
	if idx != nil {
		return idx, nil
	}
	wait := r.Wait
	if wait <= 0 {
		wait = time.Second
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-loading:
	case <-timer.C:
		return nil, ErrLoading
	case <-ctx.Done():
		return nil, ErrLoading
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.idx != nil {
		return r.idx, nil
	}
	return nil, r.err
}

// fetchLocked starts a fetch unless one is under way; r.mu is held.
func (r *Replica) fetchLocked() {
	if r.loading != nil {
		return
	}
	r.checked = r.Now()
	done := make(chan struct{})
	r.loading = done
	go func() {
		defer close(done)
		ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
		defer cancel()
		start := time.Now()
		idx, version, dir, err := r.fetch(ctx)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.loading = nil
		switch {
		case err != nil && r.idx != nil:
			r.Log.Warn("search replica: keep the current copy", "err", err)
		case err != nil:
			r.err = err
		case idx != nil:
			old, oldDir := r.idx, r.dir
			r.idx, r.version, r.dir, r.err = idx, version, dir, nil
			r.Log.Info("search replica: fetched", "version", version, "ms", time.Since(start).Milliseconds())
			if old != nil {
				// Searches under way on the old copy finish first: bleve's Close waits for them.
				go func() { _ = old.Close(); _ = os.RemoveAll(oldDir) }()
			}
		}
	}()
}

// fetch reads the published snapshot unless it is the current copy's version (idx nil)
// and unpacks it into a new directory, dir.
func (r *Replica) fetch(ctx context.Context) (idx *Index, version, dir string, err error) {
	r.mu.Lock()
	have := r.version
	r.n++
	dir = filepath.Join(r.Dir, fmt.Sprintf("copy-%d", r.n))
	r.mu.Unlock()
	rc, version, changed, ok, err := r.Snapshots.Fetch(ctx, have)
	switch {
	case err != nil:
		return nil, "", "", err
	case !ok:
		return nil, "", "", ErrNoIndex
	case !changed:
		return nil, "", "", nil
	}
	defer rc.Close()
	_ = os.RemoveAll(dir)
	if idx, err = ReadSnapshot(rc, dir); err != nil {
		_ = os.RemoveAll(dir)
		return nil, "", "", err
	}
	// The first search on a fresh copy reads its dictionaries from disk: do it here.
	_, _ = idx.Search(Query{Text: "搜索"})
	return idx, version, dir, nil
}
