package notifydb

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/directorydb"
	"github.com/wentitong/wentitong/shared/dynamo/outboxdb"
	"github.com/wentitong/wentitong/shared/dynamo/reportdb"
	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/report"
)

// Outbox is the notify.Store on the table. A message that fails counts as a failed
// notification of the city in the report, in the transaction that records the failure;
// a retry takes it back.
type Outbox struct {
	DB    *dynamodb.Client
	Table string

	mu   sync.Mutex
	root string // the city's district path, once read
}

var _ notify.Store = (*Outbox)(nil)

// Add writes a message on its own; writing the same id again changes nothing.
func (o *Outbox) Add(ctx context.Context, m notify.Message) error {
	_, err := outboxdb.Write(ctx, o.DB, o.Table, "outbox add", m)
	return err
}

// Message returns one message (consistent read), or notify.ErrMessageNotFound.
func (o *Outbox) Message(ctx context.Context, id string) (notify.Message, error) {
	it, err := dynamo.One[outboxdb.Item](ctx, o.DB, o.Table, "outbox get", dynamo.OutboxPK(id), dynamo.SKOutbox, true, notify.ErrMessageNotFound)
	if err != nil {
		return notify.Message{}, err
	}
	return it.Message(), nil
}

// update runs one conditional UpdateItem on a message; ok is false when the condition
// failed.
func (o *Outbox) update(ctx context.Context, op, id string, upd expression.UpdateBuilder, cond expression.ConditionBuilder, rv types.ReturnValue) (map[string]types.AttributeValue, bool, error) {
	attrs, err := dynamo.Update(ctx, o.DB, o.Table, op, dynamo.OutboxPK(id), dynamo.SKOutbox, upd, cond, rv)
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return nil, false, nil
	}
	return attrs, err == nil, err
}

func status(s notify.Status) expression.ConditionBuilder {
	return expression.Name("status").Equal(expression.Value(string(s)))
}

// Claim takes a due pending message, or one whose lease lapsed, until lease.
func (o *Outbox) Claim(ctx context.Context, id string, now, lease time.Time) (notify.Message, bool, error) {
	cond := status(notify.StatusPending).And(expression.Name("dueAt").LessThanEqual(expression.Value(dynamo.TimeKey(now)))).
		Or(status(notify.StatusSending).And(expression.Name("leaseUntil").LessThan(expression.Value(dynamo.TimeKey(now)))))
	upd := expression.Set(expression.Name("status"), expression.Value(string(notify.StatusSending))).
		Set(expression.Name("leaseUntil"), expression.Value(dynamo.TimeKey(lease))).
		Set(expression.Name("GSI1SK"), expression.Value(dynamo.TimeKey(lease)+"#"+id)).
		Add(expression.Name("attempts"), expression.Value(1))
	attrs, ok, err := o.update(ctx, "outbox claim", id, upd, cond, types.ReturnValueAllNew)
	if err != nil || !ok {
		return notify.Message{}, false, err
	}
	var it outboxdb.Item
	if err := attributevalue.UnmarshalMap(attrs, &it); err != nil {
		return notify.Message{}, false, fmt.Errorf("outbox claim: %w", err)
	}
	return it.Message(), true, nil
}

// Finish records the outcome of a claimed message and moves it from the pending
// partition of GSI1 to its status's; a sent or skipped one expires after 90 days.
func (o *Outbox) Finish(ctx context.Context, id string, st notify.Status, reason string, at time.Time) error {
	upd := expression.Set(expression.Name("status"), expression.Value(string(st))).
		Set(expression.Name("GSI1PK"), expression.Value(dynamo.OutboxDone(string(st)).PK(id))).
		Set(expression.Name("GSI1SK"), expression.Value(dynamo.TimeKey(at)+"#"+id))
	if reason != "" {
		upd = upd.Set(expression.Name("lastError"), expression.Value(reason))
	}
	switch st {
	case notify.StatusSent:
		upd = upd.Set(expression.Name("sentAt"), expression.Value(dynamo.TimeKey(at)))
		fallthrough
	case notify.StatusSkipped:
		upd = upd.Set(expression.Name("expiresAt"), expression.Value(at.Add(outboxdb.Keep).Unix()))
	case notify.StatusFailed:
		return o.counted(ctx, "outbox finish", id, upd, status(notify.StatusSending), at, 1)
	default:
		return fmt.Errorf("outbox finish %s: not a final status %q", id, st)
	}
	_, ok, err := o.update(ctx, "outbox finish", id, upd, status(notify.StatusSending), types.ReturnValueNone)
	if err == nil && !ok {
		return fmt.Errorf("outbox finish %s: %w", id, dynamo.ErrConditionFailed)
	}
	return err
}

// counted runs an update of a message that makes it fail (sign 1, failed at at) or
// takes back its failure (sign -1, failed at at), with the report's count of failed
// notifications, in one transaction; a failed condition is ErrConditionFailed.
func (o *Outbox) counted(ctx context.Context, op, id string, upd expression.UpdateBuilder, cond expression.ConditionBuilder, at time.Time, sign int) error {
	root, err := o.rootPath(ctx)
	if err != nil {
		return err
	}
	tx := reportdb.NewCountTx()
	tx.Update(dynamo.OutboxPK(id), dynamo.SKOutbox, upd, cond, dynamo.ErrConditionFailed)
	if root != "" {
		for c, n := range report.Expand(report.FailedFacts(root, at)) {
			tx.Count(c, sign*n)
		}
	}
	err = tx.Run(ctx, o.DB, o.Table, op)
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return fmt.Errorf("%s %s: %w", op, id, err)
	}
	return err
}

// rootPath returns the city's district path, read once.
func (o *Outbox) rootPath(ctx context.Context) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.root != "" {
		return o.root, nil
	}
	root, err := (&directorydb.Directory{DB: o.DB, Table: o.Table}).RootPath(ctx)
	o.root = root
	return root, err
}

// Reschedule puts a claimed message back to pending, due at due.
func (o *Outbox) Reschedule(ctx context.Context, id string, due time.Time, reason string, refund bool) error {
	upd := expression.Set(expression.Name("status"), expression.Value(string(notify.StatusPending))).
		Set(expression.Name("dueAt"), expression.Value(dynamo.TimeKey(due))).
		Set(expression.Name("GSI1SK"), expression.Value(dynamo.TimeKey(due)+"#"+id)).
		Set(expression.Name("lastError"), expression.Value(reason))
	if refund {
		upd = upd.Add(expression.Name("attempts"), expression.Value(-1))
	}
	_, ok, err := o.update(ctx, "outbox reschedule", id, upd, status(notify.StatusSending), types.ReturnValueNone)
	if err == nil && !ok {
		return fmt.Errorf("outbox reschedule %s: %w", id, dynamo.ErrConditionFailed)
	}
	return err
}

// PendingOutbox returns at most limit pending outbox items due at or before now, the
// earliest due first (one Query of each shard of GSI1, eventually consistent).
func PendingOutbox(ctx context.Context, db *dynamodb.Client, table string, now time.Time, limit int32) ([]dynamo.Item, error) {
	return dynamo.QueryShards(ctx, db, table, "pending outbox", dynamo.OutboxPending, dynamo.Query{Index: "GSI1"}, dynamo.DueBy("GSI1", now), int(limit))
}

// Due returns the ids of messages due at now, earliest first.
func (o *Outbox) Due(ctx context.Context, now time.Time, limit int) ([]string, error) {
	items, err := PendingOutbox(ctx, o.DB, o.Table, now, int32(limit))
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(items))
	for _, it := range items {
		if id, ok := dynamo.StringAttr(it, "id"); ok {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// List returns up to limit messages of a status from GSI1: pending ones by due time
// (claimed ones among them), finished ones newest first.
func (o *Outbox) List(ctx context.Context, st notify.Status, limit int) ([]notify.Message, error) {
	shards, newestFirst := dynamo.OutboxDone(string(st)), true
	if st == notify.StatusPending || st == notify.StatusSending {
		shards, newestFirst = dynamo.OutboxPending, false
	}
	raw, err := dynamo.QueryShards(ctx, o.DB, o.Table, "outbox list", shards, dynamo.Query{Index: "GSI1", Backward: newestFirst}, dynamo.Whole("GSI1"), limit)
	if err != nil {
		return nil, err
	}
	var items []outboxdb.Item
	if err := attributevalue.UnmarshalListOfMaps(raw, &items); err != nil {
		return nil, fmt.Errorf("outbox list: %w", err)
	}
	msgs := make([]notify.Message, len(items))
	for i, it := range items {
		msgs[i] = it.Message()
	}
	return msgs, nil
}

// Messages returns those of the ids that exist, with one consistent BatchGetItem (per
// hundred ids).
func (o *Outbox) Messages(ctx context.Context, ids []string) ([]notify.Message, error) {
	keys := dynamo.Convert(ids, func(id string) dynamo.Item { return dynamo.Key(dynamo.OutboxPK(id), dynamo.SKOutbox) })
	items, err := dynamo.BatchGetAll[outboxdb.Item](ctx, o.DB, o.Table, "outbox messages", keys, true)
	if err != nil {
		return nil, err
	}
	return dynamo.Convert(items, outboxdb.Item.Message), nil
}

// Retry puts a failed message back to pending, due now, with no attempts counted, and
// takes it out of the report's failed notifications.
func (o *Outbox) Retry(ctx context.Context, id string, now time.Time) error {
	it, err := dynamo.GetItem(ctx, o.DB, o.Table, "outbox retry", dynamo.OutboxPK(id), dynamo.SKOutbox, true)
	if err != nil {
		return err
	}
	if it == nil {
		return notify.ErrMessageNotFound
	}
	failed, ok := reportdb.FailedAt(it)
	if !ok {
		return notify.ErrNotRetryable
	}
	sk, _ := dynamo.StringAttr(it, "GSI1SK")
	upd := expression.Set(expression.Name("status"), expression.Value(string(notify.StatusPending))).
		Set(expression.Name("attempts"), expression.Value(0)).
		Set(expression.Name("dueAt"), expression.Value(dynamo.TimeKey(now))).
		Set(expression.Name("GSI1PK"), expression.Value(dynamo.OutboxPending.PK(id))).
		Set(expression.Name("GSI1SK"), expression.Value(dynamo.TimeKey(now)+"#"+id))
	// Unchanged since it was read: still failed, at the time read.
	cond := status(notify.StatusFailed).And(expression.Name("GSI1SK").Equal(expression.Value(sk)))
	err = o.counted(ctx, "outbox retry", id, upd, cond, failed, -1)
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return notify.ErrNotRetryable // retried (or changed) meanwhile
	}
	return err
}
