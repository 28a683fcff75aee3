package persondb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/account"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/outboxdb"
)

var _ account.Takeovers = (*Data)(nil)

// takeoverItem is a guardian's one-time code for a dependant to take over their own
// account, TAKEOVER#<hash of the code> / TAKEOVER: whose dependant, how the family page
// named them, until when, and once used, by whom (a run that stopped goes on only for
// that person).
type takeoverItem struct {
	dynamo.Keys
	Guardian  string `dynamodbav:"guardian"`
	Dependant string `dynamodbav:"dependant"`
	Label     string `dynamodbav:"label"`
	Person    string `dynamodbav:"person,omitempty"`
	Status    string `dynamodbav:"status"` // offered, running, done
	CreatedAt string `dynamodbav:"createdAt"`
	ExpiresAt int64  `dynamodbav:"expiresAt"`
	Moved     Merged `dynamodbav:"moved"` // what moved, counted by each move (tally)
}

// takenOverItem tells the guardian (USER#<guardian> / TAKENOVER#<dependant>) and the new
// person (USER#<person> / TOOKOVER#<guardian>~<dependant>) of a takeover.
type takenOverItem struct {
	dynamo.Keys
	Label string `dynamodbav:"label"`
	At    string `dynamodbav:"at"`
	Moved int    `dynamodbav:"moved"`
}

// PutTakeover stores t's code.
func (d *Data) PutTakeover(ctx context.Context, code string, t account.Takeover) error {
	it := takeoverItem{Keys: dynamo.Keys{PK: dynamo.TakeoverPK(code), SK: dynamo.SKTakeover}, Guardian: t.Guardian, Dependant: t.Dependant, Label: t.Label,
		Status: account.MergeOffered, CreatedAt: dynamo.RFC3339Nano(t.CreatedAt), ExpiresAt: t.ExpiresAt.Unix()}
	return dynamo.Put(ctx, d.DB, d.Table, "put takeover", it, expression.AttributeNotExists(expression.Name("PK")))
}

// Takeover returns the takeover of code, or account.ErrTakeoverNotFound.
func (d *Data) Takeover(ctx context.Context, code string) (account.Takeover, error) {
	it, err := dynamo.One[takeoverItem](ctx, d.DB, d.Table, "get takeover", dynamo.TakeoverPK(code), dynamo.SKTakeover, true, account.ErrTakeoverNotFound)
	if err != nil {
		return account.Takeover{}, err
	}
	t := account.Takeover{Guardian: it.Guardian, Dependant: it.Dependant, Label: it.Label, Person: it.Person, Status: it.Status,
		ExpiresAt: time.Unix(it.ExpiresAt, 0).UTC()}
	t.CreatedAt, _ = time.Parse(time.RFC3339Nano, it.CreatedAt)
	if t.Bookings, err = d.heldBy(ctx, it.Guardian, booking.Holder(it.Guardian, it.Dependant)); err != nil {
		return account.Takeover{}, err
	}
	return t, nil
}

// heldBy counts the bookings of person's list that holder holds.
func (d *Data) heldBy(ctx context.Context, person, holder string) (int, error) {
	bs, err := d.bookings(ctx, person)
	n := 0
	for _, b := range bs {
		if attr(b, "OpenID") == holder {
			n++
		}
	}
	return n, err
}

// TakeOver makes the dependant of code the person: the code is claimed for them (a
// code claimed by someone else is account.ErrTakeoverUsed), then every booking the
// guardian made for the dependant (held <guardian>~<dependant>) moves to the person,
// each in a transaction of its own with its limits, seats and messages (one of a
// session the person booked themselves is kept beside theirs, held <person>~<dependant>),
// and the dependant's strikes and limits follow; last, in one transaction, the
// dependant leaves the guardian's family (the count lowered), the guardian's partition
// and the person's record the takeover, and the code is closed. Running it again goes
// on from where it stopped.
func (d *Data) TakeOver(ctx context.Context, code, person string, now time.Time) (int, error) {
	pk := dynamo.TakeoverPK(code)
	if it, err := dynamo.One[takeoverItem](ctx, d.DB, d.Table, "get takeover", pk, dynamo.SKTakeover, true, account.ErrTakeoverNotFound); err == nil &&
		it.Status == account.MergeDone && it.Person == person {
		return it.Moved.Bookings, nil // done: confirmed again, nothing to do (the guardian was told once)
	}
	_, err := dynamo.Update(ctx, d.DB, d.Table, "claim takeover", pk, dynamo.SKTakeover,
		expression.Set(expression.Name("person"), expression.Value(person)).Set(expression.Name("status"), expression.Value(account.MergeRunning)).
			Set(expression.Name("moved"), expression.IfNotExists(expression.Name("moved"), expression.Value(Merged{}))),
		expression.AttributeExists(expression.Name("PK")).And(expression.AttributeNotExists(expression.Name("person")).
			Or(expression.Name("person").Equal(expression.Value(person)))), types.ReturnValueNone)
	if errors.Is(err, dynamo.ErrConditionFailed) {
		if _, err := d.Takeover(ctx, code); err != nil {
			return 0, err
		}
		return 0, account.ErrTakeoverUsed
	}
	if err != nil {
		return 0, err
	}
	it, err := dynamo.One[takeoverItem](ctx, d.DB, d.Table, "get takeover", pk, dynamo.SKTakeover, true, account.ErrTakeoverNotFound)
	if err != nil || it.Status == account.MergeDone {
		return 0, err
	}
	holder := booking.Holder(it.Guardian, it.Dependant)
	beside := booking.Holder(person, it.Dependant)
	// (from is the guardian: the dependant's standing is folded, not skipped as a merged
	// person's own profile is.)
	r := &run{Data: d, into: person, from: it.Guardian, tally: &tally{pk: pk, sk: dynamo.SKTakeover}, now: now}
	for pass := 1; ; pass++ {
		r.again = false
		bs, err := d.bookings(ctx, it.Guardian)
		if err != nil {
			return 0, err
		}
		for _, b := range bs {
			if attr(b, "OpenID") != holder {
				continue
			}
			if _, err := r.rehold(ctx, b, person, beside); !errors.Is(err, errMoved) { // errMoved: the index lags
				if err := r.done(err); err != nil {
					return 0, err
				}
			}
		}
		if err := r.movePartition(ctx, holder, person, beside); err != nil {
			return 0, err
		}
		if !r.again {
			break
		}
		if pass == mergePasses {
			return 0, fmt.Errorf("takeover: records of %s still moving after %d passes", holder, pass)
		}
	}
	// What moved, counted in the moves' own transactions.
	if it, err = dynamo.One[takeoverItem](ctx, d.DB, d.Table, "get takeover", pk, dynamo.SKTakeover, true, account.ErrTakeoverNotFound); err != nil {
		return 0, err
	}
	moved := it.Moved.Bookings
	at := dynamo.RFC3339Nano(now)
	var tx dynamo.Tx
	tx.Delete(dynamo.UserPK(it.Guardian), dynamo.DependantSK(it.Dependant), expression.ConditionBuilder{}, nil)
	if dep, err := dynamo.GetItem(ctx, d.DB, d.Table, "dependant taken over", dynamo.UserPK(it.Guardian), dynamo.DependantSK(it.Dependant), true); err != nil {
		return moved, err
	} else if dep != nil {
		tx.Update(dynamo.UserPK(it.Guardian), dynamo.SKProfile, expression.Add(expression.Name("dependants"), expression.Value(-1)),
			expression.Name("dependants").GreaterThan(expression.Value(0)), nil)
	}
	tx.Put(takenOverItem{Keys: dynamo.Keys{PK: dynamo.UserPK(it.Guardian), SK: dynamo.TakenOverSK(it.Dependant)}, Label: it.Label, At: at, Moved: moved},
		expression.ConditionBuilder{}, nil)
	tx.Put(takenOverItem{Keys: dynamo.Keys{PK: dynamo.UserPK(person), SK: dynamo.TookOverSK(holder)}, Label: it.Label, At: at, Moved: moved},
		expression.ConditionBuilder{}, nil)
	// The guardian's message, queued once with the close (consent is checked when it is
	// sent, as for every message).
	outboxdb.Queue(&tx, account.TakenOverNotice(it.Guardian, it.Dependant, it.Label, moved, now))
	tx.Update(pk, dynamo.SKTakeover, expression.Set(expression.Name("status"), expression.Value(account.MergeDone)).
		Set(expression.Name("expiresAt"), expression.Value(now.Add(30*24*time.Hour).Unix())),
		expression.Name("person").Equal(expression.Value(person)), nil)
	return moved, dynamo.Transact(ctx, d.DB, d.Table, "close takeover", &tx)
}

// TakenOver lists the guardian's dependants who took over their own account.
func (d *Data) TakenOver(ctx context.Context, guardian string) ([]account.TakenOver, error) {
	items, err := dynamo.QueryAll[takenOverItem](ctx, d.DB, d.Table, "taken over", dynamo.Query{
		Key: dynamo.Partition("", dynamo.UserPK(guardian), dynamo.SKTakenOverPrefix), Consistent: true})
	if err != nil {
		return nil, err
	}
	out := make([]account.TakenOver, 0, len(items))
	for _, it := range items {
		at, _ := time.Parse(time.RFC3339Nano, it.At)
		out = append(out, account.TakenOver{Label: it.Label, At: at, Bookings: it.Moved})
	}
	return out, nil
}
