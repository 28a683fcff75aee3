package dynamo

import (
	"context"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/directory"
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
	dir := &Directory{DB: h.DB, Table: h.Table}
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

// Sessions returns the slots not cancelled that start in [from, to), by start: one
// Query of GSI1 per kind (cancelled slots leave the index).
func (h *History) Sessions(ctx context.Context, from, to time.Time) ([]booking.Slot, error) {
	var out []booking.Slot
	for _, kind := range booking.Kinds {
		key := expression.Key("GSI1PK").Equal(expression.Value(SlotsByKindPK(string(kind)))).
			And(expression.Key("GSI1SK").Between(expression.Value(TimeKey(from)), expression.Value(TimeKey(to.Add(-time.Second))+"~")))
		items, err := QueryAll[slotItem](ctx, h.DB, h.Table, "list sessions", Query{Index: "GSI1", Key: key})
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if !it.StartsAt.Before(from) && it.StartsAt.Before(to) && it.Status != booking.SlotCancelled {
				out = append(out, it.Slot)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b booking.Slot) int { return a.StartsAt.Compare(b.StartsAt) })
	return out, nil
}

// Activities returns the activities of ids (BatchGetItem).
func (h *History) Activities(ctx context.Context, ids []string) (map[string]booking.Activity, error) {
	return (&Catalog{DB: h.DB, Table: h.Table}).Activities(ctx, ids)
}

// Bookings returns every booking of a slot (one Query of its partition).
func (h *History) Bookings(ctx context.Context, slotID string) ([]booking.Booking, error) {
	return (&Bookings{DB: h.DB, Table: h.Table}).OfSlot(ctx, slotID)
}

// Ratings returns an activity's ratings (one Query of its partition).
func (h *History) Ratings(ctx context.Context, activityID string) ([]evaluation.Rating, error) {
	items, err := QueryAll[ratingItem](ctx, h.DB, h.Table, "list ratings", Query{Key: Partition("", ActivityPK(activityID), "RATING#")})
	if err != nil {
		return nil, err
	}
	return Convert(items, func(it ratingItem) evaluation.Rating {
		return evaluation.Rating{ID: it.ID, OpenID: it.OpenID, ActivityID: it.ActivityID, VenueID: it.VenueID,
			DistrictPath: it.DistrictPath, Score: it.Score, Comment: it.Comment, CreatedAt: it.CreatedAt}
	}), nil
}

// Tickets returns the feedback tickets filed in [from, to): the open ones due by the
// end of the window's deadline, and those answered since its start (two Queries of GSI2).
func (h *History) Tickets(ctx context.Context, from, to time.Time) ([]evaluation.Ticket, error) {
	open := expression.Key("GSI2PK").Equal(expression.Value(GSIOpenTickets)).
		And(expression.Key("GSI2SK").LessThan(expression.Value(TimeKey(to.Add(evaluation.ResponseTime)) + "~")))
	answered := expression.Key("GSI2PK").Equal(expression.Value(GSIAnsweredTickets)).
		And(expression.Key("GSI2SK").GreaterThanEqual(expression.Value(TimeKey(from))))
	var out []evaluation.Ticket
	for _, key := range []expression.KeyConditionBuilder{open, answered} {
		items, err := QueryAll[ticketItem](ctx, h.DB, h.Table, "list feedback of a period", Query{Index: "GSI2", Key: key})
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if !it.CreatedAt.Before(from) && it.CreatedAt.Before(to) {
				out = append(out, it.ticket())
			}
		}
	}
	slices.SortStableFunc(out, func(a, b evaluation.Ticket) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}
