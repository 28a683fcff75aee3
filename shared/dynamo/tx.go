package dynamo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/fault"
)

// Tx is one TransactWriteItems being built: its items and, for each, the error its failed
// condition means to the domain (booking.ErrFull for the slot's counter, …). An error
// building an item is kept and returned by Transact, so a store adds every item without
// checking each step. Transact is the only caller of TransactWriteItems.
type Tx struct {
	items   []types.TransactWriteItem
	reasons []error
	token   string
	reused  error
	err     error
}

// Put adds a Put of item (marshalled with attributevalue), under cond when cond is set;
// ifFailed is what Transact returns when that condition fails.
func (t *Tx) Put(item any, cond expression.ConditionBuilder, ifFailed error) {
	p, err := newPut(item, cond)
	t.Add(types.TransactWriteItem{Put: p}, err, ifFailed)
}

// Update adds an Update of the item at pk/sk, under cond when cond is set.
func (t *Tx) Update(pk, sk string, upd expression.UpdateBuilder, cond expression.ConditionBuilder, ifFailed error) {
	u, err := newUpdate(pk, sk, upd, cond)
	t.Add(types.TransactWriteItem{Update: u}, err, ifFailed)
}

// Check adds a ConditionCheck of the item at pk/sk.
func (t *Tx) Check(pk, sk string, cond expression.ConditionBuilder, ifFailed error) {
	expr, err := build(nil, cond)
	t.Add(types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		Key: Key(pk, sk), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}}, err, ifFailed)
}

// Delete adds a Delete of the item at pk/sk, under cond when cond is set.
func (t *Tx) Delete(pk, sk string, cond expression.ConditionBuilder, ifFailed error) {
	expr, err := build(nil, cond)
	t.Add(types.TransactWriteItem{Delete: &types.Delete{
		Key: Key(pk, sk), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}}, err, ifFailed)
}

// Add adds an item built elsewhere, or the error building it; Transact sets its table.
func (t *Tx) Add(item types.TransactWriteItem, err error, ifFailed error) {
	if err != nil {
		t.err = errors.Join(t.err, err)
		return
	}
	t.items = append(t.items, item)
	t.reasons = append(t.reasons, ifFailed)
}

// Idempotent sends token as the ClientRequestToken, so that DynamoDB applies the
// transaction once however often it is sent within ten minutes; reused is what Transact
// returns when the token was used for other items.
func (t *Tx) Idempotent(token string, reused error) { t.token, t.reused = token, reused }

// Len is the number of items added.
func (t *Tx) Len() int { return len(t.items) }

// TxAttempts bounds how often Transact sends a transaction that contention
// (TransactionConflict) or throttling cancelled: the SDK does not retry those itself.
const TxAttempts = 4

// txBackoff is the base of the pause before attempt n+1 (backoff).
const txBackoff = 10 * time.Millisecond

// Transact runs tx on the table as one TransactWriteItems. A transaction that writes
// nothing is nil. When items fail their conditions it returns the ifFailed of the first
// of them that has one (a failed condition without one is ErrConditionFailed, wrapping
// the *TxCanceled); a cancellation by contention or throttling is sent again, at most
// TxAttempts times in all, after a jittered pause, and is then fault.ErrUnavailable; any
// other cancellation is fault.ErrInternal.
func Transact(ctx context.Context, db *dynamodb.Client, table, op string, tx *Tx) error {
	if tx.err != nil {
		return fmt.Errorf("%s: %w", op, tx.err)
	}
	if len(tx.items) == 0 {
		return nil
	}
	name := aws.String(table)
	for _, it := range tx.items {
		switch {
		case it.Put != nil:
			it.Put.TableName = name
		case it.Update != nil:
			it.Update.TableName = name
		case it.ConditionCheck != nil:
			it.ConditionCheck.TableName = name
		case it.Delete != nil:
			it.Delete.TableName = name
		}
	}
	in := &dynamodb.TransactWriteItemsInput{TransactItems: tx.items}
	if tx.token != "" {
		in.ClientRequestToken = aws.String(tx.token)
	}
	for attempt := 1; ; attempt++ {
		_, err := db.TransactWriteItems(ctx, in)
		if err == nil {
			return nil
		}
		var mismatch *types.IdempotentParameterMismatchException
		if errors.As(err, &mismatch) && tx.reused != nil {
			return tx.reused
		}
		err = FormatError(op, err)
		var tc *TxCanceled
		if !errors.As(err, &tc) {
			return err
		}
		if reason, failed := tx.reason(tc); failed {
			if reason != nil {
				return reason
			}
			return fmt.Errorf("%s: %w", op, ErrConditionFailed.Wrap(tc))
		}
		if !tc.Transient() {
			return fmt.Errorf("%s: %w", op, fault.ErrInternal.Wrap(tc))
		}
		if attempt == TxAttempts {
			return fmt.Errorf("%s: %w", op, fault.ErrUnavailable.Wrap(tc))
		}
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
	}
}

// backoff pauses before attempt n+1 of a call DynamoDB turned away in part or whole
// (contention, throttling, unprocessed keys): up to n² × txBackoff, drawn at random (full
// jitter), so that callers that collided do not collide again; ctx's error if it ends
// first.
func backoff(ctx context.Context, n int) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Duration(1 + rand.Int64N(int64(n*n)*int64(txBackoff)))):
		return nil
	}
}

// reason returns the ifFailed of the first failed item that has one, and whether any
// item failed its condition.
func (t *Tx) reason(tc *TxCanceled) (error, bool) {
	failed := false
	for i := range t.items {
		if !tc.Failed(i) {
			continue
		}
		failed = true
		if t.reasons[i] != nil {
			return t.reasons[i], true
		}
	}
	return nil, failed
}

// Key is the key of the item at pk/sk.
func Key(pk, sk string) Item {
	return Item{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: sk}}
}
