package persondb

import (
	"context"
	"errors"
	"sort"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/dynamo"
)

// What an erasure leaves of the records the city keeps besides bookings: the volunteer
// record with its hours (service statistics, the honour roll's totals), feedback
// tickets (the response-time figures), ratings (the satisfaction tallies, which stay as
// they were): each is kept without anything that identifies the person.
const (
	erasedName = "（已注销）"
	erasedText = "（内容已随账号注销删除）"
)

// eraseVolunteer anonymises person's volunteer records, found through their guard
// (USER#<person> / VOLUNTEER, deleted with the partition) and the records a merge
// brought (USER#<person> / VOLUNTEER#<id>): the name, phone, ID number (its hash, key
// id and masked form) and team go, the openid becomes anon; the status, district and
// every hour served stay, so the reports count what they counted. The ID number's guard
// is deleted, so the number may register again.
func (d *Data) eraseVolunteer(ctx context.Context, person, anon string) (int, error) {
	vs, err := d.volunteers(ctx, person)
	if err != nil {
		return 0, err
	}
	for _, v := range vs {
		var tx dynamo.Tx
		tx.Update(dynamo.VolunteerPK(attr(v, "ID")), dynamo.SKVolunteer,
			expression.Set(expression.Name("OpenID"), expression.Value(anon)).
				Set(expression.Name("Name"), expression.Value(erasedName)).
				Set(expression.Name("Phone"), expression.Value("")).
				Set(expression.Name("IDNumberHash"), expression.Value("")).
				Set(expression.Name("IDNumberKeyID"), expression.Value("")).
				Set(expression.Name("IDNumberMasked"), expression.Value("")).
				Set(expression.Name("Team"), expression.Value("")),
			expression.AttributeExists(expression.Name("PK")), nil)
		if h := attr(v, "IDNumberHash"); h != "" {
			tx.Delete(dynamo.IDNumberPK(h), dynamo.SKIDNumber, expression.ConditionBuilder{}, nil)
		}
		if err := dynamo.Transact(ctx, d.DB, d.Table, "anonymise volunteer", &tx); err != nil {
			return 0, err
		}
	}
	return len(vs), nil
}

// volunteers returns person's volunteer records: the one their guard names and those a
// merge brought.
func (d *Data) volunteers(ctx context.Context, person string) ([]dynamo.Item, error) {
	guards, err := dynamo.QueryItems(ctx, d.DB, d.Table, "volunteer guards of person", dynamo.Query{
		Key: dynamo.Partition("", dynamo.UserPK(person), dynamo.SKVolunteer), Consistent: true})
	if err != nil {
		return nil, err
	}
	var out []dynamo.Item
	for _, g := range guards {
		id := attr(g, "VolunteerID")
		if id == "" {
			continue
		}
		v, err := dynamo.GetItem(ctx, d.DB, d.Table, "volunteer", dynamo.VolunteerPK(id), dynamo.SKVolunteer, true)
		if err != nil {
			return nil, err
		}
		if v != nil {
			out = append(out, v)
		}
	}
	return out, nil
}

// tickets returns person's feedback tickets (GSI1 FEEDBACKBY#<person>).
func (d *Data) tickets(ctx context.Context, person string) ([]dynamo.Item, error) {
	return dynamo.QueryItems(ctx, d.DB, d.Table, "person's tickets", dynamo.Query{
		Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.TicketsByPK(person), "")})
}

// ratings returns person's ratings: one at most per activity they attended, so of the
// activities of their bookings (ACTIVITY#<activity> / RATING#<person>).
func (d *Data) ratings(ctx context.Context, person string, bookings []dynamo.Item) ([]dynamo.Item, error) {
	seen := map[string]bool{}
	for _, b := range bookings {
		seen[attr(b, "ActivityID")] = true
	}
	delete(seen, "")
	activities := make([]string, 0, len(seen))
	for a := range seen {
		activities = append(activities, a)
	}
	sort.Strings(activities)
	var out []dynamo.Item
	for _, a := range activities {
		r, err := dynamo.GetItem(ctx, d.DB, d.Table, "rating", dynamo.ActivityPK(a), dynamo.RatingSK(person), true)
		if err != nil {
			return nil, err
		}
		if r != nil {
			out = append(out, r)
		}
	}
	return out, nil
}

// eraseFeedback anonymises person's feedback tickets (GSI1 FEEDBACKBY#<person>): the
// text goes, the ticket moves to anon's list; its category, place, dates and reply stay
// for the response-time figures.
func (d *Data) eraseFeedback(ctx context.Context, person, anon string) (int, error) {
	items, err := d.tickets(ctx, person)
	if err != nil {
		return 0, err
	}
	for _, it := range items {
		_, err := dynamo.Update(ctx, d.DB, d.Table, "anonymise ticket", attr(it, "PK"), attr(it, "SK"),
			expression.Set(expression.Name("openid"), expression.Value(anon)).
				Set(expression.Name("Text"), expression.Value(erasedText)).
				Set(expression.Name("GSI1PK"), expression.Value(dynamo.TicketsByPK(anon))),
			expression.AttributeExists(expression.Name("PK")), types.ReturnValueNone)
		if err != nil && !errors.Is(err, dynamo.ErrConditionFailed) {
			return 0, err
		}
	}
	return len(items), nil
}

// eraseRatings moves person's ratings (ACTIVITY#<activity> / RATING#<person>, one per
// activity they attended, so of the activities of their bookings) to anon, without the
// comment; the satisfaction tallies, which the ratings were added to, stay.
func (d *Data) eraseRatings(ctx context.Context, person, anon string, bookings []dynamo.Item) (int, error) {
	rs, err := d.ratings(ctx, person, bookings)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range rs {
		a := attr(r, "ActivityID")
		moved := copyItem(r)
		moved["SK"] = &types.AttributeValueMemberS{Value: dynamo.RatingSK(anon)}
		moved["openid"] = &types.AttributeValueMemberS{Value: anon}
		moved["Comment"] = &types.AttributeValueMemberS{Value: ""}
		var tx dynamo.Tx
		tx.Delete(dynamo.ActivityPK(a), dynamo.RatingSK(person), expression.AttributeExists(expression.Name("PK")), nil)
		tx.Add(types.TransactWriteItem{Put: &types.Put{Item: moved}}, nil, nil)
		if err := dynamo.Transact(ctx, d.DB, d.Table, "anonymise rating", &tx); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// votes returns person's film votes (POLL#<poll> / VOTE#<voter>), found through their
// pointers in the person's partition (USER#<person> / VOTED#<poll>#<voter>, naming the
// vote's key: a merged person's votes keep theirs).
func (d *Data) votes(ctx context.Context, person string) ([]dynamo.Item, error) {
	pointers, err := dynamo.QueryItems(ctx, d.DB, d.Table, "person's votes", dynamo.Query{
		Key: dynamo.Partition("", dynamo.UserPK(person), dynamo.SKVotedPrefix), Consistent: true})
	if err != nil {
		return nil, err
	}
	var out []dynamo.Item
	for _, p := range pointers {
		v, err := dynamo.GetItem(ctx, d.DB, d.Table, "vote", dynamo.PollPK(attr(p, "pollId")), attr(p, "vote"), true)
		if err != nil {
			return nil, err
		}
		if v != nil {
			out = append(out, v)
		}
	}
	return out, nil
}

// eraseVotes moves person's film votes to anon (VOTE#<anon>, the choice and time kept):
// the poll's tallies, which the votes were added to, stay, and each vote still stands
// for one voter. The pointers go with the person's partition.
func (d *Data) eraseVotes(ctx context.Context, person, anon string) (int, error) {
	vs, err := d.votes(ctx, person)
	if err != nil {
		return 0, err
	}
	for i, v := range vs {
		moved := copyItem(v)
		moved["SK"] = &types.AttributeValueMemberS{Value: dynamo.VoteSK(anon)}
		var tx dynamo.Tx
		tx.Delete(attr(v, "PK"), attr(v, "SK"), expression.AttributeExists(expression.Name("PK")), nil)
		tx.Add(types.TransactWriteItem{Put: &types.Put{Item: moved}}, nil, nil)
		if err := dynamo.Transact(ctx, d.DB, d.Table, "anonymise vote", &tx); err != nil {
			return i, err
		}
	}
	return len(vs), nil
}

// records returns what is kept about person outside their partition and bookings: their
// volunteer record, feedback tickets, ratings, film votes, training attendances, survey
// invitations and answers, and figure applications.
func (d *Data) records(ctx context.Context, person string, bookings []dynamo.Item) ([]dynamo.Item, error) {
	var out []dynamo.Item
	vs, err := d.volunteers(ctx, person)
	if err != nil {
		return nil, err
	}
	out = append(out, vs...)
	ts, err := d.tickets(ctx, person)
	if err != nil {
		return nil, err
	}
	rs, err := d.ratings(ctx, person, bookings)
	if err != nil {
		return nil, err
	}
	took, err := d.participation(ctx, person)
	if err != nil {
		return nil, err
	}
	return append(append(append(out, ts...), rs...), took...), nil
}
