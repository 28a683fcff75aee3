package accountdb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

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
	idNumberAttrs
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

// IDNumberOnFile returns the ID number on file for person or their dependant
// (booking.Family): the dependant's item, with their year of birth; for the person, their
// profile's, else their volunteer record's (the number they registered with).
func (p *People) IDNumberOnFile(ctx context.Context, person, dependant string) (booking.IDNumber, int, error) {
	if dependant != "" {
		it, err := p.dependantItem(ctx, person, dependant)
		if err != nil {
			return booking.IDNumber{}, 0, err
		}
		return it.number(), it.BirthYear, nil
	}
	own, _, err := dynamo.Get[idNumberAttrs](ctx, p.DB, p.Table, "get own ID number", dynamo.UserPK(person), dynamo.SKProfile, true)
	if err != nil || own.IDNumberHash != "" {
		return own.number(), 0, err
	}
	guard, _, err := dynamo.Get[struct {
		VolunteerID string `dynamodbav:"VolunteerID"`
	}](ctx, p.DB, p.Table, "get volunteer guard", dynamo.UserPK(person), dynamo.SKVolunteer, true)
	if err != nil || guard.VolunteerID == "" {
		return booking.IDNumber{}, 0, err
	}
	v, _, err := dynamo.Get[struct {
		Hash   string `dynamodbav:"IDNumberHash"`
		KeyID  string `dynamodbav:"IDNumberKeyID"`
		Masked string `dynamodbav:"IDNumberMasked"`
	}](ctx, p.DB, p.Table, "get volunteer's ID number", dynamo.VolunteerPK(guard.VolunteerID), dynamo.SKVolunteer, true)
	return booking.IDNumber{Hash: v.Hash, KeyID: v.KeyID, Masked: v.Masked}, 0, err
}

// idNumberAttrs are the attributes that keep an ID number on a person's or a
// dependant's item: its keyed hash, the key's id and the masked form.
type idNumberAttrs struct {
	IDNumberHash   string `dynamodbav:"idNumberHash,omitempty"`
	IDNumberKeyID  string `dynamodbav:"idNumberKeyId,omitempty"`
	IDNumberMasked string `dynamodbav:"idNumberMasked,omitempty"`
}

func (a idNumberAttrs) number() booking.IDNumber {
	return booking.IDNumber{Hash: a.IDNumberHash, KeyID: a.IDNumberKeyID, Masked: a.IDNumberMasked}
}

// RecordIDNumber adds to tx the record of rec's number on its owner's item (the
// person's profile, or their dependant's item), under the condition that the item exists
// and holds no other number made with the same key (ErrIDNumberMismatch, or
// ErrOwnIDNumberMismatch): a real-name booking's write records the number it carries,
// so a refused booking records nothing (docs/decisions.md, "A real-name session takes
// every ID number once").
func RecordIDNumber(tx *dynamo.Tx, rec booking.IDRecord) {
	sk, mismatch := dynamo.SKProfile, booking.ErrOwnIDNumberMismatch
	if rec.Dependant != "" {
		sk, mismatch = dynamo.DependantSK(rec.Dependant), booking.ErrIDNumberMismatch
	}
	n := rec.Number
	hash, keyID := expression.Name("idNumberHash"), expression.Name("idNumberKeyId")
	tx.Update(dynamo.UserPK(rec.Person), sk,
		expression.Set(hash, expression.Value(n.Hash)).Set(keyID, expression.Value(n.KeyID)).
			Set(expression.Name("idNumberMasked"), expression.Value(n.Masked)),
		expression.AttributeExists(expression.Name("PK")).And(
			expression.AttributeNotExists(hash).Or(hash.Equal(expression.Value(n.Hash))).Or(keyID.NotEqual(expression.Value(n.KeyID)))),
		mismatch)
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
