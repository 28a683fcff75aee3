package accountdb

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/dynamo"
)

// locationItem is the lastLocation attribute of a profile: the last location WeChat
// reported for the person (a LOCATION event; Source sourceLocationEvent).
type locationItem struct {
	Lat       float64 `dynamodbav:"lat"`
	Lng       float64 `dynamodbav:"lng"`
	Precision float64 `dynamodbav:"precision,omitempty"`
	At        string  `dynamodbav:"at"`
	Source    string  `dynamodbav:"source"`
}

// sourceLocationEvent marks a location WeChat reported itself (a LOCATION event). A
// lastLocation without it was written before locations said where they came from (a
// location message could write one then) and is not trusted.
const sourceLocationEvent = "location_event"

// Location is the last position WeChat reported for a person (a LOCATION event), in
// WGS-84 degrees.
type Location struct {
	Lat, Lng  float64
	Precision float64 // metres; 0 when unknown
	At        time.Time
}

// SetLocation remembers the last location WeChat reported for the person.
func (p *People) SetLocation(ctx context.Context, openid string, loc Location) error {
	ts := loc.At.UTC().Format(time.RFC3339)
	upd := expression.Set(expression.Name("lastLocation"), expression.Value(locationItem{
		Lat: loc.Lat, Lng: loc.Lng, Precision: loc.Precision, At: ts, Source: sourceLocationEvent,
	})).
		Set(expression.Name("openid"), expression.Value(openid)).
		Set(expression.Name("createdAt"), expression.IfNotExists(expression.Name("createdAt"), expression.Value(ts))).
		Set(expression.Name("subscribed"), expression.IfNotExists(expression.Name("subscribed"), expression.Value(true)))
	return p.update(ctx, "set location", openid, upd)
}

// LastLocation returns the last location WeChat reported for the person; ok is false
// when there is none (or only one that does not say it came from WeChat).
func (p *People) LastLocation(ctx context.Context, openid string) (loc Location, ok bool, err error) {
	return p.reportedLocation(ctx, openid)
}

// ReportedLocation is LastLocation as the booking domain reads it (booking.Locations).
func (p *People) ReportedLocation(ctx context.Context, openid string) (lat, lng float64, at time.Time, ok bool, err error) {
	loc, ok, err := p.reportedLocation(ctx, openid)
	return loc.Lat, loc.Lng, loc.At, ok, err
}

// reportedLocation reads a profile's lastLocation (consistently), when WeChat reported it.
func (p *People) reportedLocation(ctx context.Context, openid string) (Location, bool, error) {
	raw, err := dynamo.GetItem(ctx, p.DB, p.Table, "last location", dynamo.UserPK(openid), dynamo.SKProfile, true)
	if err != nil || raw == nil {
		return Location{}, false, err
	}
	var it struct {
		Last *locationItem `dynamodbav:"lastLocation"`
	}
	if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
		return Location{}, false, fmt.Errorf("last location: %w", err)
	}
	if it.Last == nil || it.Last.Source != sourceLocationEvent {
		return Location{}, false, nil
	}
	at, err := time.Parse(time.RFC3339, it.Last.At)
	if err != nil {
		return Location{}, false, nil
	}
	return Location{Lat: it.Last.Lat, Lng: it.Last.Lng, Precision: it.Last.Precision, At: at}, true, nil
}

// update runs one UpdateItem of the person's profile (created when new).
func (p *People) update(ctx context.Context, op, openid string, upd expression.UpdateBuilder) error {
	_, err := dynamo.Update(ctx, p.DB, p.Table, op, dynamo.UserPK(openid), dynamo.SKProfile, upd, expression.ConditionBuilder{}, types.ReturnValueNone)
	return err
}
