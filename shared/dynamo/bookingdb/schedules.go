package bookingdb

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo"
)

var _ booking.Schedules = (*Catalog)(nil)

// scheduleItem is a weekly schedule: SCHEDULE#<id> / SCHEDULE, on GSI2 SCHEDULES / <id>
// (always put whole, with its keys).
type scheduleItem struct {
	dynamo.Keys
	dynamo.GSI2
	Schedule string `dynamodbav:"schedule"` // booking.Schedule as JSON
}

// PutSchedule writes (or replaces) a schedule.
func (c *Catalog) PutSchedule(ctx context.Context, s booking.Schedule) error {
	doc, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("put schedule: %w", err)
	}
	av, err := attributevalue.MarshalMap(scheduleItem{Keys: dynamo.Keys{PK: dynamo.SchedulePK(s.ID), SK: dynamo.SKSchedule}, GSI2: dynamo.GSI2{PK: dynamo.GSISchedules, SK: s.ID}, Schedule: string(doc)})
	if err != nil {
		return fmt.Errorf("put schedule: %w", err)
	}
	_, err = c.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(c.Table), Item: av})
	return dynamo.FormatError("put schedule", err)
}

// Schedule reads one schedule (strongly consistent).
func (c *Catalog) Schedule(ctx context.Context, id string) (booking.Schedule, bool, error) {
	raw, err := dynamo.GetItem(ctx, c.DB, c.Table, "get schedule", dynamo.SchedulePK(id), dynamo.SKSchedule, true)
	if err != nil || raw == nil {
		return booking.Schedule{}, false, err
	}
	var it scheduleItem
	if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
		return booking.Schedule{}, false, fmt.Errorf("decode schedule: %w", err)
	}
	var s booking.Schedule
	if err := json.Unmarshal([]byte(it.Schedule), &s); err != nil {
		return booking.Schedule{}, false, fmt.Errorf("decode schedule: %w", err)
	}
	return s, true, nil
}

// AllSchedules queries GSI2 (GSI2PK SCHEDULES).
func (c *Catalog) AllSchedules(ctx context.Context) ([]booking.Schedule, error) {
	items, err := dynamo.QueryAll[scheduleItem](ctx, c.DB, c.Table, "schedules", dynamo.Query{Index: "GSI2", Key: dynamo.Partition("GSI2", dynamo.GSISchedules, "")})
	if err != nil {
		return nil, err
	}
	out := make([]booking.Schedule, 0, len(items))
	for _, it := range items {
		var s booking.Schedule
		if err := json.Unmarshal([]byte(it.Schedule), &s); err != nil {
			return nil, fmt.Errorf("decode schedule: %w", err)
		}
		out = append(out, s)
	}
	return out, nil
}
