// Package outboxdb is the outbox's item: how a message is queued in the transaction of
// the change that causes it, and read back. The notifier's store of the messages is
// notifydb.
package outboxdb

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/notify"
)

// Item is a notify.Message in the table.
type Item struct {
	dynamo.Keys
	dynamo.GSI1
	ID         string            `dynamodbav:"id"`
	Kind       string            `dynamodbav:"kind"`
	To         string            `dynamodbav:"recipient"`
	Data       map[string]string `dynamodbav:"data,omitempty"`
	URL        string            `dynamodbav:"url,omitempty"`
	Status     string            `dynamodbav:"status"`
	Attempts   int               `dynamodbav:"attempts"`
	DueAt      string            `dynamodbav:"dueAt"`
	LeaseUntil string            `dynamodbav:"leaseUntil,omitempty"`
	CreatedAt  string            `dynamodbav:"createdAt"`
	SentAt     string            `dynamodbav:"sentAt,omitempty"`
	LastError  string            `dynamodbav:"lastError,omitempty"`
	Alert      bool              `dynamodbav:"alert,omitempty"`
}

// Message is the message the item holds.
func (it Item) Message() notify.Message {
	m := notify.Message{ID: it.ID, Kind: it.Kind, To: it.To, Data: it.Data, URL: it.URL, Status: notify.Status(it.Status),
		Attempts: it.Attempts, LastError: it.LastError, Alert: it.Alert}
	m.DueAt, _ = time.Parse(time.RFC3339, it.DueAt)
	m.CreatedAt, _ = time.Parse(time.RFC3339, it.CreatedAt)
	m.SentAt, _ = time.Parse(time.RFC3339, it.SentAt)
	return m
}

// Queue adds to tx the Put of a pending message, for the transaction of the change that
// causes it (booking item + slot counter + outbox item), with its pointer in the
// recipient's partition. Its condition makes a second write of the same message id fail
// instead of sending twice.
func Queue(tx *dynamo.Tx, m notify.Message) {
	it, err := NewItem(m)
	if err != nil {
		tx.Add(types.TransactWriteItem{}, err, nil)
		return
	}
	tx.Put(it, expression.AttributeNotExists(expression.Name("PK")), nil)
	if m.To != "" {
		tx.Put(pointer(m), expression.ConditionBuilder{}, nil)
	}
}

// Write writes a message on its own, after its pointer (a pointer whose message never
// came is harmless; a message without one would escape an erasure): false when a
// message of its id was written before, which changes nothing.
func Write(ctx context.Context, db *dynamodb.Client, table, op string, m notify.Message) (bool, error) {
	it, err := NewItem(m)
	if err != nil {
		return false, err
	}
	if m.To != "" {
		if err := dynamo.Put(ctx, db, table, op+" pointer", pointer(m), expression.ConditionBuilder{}); err != nil {
			return false, err
		}
	}
	err = dynamo.Put(ctx, db, table, op, it, expression.AttributeNotExists(expression.Name("PK")))
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return false, nil
	}
	return err == nil, err
}

// Keep is how long a delivered or skipped message stays in the table (TTL, set when
// the notifier finishes it); a failed one stays until staff send it again.
const Keep = 90 * 24 * time.Hour

// PointerTTL is how long a message's pointer is kept after the message was due: Keep
// and ten days for the notifier's attempts (hours at most), so the pointer outlives a
// message sent or skipped. A message that failed, and was finished or sent again more
// than ten days after it was due, can outlive its pointer (decision 89).
const PointerTTL = Keep + 10*24*time.Hour

// pointerItem is a message's pointer in its recipient's partition (dynamo.MessageSK).
type pointerItem struct {
	dynamo.Keys
	ExpiresAt int64 `dynamodbav:"expiresAt"`
}

func pointer(m notify.Message) pointerItem {
	due := m.DueAt
	if due.IsZero() {
		due = m.CreatedAt
	}
	return pointerItem{Keys: dynamo.Keys{PK: dynamo.UserPK(m.To), SK: dynamo.MessageSK(m.ID)}, ExpiresAt: due.Add(PointerTTL).Unix()}
}

// NewItem is the pending item of a valid message.
func NewItem(m notify.Message) (Item, error) {
	if m.DueAt.IsZero() {
		m.DueAt = m.CreatedAt
	}
	if err := m.Validate(); err != nil {
		return Item{}, err
	}
	return Item{
		Keys: dynamo.Keys{PK: dynamo.OutboxPK(m.ID), SK: dynamo.SKOutbox}, GSI1: dynamo.GSI1{PK: dynamo.OutboxPending.PK(m.ID), SK: dynamo.TimeKey(m.DueAt) + "#" + m.ID},
		ID: m.ID, Kind: m.Kind, To: m.To, Data: m.Data, URL: m.URL, Status: string(notify.StatusPending),
		DueAt: dynamo.TimeKey(m.DueAt), CreatedAt: m.CreatedAt.UTC().Format(time.RFC3339Nano), Alert: m.Alert,
	}, nil
}
