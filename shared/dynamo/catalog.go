package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/shared/booking"
)

// Catalog stores activities and slots.
type Catalog struct {
	DB    *dynamodb.Client
	Table string
}

type activityItem struct {
	PK string `dynamodbav:"PK"`
	SK string `dynamodbav:"SK"`
	booking.Activity
}

// slotItem is a slot and its counter: booked is changed only by conditional writes.
type slotItem struct {
	PK     string `dynamodbav:"PK"`
	SK     string `dynamodbav:"SK"`
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
	booking.Slot
}

// PutActivity writes an activity after validating it.
func (c *Catalog) PutActivity(ctx context.Context, a booking.Activity) error {
	if err := a.Validate(); err != nil {
		return err
	}
	return putItem(ctx, c.DB, c.Table, "put activity", activityItem{PK: activityPK(a.ID), SK: skActivity, Activity: a})
}

// Activity returns an activity; ok is false when there is none.
func (c *Catalog) Activity(ctx context.Context, id string) (a booking.Activity, ok bool, err error) {
	var it activityItem
	if err := getItem(ctx, c.DB, c.Table, "get activity", activityPK(id), skActivity, &it); err != nil {
		return booking.Activity{}, false, err
	}
	return it.Activity, it.PK != "", nil
}

// PutSlot writes a slot after validating it, listed on GSI1 under its kind by start time.
func (c *Catalog) PutSlot(ctx context.Context, s booking.Slot) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return putItem(ctx, c.DB, c.Table, "put slot", slotItem{
		PK: slotPK(s.ID), SK: skSlot,
		GSI1PK: slotsByKindPK(string(s.Kind)), GSI1SK: timeKey(s.StartsAt) + "#" + s.ID,
		Slot: s,
	})
}

// SlotsOfKind returns every slot of a kind, by start time.
func (c *Catalog) SlotsOfKind(ctx context.Context, kind booking.Kind) ([]booking.Slot, error) {
	var items []slotItem
	if err := queryGSI1(ctx, c.DB, c.Table, "list slots", slotsByKindPK(string(kind)), "", &items); err != nil {
		return nil, err
	}
	out := make([]booking.Slot, len(items))
	for i, it := range items {
		out[i] = it.Slot
	}
	return out, nil
}
