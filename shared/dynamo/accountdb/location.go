package accountdb

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/account"
	"github.com/wentitong/wentitong/shared/dynamo"
)

// locationItem is the last location WeChat reported for the person (a LOCATION event),
// USER#<person> / LOCATION, deleted by DynamoDB's TTL after LocationTTL. Profiles
// written before it kept it as their lastLocation attribute, which nothing reads now.
type locationItem struct {
	dynamo.Keys
	Lat       float64 `dynamodbav:"lat"`
	Lng       float64 `dynamodbav:"lng"`
	Precision float64 `dynamodbav:"precision,omitempty"`
	At        string  `dynamodbav:"at"`
	ExpiresAt int64   `dynamodbav:"expiresAt"`
}

// LocationTTL is how long a reported location is kept: a check-in reads a fresh one
// (WeChat reports the location every few seconds while the page is open, or on
// entering the chat), so a day is more than any use needs.
const LocationTTL = 24 * time.Hour

// Location is the last position WeChat reported for a person (a LOCATION event), in
// WGS-84 degrees.
type Location struct {
	Lat, Lng  float64
	Precision float64 // metres; 0 when unknown
	At        time.Time
}

// errLocationWithdrawn is the failed condition of a location's write: the person
// withdrew their consent to it.
var errLocationWithdrawn = errors.New("location consent withdrawn")

// SetLocation remembers the last location WeChat reported for the person, unless they
// withdrew their consent to it (account.PurposeLocation): then it is dropped. The
// profile is created when new, in the same transaction.
func (p *People) SetLocation(ctx context.Context, openid string, loc Location) error {
	ts := loc.At.UTC().Format(time.RFC3339)
	upd := expression.Set(expression.Name("openid"), expression.Value(openid)).
		Set(expression.Name("createdAt"), expression.IfNotExists(expression.Name("createdAt"), expression.Value(ts))).
		Set(expression.Name("subscribed"), expression.IfNotExists(expression.Name("subscribed"), expression.Value(true)))
	var tx dynamo.Tx
	tx.Update(dynamo.UserPK(openid), dynamo.SKProfile, upd, notWithdrawn(account.PurposeLocation), errLocationWithdrawn)
	tx.Put(locationItem{Keys: dynamo.Keys{PK: dynamo.UserPK(openid), SK: dynamo.SKLocation}, Lat: loc.Lat, Lng: loc.Lng, Precision: loc.Precision, At: ts,
		ExpiresAt: loc.At.Add(LocationTTL).Unix()}, expression.ConditionBuilder{}, nil)
	err := dynamo.Transact(ctx, p.DB, p.Table, "set location", &tx)
	if errors.Is(err, errLocationWithdrawn) {
		return nil // not kept
	}
	return err
}

// LastLocation returns the last location WeChat reported for the person; ok is false
// when there is none.
func (p *People) LastLocation(ctx context.Context, openid string) (loc Location, ok bool, err error) {
	return p.reportedLocation(ctx, openid)
}

// ReportedLocation is LastLocation as the booking domain reads it (booking.Locations).
func (p *People) ReportedLocation(ctx context.Context, openid string) (lat, lng float64, at time.Time, ok bool, err error) {
	loc, ok, err := p.reportedLocation(ctx, openid)
	return loc.Lat, loc.Lng, loc.At, ok, err
}

// reportedLocation reads the location item (consistently).
func (p *People) reportedLocation(ctx context.Context, openid string) (Location, bool, error) {
	it, found, err := dynamo.Get[locationItem](ctx, p.DB, p.Table, "last location", dynamo.UserPK(openid), dynamo.SKLocation, true)
	if err != nil || !found {
		return Location{}, false, err
	}
	at, err := time.Parse(time.RFC3339, it.At)
	if err != nil {
		return Location{}, false, nil
	}
	return Location{Lat: it.Lat, Lng: it.Lng, Precision: it.Precision, At: at}, true, nil
}

// update runs one UpdateItem of the person's profile (created when new).
func (p *People) update(ctx context.Context, op, openid string, upd expression.UpdateBuilder) error {
	_, err := dynamo.Update(ctx, p.DB, p.Table, op, dynamo.UserPK(openid), dynamo.SKProfile, upd, expression.ConditionBuilder{}, types.ReturnValueNone)
	return err
}
