package persondb

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/account"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo"
)

// Merged counts what a merge moved to the surviving person (docs/decisions.md,
// "Merging two people").
type Merged struct {
	Bookings   int `json:"bookings" dynamodbav:"bookings"`     // bookings moved (theirs and their family's)
	Kept       int `json:"kept" dynamodbav:"kept"`             // of them, held beside the survivor's booking of the same session
	Identities int `json:"identities" dynamodbav:"identities"` // identities linked to the survivor
	Records    int `json:"records" dynamodbav:"records"`       // partition items moved or folded (dependants, strikes, consents, subscriptions, …)
	Strikes    int `json:"strikes" dynamodbav:"strikes"`       // no-show records among them
	Tickets    int `json:"tickets" dynamodbav:"tickets"`       // feedback tickets
	Ratings    int `json:"ratings" dynamodbav:"ratings"`
	Volunteers int `json:"volunteers" dynamodbav:"volunteers"` // volunteer records now the survivor's
	Votes      int `json:"votes" dynamodbav:"votes"`           // film votes
	Trainings  int `json:"trainings" dynamodbav:"trainings"`   // training attendances
	Surveys    int `json:"surveys" dynamodbav:"surveys"`       // survey invitations (with their answers)
	Figures    int `json:"figures" dynamodbav:"figures"`       // cultural figure applications
	Folded     int `json:"folded" dynamodbav:"folded"`         // a second vote in one poll or attendance of one course, dropped for the survivor's
}

// tally is where a move counts itself: a field of the moved map of the merge's record
// (or a takeover's), added in the move's own transaction, so the record counts exactly
// what moved however many answers were lost. A nil tally counts nothing.
type tally struct{ pk, sk string }

// count adds 1 to each of the tally's fields in tx (one update: a transaction may not
// touch an item twice).
func (t *tally) count(tx *dynamo.Tx, fields ...string) {
	if t == nil || len(fields) == 0 {
		return
	}
	var upd expression.UpdateBuilder
	for _, f := range fields {
		n := expression.Name("moved." + f)
		upd = upd.Set(n, expression.Plus(expression.IfNotExists(n, expression.Value(0)), expression.Value(1)))
	}
	tx.Update(t.pk, t.sk, upd, expression.AttributeExists(expression.Name("moved")), nil)
}

// mergeItem is the record of a merge, USER#<into> / MERGE#<from>: who asked for it and
// through which proof, when it started and finished, the holders of the merged person's
// family it found (a resumed run still finds their partitions once their bookings
// moved) and, once done, what it moved.
type mergeItem struct {
	dynamo.Keys
	From       string   `dynamodbav:"from"`
	Into       string   `dynamodbav:"into"`
	By         string   `dynamodbav:"by"`
	Via        string   `dynamodbav:"via"`
	Status     string   `dynamodbav:"status"` // running, done
	StartedAt  string   `dynamodbav:"startedAt"`
	FinishedAt string   `dynamodbav:"finishedAt,omitempty"`
	Holders    []string `dynamodbav:"holders,stringset,omitempty"`
	Moved      *Merged  `dynamodbav:"moved,omitempty"`
}

// mergePasses bounds the passes of one run: a pass moves what it finds, and a move that
// another write overtook (or whose answer was lost) is read again in the next.
const mergePasses = 4

// errMoveAgain is a move whose condition failed: the item changed, or the move was
// applied and its answer lost; the next pass reads it again.
var errMoveAgain = errors.New("moved meanwhile")

// Merge moves everything of person from to person into, who survive as one: their
// identities, bookings and their family's (with the family's strikes and limits),
// partition (dependants, no-show strikes and lifts, consents, subscriptions, home
// changes, the audit of links), feedback tickets, ratings and volunteer record; then
// from's profile goes. by is who asked, via the proof they gave. Each item moves in a
// transaction of its own with what must change with it (the old item's delete, the new
// one's conditional put, the holders' limits, the seats, the messages' recipient), so
// an interrupted merge leaves every record either moved or not; running it again goes
// on from there, and a finished one changes nothing. The record of the merge,
// USER#<into> / MERGE#<from>, is written first and closed last.
func (d *Data) Merge(ctx context.Context, into, from, by, via string, now time.Time) (Merged, error) {
	if into == "" || from == "" || into == from || strings.Contains(into, "~") || strings.Contains(from, "~") {
		return Merged{}, fmt.Errorf("merge: %q into %q: not two people", from, into)
	}
	rec, err := d.startMerge(ctx, into, from, by, via, now)
	if err != nil {
		return Merged{}, err
	}
	if rec.Status == "done" {
		return *rec.Moved, nil
	}
	if err := d.endSessions(ctx, into, from, now); err != nil {
		return *rec.Moved, err
	}
	r := &run{Data: d, into: into, from: from, tally: &tally{pk: dynamo.UserPK(into), sk: dynamo.MergeSK(from)}, now: now}
	for pass := 1; ; pass++ {
		r.again = false
		if err := r.pass(ctx, rec.Holders); err != nil {
			return *rec.Moved, err
		}
		if !r.again {
			break
		}
		if pass == mergePasses {
			return *rec.Moved, fmt.Errorf("merge: items of %s still moving after %d passes", from, pass)
		}
	}
	// The profile last: until it goes, a run that stopped is found again by its record.
	if err := d.foldProfile(ctx, into, from); err != nil {
		return *rec.Moved, err
	}
	out, err := dynamo.Update(ctx, d.DB, d.Table, "close merge", dynamo.UserPK(into), dynamo.MergeSK(from),
		expression.Set(expression.Name("status"), expression.Value("done")).
			Set(expression.Name("finishedAt"), expression.Value(dynamo.RFC3339Nano(now))),
		expression.AttributeExists(expression.Name("PK")), types.ReturnValueAllNew)
	if err != nil {
		return *rec.Moved, err
	}
	if err := attributevalue.UnmarshalMap(out, &rec); err != nil {
		return Merged{}, fmt.Errorf("close merge: %w", err)
	}
	return *rec.Moved, nil
}

// run is one run of a merge (or a takeover): who goes into whom, where its moves count
// themselves, and whether a move of this pass is to be read again.
type run struct {
	*Data
	into, from string
	tally      *tally
	now        time.Time
	again      bool
}

// done records a move's outcome: a move overtaken (or whose answer was lost) is read
// again in the next pass; another error stops the run.
func (r *run) done(err error) error {
	if errors.Is(err, errMoveAgain) {
		r.again = true
		return nil
	}
	return err
}

// startMerge writes (or reads again) the merge's record, with the holders of from's
// family found now added to those found before.
func (d *Data) startMerge(ctx context.Context, into, from, by, via string, now time.Time) (mergeItem, error) {
	rec, found, err := dynamo.Get[mergeItem](ctx, d.DB, d.Table, "read merge", dynamo.UserPK(into), dynamo.MergeSK(from), true)
	if err != nil || found && rec.Status == "done" {
		return rec, err
	}
	bookings, err := d.bookings(ctx, from)
	if err != nil {
		return mergeItem{}, err
	}
	deps, err := dynamo.QueryItems(ctx, d.DB, d.Table, "merged person's family", dynamo.Query{
		Key: dynamo.Partition("", dynamo.UserPK(from), dynamo.SKDependantPrefix), Consistent: true})
	if err != nil {
		return mergeItem{}, err
	}
	hs := holders(from, bookings)
	for _, dep := range deps {
		hs = append(hs, booking.Holder(from, attr(dep, "id")))
	}
	upd := expression.Set(expression.Name("from"), expression.Value(from)).
		Set(expression.Name("into"), expression.Value(into)).
		Set(expression.Name("by"), expression.IfNotExists(expression.Name("by"), expression.Value(by))).
		Set(expression.Name("via"), expression.IfNotExists(expression.Name("via"), expression.Value(via))).
		Set(expression.Name("status"), expression.IfNotExists(expression.Name("status"), expression.Value("running"))).
		Set(expression.Name("startedAt"), expression.IfNotExists(expression.Name("startedAt"), expression.Value(dynamo.RFC3339Nano(now)))).
		Set(expression.Name("moved"), expression.IfNotExists(expression.Name("moved"), expression.Value(Merged{}))).
		Add(expression.Name("holders"), expression.Value(&types.AttributeValueMemberSS{Value: slices.Compact(slices.Sorted(slices.Values(hs)))}))
	out, err := dynamo.Update(ctx, d.DB, d.Table, "start merge", dynamo.UserPK(into), dynamo.MergeSK(from), upd,
		expression.ConditionBuilder{}, types.ReturnValueAllNew)
	if err != nil {
		return mergeItem{}, err
	}
	if err := attributevalue.UnmarshalMap(out, &rec); err != nil {
		return mergeItem{}, fmt.Errorf("start merge: %w", err)
	}
	if rec.Moved == nil {
		rec.Moved = &Merged{}
	}
	return rec, nil
}

// endSessions ends from's sessions: their profile's session version is raised (every
// token issued before is refused) and the erasure's mark is put, which refuses them
// once the profile is gone. First, the forward (MERGED#<from>) names the survivor, so
// a message queued for from reaches into from now on (accountdb.People.Survivor).
func (d *Data) endSessions(ctx context.Context, into, from string, now time.Time) error {
	fwd := forwardItem{Keys: dynamo.Keys{PK: dynamo.MergedPK(from), SK: dynamo.SKMerged}, Into: into}
	if err := dynamo.Put(ctx, d.DB, d.Table, "forward merged", fwd, expression.ConditionBuilder{}); err != nil {
		return err
	}
	mark := erasedItem{Keys: dynamo.Keys{PK: dynamo.ErasedPK(from), SK: dynamo.SKErased}, ExpiresAt: now.Add(ErasedMarkTTL).Unix()}
	if err := dynamo.Put(ctx, d.DB, d.Table, "mark merged", mark, expression.ConditionBuilder{}); err != nil {
		return err
	}
	_, err := dynamo.Update(ctx, d.DB, d.Table, "end merged sessions", dynamo.UserPK(from), dynamo.SKProfile,
		expression.Add(expression.Name("sessionVersion"), expression.Value(1)),
		expression.AttributeExists(expression.Name("PK")), types.ReturnValueNone)
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return nil // gone already: a run that went on after the profile's fold
	}
	return err
}

// forwardItem names the person a merged person went into, MERGED#<from> / MERGED: kept
// while the survivor is (their erasure deletes it), for messages queued for from.
type forwardItem struct {
	dynamo.Keys
	Into string `dynamodbav:"into"`
}

// pass moves what it finds of from; r.again reports moves to read again.
func (r *run) pass(ctx context.Context, known []string) error {
	into, from := r.into, r.from
	if err := r.moveIdentities(ctx); err != nil {
		return err
	}
	bookings, err := r.bookings(ctx, from)
	if err != nil {
		return err
	}
	// Ratings are found through the activities of from's bookings, and of the
	// survivor's, which hold those a run that stopped had moved.
	mine, err := r.bookings(ctx, into)
	if err != nil {
		return err
	}
	rs, err := r.ratings(ctx, from, append(slices.Clone(bookings), mine...))
	if err != nil {
		return err
	}
	for _, it := range rs {
		if err := r.done(r.moveRating(ctx, it)); err != nil {
			return err
		}
	}
	hs := slices.Compact(slices.Sorted(slices.Values(append(holders(from, bookings), known...))))
	for _, b := range bookings {
		if _, err := r.moveBooking(ctx, b); !errors.Is(err, errMoved) {
			if err := r.done(err); err != nil {
				return err
			}
		}
	}
	ts, err := r.tickets(ctx, from)
	if err != nil {
		return err
	}
	for _, t := range ts {
		var tx dynamo.Tx
		tx.Update(attr(t, "PK"), attr(t, "SK"), expression.Set(expression.Name("openid"), expression.Value(into)).
			Set(expression.Name("GSI1PK"), expression.Value(dynamo.TicketsByPK(into))),
			expression.Name("openid").Equal(expression.Value(from)), errMoved)
		r.tally.count(&tx, "tickets")
		// errMoved: moved already (the index lags the table).
		if err := dynamo.Transact(ctx, r.DB, r.Table, "move ticket", &tx); !errors.Is(err, errMoved) {
			if err := r.done(err); err != nil {
				return err
			}
		}
	}
	if err := r.moveParticipation(ctx); err != nil {
		return err
	}
	for _, h := range hs {
		if err := r.movePartition(ctx, h, mergedHolder(h, into, from), besideHolder(into, from)); err != nil {
			return err
		}
	}
	return nil
}

// mergedHolder is the holder that holds, after the merge, what holder h of from held:
// from's own (h = from) the survivor's, their family member's (from~d) the survivor's
// family member's (into~d).
func mergedHolder(h, into, from string) string {
	if h == from {
		return into
	}
	return into + strings.TrimPrefix(h, from)
}

// besideHolder is the holder of what from held that collides with the survivor's own
// (a booking of the same session, a no-show at it, a rating of the same activity): kept
// beside it, held on the survivor's behalf as a family member's is (<into>~<from>), so
// nothing is lost, nothing counted twice, and the survivor still lists it.
func besideHolder(into, from string) string { return booking.Holder(into, from) }

func (r *run) moveIdentities(ctx context.Context) error {
	into, from := r.into, r.from
	ids, err := dynamo.QueryItems(ctx, r.DB, r.Table, "merged person's identities", dynamo.Query{
		Key: dynamo.Partition("", dynamo.UserPK(from), dynamo.SKIdentityPrefix), Consistent: true})
	if err != nil {
		return err
	}
	for _, it := range ids {
		kind, value := attr(it, "kind"), attr(it, "value")
		moved := copyItem(it)
		moved["PK"] = str(dynamo.UserPK(into))
		moved["person"] = str(into)
		var tx dynamo.Tx
		tx.Update(dynamo.IdentityPK(kind, value), dynamo.SKIdentity, expression.Set(expression.Name("person"), expression.Value(into)),
			expression.Name("person").Equal(expression.Value(from)), errMoveAgain)
		tx.Delete(dynamo.UserPK(from), attr(it, "SK"), expression.AttributeExists(expression.Name("PK")), errMoveAgain)
		tx.Add(types.TransactWriteItem{Put: &types.Put{Item: moved}}, nil, nil)
		r.tally.count(&tx, "identities")
		if err := r.done(dynamo.Transact(ctx, r.DB, r.Table, "move identity", &tx)); err != nil {
			return err
		}
	}
	return nil
}

// moveRating moves from's rating of an activity to the survivor, or beside the
// survivor's own rating of it; the tallies it was added to stay.
func (r *run) moveRating(ctx context.Context, it dynamo.Item) error {
	a := attr(it, "ActivityID")
	to := r.into
	if mine, err := dynamo.GetItem(ctx, r.DB, r.Table, "survivor's rating", dynamo.ActivityPK(a), dynamo.RatingSK(r.into), true); err != nil {
		return err
	} else if mine != nil {
		to = besideHolder(r.into, r.from)
	}
	moved := copyItem(it)
	moved["SK"] = str(dynamo.RatingSK(to))
	moved["openid"] = str(to)
	var tx dynamo.Tx
	tx.Delete(dynamo.ActivityPK(a), dynamo.RatingSK(r.from), expression.AttributeExists(expression.Name("PK")), errMoveAgain)
	tx.Add(putNew(moved))
	r.tally.count(&tx, "ratings")
	return dynamo.Transact(ctx, r.DB, r.Table, "move rating", &tx)
}

// moveBooking moves one booking of from's (or their family's) to the merged holder, or
// beside the survivor's booking of the same session (kept reports that), in one
// transaction with the two holders' limits (a place given back by one, taken by the
// other), its seats' holder and the recipient of the messages about it; the stream
// then counts it under its new holder.
func (r *run) moveBooking(ctx context.Context, it dynamo.Item) (kept bool, err error) {
	h := attr(it, "OpenID")
	if booking.PersonOf(h) != r.from {
		return false, fmt.Errorf("merge: booking %s of %s is not %s's", attr(it, "ID"), h, r.from)
	}
	return r.rehold(ctx, it, mergedHolder(h, r.into, r.from), besideHolder(r.into, r.from))
}

// rehold moves a booking to holder to, or to beside when to holds a booking of the
// session already (kept reports that), in one transaction with the two holders' limits,
// its seats' holder, the recipient of the messages about it (the person of to) and the
// run's tally.
func (r *run) rehold(ctx context.Context, it dynamo.Item, to, beside string) (kept bool, err error) {
	pk, h, id := attr(it, "PK"), attr(it, "OpenID"), attr(it, "ID")
	from, into := booking.PersonOf(h), booking.PersonOf(to)
	// The person's index lags the table: a booking moved a moment ago may still be
	// listed under from.
	if now, err := dynamo.GetItem(ctx, r.DB, r.Table, "booking to move", pk, attr(it, "SK"), true); err != nil {
		return false, err
	} else if now == nil || attr(now, "OpenID") != h {
		return false, errMoved
	} else {
		it = now
	}
	there, err := dynamo.GetItem(ctx, r.DB, r.Table, "survivor's booking", pk, dynamo.BookingSK(to), true)
	if err != nil {
		return false, err
	}
	if there != nil {
		to, kept = beside, true
	}
	moved := copyItem(it)
	moved["SK"] = str(dynamo.BookingSK(to))
	moved["OpenID"] = str(to)
	moved["GSI2PK"] = str(dynamo.PersonBookingsPK(into))
	if g := attr(it, "GSI1SK"); strings.HasSuffix(g, "#"+h) {
		moved["GSI1SK"] = str(strings.TrimSuffix(g, h) + to)
	}
	var tx dynamo.Tx
	tx.Delete(pk, attr(it, "SK"), expression.Name("OpenID").Equal(expression.Value(h)).
		And(expression.Name("Status").Equal(expression.Value(attr(it, "Status")))), errMoveAgain)
	tx.Add(putNew(moved))
	if b, ok := it["LimitHeld"].(*types.AttributeValueMemberBOOL); ok && b.Value {
		held := expression.Name(dynamo.HeldAttr(attr(it, "ActivityID")))
		tx.Update(dynamo.UserPK(h), dynamo.SKHolds, expression.Add(held, expression.Value(-1)), expression.ConditionBuilder{}, nil)
		tx.Update(dynamo.UserPK(to), dynamo.SKHolds, expression.Add(held, expression.Value(1)), expression.ConditionBuilder{}, nil)
	}
	var seats []string
	if err := attributevalue.Unmarshal(it["Seats"], &seats); err != nil && it["Seats"] != nil {
		return false, fmt.Errorf("merge: seats of %s: %w", id, err)
	}
	for _, seat := range seats {
		tx.Update(pk, dynamo.SeatSK(seat), expression.Set(expression.Name("holder"), expression.Value(to)),
			expression.Name("bookingId").Equal(expression.Value(id)), errMoveAgain)
	}
	msgs, err := dynamo.BatchGet(ctx, r.DB, r.Table, "messages of a booking", messageKeys(id), true)
	if err != nil {
		return false, err
	}
	for _, msg := range msgs {
		if attr(msg, "recipient") == from {
			tx.Update(attr(msg, "PK"), dynamo.SKOutbox, expression.Set(expression.Name("recipient"), expression.Value(into)),
				expression.Name("recipient").Equal(expression.Value(from)), errMoveAgain)
		}
	}
	if kept {
		r.tally.count(&tx, "bookings", "kept")
	} else {
		r.tally.count(&tx, "bookings")
	}
	return kept, dynamo.Transact(ctx, r.DB, r.Table, "move booking", &tx)
}

// movePartition moves what holder h's partition holds to holder to's: from's own
// (h = from) and each of their family member's. Identities moved before, and film votes'
// pointers with their votes (moveVotes); the profile is folded last (foldProfile); a
// location is not kept (it would only expire).
func (r *run) movePartition(ctx context.Context, h, to, beside string) error {
	into, from := r.into, r.from
	items, err := r.partition(ctx, dynamo.UserPK(h))
	if err != nil {
		return err
	}
	count := func(field string) func(*dynamo.Tx) { return func(tx *dynamo.Tx) { r.tally.count(tx, field) } }
	for _, it := range items {
		sk := attr(it, "SK")
		var err error
		switch {
		case sk == dynamo.SKProfile && h == from, strings.HasPrefix(sk, dynamo.SKIdentityPrefix), strings.HasPrefix(sk, dynamo.SKVotedPrefix):
			continue
		case sk == dynamo.SKLocation:
			tx := deleteTx(h, sk)
			r.tally.count(tx, "records")
			err = dynamo.Transact(ctx, r.DB, r.Table, "drop location", tx)
		case strings.HasPrefix(sk, dynamo.SKTrainingSum) && r.again:
			continue // folded once every attendance moved with its share (moveAttendance)
		case sk == dynamo.SKHolds || sk == dynamo.SKProfile || strings.HasPrefix(sk, dynamo.SKTrainingSum):
			err = r.foldStanding(ctx, it, to)
		case sk == dynamo.SKVolunteer:
			err = r.moveVolunteer(ctx, it)
		case strings.HasPrefix(sk, dynamo.SKDependantPrefix):
			err = r.moveItem(ctx, it, h, to, "", func(tx *dynamo.Tx) {
				tx.Update(dynamo.UserPK(into), dynamo.SKProfile, expression.Add(expression.Name("dependants"), expression.Value(1)), expression.ConditionBuilder{}, nil)
				r.tally.count(tx, "records")
			})
		case strings.HasPrefix(sk, dynamo.SKNoShowPrefix):
			err = r.moveItem(ctx, it, h, to, "", count("strikes"))
			if errors.Is(err, errTaken) {
				// Both no-showed at the session: the second strike goes with the
				// second booking, held beside the survivor's.
				err = r.moveItem(ctx, it, h, beside, "", count("strikes"))
			}
		case strings.HasPrefix(sk, dynamo.SKTopicPrefix):
			err = r.moveItem(ctx, it, h, to, "", count("records"))
			if errors.Is(err, errTaken) { // the survivor follows the topic already
				tx := deleteTx(h, sk)
				r.tally.count(tx, "records")
				err = dynamo.Transact(ctx, r.DB, r.Table, "drop followed topic", tx)
			}
		default:
			err = r.moveItem(ctx, it, h, to, "", count("records"))
			if errors.Is(err, errTaken) {
				// An audit or log line of the same instant (a link, a consent): both
				// kept, the merged person's named apart.
				err = r.moveItem(ctx, it, h, to, sk+"#"+besideHolder(into, from), count("records"))
			}
		}
		if errors.Is(err, errTaken) {
			return fmt.Errorf("merge: %s of %s is the survivor's already", sk, h)
		}
		if err := r.done(err); err != nil {
			return err
		}
	}
	return nil
}

// errMoved is an item found through a lagging index that moved already.
var errMoved = errors.New("moved already")

// errTaken is a move whose target the survivor holds already.
var errTaken = errors.New("taken")

// moveItem moves one partition item of holder h to holder to's partition (under sort
// key sk when not ""), in one
// transaction with what also writes: the item's own attributes that name h (openid,
// an index key) name to. errTaken when to has that item already.
func (r *run) moveItem(ctx context.Context, it dynamo.Item, h, to, sk string, also func(*dynamo.Tx)) error {
	moved := copyItem(it)
	moved["PK"] = str(dynamo.UserPK(to))
	if sk != "" {
		moved["SK"] = str(sk)
	}
	for k, v := range moved {
		if s, ok := v.(*types.AttributeValueMemberS); ok && s.Value == h && k != "PK" && k != "SK" {
			moved[k] = str(to)
		}
	}
	var tx dynamo.Tx
	tx.Delete(dynamo.UserPK(h), attr(it, "SK"), expression.AttributeExists(expression.Name("PK")), errMoveAgain)
	item, _, _ := putNew(moved)
	tx.Add(item, nil, errTaken)
	if also != nil {
		also(&tx)
	}
	return dynamo.Transact(ctx, r.DB, r.Table, "move record", &tx)
}

// foldStanding folds a holder's standing into to's: the holds item (limits held and the
// mirror of a suspension) and a family member's profile (their suspension), where the
// limits held add up and the later suspension stands; a year's training totals
// (TRAINING#<year>), which add up.
func (r *run) foldStanding(ctx context.Context, it dynamo.Item, to string) error {
	pk, sk := attr(it, "PK"), attr(it, "SK")
	training := strings.HasPrefix(sk, dynamo.SKTrainingSum)
	var tx dynamo.Tx
	upd := expression.UpdateBuilder{}
	cond := expression.AttributeExists(expression.Name("PK"))
	set := false
	for k, v := range it {
		if n, ok := v.(*types.AttributeValueMemberN); ok && (strings.HasPrefix(k, "held#") || training && (k == "Days" || k == "RemoteHours")) {
			upd = upd.Add(expression.Name(k), expression.Value(n))
			cond = cond.And(expression.Name(k).Equal(expression.Value(n)))
			set = true
		}
	}
	if training {
		upd = upd.Set(expression.Name("openid"), expression.Value(to))
	}
	if until := attr(it, "suspendedUntil"); until != "" {
		if mine, err := dynamo.GetItem(ctx, r.DB, r.Table, "survivor's standing", dynamo.UserPK(to), sk, true); err != nil {
			return err
		} else if attr(mine, "suspendedUntil") < until {
			upd = upd.Set(expression.Name("suspendedUntil"), expression.Value(until))
			if by := attr(it, "suspendedBy"); by != "" {
				upd = upd.Set(expression.Name("suspendedBy"), expression.Value(by))
			}
			set = true
		}
	}
	if set {
		tx.Update(dynamo.UserPK(to), sk, upd, expression.ConditionBuilder{}, nil)
	}
	tx.Delete(pk, sk, cond, errMoveAgain)
	r.tally.count(&tx, "records")
	return dynamo.Transact(ctx, r.DB, r.Table, "fold standing", &tx)
}

// moveVolunteer makes from's volunteer record the survivor's: with its guard when the
// survivor has none; else the record is kept whole beside theirs (two ID numbers are
// two registrations the platform cannot fold), named in the survivor's partition
// (VOLUNTEER#<id>) so their export and erasure find it, and marked mergedInto.
func (r *run) moveVolunteer(ctx context.Context, guard dynamo.Item) error {
	into, from := r.into, r.from
	id := attr(guard, "VolunteerID")
	mine, err := dynamo.GetItem(ctx, r.DB, r.Table, "survivor's volunteer guard", dynamo.UserPK(into), dynamo.SKVolunteer, true)
	if err != nil {
		return err
	}
	var tx dynamo.Tx
	upd := expression.Set(expression.Name("OpenID"), expression.Value(into))
	tx.Delete(dynamo.UserPK(from), dynamo.SKVolunteer, expression.AttributeExists(expression.Name("PK")), errMoveAgain)
	if mine == nil {
		moved := copyItem(guard)
		moved["PK"] = str(dynamo.UserPK(into))
		tx.Add(putNew(moved))
	} else {
		upd = upd.Set(expression.Name("mergedInto"), expression.Value(attr(mine, "VolunteerID")))
		tx.Put(otherVolunteerItem{Keys: dynamo.Keys{PK: dynamo.UserPK(into), SK: dynamo.OtherVolunteerSK(id)}, VolunteerID: id},
			expression.AttributeNotExists(expression.Name("PK")), errMoveAgain)
	}
	tx.Update(dynamo.VolunteerPK(id), dynamo.SKVolunteer, upd, expression.Name("OpenID").Equal(expression.Value(from)), errMoveAgain)
	r.tally.count(&tx, "volunteers")
	return dynamo.Transact(ctx, r.DB, r.Table, "move volunteer", &tx)
}

// otherVolunteerItem names a second volunteer record of a person, one a merge brought.
type otherVolunteerItem struct {
	dynamo.Keys
	VolunteerID string `dynamodbav:"VolunteerID"`
}

// foldProfile folds from's profile into the survivor's and deletes it: the survivor's
// settings stand, and theirs fill what the survivor never set (home district, union
// id, consents); the later suspension stands; the dependants moved were counted as
// they moved.
func (d *Data) foldProfile(ctx context.Context, into, from string) error {
	p, err := dynamo.GetItem(ctx, d.DB, d.Table, "merged profile", dynamo.UserPK(from), dynamo.SKProfile, true)
	if err != nil || p == nil {
		return err
	}
	mine, err := dynamo.GetItem(ctx, d.DB, d.Table, "survivor's profile", dynamo.UserPK(into), dynamo.SKProfile, true)
	if err != nil {
		return err
	}
	upd := expression.Set(expression.Name("openid"), expression.Value(into))
	for _, k := range []string{"homeDistrictId", "homeChangedAt", "unionid", "consentMessages", "consentLocation", "elderMode", "createdAt"} {
		if v, ok := p[k]; ok {
			if _, has := mine[k]; !has {
				upd = upd.Set(expression.Name(k), expression.Value(v))
			}
		}
	}
	if until := attr(p, "suspendedUntil"); until > attr(mine, "suspendedUntil") {
		upd = upd.Set(expression.Name("suspendedUntil"), expression.Value(until)).
			Set(expression.Name("suspendedBy"), expression.Value(attr(p, "suspendedBy")))
	}
	var tx dynamo.Tx
	tx.Update(dynamo.UserPK(into), dynamo.SKProfile, upd, expression.ConditionBuilder{}, nil)
	tx.Delete(dynamo.UserPK(from), dynamo.SKProfile, expression.AttributeExists(expression.Name("PK")), nil)
	return dynamo.Transact(ctx, d.DB, d.Table, "fold profile", &tx)
}

// Merges lists the merges into person (their records, newest last).
func (d *Data) Merges(ctx context.Context, person string) ([]MergeRecord, error) {
	items, err := dynamo.QueryAll[mergeItem](ctx, d.DB, d.Table, "merges", dynamo.Query{
		Key: dynamo.Partition("", dynamo.UserPK(person), dynamo.SKMergePrefix), Consistent: true})
	if err != nil {
		return nil, err
	}
	out := make([]MergeRecord, 0, len(items))
	for _, it := range items {
		r := MergeRecord{From: it.From, Into: it.Into, By: it.By, Via: it.Via, Status: it.Status}
		r.StartedAt, _ = time.Parse(time.RFC3339Nano, it.StartedAt)
		r.FinishedAt, _ = time.Parse(time.RFC3339Nano, it.FinishedAt)
		if it.Moved != nil {
			r.Moved = *it.Moved
		}
		out = append(out, r)
	}
	return out, nil
}

// MergeRecord is the record of one merge into a person.
type MergeRecord struct {
	From       string    `json:"from"`
	Into       string    `json:"into"`
	By         string    `json:"by"`
	Via        string    `json:"via"`
	Status     string    `json:"status"`
	StartedAt  time.Time `json:"startedAt"`
	FinishedAt time.Time `json:"finishedAt,omitzero"`
	Moved      Merged    `json:"moved"`
}

// copyItem returns a copy of it to move: the same attributes, for the caller to rekey.
func copyItem(it dynamo.Item) dynamo.Item {
	out := make(dynamo.Item, len(it))
	for k, v := range it {
		out[k] = v
	}
	return out
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

// putNew is the Put of item under the condition that no item has its key, and the
// error its failed condition means (errMoveAgain: moved before, or taken).
func putNew(item dynamo.Item) (types.TransactWriteItem, error, error) {
	expr, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name("PK"))).Build()
	if err != nil {
		return types.TransactWriteItem{}, err, nil
	}
	return types.TransactWriteItem{Put: &types.Put{Item: item, ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}}, nil, errMoveAgain
}

func deleteTx(holder, sk string) *dynamo.Tx {
	var tx dynamo.Tx
	tx.Delete(dynamo.UserPK(holder), sk, expression.ConditionBuilder{}, nil)
	return &tx
}

// Summary counts what the table keeps of person, for the confirmation of a merge.
func (d *Data) Summary(ctx context.Context, person string, now time.Time) (account.Summary, error) {
	var s account.Summary
	bookings, err := d.bookings(ctx, person)
	if err != nil {
		return s, err
	}
	slots := map[string]bool{}
	for _, b := range bookings {
		s.Bookings++
		starts, _ := time.Parse(time.RFC3339Nano, attr(b, "StartsAt"))
		if attr(b, "Status") != string(booking.StatusCancelled) && now.Before(starts) {
			s.Upcoming++
		}
		if attr(b, "OpenID") == person {
			slots[attr(b, "SlotID")] = true
		}
	}
	s.Slots = slices.Sorted(maps.Keys(slots))
	vs, err := d.volunteers(ctx, person)
	if err != nil {
		return s, err
	}
	for _, v := range vs {
		s.Volunteer = true
		for _, k := range []string{"CreditMinutes", "HonourMinutes"} {
			var n int
			if err := attributevalue.Unmarshal(v[k], &n); err == nil {
				s.VolunteerMinutes += n
			}
		}
	}
	ts, err := d.tickets(ctx, person)
	if err != nil {
		return s, err
	}
	s.Tickets = len(ts)
	for _, h := range holders(person, bookings) {
		items, err := d.partition(ctx, dynamo.UserPK(h))
		if err != nil {
			return s, err
		}
		for _, it := range items {
			switch sk := attr(it, "SK"); {
			case strings.HasPrefix(sk, dynamo.SKNoShowPrefix):
				s.Strikes++
			case h != person:
			case strings.HasPrefix(sk, dynamo.SKDependantPrefix):
				s.Dependants++
			case strings.HasPrefix(sk, dynamo.SKIdentityPrefix):
				s.Identities++
			case strings.HasPrefix(sk, dynamo.SKTopicPrefix):
				s.Subscriptions++
			}
		}
	}
	return s, nil
}
