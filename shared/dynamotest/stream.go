package dynamotest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/wentitong/wentitong/shared/sam"
)

// Stream stands in for DynamoDB Streams in front of the embedded engine, which has
// none: it records the keys of every item a successful write call changed, in the
// order the calls completed, for a consumer to take as stream records. Records carry
// the keys only (no images): the platform's stream consumers read the item as it is
// now, so that is all they need. A write whose answer was lost after the engine
// applied it is recorded too, as DynamoDB would stream it.
type Stream struct {
	next http.Handler

	mu      sync.Mutex
	pending []Change
	seq     int64
	forks   []*Stream // consumers of their own: each gets every change recorded after Fork
}

// Change is one item a write changed.
type Change struct {
	Seq    int64
	Table  string
	PK, SK string
	Remove bool // deleted (DeleteItem, a transaction's Delete, a batch's DeleteRequest)
}

// NewStream returns a stream in front of next.
func NewStream(next http.Handler) *Stream { return &Stream{next: next} }

// writes are the operations that change items.
var writes = map[string]bool{"PutItem": true, "UpdateItem": true, "DeleteItem": true, "TransactWriteItems": true, "BatchWriteItem": true}

func (s *Stream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op := target[strings.LastIndex(target, ".")+1:]
	if !writes[op] {
		s.next.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	s.next.ServeHTTP(rec, r)
	if rec.status == http.StatusOK {
		s.Written(op, body)
	}
}

// Written records the items a write request changed, as ServeHTTP does once the engine
// answered it 200. The local runner calls it with the writes its engine replays from the
// journal at start, so that the records a crash kept from the consumers are streamed
// again (consumers read the item as it is now: a record streamed twice changes nothing).
func (s *Stream) Written(op string, body []byte) {
	changes, err := changed(op, body)
	if err != nil {
		return // the engine accepted what we cannot parse: nothing we know to record
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range changes {
		s.seq++
		c.Seq = s.seq
		s.pending = append(s.pending, c)
	}
	for _, f := range s.forks {
		f.Written(op, body)
	}
}

// Fork returns a stream that records every change s records from now on, for a second
// consumer: each stream-triggered function reads the table's stream on its own, and a
// consumer takes what it reads.
func (s *Stream) Fork() *Stream {
	f := &Stream{}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forks = append(s.forks, f)
	return f
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// wire is the part of a write request that names items.
type (
	wireKey   map[string]struct{ S string }
	wireWrite struct {
		TableName string
		Key, Item wireKey
	}
)

// changed returns the items a successful write request changed.
func changed(op string, body []byte) ([]Change, error) {
	one := func(w wireWrite, remove bool) Change {
		k := w.Key
		if k == nil {
			k = w.Item
		}
		return Change{Table: w.TableName, PK: k["PK"].S, SK: k["SK"].S, Remove: remove}
	}
	switch op {
	case "PutItem", "UpdateItem", "DeleteItem":
		var w wireWrite
		if err := json.Unmarshal(body, &w); err != nil {
			return nil, err
		}
		return []Change{one(w, op == "DeleteItem")}, nil
	case "TransactWriteItems":
		var in struct {
			TransactItems []struct{ Put, Update, Delete *wireWrite }
		}
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, err
		}
		var out []Change
		for _, it := range in.TransactItems {
			switch {
			case it.Put != nil:
				out = append(out, one(*it.Put, false))
			case it.Update != nil:
				out = append(out, one(*it.Update, false))
			case it.Delete != nil:
				out = append(out, one(*it.Delete, true))
			}
		}
		return out, nil
	case "BatchWriteItem":
		// Items the engine left unprocessed are recorded too: a consumer that reads the
		// item as it is finds nothing changed.
		var in struct {
			RequestItems map[string][]struct {
				PutRequest    *struct{ Item wireKey }
				DeleteRequest *struct{ Key wireKey }
			}
		}
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, err
		}
		var out []Change
		for table, reqs := range in.RequestItems {
			for _, rq := range reqs {
				switch {
				case rq.PutRequest != nil:
					out = append(out, one(wireWrite{TableName: table, Item: rq.PutRequest.Item}, false))
				case rq.DeleteRequest != nil:
					out = append(out, one(wireWrite{TableName: table, Key: rq.DeleteRequest.Key}, true))
				}
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("not a write: %s", op)
}

// Take removes and returns the changes recorded so far, oldest first.
func (s *Stream) Take() []Change {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.pending
	s.pending = nil
	return out
}

// Requeue puts changes back in front of those recorded since, for a consumer that
// could not take them (the next Take returns them first).
func (s *Stream) Requeue(changes []Change) {
	if len(changes) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = append(append([]Change{}, changes...), s.pending...)
}

// Record is a change as a stream record of DynamoDB Streams (keys only; EventName
// MODIFY for writes, since the stream cannot tell an insert from a replacement, and
// REMOVE for deletes), with its sequence number as EventID and SequenceNumber.
func (c Change) Record() events.DynamoDBEventRecord {
	name := events.DynamoDBOperationTypeModify
	if c.Remove {
		name = events.DynamoDBOperationTypeRemove
	}
	seq := fmt.Sprintf("%021d", c.Seq)
	return events.DynamoDBEventRecord{
		AWSRegion: "local", EventID: "local-" + strconv.FormatInt(c.Seq, 10), EventName: string(name),
		EventSource: "aws:dynamodb", EventVersion: "1.1",
		EventSourceArn: "arn:aws:dynamodb:local:000000000000:table/" + c.Table + "/stream/local",
		Change: events.DynamoDBStreamRecord{
			Keys: map[string]events.DynamoDBAttributeValue{
				"PK": events.NewStringAttribute(c.PK), "SK": events.NewStringAttribute(c.SK),
			},
			SequenceNumber: seq, StreamViewType: string(events.DynamoDBStreamViewTypeKeysOnly),
		},
	}
}

// Consumer is a stream-triggered function's handler.
type Consumer = func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error)

// Deliver hands the changes recorded so far that match any of filters (Lambda event
// filter patterns, as template.yaml declares them; none: every change) to fn in
// batches of batchSize, as Lambda's event source mapping would, and puts back the
// records fn reports failed (with everything after them in their batch) for the next
// call. It returns the number of records delivered and the first error of fn.
func (s *Stream) Deliver(ctx context.Context, fn Consumer, batchSize int, filters []Filter) (int, error) {
	changes := s.Take()
	var batch []events.DynamoDBEventRecord
	var retry []Change
	delivered := 0
	bySeq := map[string]Change{}
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		resp, err := fn(ctx, events.DynamoDBEvent{Records: batch})
		if err != nil {
			for _, r := range batch {
				retry = append(retry, bySeq[r.Change.SequenceNumber])
			}
			batch = nil
			return err
		}
		first := len(batch)
		for _, f := range resp.BatchItemFailures {
			for i, r := range batch {
				if r.Change.SequenceNumber == f.ItemIdentifier && i < first {
					first = i
				}
			}
		}
		for _, r := range batch[first:] {
			retry = append(retry, bySeq[r.Change.SequenceNumber])
		}
		delivered += first
		batch = nil
		return nil
	}
	var firstErr error
	for i, c := range changes {
		if firstErr != nil {
			retry = append(retry, changes[i:]...)
			break
		}
		rec := c.Record()
		if !Matches(filters, rec) {
			continue
		}
		bySeq[rec.Change.SequenceNumber] = c
		batch = append(batch, rec)
		if len(batch) == batchSize {
			firstErr = flush()
		}
	}
	if firstErr == nil {
		firstErr = flush()
	}
	s.Requeue(retry)
	return delivered, firstErr
}

// Feed stands in for a stream-triggered function's event source mapping: it hands the
// stream's changes to the function's handler, filtered and batched as the function's
// DynamoDB event in template.yaml says.
type Feed struct {
	Stream  *Stream
	Handler Consumer
	Filters []Filter
	Batch   int
}

// NewFeed returns the feed of the template's function fn from stream into handler.
func NewFeed(stream *Stream, handler Consumer, fn sam.Function) (*Feed, error) {
	f := &Feed{Stream: stream, Handler: handler, Batch: max(fn.StreamBatchSize, 1)}
	for _, p := range fn.StreamFilters {
		filter, err := ParseFilter(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fn.LogicalID, err)
		}
		f.Filters = append(f.Filters, filter)
	}
	return f, nil
}

// Poll delivers the changes recorded since the last poll; see Stream.Deliver.
func (f *Feed) Poll(ctx context.Context) (int, error) {
	return f.Stream.Deliver(ctx, f.Handler, f.Batch, f.Filters)
}

// MustFeed returns the feed of the template's function logicalID from the table's
// stream into handler, failing the test when the template has no such function.
func (t *Table) MustFeed(tb testing.TB, logicalID string, handler Consumer) *Feed {
	tb.Helper()
	tmpl, err := sam.LoadDefault()
	if err != nil {
		tb.Fatal(err)
	}
	fn, err := tmpl.Function(logicalID)
	if err != nil {
		tb.Fatal(err)
	}
	f, err := NewFeed(t.Stream, handler, fn)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}
