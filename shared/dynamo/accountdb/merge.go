package accountdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/account"
	"github.com/wentitong/wentitong/shared/dynamo"
)

var _ account.Merges = (*People)(nil)

// offerItem is an offer to merge, MERGEOFFER#<id> / MERGEOFFER: who may read it (the
// caller, and the survivor once their records are one), the offer as JSON, its status,
// and its TTL (account.MergeOfferTTL while offered; kept a month once confirmed, so
// that a merge that stopped can be confirmed again).
type offerItem struct {
	dynamo.Keys
	Person    string `dynamodbav:"person"`
	Into      string `dynamodbav:"into"`
	Offer     string `dynamodbav:"offer"`
	Status    string `dynamodbav:"status"`
	ExpiresAt int64  `dynamodbav:"expiresAt"`
}

// confirmedKeep is how long a confirmed offer is kept.
const confirmedKeep = 30 * 24 * time.Hour

// Owner returns the person an identity is linked to ("" when none).
func (p *People) Owner(ctx context.Context, kind, value string) (string, error) {
	return p.owner(ctx, kind, value)
}

// PutMergeOffer stores o under its person.
func (p *People) PutMergeOffer(ctx context.Context, o account.MergeOffer) error {
	b, err := json.Marshal(offerJSON{o, o.Person, o.Other, o.Into})
	if err != nil {
		return fmt.Errorf("put merge offer: %w", err)
	}
	it := offerItem{Keys: dynamo.Keys{PK: dynamo.MergeOfferPK(o.ID), SK: dynamo.SKMergeOffer}, Person: o.Person, Into: o.Into, Offer: string(b), Status: o.Status, ExpiresAt: o.ExpiresAt.Unix()}
	return dynamo.Put(ctx, p.DB, p.Table, "put merge offer", it, expression.AttributeNotExists(expression.Name("PK")))
}

// offerJSON keeps the offer's people, which its JSON for the caller leaves out.
type offerJSON struct {
	account.MergeOffer
	Person string `json:"person"`
	Other  string `json:"other"`
	Into   string `json:"into"`
}

// MergeOffer returns offer id to the person who asked for it, or who stays once it is
// confirmed; account.ErrMergeOfferNotFound to anyone else, or when there is none.
func (p *People) MergeOffer(ctx context.Context, person, id string) (account.MergeOffer, error) {
	it, err := dynamo.One[offerItem](ctx, p.DB, p.Table, "get merge offer", dynamo.MergeOfferPK(id), dynamo.SKMergeOffer, true, account.ErrMergeOfferNotFound)
	if err != nil {
		return account.MergeOffer{}, err
	}
	if it.Person != person && (it.Status == account.MergeOffered || it.Into != person) {
		return account.MergeOffer{}, account.ErrMergeOfferNotFound
	}
	var o offerJSON
	if err := json.Unmarshal([]byte(it.Offer), &o); err != nil {
		return account.MergeOffer{}, fmt.Errorf("get merge offer: %w", err)
	}
	o.MergeOffer.Person, o.MergeOffer.Other, o.MergeOffer.Into, o.MergeOffer.Status = o.Person, o.Other, o.Into, it.Status
	return o.MergeOffer, nil
}

// SetMergeStatus moves offer id, of person (who asked, or who stays), to status; a
// confirmed one is kept a month.
func (p *People) SetMergeStatus(ctx context.Context, person, id, status string, now time.Time) error {
	upd := expression.Set(expression.Name("status"), expression.Value(status))
	if status != account.MergeOffered {
		upd = upd.Set(expression.Name("expiresAt"), expression.Value(now.Add(confirmedKeep).Unix()))
	}
	_, err := dynamo.Update(ctx, p.DB, p.Table, "set merge status", dynamo.MergeOfferPK(id), dynamo.SKMergeOffer, upd,
		expression.Name("person").Equal(expression.Value(person)).Or(expression.Name("into").Equal(expression.Value(person))), types.ReturnValueNone)
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return account.ErrMergeOfferNotFound
	}
	return err
}
