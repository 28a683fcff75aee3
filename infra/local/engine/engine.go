// Package engine is the local runner's DynamoDB: minidyn's embedded engine made durable
// by a journal of the writes it answers and a snapshot the journal is compacted into.
//
// Every write request (PutItem, UpdateItem, DeleteItem, BatchWriteItem,
// TransactWriteItems) is applied by the engine and appended to the journal in one order,
// and its answer leaves only once the journal holds it on disk: the requests that arrive
// while one group is being written and synced go together in the next (group commit).
// A read is answered once every write it could have seen is on disk. When the journal
// cannot be written, the requests waiting for it are answered InternalServerError and the
// engine is rebuilt from the disk, so no answered write is lost and no unanswered one
// stays behind. At Open the last snapshot is loaded, the journal is replayed on top of
// it (a record cut short by a crash is dropped) and compacted into a new snapshot.
package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/truora/minidyn/server"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamodev"
)

// SnapshotFile is the file in the data directory that holds the table as of the last
// compaction.
const SnapshotFile = "table.json"

// writeOps are the operations that change items: they are journaled. Table operations
// are not: the table is created from template.yaml at every start.
var writeOps = map[string]bool{"PutItem": true, "UpdateItem": true, "DeleteItem": true, "BatchWriteItem": true, "TransactWriteItems": true}

// Options configure Open.
type Options struct {
	Dir   string // the data directory: the snapshot and the journal
	Table string // created as template.yaml defines it
	Log   *slog.Logger
	// CompactAt is the journal size that starts a compaction in the background (default
	// 64 MiB).
	CompactAt int64
	// Replayed, when set, is called at Open with each write replayed from the journal, in
	// order, with the engine's status for it: for what must see those writes again, such
	// as a stand-in for DynamoDB Streams whose records a crash lost. body is valid only
	// during the call.
	Replayed func(op string, status int, body []byte)
}

// Loaded says what Open found on disk.
type Loaded struct {
	Snapshot      bool  // a snapshot was there
	SnapshotItems int   // items it held
	Replayed      int   // journal records replayed on top of it
	Diverged      int   // records whose replay answered otherwise than the first time (should be 0)
	Dropped       int64 // bytes of a record torn by a crash, dropped
	Items         int   // items in the table once loaded
}

// Stats count the journal's work since Open.
type Stats struct {
	Records     int64         // write requests journaled
	Flushes     int64         // group commits (one write and one fsync each)
	Bytes       int64         // bytes appended
	SyncTime    time.Duration // spent writing and syncing
	Compactions int64
	Recoveries  int64 // rebuilds after a failed journal write
	HeldReads   int64 // reads held until writes they could have seen were on disk
}

// Engine is an http.Handler speaking DynamoDB's JSON protocol, durable in its directory.
type Engine struct {
	opts Options
	log  *slog.Logger
	lock io.Closer // the directory's lock
	raw  *dynamodb.Client
	// fault, in tests, fails a journal write ("write": half of it reaches the file) or
	// its sync ("sync").
	fault atomic.Pointer[func(step string) error]

	// emu orders the engine's work: a write holds it alone while it is applied and
	// appended, so the journal's order is the order the engine applied the writes in.
	emu    sync.RWMutex
	engine *server.Server
	bulk   bool // writes go unjournaled (Bulk)
	closed bool

	// bmu guards the batches and the journal file.
	bmu      sync.Mutex
	cur      *batch // being filled
	inflight *batch // being written and synced
	jf       *journalFile
	broken   error // why the journal failed, until the engine is rebuilt
	kick     chan struct{}
	quit     chan struct{}
	flushed  chan struct{} // closed when the flusher has returned

	cmu      sync.Mutex // one compaction at a time; held by a rebuild too
	snapGen  uint64     // the snapshot on disk holds the journal files before this one
	retryAt  time.Time  // of a rebuild that failed
	bg       sync.WaitGroup
	busy     atomic.Bool // a background compaction is running
	loaded   Loaded
	counters struct {
		records, flushes, bytes, syncNanos, compactions, recoveries, heldReads atomic.Int64
	}
}

// batch is a group commit: the records appended while the one before was being synced.
type batch struct {
	buf  []byte
	n    int
	done chan struct{} // closed once written and synced, or failed
	err  error
}

func newBatch() *batch { return &batch{done: make(chan struct{})} }

// Open loads the snapshot in o.Dir, replays the journal on top, compacts both into a new
// snapshot when the journal held anything, and starts a new journal file. Only one
// process at a time may open a directory.
func Open(ctx context.Context, o Options) (*Engine, error) {
	if o.CompactAt <= 0 {
		o.CompactAt = 64 << 20
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	lock, err := lockDir(o.Dir)
	if err != nil {
		return nil, err
	}
	e := &Engine{opts: o, log: o.Log, lock: lock, cur: newBatch(), kick: make(chan struct{}, 1),
		quit: make(chan struct{}), flushed: make(chan struct{})}
	base, err := dynamo.NewClient(ctx, dynamo.ClientOptions{Endpoint: "http://engine.invalid"})
	if err != nil {
		lock.Close()
		return nil, err
	}
	e.raw = dynamodb.New(base.Options(), func(opts *dynamodb.Options) { opts.HTTPClient = inProcess{e} })
	if err := e.open(ctx); err != nil {
		lock.Close()
		return nil, err
	}
	go e.flusher()
	return e, nil
}

func (e *Engine) open(ctx context.Context) error {
	loaded, last, err := e.load(ctx, e.opts.Replayed)
	if err != nil {
		return err
	}
	if loaded.Items, err = e.count(ctx); err != nil {
		return err
	}
	e.loaded = loaded
	next := max(e.snapGen, last+1)
	if e.jf, err = createJournal(e.opts.Dir, next); err != nil {
		return err
	}
	if loaded.Replayed > 0 {
		err = e.compact(ctx) // removes the journal files it holds
	} else {
		err = e.removeJournalsBefore(next) // none holds anything
	}
	if err != nil {
		e.jf.f.Close()
	}
	return err
}

// load builds a fresh engine from the snapshot and the journal files it does not hold,
// calls replayed (when not nil) with each write replayed, and returns the generation of
// the last journal file (0 when there is none).
func (e *Engine) load(ctx context.Context, replayed func(op string, status int, body []byte)) (Loaded, uint64, error) {
	var l Loaded
	e.engine = server.NewServer()
	if err := dynamodev.EnsureTable(ctx, e.raw, e.opts.Table); err != nil {
		return l, 0, err
	}
	path := filepath.Join(e.opts.Dir, SnapshotFile)
	f, err := os.Open(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		e.snapGen = 0
	case err != nil:
		return l, 0, err
	default:
		n, info, err := dynamodev.ImportSnapshot(ctx, e.raw, e.opts.Table, f)
		f.Close()
		if err != nil {
			return l, 0, fmt.Errorf("load %s: %w", path, err)
		}
		l.Snapshot, l.SnapshotItems, e.snapGen = true, n, info.Journal
	}
	gens, err := journalFiles(e.opts.Dir)
	if err != nil {
		return l, 0, err
	}
	var last uint64
	for i, gen := range gens {
		last = gen
		if gen < e.snapGen {
			continue // the snapshot holds it: a compaction stopped before removing it
		}
		name := filepath.Join(e.opts.Dir, journalName(gen))
		sc, err := readJournal(name, gen, func(r record) error {
			l.Replayed++
			if replayed != nil {
				replayed(r.op, r.status, r.body)
			}
			if got := e.apply(r.op, r.body); got.Code != r.status {
				l.Diverged++
				e.log.Error("journal replay answered otherwise than the first time", "file", name, "op", r.op,
					"status", got.Code, "was", r.status, "answer", strings.TrimSpace(got.Body.String()))
			}
			return nil
		})
		if err != nil {
			return l, 0, fmt.Errorf("replay journal: %w", err)
		}
		if sc.dropped > 0 && i < len(gens)-1 {
			return l, 0, fmt.Errorf("journal %s is damaged at byte %d and is not the last one: move the data directory aside to start from its snapshot", name, sc.good)
		}
		if sc.dropped > 0 {
			l.Dropped += sc.dropped
			e.log.Warn("journal: dropped a record torn by a crash (it was never answered)", "file", name, "at", sc.good, "bytes", sc.dropped)
		}
	}
	return l, last, nil
}

// count returns the number of items in the table.
func (e *Engine) count(ctx context.Context) (int, error) {
	p := dynamodb.NewScanPaginator(e.raw, &dynamodb.ScanInput{TableName: aws.String(e.opts.Table), Select: types.SelectCount})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, fmt.Errorf("count items: %w", err)
		}
		n += int(page.Count)
	}
	return n, nil
}

// Loaded says what Open found on disk.
func (e *Engine) Loaded() Loaded { return e.loaded }

// Stats returns the journal's counters.
func (e *Engine) Stats() Stats {
	c := &e.counters
	return Stats{Records: c.records.Load(), Flushes: c.flushes.Load(), Bytes: c.bytes.Load(),
		SyncTime: time.Duration(c.syncNanos.Load()), Compactions: c.compactions.Load(), Recoveries: c.recoveries.Load(),
		HeldReads: c.heldReads.Load()}
}

// ServeHTTP answers one DynamoDB request.
func (e *Engine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op := target[strings.LastIndexByte(target, '.')+1:]
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRecordSize+1))
	if err != nil || len(body) > maxRecordSize {
		fail(w, http.StatusBadRequest, "ValidationException", "request unreadable or too large")
		return
	}
	write := writeOps[op]
	lock, unlock := e.emu.RLock, e.emu.RUnlock
	if write {
		lock, unlock = e.emu.Lock, e.emu.Unlock
	}
	lock()
	if err := e.unusable(); err != nil {
		unlock()
		e.signal()
		failInternal(w, err)
		return
	}
	rec := e.apply(op, body)
	var b *batch // to wait for
	if write && !e.bulk {
		e.bmu.Lock()
		b = e.cur
		b.buf = appendRecord(b.buf, record{op: op, status: rec.Code, body: body})
		b.n++
		e.bmu.Unlock()
		unlock()
		e.signal()
	} else {
		// A read may have seen writes not yet on disk: it is answered once they are.
		b, _ = e.pending()
		unlock()
		if b != nil {
			e.counters.heldReads.Add(1)
		}
	}
	if b != nil {
		<-b.done
		if b.err != nil {
			failInternal(w, b.err)
			return
		}
	}
	reply(w, rec)
}

// pending returns the last batch not yet on disk (nil when there is none) and why the
// journal is broken.
func (e *Engine) pending() (*batch, error) {
	e.bmu.Lock()
	defer e.bmu.Unlock()
	if e.cur.n > 0 {
		return e.cur, e.broken
	}
	if b := e.inflight; b != nil {
		select {
		case <-b.done:
		default:
			return b, e.broken
		}
	}
	return nil, e.broken
}

// unusable says why requests cannot be served now; the caller holds emu.
func (e *Engine) unusable() error {
	if e.closed {
		return errors.New("engine closed")
	}
	e.bmu.Lock()
	defer e.bmu.Unlock()
	return e.broken
}

// apply runs one request in the engine; the caller holds emu.
func (e *Engine) apply(op string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	rec := httptest.NewRecorder()
	e.engine.ServeHTTP(rec, req)
	return rec
}

func reply(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	maps.Copy(w.Header(), rec.Header())
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// failInternal answers as DynamoDB does when it cannot tell: the SDK retries.
func failInternal(w http.ResponseWriter, err error) {
	fail(w, http.StatusInternalServerError, "InternalServerError", "not written: "+err.Error())
}

func fail(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"__type":"com.amazonaws.dynamodb.v20120810#%s","message":%q}`, code, msg)
}

// signal wakes the flusher.
func (e *Engine) signal() {
	select {
	case e.kick <- struct{}{}:
	default:
	}
}

// flusher writes and syncs the batches one after the other until Close.
func (e *Engine) flusher() {
	defer close(e.flushed)
	for {
		select {
		case <-e.kick:
			e.flushAll()
		case <-e.quit:
			e.flushAll()
			return
		}
	}
}

func (e *Engine) flushAll() {
	for {
		e.bmu.Lock()
		if e.broken != nil {
			e.bmu.Unlock()
			e.rebuild()
			return
		}
		b := e.cur
		if b.n == 0 {
			e.bmu.Unlock()
			return
		}
		e.cur, e.inflight = newBatch(), b
		jf := e.jf
		e.bmu.Unlock()

		err := e.flush(jf, b.buf)
		b.err = err
		if err != nil {
			e.bmu.Lock()
			e.broken = fmt.Errorf("journal: %w", err)
			b.err = e.broken
			// What was appended since was applied on top of what failed: it fails too.
			later := e.cur
			e.cur = newBatch()
			e.bmu.Unlock()
			if later.n > 0 {
				later.err = e.broken
				close(later.done)
			}
		}
		if err == nil {
			e.counters.records.Add(int64(b.n)) // before the answers: an answered write is counted
		}
		close(b.done)
		e.bmu.Lock()
		e.inflight = nil
		e.bmu.Unlock()
		if err != nil {
			e.log.Error("journal write failed: the waiting requests are answered InternalServerError and the engine is rebuilt from the disk", "err", err)
			e.rebuild()
			return
		}
		if jf.size >= e.opts.CompactAt && e.busy.CompareAndSwap(false, true) {
			e.bg.Go(func() {
				defer e.busy.Store(false)
				if err := e.Compact(context.Background()); err != nil {
					e.log.Error("journal: compaction failed (the journal keeps growing; retried at the next threshold)", "err", err)
				}
			})
		}
	}
}

// flush appends buf to the journal file and syncs it.
func (e *Engine) flush(jf *journalFile, buf []byte) error {
	t0 := time.Now()
	fault := e.fault.Load()
	if fault != nil {
		if err := (*fault)("write"); err != nil {
			_, _ = jf.f.Write(buf[:len(buf)/2])
			return err
		}
	}
	if _, err := jf.f.Write(buf); err != nil {
		return err
	}
	if fault != nil {
		if err := (*fault)("sync"); err != nil {
			return err
		}
	}
	if err := jf.f.Sync(); err != nil {
		return err
	}
	jf.size += int64(len(buf))
	e.counters.flushes.Add(1)
	e.counters.bytes.Add(int64(len(buf)))
	e.counters.syncNanos.Add(int64(time.Since(t0)))
	return nil
}

// rebuild cuts from the journal file what a failed flush may have left, and replaces the
// engine with one loaded from the disk, without the writes that were not answered.
// While it fails, requests are answered InternalServerError and each one retries it.
func (e *Engine) rebuild() {
	e.cmu.Lock()
	defer e.cmu.Unlock()
	e.emu.Lock()
	defer e.emu.Unlock()
	e.bmu.Lock()
	cause, later, jf := e.broken, e.cur, e.jf
	if cause == nil {
		e.bmu.Unlock()
		return
	}
	e.cur = newBatch()
	e.bmu.Unlock()
	if later.n > 0 {
		later.err = cause
		close(later.done)
	}
	if time.Now().Before(e.retryAt) {
		return // the last attempt failed just now; a later request tries again
	}
	err := jf.f.Truncate(jf.size)
	if err == nil {
		err = jf.f.Sync()
	}
	if err == nil {
		_, _, err = e.load(context.Background(), nil) // its writes were streamed when answered
	}
	if err != nil {
		e.retryAt = time.Now().Add(time.Second)
		e.log.Error("journal: rebuilding the engine from the disk failed; requests are refused until it succeeds", "err", err)
		return
	}
	e.retryAt = time.Time{}
	e.bmu.Lock()
	e.broken = nil
	e.bmu.Unlock()
	e.counters.recoveries.Add(1)
	e.log.Warn("journal: engine rebuilt from the disk after a failed write", "cause", cause)
}

// drain waits until every journaled write is on disk; the caller holds emu, so no new
// one comes.
func (e *Engine) drain() error {
	for {
		b, broken := e.pending()
		if broken != nil {
			return broken
		}
		if b == nil {
			return nil
		}
		e.signal()
		<-b.done
	}
}

// Compact writes the table into a new snapshot and starts a new journal file; the old
// ones are removed once the snapshot is on disk. Requests wait while the table is read.
func (e *Engine) Compact(ctx context.Context) error {
	e.cmu.Lock()
	defer e.cmu.Unlock()
	return e.compact(ctx)
}

func (e *Engine) compact(ctx context.Context) error {
	e.emu.Lock()
	if err := e.drain(); err != nil {
		e.emu.Unlock()
		return err
	}
	next := e.jf.gen + 1
	var buf bytes.Buffer
	if _, err := dynamodev.ExportSnapshot(ctx, e.raw, e.opts.Table, &buf, dynamodev.SnapshotInfo{Journal: next}); err != nil {
		e.emu.Unlock()
		return fmt.Errorf("compact: %w", err)
	}
	jf, err := createJournal(e.opts.Dir, next)
	if err != nil {
		e.emu.Unlock()
		return fmt.Errorf("compact: %w", err)
	}
	e.bmu.Lock()
	old := e.jf
	e.jf = jf
	e.bmu.Unlock()
	e.emu.Unlock()
	old.f.Close()
	if err := writeSnapshot(e.opts.Dir, buf.Bytes()); err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	e.snapGen = next
	e.counters.compactions.Add(1)
	return e.removeJournalsBefore(next)
}

// writeSnapshot writes data to a temporary file and renames it over the snapshot, so a
// crash leaves either the old snapshot or the new one, never half of one.
func writeSnapshot(dir string, data []byte) error {
	tmp, err := os.CreateTemp(dir, SnapshotFile+".*.tmp")
	if err != nil {
		return fmt.Errorf("save snapshot: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, SnapshotFile))
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		return fmt.Errorf("save snapshot: %w", err)
	}
	return nil
}

func (e *Engine) removeJournalsBefore(gen uint64) error {
	gens, err := journalFiles(e.opts.Dir)
	if err != nil {
		return err
	}
	for _, g := range gens {
		if g < gen {
			if err := os.Remove(filepath.Join(e.opts.Dir, journalName(g))); err != nil {
				return err
			}
		}
	}
	return syncDir(e.opts.Dir)
}

// Bulk runs fn with the journal off, then writes one snapshot: for filling an empty
// table (the demo data) before anything is served. If fn or the snapshot fails, what fn
// wrote is dropped and the engine is what the disk holds.
func (e *Engine) Bulk(ctx context.Context, fn func() error) error {
	e.cmu.Lock()
	defer e.cmu.Unlock()
	e.emu.Lock()
	e.bulk = true
	e.emu.Unlock()
	err := fn()
	e.emu.Lock()
	e.bulk = false
	e.emu.Unlock()
	if err == nil {
		err = e.compact(ctx)
	}
	if err != nil {
		e.emu.Lock()
		defer e.emu.Unlock()
		if _, _, lerr := e.load(ctx, nil); lerr != nil {
			return errors.Join(err, lerr)
		}
	}
	return err
}

// Close refuses new requests, compacts the journal into the snapshot and releases the
// directory. The journal holds every answered write even if the compaction fails.
func (e *Engine) Close(ctx context.Context) error {
	e.emu.Lock()
	if e.closed {
		e.emu.Unlock()
		return nil
	}
	e.closed = true
	e.emu.Unlock()
	err := e.Compact(ctx)
	close(e.quit)
	<-e.flushed
	e.bg.Wait()
	e.bmu.Lock()
	jf := e.jf
	e.bmu.Unlock()
	return errors.Join(err, jf.f.Close(), e.lock.Close())
}

// inProcess is the HTTP client of the engine's own DynamoDB client: it hands requests
// to the engine directly, without the journal, for loading and exporting the table.
type inProcess struct{ e *Engine }

func (c inProcess) Do(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	c.e.engine.ServeHTTP(rec, r)
	return rec.Result(), nil
}
