package bookingdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo"
)

var _ booking.FilmPolls = (*Bookings)(nil)

// pollItem is a film poll (keys.go: the poll's partition).
type pollItem struct {
	dynamo.Keys
	Poll string `dynamodbav:"poll"`
}

// PutPoll writes a new poll.
func (s *Bookings) PutPoll(ctx context.Context, p booking.FilmPoll) error {
	doc, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("put poll: %w", err)
	}
	return dynamo.Put(ctx, s.DB, s.Table, "put poll", pollItem{Keys: dynamo.Keys{PK: dynamo.PollPK(p.ID), SK: dynamo.SKPoll}, Poll: string(doc)},
		expression.AttributeNotExists(expression.Name("PK")))
}

// Poll queries the poll's partition for the poll and its tallies (SK < VOTE#).
func (s *Bookings) Poll(ctx context.Context, id string) (booking.FilmPoll, error) {
	cond := expression.Key("PK").Equal(expression.Value(dynamo.PollPK(id))).And(expression.Key("SK").LessThan(expression.Value("VOTE#")))
	items, err := dynamo.QueryItems(ctx, s.DB, s.Table, "poll", dynamo.Query{Key: cond, Consistent: true})
	if err != nil {
		return booking.FilmPoll{}, err
	}
	var p booking.FilmPoll
	found := false
	tallies := map[int]int{}
	for _, it := range items {
		sk, _ := dynamo.StringAttr(it, "SK")
		switch {
		case sk == dynamo.SKPoll:
			doc, _ := dynamo.StringAttr(it, "poll")
			if err := json.Unmarshal([]byte(doc), &p); err != nil {
				return booking.FilmPoll{}, fmt.Errorf("decode poll: %w", err)
			}
			found = true
		case strings.HasPrefix(sk, dynamo.SKTallyPrefix):
			i, _ := strconv.Atoi(strings.TrimPrefix(sk, dynamo.SKTallyPrefix))
			var t struct {
				N int `dynamodbav:"n"`
			}
			if err := attributevalue.UnmarshalMap(it, &t); err != nil {
				return booking.FilmPoll{}, fmt.Errorf("decode tally: %w", err)
			}
			tallies[i] = t.N
		}
	}
	if !found {
		return booking.FilmPoll{}, booking.ErrPollNotFound
	}
	p.Votes = make([]int, len(p.Films))
	for i := range p.Votes {
		p.Votes[i] = tallies[i]
	}
	return p, nil
}

// Vote writes, in one transaction, the voter's item (IF new), its pointer in the voter's
// partition (USER#<voter> / VOTED#<poll>#<voter>, for their export and erasure) and ADD 1 to the
// film's tally (with the poll's existence checked).
func (s *Bookings) Vote(ctx context.Context, pollID, openid string, choice int, now time.Time) error {
	var tx dynamo.Tx
	tx.Put(map[string]any{"PK": dynamo.PollPK(pollID), "SK": dynamo.VoteSK(openid), "choice": choice, "at": dynamo.TimeKey(now)},
		expression.AttributeNotExists(expression.Name("PK")), booking.ErrAlreadyVoted)
	tx.Put(map[string]any{"PK": dynamo.UserPK(openid), "SK": dynamo.VotedSK(pollID, openid), "pollId": pollID, "vote": dynamo.VoteSK(openid), "at": dynamo.TimeKey(now)},
		expression.ConditionBuilder{}, nil)
	tx.Update(dynamo.PollPK(pollID), dynamo.SKTallyPrefix+strconv.Itoa(choice), expression.Add(expression.Name("n"), expression.Value(1)), expression.ConditionBuilder{}, nil)
	tx.Check(dynamo.PollPK(pollID), dynamo.SKPoll, expression.AttributeExists(expression.Name("PK")), booking.ErrPollNotFound)
	return dynamo.Transact(ctx, s.DB, s.Table, "vote "+pollID, &tx)
}

var _ booking.Screenings = (*Bookings)(nil)

// screeningItem is a slot's verified screening: SLOT#<id> / SCREENING.
type screeningItem struct {
	dynamo.Keys
	Lat       float64 `dynamodbav:"lat"`
	Lng       float64 `dynamodbav:"lng"`
	HeadCount int     `dynamodbav:"headCount"`
	Distance  float64 `dynamodbav:"distanceMeters"`
	By        string  `dynamodbav:"by"`
	At        string  `dynamodbav:"at"`
	Source    string  `dynamodbav:"locationSource"` // booking.LocationWeChat or LocationPage
}

// RecordScreening puts the slot's screening IF there is none.
func (s *Bookings) RecordScreening(ctx context.Context, sc booking.Screening) error {
	err := dynamo.Put(ctx, s.DB, s.Table, "record screening", screeningItem{Keys: dynamo.Keys{PK: dynamo.SlotPK(sc.SlotID), SK: "SCREENING"}, Lat: sc.Lat, Lng: sc.Lng,
		HeadCount: sc.HeadCount, Distance: sc.DistanceMeters, By: sc.By, At: dynamo.TimeKey(sc.At), Source: sc.LocationSource},
		expression.AttributeNotExists(expression.Name("PK")))
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return booking.ErrScreeningDone
	}
	return err
}
