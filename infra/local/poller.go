package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/notifydb"
	"github.com/wentitong/wentitong/shared/dynamodev"
)

const (
	batchSize       = 25               // the notifier's BatchSize in template.yaml
	maxBatches      = 40               // per poll, so a backlog drains in seconds without starving shutdown
	notifierTimeout = 60 * time.Second // the notifier's Timeout in template.yaml
	failureLogEvery = time.Minute      // how often an item that keeps failing is logged
)

// notifier is the stream handler of the notifier function.
type notifier = func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error)

// poller stands in for DynamoDB Streams, which the embedded engine lacks: it reads the
// pending outbox items that are due and hands them to the notifier as INSERT records.
// Items the notifier reports failed stay pending and come again on the next poll; the
// notifier takes an item out of the pending index when it has delivered it.
type poller struct {
	db      *dynamodb.Client
	table   string
	notify  notifier
	now     func() time.Time
	log     *slog.Logger
	arn     string
	polled  func(events.DynamoDBEvent, events.DynamoDBEventResponse) // test hook, may be nil
	seq     int64
	logged  map[string]time.Time // when each failing item was last logged, by PK
	lastErr string               // the last query error logged, to log each once
}

func newPoller(db *dynamodb.Client, table string, notify notifier, now func() time.Time, log *slog.Logger) *poller {
	return &poller{
		db: db, table: table, notify: notify, now: now, log: log,
		arn:    "arn:aws:dynamodb:local:000000000000:table/" + table + "/stream/local",
		logged: map[string]time.Time{},
	}
}

// poll hands every due pending item to the notifier, in batches of batchSize, and
// stops early when a batch has failures (they wait for the next poll) or brings
// nothing new.
func (p *poller) poll(ctx context.Context) {
	seen := map[string]bool{}
	for range maxBatches {
		if ctx.Err() != nil {
			return
		}
		items, err := notifydb.PendingOutbox(ctx, p.db, p.table, p.now(), batchSize)
		if err != nil {
			if ctx.Err() == nil && err.Error() != p.lastErr {
				p.log.Error("stream poller: read pending outbox", "err", err)
				p.lastErr = err.Error()
			}
			return
		}
		p.lastErr = ""
		var fresh []dynamo.Item
		for _, it := range items {
			if pk := pkOf(it); !seen[pk] {
				seen[pk] = true
				fresh = append(fresh, it)
			}
		}
		if len(fresh) == 0 || p.deliver(ctx, fresh) > 0 || len(items) < batchSize {
			return
		}
	}
}

// deliver sends one batch to the notifier and returns the number of failed records.
func (p *poller) deliver(ctx context.Context, items []dynamo.Item) int {
	ev, pks := p.event(items)
	if len(ev.Records) == 0 {
		return 0
	}
	ctx, cancel := context.WithTimeout(ctx, notifierTimeout)
	defer cancel()
	resp, err := p.notify(ctx, ev)
	if p.polled != nil {
		p.polled(ev, resp)
	}
	failed := map[string]bool{}
	if err != nil { // the whole batch failed, as Lambda would retry it
		for _, r := range ev.Records {
			failed[r.Change.SequenceNumber] = true
		}
		p.log.Error("stream poller: notifier failed", "records", len(ev.Records), "err", err)
	}
	for _, f := range resp.BatchItemFailures {
		failed[f.ItemIdentifier] = true
	}
	p.logFailures(failed, pks)
	return len(failed)
}

// event builds the stream event of items and the PK of each record by sequence number.
func (p *poller) event(items []dynamo.Item) (events.DynamoDBEvent, map[string]string) {
	var ev events.DynamoDBEvent
	pks := map[string]string{}
	now := p.now()
	for _, it := range items {
		img, err := dynamodev.ToImage(it)
		if err != nil {
			p.log.Error("stream poller: skip item", "pk", pkOf(it), "err", err)
			continue
		}
		p.seq++
		seq := fmt.Sprintf("%021d", p.seq)
		pks[seq] = pkOf(it)
		ev.Records = append(ev.Records, events.DynamoDBEventRecord{
			AWSRegion:      "local",
			EventID:        "local-" + strconv.FormatInt(p.seq, 10),
			EventName:      string(events.DynamoDBOperationTypeInsert),
			EventSource:    "aws:dynamodb",
			EventVersion:   "1.1",
			EventSourceArn: p.arn,
			Change: events.DynamoDBStreamRecord{
				ApproximateCreationDateTime: events.SecondsEpochTime{Time: now},
				Keys:                        map[string]events.DynamoDBAttributeValue{"PK": img["PK"], "SK": img["SK"]},
				NewImage:                    img,
				SequenceNumber:              seq,
				StreamViewType:              string(events.DynamoDBStreamViewTypeNewAndOldImages),
			},
		})
	}
	return ev, pks
}

// logFailures logs each failed item at most once per failureLogEvery.
func (p *poller) logFailures(failed map[string]bool, pks map[string]string) {
	now := time.Now()
	for pk, at := range p.logged {
		if now.Sub(at) >= failureLogEvery {
			delete(p.logged, pk)
		}
	}
	for seq := range failed {
		pk := pks[seq]
		if _, recent := p.logged[pk]; recent {
			continue
		}
		p.logged[pk] = now
		p.log.Warn("stream poller: outbox item not delivered, retrying every poll", "pk", pk, "sequenceNumber", seq)
	}
}

func pkOf(it dynamo.Item) string {
	pk, _ := dynamo.StringAttr(it, "PK")
	return pk
}

// every calls f every interval until ctx is done.
func every(ctx context.Context, interval time.Duration, f func(context.Context)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f(ctx)
		}
	}
}
