package evaluationdb

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/uuid"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/outboxdb"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/notify"
)

// Evaluation stores ratings, satisfaction tallies and feedback tickets.
type Evaluation struct {
	DB    *dynamodb.Client
	Table string
}

var _ evaluation.Store = (*Evaluation)(nil)

type ratingItem struct {
	dynamo.Keys
	ID           string    `dynamodbav:"ID"`
	OpenID       string    `dynamodbav:"openid"`
	ActivityID   string    `dynamodbav:"ActivityID"`
	VenueID      string    `dynamodbav:"VenueID,omitempty"`
	DistrictPath string    `dynamodbav:"DistrictPath,omitempty"`
	Score        int       `dynamodbav:"Score"`
	Comment      string    `dynamodbav:"Comment,omitempty"`
	CreatedAt    time.Time `dynamodbav:"CreatedAt"`
}

type tallyItem struct {
	N   int `dynamodbav:"N"`
	Sum int `dynamodbav:"Sum"`
	S1  int `dynamodbav:"S1"`
	S2  int `dynamodbav:"S2"`
	S3  int `dynamodbav:"S3"`
	S4  int `dynamodbav:"S4"`
	S5  int `dynamodbav:"S5"`
}

type ticketItem struct {
	dynamo.Keys
	dynamo.GSI1
	dynamo.SparseGSI2
	OpenID       string    `dynamodbav:"openid"`
	Owner        string    `dynamodbav:"Owner,omitempty"`
	DistrictPath string    `dynamodbav:"DistrictPath"`
	ID           string    `dynamodbav:"ID"`
	Category     string    `dynamodbav:"Category"`
	Text         string    `dynamodbav:"Text"`
	VenueID      string    `dynamodbav:"VenueID,omitempty"`
	DistrictID   string    `dynamodbav:"DistrictID"`
	Source       string    `dynamodbav:"Source"`
	Status       string    `dynamodbav:"Status"`
	CreatedAt    time.Time `dynamodbav:"CreatedAt"`
	DueAt        time.Time `dynamodbav:"DueAt"`
	Reply        string    `dynamodbav:"Reply,omitempty"`
	RepliedAt    time.Time `dynamodbav:"RepliedAt,omitempty"`
	EscalatedAt  string    `dynamodbav:"EscalatedAt,omitempty"`
}

func (it ticketItem) ticket() evaluation.Ticket {
	return evaluation.Ticket{ID: it.ID, OpenID: it.OpenID, Category: it.Category, Text: it.Text, VenueID: it.VenueID,
		DistrictID: it.DistrictID, DistrictPath: it.DistrictPath, Source: it.Source, Owner: it.Owner, Status: it.Status,
		CreatedAt: it.CreatedAt, DueAt: it.DueAt, Reply: it.Reply, RepliedAt: it.RepliedAt}
}

// queueAlerts adds the alerts to tx as messages due at now.
func queueAlerts(tx *dynamo.Tx, alerts []evaluation.Alert, now time.Time) {
	for _, a := range alerts {
		data := maps.Clone(a.Payload)
		outboxdb.Queue(tx, notify.Message{ID: uuid.NewString(), Kind: a.Kind, To: a.Recipient, Data: data, CreatedAt: now})
	}
}

// AddRating writes the rating (attribute_not_exists, so once per person and activity),
// adds it to the tallies of each subject for its month and all time, and writes the
// alerts: one TransactWriteItems of at most 2 + 2 × 6 + 10 items.
func (e *Evaluation) AddRating(ctx context.Context, r evaluation.Rating, alerts []evaluation.Alert) error {
	var tx dynamo.Tx
	tx.Put(ratingItem{
		Keys: dynamo.Keys{PK: dynamo.ActivityPK(r.ActivityID), SK: dynamo.RatingSK(r.OpenID)}, ID: r.ID, OpenID: r.OpenID, ActivityID: r.ActivityID,
		VenueID: r.VenueID, DistrictPath: r.DistrictPath, Score: r.Score, Comment: r.Comment, CreatedAt: r.CreatedAt.UTC(),
	}, expression.AttributeNotExists(expression.Name("PK")), evaluation.ErrAlreadyRated)
	upd := expression.Add(expression.Name("N"), expression.Value(1)).
		Add(expression.Name("Sum"), expression.Value(r.Score)).
		Add(expression.Name("S"+strconv.Itoa(r.Score)), expression.Value(1))
	for _, subject := range r.Subjects() {
		for _, period := range []string{evaluation.Period(r.CreatedAt), evaluation.AllTime} {
			tx.Update(dynamo.TallyPK(subject), period, upd, expression.ConditionBuilder{}, nil)
		}
	}
	queueAlerts(&tx, alerts, r.CreatedAt)
	return dynamo.Transact(ctx, e.DB, e.Table, "add rating", &tx)
}

// Tally reads a subject's tally for a period (GetItem); a year's is the sum of its
// months' (one BatchGetItem).
func (e *Evaluation) Tally(ctx context.Context, subject, period string) (evaluation.Tally, error) {
	if months := evaluation.Months(period); months != nil {
		keys := dynamo.Convert(months, func(m string) dynamo.Item { return dynamo.Key(dynamo.TallyPK(subject), m) })
		items, err := dynamo.BatchGetAll[tallyItem](ctx, e.DB, e.Table, "get tallies of a year", keys, false)
		if err != nil {
			return evaluation.Tally{}, err
		}
		var t evaluation.Tally
		for _, it := range items {
			t.N, t.Sum = t.N+it.N, t.Sum+it.Sum
			for i, n := range [5]int{it.S1, it.S2, it.S3, it.S4, it.S5} {
				t.Stars[i] += n
			}
		}
		return t, nil
	}
	it, _, err := dynamo.Get[tallyItem](ctx, e.DB, e.Table, "get tally", dynamo.TallyPK(subject), period, false)
	if err != nil {
		return evaluation.Tally{}, err
	}
	return evaluation.Tally{N: it.N, Sum: it.Sum, Stars: [5]int{it.S1, it.S2, it.S3, it.S4, it.S5}}, nil
}

// AddTicket writes a new ticket, listed under its author (GSI1) and among the open
// tickets (GSI2), and its alerts, in one transaction.
func (e *Evaluation) AddTicket(ctx context.Context, t evaluation.Ticket, alerts []evaluation.Alert) error {
	var tx dynamo.Tx
	tx.Put(ticketItem{
		Keys: dynamo.Keys{PK: dynamo.TicketPK(t.ID), SK: dynamo.SKTicket}, GSI1: dynamo.GSI1{PK: dynamo.TicketsByPK(t.OpenID), SK: dynamo.TimeKey(t.CreatedAt) + "#" + t.ID},
		SparseGSI2: dynamo.SparseGSI2{PK: dynamo.OpenTickets.PK(t.ID), SK: dynamo.TimeKey(t.DueAt) + "#" + t.ID},
		OpenID:     t.OpenID, Owner: t.Owner, DistrictPath: t.DistrictPath, ID: t.ID, Category: t.Category, Text: t.Text,
		VenueID: t.VenueID, DistrictID: t.DistrictID, Source: t.Source, Status: t.Status,
		CreatedAt: t.CreatedAt.UTC(), DueAt: t.DueAt.UTC(),
	}, expression.AttributeNotExists(expression.Name("PK")), fault.ErrConflict)
	queueAlerts(&tx, alerts, t.CreatedAt)
	return dynamo.Transact(ctx, e.DB, e.Table, "add feedback", &tx)
}

// Ticket returns one ticket, or evaluation.ErrTicketNotFound.
func (e *Evaluation) Ticket(ctx context.Context, id string) (evaluation.Ticket, error) {
	return dynamo.OneAs(ctx, e.DB, e.Table, "get feedback", dynamo.TicketPK(id), dynamo.SKTicket, false, evaluation.ErrTicketNotFound, ticketItem.ticket)
}

// TicketsOf returns a person's tickets, newest first (Query GSI1).
func (e *Evaluation) TicketsOf(ctx context.Context, openid string) ([]evaluation.Ticket, error) {
	items, err := dynamo.QueryAll[ticketItem](ctx, e.DB, e.Table, "list own feedback", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.TicketsByPK(openid), "")})
	if err != nil {
		return nil, err
	}
	out := make([]evaluation.Ticket, len(items))
	for i, it := range items {
		out[len(items)-1-i] = it.ticket()
	}
	return out, nil
}

// OpenTickets returns the open tickets, the earliest due first (Query GSI2, each shard).
func (e *Evaluation) OpenTickets(ctx context.Context) ([]evaluation.Ticket, error) {
	items, err := dynamo.QueryShardsAll[ticketItem](ctx, e.DB, e.Table, "list open feedback", dynamo.OpenTickets, dynamo.Query{Index: "GSI2"}, dynamo.Whole("GSI2"))
	if err != nil {
		return nil, err
	}
	return dynamo.Convert(items, func(it ticketItem) evaluation.Ticket { return it.ticket() }), nil
}

// Answer closes an open ticket with the reply (condition Status = open; it moves from
// the open tickets' partition of GSI2 to the answered ones') and writes the notice to
// the resident, in one transaction.
func (e *Evaluation) Answer(ctx context.Context, id, reply string, at time.Time, notice evaluation.Alert) error {
	upd := expression.Set(expression.Name("Status"), expression.Value(evaluation.TicketAnswered)).
		Set(expression.Name("Reply"), expression.Value(reply)).
		Set(expression.Name("RepliedAt"), expression.Value(at.UTC().Format(time.RFC3339Nano))).
		Set(expression.Name("GSI2PK"), expression.Value(dynamo.AnsweredTickets.PK(id))).
		Set(expression.Name("GSI2SK"), expression.Value(dynamo.TimeKey(at)+"#"+id))
	var tx dynamo.Tx
	tx.Update(dynamo.TicketPK(id), dynamo.SKTicket, upd, expression.Name("Status").Equal(expression.Value(evaluation.TicketOpen)), evaluation.ErrTicketClosed)
	queueAlerts(&tx, []evaluation.Alert{notice}, at)
	return dynamo.Transact(ctx, e.DB, e.Table, "answer feedback", &tx)
}

// Overdue returns the open tickets due before now and not escalated (Query GSI2
// FEEDBACK#OPEN's shards with GSI2SK < now, earliest due first).
func (e *Evaluation) Overdue(ctx context.Context, now time.Time) ([]evaluation.Ticket, error) {
	items, err := dynamo.QueryShardsAll[ticketItem](ctx, e.DB, e.Table, "list overdue feedback", dynamo.OpenTickets, dynamo.Query{Index: "GSI2"},
		func(pk string) expression.KeyConditionBuilder {
			return expression.Key("GSI2PK").Equal(expression.Value(pk)).And(expression.Key("GSI2SK").LessThan(expression.Value(dynamo.TimeKey(now))))
		})
	if err != nil {
		return nil, err
	}
	var out []evaluation.Ticket
	for _, it := range items {
		if it.EscalatedAt == "" && it.Status == evaluation.TicketOpen {
			out = append(out, it.ticket())
		}
	}
	return out, nil
}

// Escalate sets EscalatedAt on an open, unescalated ticket and writes the alerts, in one
// transaction; it reports false when the condition fails.
func (e *Evaluation) Escalate(ctx context.Context, id string, now time.Time, alerts []evaluation.Alert) (bool, error) {
	cond := expression.Name("Status").Equal(expression.Value(evaluation.TicketOpen)).
		And(expression.AttributeNotExists(expression.Name("EscalatedAt")))
	var tx dynamo.Tx
	tx.Update(dynamo.TicketPK(id), dynamo.SKTicket, expression.Set(expression.Name("EscalatedAt"), expression.Value(dynamo.TimeKey(now))), cond, evaluation.ErrTicketClosed)
	queueAlerts(&tx, alerts, now)
	err := dynamo.Transact(ctx, e.DB, e.Table, "escalate feedback", &tx)
	if errors.Is(err, evaluation.ErrTicketClosed) {
		return false, nil
	}
	return err == nil, err
}

// Ratings returns an activity's ratings (one Query of its partition).
func (e *Evaluation) Ratings(ctx context.Context, activityID string) ([]evaluation.Rating, error) {
	items, err := dynamo.QueryAll[ratingItem](ctx, e.DB, e.Table, "list ratings", dynamo.Query{Key: dynamo.Partition("", dynamo.ActivityPK(activityID), "RATING#")})
	if err != nil {
		return nil, err
	}
	return dynamo.Convert(items, func(it ratingItem) evaluation.Rating {
		return evaluation.Rating{ID: it.ID, OpenID: it.OpenID, ActivityID: it.ActivityID, VenueID: it.VenueID,
			DistrictPath: it.DistrictPath, Score: it.Score, Comment: it.Comment, CreatedAt: it.CreatedAt}
	}), nil
}

// TicketsFiled returns the feedback tickets filed in [from, to): the open ones due by the
// end of the window's deadline, and those answered since its start (two Queries of GSI2).
func (e *Evaluation) TicketsFiled(ctx context.Context, from, to time.Time) ([]evaluation.Ticket, error) {
	open := func(pk string) expression.KeyConditionBuilder {
		return expression.Key("GSI2PK").Equal(expression.Value(pk)).
			And(expression.Key("GSI2SK").LessThan(expression.Value(dynamo.TimeKey(to.Add(evaluation.ResponseTime)) + "~")))
	}
	answered := func(pk string) expression.KeyConditionBuilder {
		return expression.Key("GSI2PK").Equal(expression.Value(pk)).And(expression.Key("GSI2SK").GreaterThanEqual(expression.Value(dynamo.TimeKey(from))))
	}
	var out []evaluation.Ticket
	for _, part := range []struct {
		shards dynamo.Sharded
		key    func(string) expression.KeyConditionBuilder
	}{{dynamo.OpenTickets, open}, {dynamo.AnsweredTickets, answered}} {
		items, err := dynamo.QueryShardsAll[ticketItem](ctx, e.DB, e.Table, "list feedback of a period", part.shards, dynamo.Query{Index: "GSI2"}, part.key)
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
