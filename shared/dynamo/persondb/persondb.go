// Package persondb is a person's data across the table, for their rights over it: the
// export of everything kept about them, and the erasure of their account, which deletes
// what is theirs alone and anonymises what the city keeps (bookings, which the reports
// count), leaving no identifier of theirs in the table.
package persondb

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/report"
)

// Data reads and erases a person's items.
type Data struct {
	DB    *dynamodb.Client
	Table string
}

// Export is everything the table keeps about a person, as plain JSON values: their
// partition's items (profile, identities, family, limits, strikes, home changes,
// subscriptions and consents, …), their family members' (strikes and limits), their
// volunteer record, feedback tickets, ratings, film votes, training attendances, survey
// invitations and answers, figure applications, and their bookings; index and key
// attributes left out.
type Export struct {
	Person     string           `json:"person"`
	ExportedAt time.Time        `json:"exportedAt"`
	Records    []map[string]any `json:"records"`
	Bookings   []map[string]any `json:"bookings"`
}

// Export gathers what the table keeps about person.
func (d *Data) Export(ctx context.Context, person string, now time.Time) (Export, error) {
	out := Export{Person: person, ExportedAt: now.UTC(), Records: []map[string]any{}, Bookings: []map[string]any{}}
	bookings, err := d.bookings(ctx, person)
	if err != nil {
		return out, err
	}
	for _, holder := range holders(person, bookings) {
		items, err := d.partition(ctx, dynamo.UserPK(holder))
		if err != nil {
			return out, err
		}
		// A family member's ID number is exported in its masked form only (idNumberMasked).
		if out.Records, err = appendPlain(out.Records, items, "idNumberHash", "idNumberKeyId"); err != nil {
			return out, err
		}
	}
	kept, err := d.records(ctx, person, bookings)
	if err != nil {
		return out, err
	}
	// The ID number's keyed hash means nothing outside the platform; a booking's holder
	// is the person or their family member, named in the booking already.
	if out.Records, err = appendPlain(out.Records, kept, "IDNumberHash", "IDNumberKeyID"); err != nil {
		return out, err
	}
	if out.Bookings, err = appendPlain(out.Bookings, bookings, "OpenID", "IDGuard"); err != nil {
		return out, err
	}
	return out, nil
}

// appendPlain appends items as plain JSON values (plain) to out, without the attributes
// named in drop.
func appendPlain(out []map[string]any, items []dynamo.Item, drop ...string) ([]map[string]any, error) {
	for _, it := range items {
		m, err := plain(it)
		if err != nil {
			return out, err
		}
		for _, k := range drop {
			delete(m, k)
		}
		out = append(out, m)
	}
	return out, nil
}

// plain turns an item into JSON values, with the record's kind (its sort key's
// prefix) in place of its keys.
func plain(it dynamo.Item) (map[string]any, error) {
	var m map[string]any
	if err := attributevalue.UnmarshalMap(it, &m); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if sk, ok := m["SK"].(string); ok {
		kind, _, _ := strings.Cut(sk, "#")
		m["record"] = strings.ToLower(kind)
	}
	for _, k := range []string{"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK", "expiresAt"} {
		delete(m, k)
	}
	return m, nil
}

// Erasure is what an erasure did.
type Erasure struct {
	Deleted    int // items deleted
	Anonymised int // bookings, volunteer records, tickets, ratings, film votes, attendances, invitations and applications kept without the person
}

// Erase erases person's account: every item of their partition and their family
// members' is deleted, with the identities linked to them (IDENT#…) and the messages
// sent to them about their bookings; each booking they or their family hold is moved
// to an anonymous holder (anon-…, one per holder) together with the report counters'
// record of it and the holder's distinct-resident totals, so that the reports count
// exactly what they counted (docs/decisions.md). Bookings are kept as they stand (an
// upcoming one still holds its places). It can run again after a failure: what is
// moved or deleted is not found again.
func (d *Data) Erase(ctx context.Context, person string, now time.Time) (Erasure, error) {
	var e Erasure
	// First the mark that ends the sessions issued before (accountdb.People.Standing).
	mark := erasedItem{Keys: dynamo.Keys{PK: dynamo.ErasedPK(person), SK: dynamo.SKErased}, ExpiresAt: now.Add(ErasedMarkTTL).Unix()}
	if err := dynamo.Put(ctx, d.DB, d.Table, "mark erased", mark, expression.ConditionBuilder{}); err != nil {
		return e, err
	}
	bookings, err := d.bookings(ctx, person)
	if err != nil {
		return e, err
	}
	anon := map[string]string{}
	for _, h := range holders(person, bookings) {
		anon[h] = "anon-" + strings.ToLower(rand.Text()[:20])
	}
	// The records kept without the person, before their partition (the volunteer's
	// guard) goes and while the bookings still name the activities they rated.
	for _, keep := range []func() (int, error){
		func() (int, error) { return d.eraseVolunteer(ctx, person, anon[person]) },
		func() (int, error) { return d.eraseFeedback(ctx, person, anon[person]) },
		func() (int, error) { return d.eraseRatings(ctx, person, anon[person], bookings) },
		func() (int, error) { return d.eraseVotes(ctx, person, anon[person]) },
		func() (int, error) { return d.eraseParticipation(ctx, person, anon[person]) },
	} {
		n, err := keep()
		if err != nil {
			return e, err
		}
		e.Anonymised += n
	}
	for _, it := range bookings {
		if err := d.anonymise(ctx, it, anon); err != nil {
			return e, err
		}
		e.Anonymised++
	}
	for h, a := range anon {
		n, err := d.moveTotals(ctx, h, a)
		if err != nil {
			return e, err
		}
		e.Deleted += n
	}
	for h := range anon {
		items, err := d.partition(ctx, dynamo.UserPK(h))
		if err != nil {
			return e, err
		}
		var keys []dynamo.Item
		for _, it := range items {
			keys = append(keys, dynamo.Key(attr(it, "PK"), attr(it, "SK")))
			if strings.HasPrefix(attr(it, "SK"), dynamo.SKIdentityPrefix) {
				keys = append(keys, dynamo.Key(dynamo.IdentityPK(attr(it, "kind"), attr(it, "value")), dynamo.SKIdentity))
			}
			if id, ok := strings.CutPrefix(attr(it, "SK"), dynamo.SKMessagePrefix); ok {
				keys = append(keys, dynamo.Key(dynamo.OutboxPK(id), dynamo.SKOutbox)) // a message queued for them
			}
			if from, ok := strings.CutPrefix(attr(it, "SK"), dynamo.SKMergePrefix); ok {
				keys = append(keys, dynamo.Key(dynamo.MergedPK(from), dynamo.SKMerged)) // the forward of a person merged into them
			}
		}
		if err := d.deleteAll(ctx, keys); err != nil {
			return e, err
		}
		e.Deleted += len(keys)
	}
	return e, nil
}

// ErasedMarkTTL is how long the mark of an erasure is kept: longer than a session token
// lives (auth.DefaultTTL), so every session issued before is refused until it expires.
const ErasedMarkTTL = 13 * time.Hour

// erasedItem marks an erased person by a hash of their id, for ErasedMarkTTL.
type erasedItem struct {
	dynamo.Keys
	ExpiresAt int64 `dynamodbav:"expiresAt"`
}

// bookings lists every booking person and their family hold (GSI2 BOOKINGS#<person>).
func (d *Data) bookings(ctx context.Context, person string) ([]dynamo.Item, error) {
	return dynamo.QueryItems(ctx, d.DB, d.Table, "person's bookings", dynamo.Query{
		Index: "GSI2", Key: dynamo.Partition("GSI2", dynamo.PersonBookingsPK(person), "")})
}

// holders are person and the holders of their family's bookings (booking.Holder),
// including dependants removed since; the family now is in the person's partition but
// a dependant's partition exists only once they booked.
func holders(person string, bookings []dynamo.Item) []string {
	set := map[string]bool{person: true}
	for _, it := range bookings {
		if h := attr(it, "OpenID"); h != "" && booking.PersonOf(h) == person {
			set[h] = true
		}
	}
	out := make([]string, 0, len(set))
	for h := range set {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

// anonymise moves one booking item to its holder's anonymous holder, in one transaction
// with the counters' record of it (COUNTED#<slot>#BOOKING#<holder>, its member
// renamed), and then deletes the messages sent about it and renames its seats' holder.
func (d *Data) anonymise(ctx context.Context, it dynamo.Item, anon map[string]string) error {
	h := attr(it, "OpenID")
	a, ok := anon[h]
	if !ok {
		return fmt.Errorf("erase: booking %s/%s of an unknown holder", attr(it, "PK"), attr(it, "SK"))
	}
	pk, sk := attr(it, "PK"), attr(it, "SK")
	moved := dynamo.Item{}
	for k, v := range it {
		switch k {
		case "GSI2PK", "GSI2SK", "Name", "For", "IDNumberMasked", "IDGuard", "CheckInKey":
			continue // no one's list; the name, the ID number (masked, and its guard's hash) and the scan's key go
		}
		moved[k] = v
	}
	moved["SK"] = &types.AttributeValueMemberS{Value: dynamo.BookingSK(a)}
	moved["OpenID"] = &types.AttributeValueMemberS{Value: a}
	moved["LimitHeld"] = &types.AttributeValueMemberBOOL{Value: false} // the limit's counter is deleted
	if g := attr(it, "GSI1SK"); g != "" {
		moved["GSI1SK"] = &types.AttributeValueMemberS{Value: strings.Replace(g, "#"+h, "#"+a, 1)}
	}
	var tx dynamo.Tx
	tx.Delete(pk, sk, expression.AttributeExists(expression.Name("PK")), nil)
	tx.Add(types.TransactWriteItem{Put: &types.Put{Item: moved}}, nil, nil)
	if g := attr(it, "IDGuard"); g != "" { // the session's guard of the ID number goes with the number
		tx.Delete(pk, dynamo.IDGuardSK(g), expression.AttributeNotExists(expression.Name("PK")).
			Or(expression.Name("bookingId").Equal(expression.Value(attr(it, "ID")))), nil)
	}
	counted, err := dynamo.GetItem(ctx, d.DB, d.Table, "read counted booking", dynamo.CountedPK(pk, sk), dynamo.SKCounted, true)
	if err != nil {
		return err
	}
	if counted != nil {
		c := dynamo.Item{}
		for k, v := range counted {
			c[k] = v
		}
		c["PK"] = &types.AttributeValueMemberS{Value: dynamo.CountedPK(pk, dynamo.BookingSK(a))}
		c["facts"] = &types.AttributeValueMemberS{Value: renameMember(attr(counted, "facts"), h, a)}
		tx.Delete(dynamo.CountedPK(pk, sk), dynamo.SKCounted, expression.Name("v").Equal(expression.Value(counted["v"])), nil)
		tx.Add(types.TransactWriteItem{Put: &types.Put{Item: c}}, nil, nil)
	}
	if err := dynamo.Transact(ctx, d.DB, d.Table, "anonymise booking", &tx); err != nil {
		return err
	}
	id := attr(it, "ID")
	if err := d.deleteAll(ctx, messageKeys(id)); err != nil {
		return err
	}
	var seats []string
	if err := attributevalue.Unmarshal(it["Seats"], &seats); err != nil && it["Seats"] != nil {
		return fmt.Errorf("erase: seats of %s: %w", id, err)
	}
	for _, seat := range seats {
		_, err := dynamo.Update(ctx, d.DB, d.Table, "anonymise seat", pk, dynamo.SeatSK(seat),
			expression.Set(expression.Name("holder"), expression.Value(a)),
			expression.Name("bookingId").Equal(expression.Value(id)), types.ReturnValueNone)
		if err != nil && !errors.Is(err, dynamo.ErrConditionFailed) {
			return err
		}
	}
	return nil
}

// messageKeys are the keys of the outbox items booking id's messages are queued as.
func messageKeys(id string) []dynamo.Item {
	return dynamo.Convert(booking.MessageIDs(id), func(m string) dynamo.Item { return dynamo.Key(dynamo.OutboxPK(m), dynamo.SKOutbox) })
}

// renameMember renames the member of the distinct-resident facts in a counted record.
func renameMember(facts, from, to string) string {
	var fs []report.Fact
	if json.Unmarshal([]byte(facts), &fs) != nil {
		return facts
	}
	for i := range fs {
		if fs[i].Member == from {
			fs[i].Member = to
		}
	}
	b, err := json.Marshal(fs)
	if err != nil {
		return facts
	}
	return string(b)
}

// moveTotals moves the holder's totals of the distinct-resident metric
// (DISTINCT#uniqueResidents#<holder>) to the anonymous holder, so the count of
// residents stays what it was; it returns how many it moved.
func (d *Data) moveTotals(ctx context.Context, holder, anon string) (int, error) {
	items, err := d.partition(ctx, dynamo.DistinctPK(report.MetricUniqueResidents, holder))
	if err != nil {
		return 0, err
	}
	for _, it := range items {
		moved := copyItem(it)
		moved["PK"] = &types.AttributeValueMemberS{Value: dynamo.DistinctPK(report.MetricUniqueResidents, anon)}
		var tx dynamo.Tx
		tx.Delete(attr(it, "PK"), attr(it, "SK"), expression.Name("n").Equal(expression.Value(it["n"])), nil)
		tx.Add(types.TransactWriteItem{Put: &types.Put{Item: moved}}, nil, nil)
		if err := dynamo.Transact(ctx, d.DB, d.Table, "move resident totals", &tx); err != nil {
			return 0, err
		}
	}
	return len(items), nil
}

// partition reads every item of a partition (consistent).
func (d *Data) partition(ctx context.Context, pk string) ([]dynamo.Item, error) {
	return dynamo.QueryItems(ctx, d.DB, d.Table, "read partition", dynamo.Query{Key: dynamo.Partition("", pk, ""), Consistent: true})
}

// deleteAll deletes the items at keys (absent ones are fine), 25 a request.
func (d *Data) deleteAll(ctx context.Context, keys []dynamo.Item) error {
	for len(keys) > 0 {
		n := min(25, len(keys))
		var tx dynamo.Tx
		for _, k := range keys[:n] {
			tx.Delete(attr(k, "PK"), attr(k, "SK"), expression.ConditionBuilder{}, nil)
		}
		if err := dynamo.Transact(ctx, d.DB, d.Table, "erase items", &tx); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

func attr(it dynamo.Item, name string) string {
	s, _ := dynamo.StringAttr(it, name)
	return s
}
