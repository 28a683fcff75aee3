package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamodev"
)

const table = "wentitong-engine-test"

// running is an engine served over HTTP, with a client whose calls are tried attempts
// times.
type running struct {
	e  *Engine
	db *dynamodb.Client
}

func mustOpen(t *testing.T, dir string, attempts int, o Options) *running {
	t.Helper()
	o.Dir, o.Table = dir, table
	e, err := Open(context.Background(), o)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	db, err := dynamo.NewClient(context.Background(), dynamo.ClientOptions{Endpoint: srv.URL, MaxAttempts: attempts, RetryBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return &running{e: e, db: db}
}

// crash stops the engine as a killed process would: no compaction, files just closed.
func (r *running) crash() {
	e := r.e
	e.emu.Lock()
	e.closed = true
	e.emu.Unlock()
	close(e.quit)
	<-e.flushed
	e.bg.Wait()
	e.jf.f.Close()
	e.lock.Close()
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v int) types.AttributeValue    { return &types.AttributeValueMemberN{Value: strconv.Itoa(v)} }

func key(pk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": s(pk), "SK": s("X")}
}

// putNew puts an item that must not exist yet.
func putNew(ctx context.Context, db *dynamodb.Client, pk string, v int) error {
	it := key(pk)
	it["v"] = n(v)
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: it,
		ConditionExpression: aws.String("attribute_not_exists(PK)")})
	return err
}

// items returns the table's items as sorted DynamoDB JSON lines.
func items(t *testing.T, db *dynamodb.Client) []string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := dynamodev.Export(context.Background(), db, table, &buf); err != nil {
		t.Fatalf("export: %v", err)
	}
	var snap struct{ Items []json.RawMessage }
	if err := json.Unmarshal(buf.Bytes(), &snap); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range snap.Items {
		var m map[string]any
		if err := json.Unmarshal(it, &m); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(m) // sorted keys
		out = append(out, string(b))
	}
	slices.Sort(out)
	return out
}

func get(t *testing.T, db *dynamodb.Client, pk string) map[string]types.AttributeValue {
	t.Helper()
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(table), Key: key(pk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatalf("GetItem %s: %v", pk, err)
	}
	return out.Item
}

// crowd runs the writes a busy runner sees, from many goroutines at once: conditional
// puts that race for the same items, counters moved by transactions that may be
// cancelled, batch writes and deletes. It returns how many transactions succeeded.
func crowd(t *testing.T, db *dynamodb.Client, workers, each int) int {
	t.Helper()
	ctx := context.Background()
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table),
		Item: map[string]types.AttributeValue{"PK": s("SLOT"), "SK": s("X"), "Free": n(workers * each / 3)}}); err != nil {
		t.Fatal(err)
	}
	var ok atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				who := fmt.Sprintf("p%d-%d", w, i)
				_ = putNew(ctx, db, "RACE#"+strconv.Itoa(i), w) // one worker wins each
				_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
					{Put: &types.Put{TableName: aws.String(table), Item: map[string]types.AttributeValue{"PK": s("BOOKING#" + who), "SK": s("X"), "GSI1PK": s("SLOT"), "GSI1SK": s(who)},
						ConditionExpression: aws.String("attribute_not_exists(PK)")}},
					{Update: &types.Update{TableName: aws.String(table), Key: key("SLOT"), UpdateExpression: aws.String("ADD Free :m"),
						ConditionExpression: aws.String("Free >= :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":m": n(-1), ":one": n(1)}}},
				}})
				if err == nil {
					ok.Add(1)
				}
				if i%5 == 0 {
					_, _ = db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: {
						{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"PK": s("LOG#" + who), "SK": s("X"), "at": n(i)}}},
						{DeleteRequest: &types.DeleteRequest{Key: key(fmt.Sprintf("LOG#p%d-%d", w, i-5))}},
					}}})
				}
				_, _ = db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: key("COUNTER"),
					UpdateExpression: aws.String("ADD hits :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":one": n(1)}})
			}
		})
	}
	wg.Wait()
	return int(ok.Load())
}

// What concurrent writes left is what a crash and a restart find: the same items, the
// counters moved once per acknowledged write, the replay answering as the first time.
func TestCrashAndReplayGiveTheSameTable(t *testing.T) {
	dir := t.TempDir()
	r := mustOpen(t, dir, 3, Options{})
	booked := crowd(t, r.db, 8, 30)
	want := items(t, r.db)
	st := r.e.Stats()
	r.crash()

	if st.Records == 0 || st.Flushes == 0 || st.Flushes > st.Records {
		t.Errorf("stats = %+v, want records journaled in at most as many flushes", st)
	}
	var replayed, ok int
	r = mustOpen(t, dir, 3, Options{Replayed: func(op string, status int, body []byte) {
		replayed++
		if status == 200 && writeOps[op] && bytes.Contains(body, []byte(table)) {
			ok++
		}
	}})
	defer r.crash()
	if replayed != int(st.Records) || ok == 0 || ok == replayed {
		t.Errorf("Replayed was called %d times, %d with a successful write; want once per record (%d), failed ones too", replayed, ok, st.Records)
	}
	if l := r.e.Loaded(); l.Replayed != int(st.Records) || l.Diverged != 0 || l.Dropped != 0 || l.Snapshot || l.Items != len(want) {
		t.Errorf("Loaded() = %+v, want %d records replayed on no snapshot, none diverged or dropped", l, st.Records)
	}
	got := items(t, r.db)
	if !slices.Equal(got, want) {
		t.Errorf("after a crash the table has %d items, want the %d it had:\n got %v\nwant %v", len(got), len(want), got, want)
	}
	if free := get(t, r.db, "SLOT")["Free"].(*types.AttributeValueMemberN).Value; free != strconv.Itoa(8*30/3-booked) {
		t.Errorf("Free after replay = %s, want %d (booked %d)", free, 8*30/3-booked, booked)
	}
	if hits := get(t, r.db, "COUNTER")["hits"].(*types.AttributeValueMemberN).Value; hits != "240" {
		t.Errorf("counter after replay = %s, want 240", hits)
	}
	// The replay was compacted into a snapshot: one journal file is left, empty.
	if gens, _ := journalFiles(dir); len(gens) != 1 {
		t.Errorf("journal files after the restart = %v, want one", gens)
	}
}

// A record cut short by a crash (or a bad checksum, or zeros) is dropped; what came
// before it is all there.
func TestTornLastRecordIsDropped(t *testing.T) {
	torn := map[string]func(valid []byte) []byte{
		"half a record": func(v []byte) []byte { return v[:len(v)/2] },
		"bad checksum":  func(v []byte) []byte { v = bytes.Clone(v); v[5] ^= 0xff; return v },
		"zeros":         func([]byte) []byte { return make([]byte, 13) },
		"a head only":   func(v []byte) []byte { return v[:recordHead] },
	}
	for name, tear := range torn {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			r := mustOpen(t, dir, 1, Options{})
			for i := range 5 {
				if err := putNew(context.Background(), r.db, "K#"+strconv.Itoa(i), i); err != nil {
					t.Fatal(err)
				}
			}
			want := items(t, r.db)
			gen := r.e.jf.gen
			r.crash()
			garbage := tear(appendRecord(nil, record{op: "PutItem", status: 200, body: []byte(`{"TableName":"` + table + `","Item":{"PK":{"S":"GHOST"},"SK":{"S":"X"}}}`)}))
			f, err := os.OpenFile(filepath.Join(dir, journalName(gen)), os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write(garbage); err != nil {
				t.Fatal(err)
			}
			f.Close()

			r = mustOpen(t, dir, 1, Options{})
			if l := r.e.Loaded(); l.Replayed != 5 || l.Dropped != int64(len(garbage)) || l.Diverged != 0 {
				t.Errorf("Loaded() = %+v, want 5 replayed and %d bytes dropped", l, len(garbage))
			}
			if got := items(t, r.db); !slices.Equal(got, want) {
				t.Errorf("items after the torn record = %v, want %v", got, want)
			}
			// Writing goes on, and a second crash finds it all.
			if err := putNew(context.Background(), r.db, "K#after", 9); err != nil {
				t.Fatal(err)
			}
			want = items(t, r.db)
			r.crash()
			r = mustOpen(t, dir, 1, Options{})
			defer r.crash()
			if got := items(t, r.db); !slices.Equal(got, want) || r.e.Loaded().Dropped != 0 {
				t.Errorf("items after a second crash = %v (loaded %+v), want %v", got, r.e.Loaded(), want)
			}
		})
	}
}

// failOnce makes the n-th journal step named step fail (counting from 1).
func failOnce(e *Engine, step string, nth int) *atomic.Int64 {
	var seen atomic.Int64
	f := func(got string) error {
		if got == step && seen.Add(1) == int64(nth) {
			return errors.New("injected " + step + " failure")
		}
		return nil
	}
	e.fault.Store(&f)
	return &seen
}

// A write the engine applied but the journal could not hold is answered an error, is
// gone at once (a retry's condition passes), and does not come back after a crash.
func TestFailedJournalWriteIsNeitherAnsweredNorKept(t *testing.T) {
	for _, step := range []string{"write", "sync"} {
		t.Run(step, func(t *testing.T) {
			dir := t.TempDir()
			r := mustOpen(t, dir, 1, Options{})
			ctx := context.Background()
			if err := putNew(ctx, r.db, "BEFORE", 1); err != nil {
				t.Fatal(err)
			}
			failOnce(r.e, step, 1)
			err := putNew(ctx, r.db, "BOOKING", 1)
			if err == nil || !strings.Contains(err.Error(), "injected "+step+" failure") {
				t.Fatalf("put with a failing journal %s = %v, want InternalServerError naming the failure", step, err)
			}
			// Until the engine has rebuilt itself every request is refused (a client with
			// retries waits it out; this one makes a single attempt), so wait for it.
			for deadline := time.Now().Add(30 * time.Second); r.e.Stats().Recoveries == 0; {
				if time.Now().After(deadline) {
					t.Fatal("the engine did not recover from the journal failure within 30 s")
				}
				time.Sleep(time.Millisecond)
			}
			if it := get(t, r.db, "BOOKING"); it != nil {
				t.Errorf("after the failed write the item is there: %v", it)
			}
			if err := putNew(ctx, r.db, "BOOKING", 2); err != nil {
				t.Fatalf("the same conditional put again = %v, want it to succeed (no ghost)", err)
			}
			if st := r.e.Stats(); st.Recoveries != 1 {
				t.Errorf("stats = %+v, want one recovery", st)
			}
			want := items(t, r.db)
			r.crash()
			r = mustOpen(t, dir, 1, Options{})
			defer r.crash()
			if l := r.e.Loaded(); l.Diverged != 0 || l.Dropped != 0 || l.Replayed != 2 {
				t.Errorf("Loaded() = %+v, want the 2 answered writes replayed, nothing diverged or dropped", l)
			}
			if got := items(t, r.db); !slices.Equal(got, want) {
				t.Errorf("after a crash = %v, want %v", got, want)
			}
			if v := get(t, r.db, "BOOKING")["v"].(*types.AttributeValueMemberN).Value; v != "2" {
				t.Errorf("BOOKING.v = %s, want the answered write's 2", v)
			}
		})
	}
}

// With the SDK's retries, a failed journal sync is invisible to the caller: the retry
// applies the write once, on an engine without the ghost of the first attempt.
func TestRetryAfterFailedSyncAppliesOnce(t *testing.T) {
	r := mustOpen(t, t.TempDir(), 3, Options{})
	defer r.crash()
	failOnce(r.e, "sync", 1)
	if err := putNew(context.Background(), r.db, "ONCE", 1); err != nil {
		t.Fatalf("conditional put retried after a failed sync = %v, want success", err)
	}
	if it := get(t, r.db, "ONCE"); it == nil {
		t.Error("the retried put is not there")
	}
}

// Under concurrent writes, a failed flush fails exactly the writes not yet on disk:
// the table holds every acknowledged write and nothing else, before and after a crash.
func TestFailedFlushUnderLoadKeepsExactlyTheAcknowledged(t *testing.T) {
	dir := t.TempDir()
	r := mustOpen(t, dir, 1, Options{})
	failOnce(r.e, "sync", 4)
	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
	)
	for w := range 6 {
		wg.Go(func() {
			for i := range 20 {
				pk := fmt.Sprintf("W%d#%02d", w, i)
				if putNew(context.Background(), r.db, pk, i) == nil {
					mu.Lock()
					acked = append(acked, pk)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	have := func() []string {
		var pks []string
		for _, line := range items(t, r.db) {
			var m struct{ PK struct{ S string } }
			_ = json.Unmarshal([]byte(line), &m)
			pks = append(pks, m.PK.S)
		}
		return pks
	}
	slices.Sort(acked)
	if len(acked) == 120 {
		t.Fatal("no write failed: the fault was not injected")
	}
	if got := have(); !slices.Equal(got, acked) {
		t.Errorf("table holds %d items, acknowledged %d:\n got %v\nwant %v", len(got), len(acked), got, acked)
	}
	r.crash()
	r = mustOpen(t, dir, 1, Options{})
	defer r.crash()
	if got := have(); !slices.Equal(got, acked) || r.e.Loaded().Diverged != 0 {
		t.Errorf("after a crash the table holds %v (loaded %+v), want the acknowledged %v", got, r.e.Loaded(), acked)
	}
}

// A read that saw a write not yet on disk is answered only once the write is; if the
// write fails, so does the read.
func TestReadWaitsForWhatItSawToBeOnDisk(t *testing.T) {
	r := mustOpen(t, t.TempDir(), 1, Options{})
	defer r.crash()
	syncing, release := make(chan struct{}), make(chan error)
	f := func(step string) error {
		if step != "sync" {
			return nil
		}
		close(syncing)
		return <-release
	}
	r.e.fault.Store(&f)
	wrote := make(chan error, 1)
	go func() { wrote <- putNew(context.Background(), r.db, "SLOW", 1) }()
	<-syncing
	read := make(chan error, 1)
	go func() {
		_, err := r.db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(table), Key: key("SLOW")})
		read <- err
	}()
	// Wait for the read to reach the engine (slow under the race detector on a busy
	// machine): it must be held, not answered.
	for deadline := time.Now().Add(30 * time.Second); r.e.Stats().HeldReads == 0; time.Sleep(time.Millisecond) {
		select {
		case err := <-read:
			t.Fatalf("read answered (%v) before the write it saw was on disk", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the read never reached the engine")
		}
	}
	select {
	case err := <-read:
		t.Fatalf("read answered (%v) before the write it saw was on disk", err)
	case <-time.After(50 * time.Millisecond):
	}
	release <- errors.New("injected sync failure")
	if err := <-wrote; err == nil {
		t.Error("write answered success although its sync failed")
	}
	if err := <-read; err == nil {
		t.Error("read answered although the write it saw failed")
	}
	r.e.fault.Store(nil)
	if it := get(t, r.db, "SLOW"); it != nil {
		t.Errorf("the failed write is there: %v", it)
	}
}

// Compactions while writes go on (a tiny threshold makes many) lose nothing; a restart
// finds the same table and one journal file.
func TestCompactionWhileWriting(t *testing.T) {
	dir := t.TempDir()
	r := mustOpen(t, dir, 3, Options{CompactAt: 4 << 10})
	crowd(t, r.db, 4, 25)
	want := items(t, r.db)
	if st := r.e.Stats(); st.Compactions == 0 {
		t.Errorf("stats = %+v, want compactions", st)
	}
	r.crash()
	r = mustOpen(t, dir, 3, Options{})
	defer r.crash()
	if got := items(t, r.db); !slices.Equal(got, want) || r.e.Loaded().Diverged != 0 {
		t.Errorf("after compactions and a crash: %d items (loaded %+v), want %d", len(got), r.e.Loaded(), len(want))
	}
}

// A crash inside a compaction leaves files that a restart reads right: after the new
// journal file was started but before the snapshot was renamed (the old snapshot and
// both files are replayed), and after the rename but before the old file was removed
// (the old file is ignored, or its counters would move twice).
func TestCrashInsideCompaction(t *testing.T) {
	for _, tt := range []struct {
		name    string
		restore []string // files put back as they were before the compaction
	}{
		{"before the snapshot is renamed", []string{SnapshotFile, journalName(2)}},
		{"before the old journal is removed", []string{journalName(2)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			r := mustOpen(t, dir, 1, Options{})
			ctx := context.Background()
			bump := func() {
				t.Helper()
				if _, err := r.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: key("COUNTER"),
					UpdateExpression: aws.String("ADD hits :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":one": n(1)}}); err != nil {
					t.Fatal(err)
				}
			}
			bump()
			bump()
			if err := r.e.Compact(ctx); err != nil { // a snapshot at 2 and journal 2
				t.Fatal(err)
			}
			bump()
			saved := map[string][]byte{}
			for _, f := range []string{SnapshotFile, journalName(2)} {
				saved[f], _ = os.ReadFile(filepath.Join(dir, f))
			}
			if err := r.e.Compact(ctx); err != nil { // a snapshot at 3, journal 3
				t.Fatal(err)
			}
			bump()
			r.crash()
			for _, f := range tt.restore {
				if err := os.WriteFile(filepath.Join(dir, f), saved[f], 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r = mustOpen(t, dir, 1, Options{})
			defer r.crash()
			if hits := get(t, r.db, "COUNTER")["hits"].(*types.AttributeValueMemberN).Value; hits != "4" {
				t.Errorf("counter = %s, want 4 (loaded %+v)", hits, r.e.Loaded())
			}
		})
	}
}

// Bulk writes without the journal and makes them durable with one snapshot; when its
// function fails, what it wrote is dropped.
func TestBulk(t *testing.T) {
	dir := t.TempDir()
	r := mustOpen(t, dir, 1, Options{})
	ctx := context.Background()
	err := r.e.Bulk(ctx, func() error {
		for i := range 10 {
			if err := putNew(ctx, r.db, "SEED#"+strconv.Itoa(i), i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if st := r.e.Stats(); st.Records != 0 {
		t.Errorf("bulk writes journaled: %+v", st)
	}
	boom := errors.New("seed failed")
	if err := r.e.Bulk(ctx, func() error { _ = putNew(ctx, r.db, "HALF", 1); return boom }); !errors.Is(err, boom) {
		t.Errorf("Bulk with a failing function = %v, want its error", err)
	}
	if it := get(t, r.db, "HALF"); it != nil {
		t.Errorf("a failed bulk's write stayed: %v", it)
	}
	want := items(t, r.db)
	r.crash()
	r = mustOpen(t, dir, 1, Options{})
	defer r.crash()
	if got := items(t, r.db); len(got) != 10 || !slices.Equal(got, want) {
		t.Errorf("after a crash: %v, want the 10 seeded items", got)
	}
}

// Close compacts: the next Open loads the snapshot and replays nothing. A second
// engine cannot open a directory in use.
func TestCloseCompactsAndTheDirectoryIsLocked(t *testing.T) {
	dir := t.TempDir()
	r := mustOpen(t, dir, 1, Options{})
	if err := putNew(context.Background(), r.db, "A", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), Options{Dir: dir, Table: table}); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("second Open of a directory in use = %v, want an error saying so", err)
	}
	if err := r.e.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := putNew(context.Background(), r.db, "B", 1); err == nil {
		t.Error("a write after Close succeeded")
	}
	r = mustOpen(t, dir, 1, Options{})
	defer r.crash()
	if l := r.e.Loaded(); !l.Snapshot || l.SnapshotItems != 1 || l.Items != 1 || l.Replayed != 0 {
		t.Errorf("Loaded() after Close = %+v, want the snapshot's one item and nothing to replay", l)
	}
}
