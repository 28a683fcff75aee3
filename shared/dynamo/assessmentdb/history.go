package assessmentdb

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/dynamo/bookingdb"
	"github.com/wentitong/wentitong/shared/dynamo/directorydb"
	"github.com/wentitong/wentitong/shared/dynamo/evaluationdb"
	"github.com/wentitong/wentitong/shared/evaluation"
)

// History reads what the platform recorded over a period, for the evaluators' exports,
// the surveys' samples and the assessments: the sessions held, their bookings, the
// activities' ratings and the feedback tickets. Every read is a Query of a partition or
// of an index range, never a Scan.
type History struct {
	DB    *dynamodb.Client
	Table string
}

// Index returns every district and every venue of the city (two Queries).
func (h *History) Index(ctx context.Context) (directory.Index, error) {
	dir := &directorydb.Directory{DB: h.DB, Table: h.Table}
	ds, err := dir.Districts(ctx)
	if err != nil {
		return directory.Index{}, err
	}
	x := directory.NewIndex(ds, nil)
	root, ok := x.Root()
	if !ok {
		return x, nil
	}
	vs, err := dir.VenuesUnder(ctx, root)
	if err != nil {
		return directory.Index{}, err
	}
	return directory.NewIndex(ds, vs), nil
}

// Activities returns the activities of ids (BatchGetItem).
func (h *History) Activities(ctx context.Context, ids []string) (map[string]booking.Activity, error) {
	return (&bookingdb.Catalog{DB: h.DB, Table: h.Table}).Activities(ctx, ids)
}

// Bookings returns every booking of a slot (one Query of its partition).
func (h *History) Bookings(ctx context.Context, slotID string) ([]booking.Booking, error) {
	return (&bookingdb.Bookings{DB: h.DB, Table: h.Table}).OfSlot(ctx, slotID)
}

// Sessions returns the slots not cancelled that start in [from, to), by start.
func (h *History) Sessions(ctx context.Context, from, to time.Time) ([]booking.Slot, error) {
	return (&bookingdb.Catalog{DB: h.DB, Table: h.Table}).SessionsBetween(ctx, from, to)
}

// Ratings returns an activity's ratings.
func (h *History) Ratings(ctx context.Context, activityID string) ([]evaluation.Rating, error) {
	return (&evaluationdb.Evaluation{DB: h.DB, Table: h.Table}).Ratings(ctx, activityID)
}

// Tickets returns the feedback tickets filed in [from, to).
func (h *History) Tickets(ctx context.Context, from, to time.Time) ([]evaluation.Ticket, error) {
	return (&evaluationdb.Evaluation{DB: h.DB, Table: h.Table}).TicketsFiled(ctx, from, to)
}
