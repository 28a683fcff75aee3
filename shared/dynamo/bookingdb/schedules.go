package bookingdb

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
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
	it := scheduleItem{Keys: dynamo.Keys{PK: dynamo.SchedulePK(s.ID), SK: dynamo.SKSchedule}, GSI2: dynamo.GSI2{PK: dynamo.GSISchedules, SK: s.ID}, Schedule: string(doc)}
	return dynamo.Put(ctx, c.DB, c.Table, "put schedule", it, expression.ConditionBuilder{})
}

// Schedule reads one schedule (strongly consistent).
func (c *Catalog) Schedule(ctx context.Context, id string) (booking.Schedule, bool, error) {
	it, found, err := dynamo.Get[scheduleItem](ctx, c.DB, c.Table, "get schedule", dynamo.SchedulePK(id), dynamo.SKSchedule, true)
	if err != nil || !found {
		return booking.Schedule{}, false, err
	}
	s, err := it.schedule()
	return s, err == nil, err
}

// AllSchedules queries GSI2 (GSI2PK SCHEDULES).
func (c *Catalog) AllSchedules(ctx context.Context) ([]booking.Schedule, error) {
	items, err := dynamo.QueryAll[scheduleItem](ctx, c.DB, c.Table, "schedules", dynamo.Query{Index: "GSI2", Key: dynamo.Partition("GSI2", dynamo.GSISchedules, "")})
	if err != nil {
		return nil, err
	}
	out := make([]booking.Schedule, 0, len(items))
	for _, it := range items {
		s, err := it.schedule()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func (it scheduleItem) schedule() (booking.Schedule, error) {
	var s booking.Schedule
	if err := json.Unmarshal([]byte(it.Schedule), &s); err != nil {
		return booking.Schedule{}, fmt.Errorf("decode schedule: %w", err)
	}
	return s, nil
}
