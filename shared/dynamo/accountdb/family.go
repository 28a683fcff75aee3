package accountdb

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
)

var _ account.Family = (*People)(nil)

// dependantItem is a dependant in their resident's partition, USER#<person> / DEP#<id>.
type dependantItem struct {
	dynamo.Keys
	ID        string `dynamodbav:"id"`
	Name      string `dynamodbav:"name"`
	Relation  string `dynamodbav:"relation"`
	BirthYear int    `dynamodbav:"birthYear,omitempty"`
	CreatedAt string `dynamodbav:"createdAt"`
	// The ID number given for a real-name session, kept as volunteers' are: its keyed
	// hash, the key's id and the masked form.
	IDNumberHash   string `dynamodbav:"idNumberHash,omitempty"`
	IDNumberKeyID  string `dynamodbav:"idNumberKeyId,omitempty"`
	IDNumberMasked string `dynamodbav:"idNumberMasked,omitempty"`
}

func (it dependantItem) dependant() account.Dependant {
	at, _ := time.Parse(time.RFC3339Nano, it.CreatedAt)
	return account.Dependant{ID: it.ID, Name: it.Name, Relation: it.Relation, BirthYear: it.BirthYear, CreatedAt: at,
		IDNumberMasked: it.IDNumberMasked}
}

// AddDependant puts the dependant, with the count on the profile raised under the
// condition that it stays below account.MaxDependants, in one transaction.
func (p *People) AddDependant(ctx context.Context, person string, d account.Dependant) error {
	var tx dynamo.Tx
	tx.Update(dynamo.UserPK(person), dynamo.SKProfile, expression.Add(expression.Name("dependants"), expression.Value(1)),
		expression.AttributeNotExists(expression.Name("dependants")).Or(expression.Name("dependants").LessThan(expression.Value(account.MaxDependants))),
		account.ErrTooManyDependants)
	tx.Put(dependantItem{Keys: dynamo.Keys{PK: dynamo.UserPK(person), SK: dynamo.DependantSK(d.ID)}, ID: d.ID, Name: d.Name, Relation: d.Relation,
		BirthYear: d.BirthYear, CreatedAt: dynamo.RFC3339Nano(d.CreatedAt)}, expression.AttributeNotExists(expression.Name("PK")), nil)
	return dynamo.Transact(ctx, p.DB, p.Table, "add dependant", &tx)
}

// Dependants queries the person's partition for DEP# items.
func (p *People) Dependants(ctx context.Context, person string) ([]account.Dependant, error) {
	items, err := dynamo.QueryAll[dependantItem](ctx, p.DB, p.Table, "list dependants", dynamo.Query{
		Key: dynamo.Partition("", dynamo.UserPK(person), dynamo.SKDependantPrefix), Consistent: true})
	if err != nil {
		return nil, err
	}
	out := dynamo.Convert(items, dependantItem.dependant)
	return dynamo.EmptyIfNil(out), nil
}

// Dependant reads one dependant.
func (p *People) Dependant(ctx context.Context, person, id string) (account.Dependant, error) {
	it, err := p.dependantItem(ctx, person, id)
	if err != nil {
		return account.Dependant{}, err
	}
	return it.dependant(), nil
}

func (p *People) dependantItem(ctx context.Context, person, id string) (dependantItem, error) {
	if !account.ValidDependantID(id) {
		return dependantItem{}, account.ErrDependantNotFound
	}
	return dynamo.One[dependantItem](ctx, p.DB, p.Table, "get dependant", dynamo.UserPK(person), dynamo.DependantSK(id), true, account.ErrDependantNotFound)
}

// DependantIDNumber checks n against the dependant's ID number on file (booking.Family):
// a number given is recorded when none is on file, or the one on file was hashed with
// another key, under the condition that no other number was recorded meanwhile.
func (p *People) DependantIDNumber(ctx context.Context, person, id string, n booking.IDNumber) (string, error) {
	it, err := p.dependantItem(ctx, person, id)
	if err != nil {
		return "", err
	}
	switch {
	case n.Hash == "" && it.IDNumberHash == "":
		return "", booking.ErrIDNumberRequired
	case n.Hash == "":
		return it.IDNumberMasked, nil
	case it.BirthYear != 0 && it.BirthYear != n.BirthYear:
		return "", booking.ErrIDNumberMismatch
	case it.IDNumberHash == n.Hash:
		return it.IDNumberMasked, nil
	case it.IDNumberHash != "" && it.IDNumberKeyID == n.KeyID:
		return "", booking.ErrIDNumberMismatch
	}
	hash, keyID := expression.Name("idNumberHash"), expression.Name("idNumberKeyId")
	_, err = dynamo.Update(ctx, p.DB, p.Table, "record dependant's ID number", dynamo.UserPK(person), dynamo.DependantSK(id),
		expression.Set(hash, expression.Value(n.Hash)).Set(keyID, expression.Value(n.KeyID)).
			Set(expression.Name("idNumberMasked"), expression.Value(n.Masked)),
		expression.AttributeExists(expression.Name("PK")).And(
			expression.AttributeNotExists(hash).Or(hash.Equal(expression.Value(n.Hash))).Or(keyID.NotEqual(expression.Value(n.KeyID)))),
		types.ReturnValueNone)
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return "", booking.ErrIDNumberMismatch // removed, or another number recorded meanwhile
	}
	if err != nil {
		return "", err
	}
	return n.Masked, nil
}

// RemoveDependant deletes the dependant and lowers the count, in one transaction. Their
// bookings stay (with the name they were made in) until they are over or cancelled.
func (p *People) RemoveDependant(ctx context.Context, person, id string) error {
	var tx dynamo.Tx
	tx.Delete(dynamo.UserPK(person), dynamo.DependantSK(id), expression.AttributeExists(expression.Name("PK")), account.ErrDependantNotFound)
	tx.Update(dynamo.UserPK(person), dynamo.SKProfile, expression.Add(expression.Name("dependants"), expression.Value(-1)),
		expression.Name("dependants").GreaterThan(expression.Value(0)), nil)
	err := dynamo.Transact(ctx, p.DB, p.Table, "remove dependant", &tx)
	if err != nil && !errors.Is(err, account.ErrDependantNotFound) && errors.Is(err, dynamo.ErrConditionFailed) {
		return fmt.Errorf("remove dependant: count out of step: %w", err)
	}
	return err
}

// DependantLabel is how a booking names a dependant (booking.Family).
func (p *People) DependantLabel(ctx context.Context, person, id string) (string, error) {
	d, err := p.Dependant(ctx, person, id)
	if err != nil {
		return "", err
	}
	return d.Label(), nil
}
