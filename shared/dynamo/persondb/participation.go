package persondb

import (
	"context"
	"crypto/rand"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/dynamo"
)

// A person's part in what others run, kept in those things' partitions under the
// person's id: film votes (POLL#<poll> / VOTE#<person>, found through their pointers),
// training attendances (TRAINING#<course> / ATTENDEE#<person>, GSI1 TRAINED#<person>),
// survey invitations and answers (SURVEY#<survey> / INVITE#<person> and
// ANSWER#<person>, GSI2 SURVEYED#<person>) and cultural figure applications
// (FIGAPP#<id> / FIGAPP with its guard FIGCALL#<year> / APPLICANT#<person>). A merge
// moves each to the survivor; the export lists them and the erasure anonymises them.

// Figure calls are yearly, from figureYears[0] to figureYears[1] (figure.Call.Validate);
// no index finds a person's applications, so their guards are read for every year.
var figureYears = [2]int{2000, 2100}

// attendances returns person's training attendances, read again from the table (GSI1
// lags it).
func (d *Data) attendances(ctx context.Context, person string) ([]dynamo.Item, error) {
	return d.reread(ctx, "person's trainings", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.TrainedPK(person), "")}, "OpenID", person)
}

// invitations returns person's survey invitations, read again from the table (GSI2
// lags it).
func (d *Data) invitations(ctx context.Context, person string) ([]dynamo.Item, error) {
	return d.reread(ctx, "person's surveys", dynamo.Query{Index: "GSI2", Key: dynamo.Partition("GSI2", dynamo.SurveyedPK(person), "")}, "OpenID", person)
}

// reread runs q on an index and reads each item it lists again from the table, keeping
// those whose attribute name still says person.
func (d *Data) reread(ctx context.Context, op string, q dynamo.Query, name, person string) ([]dynamo.Item, error) {
	listed, err := dynamo.QueryItems(ctx, d.DB, d.Table, op, q)
	if err != nil || len(listed) == 0 {
		return nil, err
	}
	keys := make([]dynamo.Item, 0, len(listed))
	for _, it := range listed {
		keys = append(keys, dynamo.Key(attr(it, "PK"), attr(it, "SK")))
	}
	items, err := dynamo.BatchGet(ctx, d.DB, d.Table, op, keys, true)
	var out []dynamo.Item
	for _, it := range items {
		if attr(it, name) == person {
			out = append(out, it)
		}
	}
	return out, err
}

// answer returns the answer that goes with an invitation, or nil.
func (d *Data) answer(ctx context.Context, invite dynamo.Item) (dynamo.Item, error) {
	sk := dynamo.SKAnswerPfx + strings.TrimPrefix(attr(invite, "SK"), dynamo.SKInvitePfx)
	return dynamo.GetItem(ctx, d.DB, d.Table, "survey answer", attr(invite, "PK"), sk, true)
}

// applications returns person's figure applications with their guards: the guards of
// the years they applied in (APPLICANT#<person>, and APPLICANT#<person>~<merged> that
// a merge kept beside it) and the applications they name.
func (d *Data) applications(ctx context.Context, person string) (guards, apps []dynamo.Item, err error) {
	var keys []dynamo.Item
	for y := figureYears[0]; y <= figureYears[1]; y++ {
		keys = append(keys, dynamo.Key(dynamo.CallPK(y), dynamo.ApplicantSK(person)))
	}
	own, err := dynamo.BatchGet(ctx, d.DB, d.Table, "person's figure applications", keys, true)
	if err != nil || len(own) == 0 {
		return nil, nil, err
	}
	for _, g := range own {
		gs, err := dynamo.QueryItems(ctx, d.DB, d.Table, "person's figure applications", dynamo.Query{
			Key: dynamo.Partition("", attr(g, "PK"), dynamo.ApplicantSK(person)), Consistent: true})
		if err != nil {
			return nil, nil, err
		}
		for _, it := range gs {
			if sk := attr(it, "SK"); sk == dynamo.ApplicantSK(person) || strings.HasPrefix(sk, dynamo.ApplicantSK(person)+"~") {
				guards = append(guards, it)
			}
		}
	}
	keys = keys[:0]
	for _, g := range guards {
		keys = append(keys, dynamo.Key(dynamo.ApplicationPK(attr(g, "ApplicationID")), dynamo.SKApplication))
	}
	apps, err = dynamo.BatchGet(ctx, d.DB, d.Table, "figure applications", keys, true)
	return guards, apps, err
}

// participation returns what person took part in (votes, attendances, invitations with
// their answers, applications with their guards), for the export.
func (d *Data) participation(ctx context.Context, person string) ([]dynamo.Item, error) {
	votes, err := d.votes(ctx, person)
	if err != nil {
		return nil, err
	}
	out := votes
	ts, err := d.attendances(ctx, person)
	if err != nil {
		return nil, err
	}
	out = append(out, ts...)
	invs, err := d.invitations(ctx, person)
	if err != nil {
		return nil, err
	}
	for _, inv := range invs {
		out = append(out, inv)
		a, err := d.answer(ctx, inv)
		if err != nil {
			return nil, err
		}
		if a != nil {
			out = append(out, a)
		}
	}
	_, apps, err := d.applications(ctx, person)
	return append(out, apps...), err
}

// moveParticipation moves from's votes, attendances, invitations and applications to
// the survivor, each in a transaction of its own with what goes with it and the tally.
func (r *run) moveParticipation(ctx context.Context) error {
	votes := func() ([]dynamo.Item, error) {
		return dynamo.QueryItems(ctx, r.DB, r.Table, "merged person's votes", dynamo.Query{
			Key: dynamo.Partition("", dynamo.UserPK(r.from), dynamo.SKVotedPrefix), Consistent: true})
	}
	if err := r.moveEach(votes, func(p dynamo.Item) error { return r.moveVote(ctx, p) }); err != nil {
		return err
	}
	attendances := func() ([]dynamo.Item, error) { return r.attendances(ctx, r.from) }
	if err := r.moveEach(attendances, func(t dynamo.Item) error { return r.moveAttendance(ctx, t) }); err != nil {
		return err
	}
	invitations := func() ([]dynamo.Item, error) { return r.invitations(ctx, r.from) }
	if err := r.moveEach(invitations, func(inv dynamo.Item) error { return r.moveInvitation(ctx, inv) }); err != nil {
		return err
	}
	var apps []dynamo.Item
	guards := func() (guards []dynamo.Item, err error) {
		guards, apps, err = r.applications(ctx, r.from)
		return guards, err
	}
	return r.moveEach(guards, func(g dynamo.Item) error {
		var app dynamo.Item
		for _, a := range apps {
			if attr(a, "ID") == attr(g, "ApplicationID") {
				app = a
			}
		}
		return r.moveApplication(ctx, g, app)
	})
}

// moveEach moves each item list finds with move, noting each outcome (done).
func (r *run) moveEach(list func() ([]dynamo.Item, error), move func(dynamo.Item) error) error {
	items, err := list()
	if err != nil {
		return err
	}
	for _, it := range items {
		if err := r.done(move(it)); err != nil {
			return err
		}
	}
	return nil
}

// holder is the holder from's record of a survey or a call (its sort key sk, under
// prefix) has with the survivor: into, or beside the survivor's own record there
// (<into>~<from>); one an earlier merge kept beside from's own (<from>~<x>) becomes
// <into>~<x>.
func (r *run) holder(ctx context.Context, pk, sk, prefix string) (string, error) {
	holder := r.into + strings.TrimPrefix(strings.TrimPrefix(sk, prefix), r.from)
	if holder != r.into {
		return holder, nil
	}
	mine, err := dynamo.GetItem(ctx, r.DB, r.Table, "survivor's record", pk, prefix+r.into, true)
	if err != nil || mine == nil {
		return holder, err
	}
	return besideHolder(r.into, r.from), nil
}

// moveVote moves the vote a pointer of from's names to the survivor (VOTE#<into>, its
// choice and time kept, its pointer with it). When the survivor voted in that poll too,
// the person keeps one vote, theirs: from's is deleted and its film's tally lowered by
// one, in the same transaction, so each tally still counts the votes there are.
func (r *run) moveVote(ctx context.Context, p dynamo.Item) error {
	poll := attr(p, "pollId")
	pk := dynamo.PollPK(poll)
	var tx dynamo.Tx
	tx.Delete(dynamo.UserPK(r.from), attr(p, "SK"), expression.AttributeExists(expression.Name("PK")), errMoveAgain)
	v, err := dynamo.GetItem(ctx, r.DB, r.Table, "vote to move", pk, attr(p, "vote"), true)
	if err != nil {
		return err
	}
	if v == nil { // a pointer to no vote (erased by hand): nothing to move
		r.tally.count(&tx, "records")
		return dynamo.Transact(ctx, r.DB, r.Table, "drop vote pointer", &tx)
	}
	mine, err := dynamo.GetItem(ctx, r.DB, r.Table, "survivor's vote", pk, dynamo.VoteSK(r.into), true)
	if err != nil {
		return err
	}
	var choice int
	if err := attributevalue.Unmarshal(v["choice"], &choice); err != nil {
		return err
	}
	tx.Delete(pk, attr(v, "SK"), expression.Name("choice").Equal(expression.Value(choice)), errMoveAgain)
	if mine != nil {
		tx.Update(pk, dynamo.SKTallyPrefix+strconv.Itoa(choice), expression.Add(expression.Name("n"), expression.Value(-1)),
			expression.Name("n").GreaterThan(expression.Value(0)), errMoveAgain)
		tx.Check(pk, dynamo.VoteSK(r.into), expression.AttributeExists(expression.Name("PK")), errMoveAgain)
		r.tally.count(&tx, "folded")
		return dynamo.Transact(ctx, r.DB, r.Table, "fold vote", &tx)
	}
	moved := copyItem(v)
	moved["SK"] = str(dynamo.VoteSK(r.into))
	tx.Add(putNew(moved))
	ptr := copyItem(p)
	ptr["PK"], ptr["SK"], ptr["vote"] = str(dynamo.UserPK(r.into)), str(dynamo.VotedSK(poll, r.into)), str(dynamo.VoteSK(r.into))
	tx.Add(putNew(ptr))
	r.tally.count(&tx, "votes")
	return dynamo.Transact(ctx, r.DB, r.Table, "move vote", &tx)
}

// moveAttendance moves one of from's training attendances to the survivor with its
// share of the year's totals (from's lowered by it, the survivor's raised). When the
// survivor's attendance of the course is recorded too, the person attended once: from's
// is deleted and from's totals lowered by it. Each person's totals add up the
// attendances they hold at every moment; from's totals item, emptied, is folded into
// the survivor's once every attendance moved (movePartition).
func (r *run) moveAttendance(ctx context.Context, it dynamo.Item) error {
	pk := attr(it, "PK")
	var tx dynamo.Tx
	tx.Delete(pk, attr(it, "SK"), expression.Name("OpenID").Equal(expression.Value(r.from)), errMoveAgain)
	mine, err := dynamo.GetItem(ctx, r.DB, r.Table, "survivor's attendance", pk, dynamo.AttendeeSK(r.into), true)
	if err != nil {
		return err
	}
	var a struct {
		Date       time.Time `dynamodbav:"Date"`
		Days       float64   `dynamodbav:"Days"`
		ClassHours float64   `dynamodbav:"ClassHours"`
	}
	if err := attributevalue.UnmarshalMap(it, &a); err != nil {
		return err
	}
	totals := func(person string, sign float64) {
		tx.Update(dynamo.UserPK(person), dynamo.TrainingTotalsSK(a.Date.In(beijing.Zone).Year()),
			expression.Add(expression.Name("Days"), expression.Value(sign*a.Days)).
				Add(expression.Name("RemoteHours"), expression.Value(sign*a.ClassHours)).
				Set(expression.Name("openid"), expression.Value(person)), expression.ConditionBuilder{}, nil)
	}
	totals(r.from, -1)
	if mine != nil {
		tx.Check(pk, dynamo.AttendeeSK(r.into), expression.AttributeExists(expression.Name("PK")), errMoveAgain)
		r.tally.count(&tx, "folded")
		return dynamo.Transact(ctx, r.DB, r.Table, "fold attendance", &tx)
	}
	totals(r.into, 1)
	moved := copyItem(it)
	moved["SK"], moved["OpenID"], moved["GSI1PK"] = str(dynamo.AttendeeSK(r.into)), str(r.into), str(dynamo.TrainedPK(r.into))
	tx.Add(putNew(moved))
	r.tally.count(&tx, "trainings")
	return dynamo.Transact(ctx, r.DB, r.Table, "move attendance", &tx)
}

// moveInvitation moves one of from's survey invitations, with its answer, to the
// survivor. When the survivor was invited to the survey too, from's is kept beside
// theirs (INVITE#<into>~<from>, its answer ANSWER#<into>~<from>), as a booking of a
// session both booked is: the survey's invitations and answers, which its results and
// response rate count, stay as they were.
func (r *run) moveInvitation(ctx context.Context, inv dynamo.Item) error {
	pk := attr(inv, "PK")
	holder, err := r.holder(ctx, pk, attr(inv, "SK"), dynamo.SKInvitePfx)
	if err != nil {
		return err
	}
	ans, err := r.answer(ctx, inv)
	if err != nil {
		return err
	}
	var tx dynamo.Tx
	tx.Delete(pk, attr(inv, "SK"), expression.Name("OpenID").Equal(expression.Value(r.from)), errMoveAgain)
	moved := copyItem(inv)
	moved["SK"], moved["OpenID"], moved["GSI2PK"] = str(dynamo.InviteSK(holder)), str(r.into), str(dynamo.SurveyedPK(r.into))
	tx.Add(putNew(moved))
	if ans != nil {
		tx.Delete(pk, attr(ans, "SK"), expression.AttributeExists(expression.Name("PK")), errMoveAgain)
		a := copyItem(ans)
		a["SK"], a["OpenID"] = str(dynamo.AnswerSK(holder)), str(r.into)
		tx.Add(putNew(a))
	}
	r.tally.count(&tx, "surveys")
	return dynamo.Transact(ctx, r.DB, r.Table, "move invitation", &tx)
}

// moveApplication moves one of from's figure applications to the survivor: its guard
// (APPLICANT#<into>, or beside the survivor's own application of that year,
// APPLICANT#<into>~<from>: the panel scored both, and the call's ranking names both)
// and the application's applicant.
func (r *run) moveApplication(ctx context.Context, guard, app dynamo.Item) error {
	pk := attr(guard, "PK")
	holder, err := r.holder(ctx, pk, attr(guard, "SK"), dynamo.SKApplicantPrefix)
	if err != nil {
		return err
	}
	var tx dynamo.Tx
	tx.Delete(pk, attr(guard, "SK"), expression.AttributeExists(expression.Name("PK")), errMoveAgain)
	moved := copyItem(guard)
	moved["SK"] = str(dynamo.ApplicantSK(holder))
	tx.Add(putNew(moved))
	if app != nil {
		tx.Update(attr(app, "PK"), attr(app, "SK"), expression.Set(expression.Name("openid"), expression.Value(r.into)).
			Set(expression.Name("OpenID"), expression.Value(r.into)), expression.Name("openid").Equal(expression.Value(r.from)), errMoveAgain)
	}
	r.tally.count(&tx, "figures")
	return dynamo.Transact(ctx, r.DB, r.Table, "move application", &tx)
}

// eraseParticipation anonymises person's part in what others run, as eraseVotes does
// for votes: an attendance and an invitation (with its answer) move to anon (the
// courses' attendance and the surveys' results and response rates stay), an
// application keeps its year, discipline and district without its name, biography,
// works and honours; their pointers and totals go with the partition.
func (d *Data) eraseParticipation(ctx context.Context, person, anon string) (int, error) {
	n := 0
	// The training totals first, which the attendances then add up under anon.
	sums, err := dynamo.QueryItems(ctx, d.DB, d.Table, "person's training totals", dynamo.Query{
		Key: dynamo.Partition("", dynamo.UserPK(person), dynamo.SKTrainingSum), Consistent: true})
	if err != nil {
		return n, err
	}
	for _, it := range sums {
		moved := copyItem(it)
		moved["PK"], moved["openid"] = str(dynamo.UserPK(anon)), str(anon)
		var tx dynamo.Tx
		tx.Delete(attr(it, "PK"), attr(it, "SK"), expression.AttributeExists(expression.Name("PK")), nil)
		tx.Add(types.TransactWriteItem{Put: &types.Put{Item: moved}}, nil, nil)
		if err := dynamo.Transact(ctx, d.DB, d.Table, "anonymise training totals", &tx); err != nil {
			return n, err
		}
	}
	ts, err := d.attendances(ctx, person)
	if err != nil {
		return n, err
	}
	for _, it := range ts {
		moved := copyItem(it)
		moved["SK"], moved["OpenID"], moved["GSI1PK"] = str(dynamo.AttendeeSK(anon)), str(anon), str(dynamo.TrainedPK(anon))
		var tx dynamo.Tx
		tx.Delete(attr(it, "PK"), attr(it, "SK"), expression.AttributeExists(expression.Name("PK")), nil)
		tx.Add(types.TransactWriteItem{Put: &types.Put{Item: moved}}, nil, nil)
		if err := dynamo.Transact(ctx, d.DB, d.Table, "anonymise attendance", &tx); err != nil {
			return n, err
		}
		n++
	}
	invs, err := d.invitations(ctx, person)
	if err != nil {
		return n, err
	}
	for _, inv := range invs {
		ans, err := d.answer(ctx, inv)
		if err != nil {
			return n, err
		}
		holder := apart(anon, strings.TrimPrefix(attr(inv, "SK"), dynamo.SKInvitePfx), person)
		var tx dynamo.Tx
		tx.Delete(attr(inv, "PK"), attr(inv, "SK"), expression.AttributeExists(expression.Name("PK")), nil)
		moved := copyItem(inv)
		moved["SK"], moved["OpenID"], moved["GSI2PK"] = str(dynamo.InviteSK(holder)), str(anon), str(dynamo.SurveyedPK(anon))
		tx.Add(types.TransactWriteItem{Put: &types.Put{Item: moved}}, nil, nil)
		if ans != nil {
			tx.Delete(attr(ans, "PK"), attr(ans, "SK"), expression.AttributeExists(expression.Name("PK")), nil)
			a := copyItem(ans)
			a["SK"], a["OpenID"] = str(dynamo.AnswerSK(holder)), str(anon)
			tx.Add(types.TransactWriteItem{Put: &types.Put{Item: a}}, nil, nil)
		}
		if err := dynamo.Transact(ctx, d.DB, d.Table, "anonymise invitation", &tx); err != nil {
			return n, err
		}
		n++
	}
	guards, apps, err := d.applications(ctx, person)
	if err != nil {
		return n, err
	}
	for _, app := range apps {
		var tx dynamo.Tx
		tx.Update(attr(app, "PK"), attr(app, "SK"), expression.Set(expression.Name("openid"), expression.Value(anon)).
			Set(expression.Name("OpenID"), expression.Value(anon)).
			Set(expression.Name("Name"), expression.Value(erasedName)).
			Set(expression.Name("Bio"), expression.Value(erasedText)).
			Set(expression.Name("Works"), expression.Value([]string{erasedText})).
			Set(expression.Name("Honours"), expression.Value([]string{erasedText})), expression.AttributeExists(expression.Name("PK")), nil)
		if err := dynamo.Transact(ctx, d.DB, d.Table, "anonymise application", &tx); err != nil {
			return n, err
		}
		n++
	}
	for _, g := range guards {
		moved := copyItem(g)
		moved["SK"] = str(dynamo.ApplicantSK(apart(anon, strings.TrimPrefix(attr(g, "SK"), dynamo.SKApplicantPrefix), person)))
		var tx dynamo.Tx
		tx.Delete(attr(g, "PK"), attr(g, "SK"), expression.AttributeExists(expression.Name("PK")), nil)
		tx.Add(types.TransactWriteItem{Put: &types.Put{Item: moved}}, nil, nil)
		if err := dynamo.Transact(ctx, d.DB, d.Table, "anonymise applicant", &tx); err != nil {
			return n, err
		}
	}
	return n, nil
}

// apart is the anonymous holder of a record held as holder (person's own, or
// <person>~<merged> that a merge kept beside it): anon, or anon~<random> for one kept
// beside, so that the two stay apart without naming the merged person.
func apart(anon, holder, person string) string {
	if holder == person {
		return anon
	}
	return anon + "~" + strings.ToLower(rand.Text()[:8])
}
