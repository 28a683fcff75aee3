package assessmentdb

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/outboxdb"
	"github.com/wentitong/wentitong/shared/evaluator"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/notify"
)

// Surveys stores satisfaction surveys, their invitations and their answers.
type Surveys struct {
	DB    *dynamodb.Client
	Table string
}

var _ evaluator.SurveyStore = (*Surveys)(nil)

// surveyItem is an evaluator.Survey in the table, with its Paths and Seed, which the API
// never answers. Like every item here it names its attributes itself, so that renaming
// a field of the domain type changes no stored data.
type surveyItem struct {
	dynamo.Keys
	dynamo.GSI1
	ID          string        `dynamodbav:"ID"`
	Title       string        `dynamodbav:"Title"`
	Questions   []string      `dynamodbav:"Questions"`
	Districts   []string      `dynamodbav:"Districts"`
	Paths       []string      `dynamodbav:"Paths"`
	Days        int           `dynamodbav:"Days"`
	PerDistrict int           `dynamodbav:"PerDistrict"`
	FrameFrom   time.Time     `dynamodbav:"FrameFrom"`
	FrameTo     time.Time     `dynamodbav:"FrameTo"`
	ClosesAt    time.Time     `dynamodbav:"ClosesAt"`
	CreatedBy   string        `dynamodbav:"CreatedBy"`
	CreatedAt   time.Time     `dynamodbav:"CreatedAt"`
	Seed        string        `dynamodbav:"Seed"`
	Strata      []stratumAttr `dynamodbav:"Strata"`
	SentAt      time.Time     `dynamodbav:"SentAt"`
}

// stratumAttr is an evaluator.Stratum in a survey item.
type stratumAttr struct {
	DistrictID string `dynamodbav:"DistrictID"`
	Name       string `dynamodbav:"Name"`
	Frame      int    `dynamodbav:"Frame"`
	Sampled    int    `dynamodbav:"Sampled"`
}

func strataAttrs(strata []evaluator.Stratum) []stratumAttr {
	if strata == nil {
		return nil
	}
	out := make([]stratumAttr, 0, len(strata))
	for _, st := range strata {
		out = append(out, stratumAttr{DistrictID: st.DistrictID, Name: st.Name, Frame: st.Frame, Sampled: st.Sampled})
	}
	return out
}

func (it surveyItem) survey() evaluator.Survey {
	sv := evaluator.Survey{ID: it.ID, Title: it.Title, Questions: it.Questions, Districts: it.Districts, Paths: it.Paths, Days: it.Days,
		PerDistrict: it.PerDistrict, FrameFrom: it.FrameFrom, FrameTo: it.FrameTo, ClosesAt: it.ClosesAt, CreatedBy: it.CreatedBy,
		CreatedAt: it.CreatedAt, Seed: it.Seed, SentAt: it.SentAt}
	for _, st := range it.Strata {
		sv.Strata = append(sv.Strata, evaluator.Stratum{DistrictID: st.DistrictID, Name: st.Name, Frame: st.Frame, Sampled: st.Sampled})
	}
	return sv
}

// inviteItem is an evaluator.Invitation in the table.
type inviteItem struct {
	dynamo.Keys
	dynamo.GSI2
	SurveyID   string    `dynamodbav:"SurveyID"`
	OpenID     string    `dynamodbav:"OpenID"`
	DistrictID string    `dynamodbav:"DistrictID"`
	At         time.Time `dynamodbav:"At"`
}

// answerItem is an evaluator.Response in the table.
type answerItem struct {
	dynamo.Keys
	SurveyID   string    `dynamodbav:"SurveyID"`
	OpenID     string    `dynamodbav:"OpenID"`
	DistrictID string    `dynamodbav:"DistrictID"`
	Answers    []int     `dynamodbav:"Answers"`
	At         time.Time `dynamodbav:"At"`
}

func (it answerItem) response() evaluator.Response {
	return evaluator.Response{SurveyID: it.SurveyID, OpenID: it.OpenID, DistrictID: it.DistrictID, Answers: it.Answers, At: it.At}
}

// PutSurvey writes a new survey (IF new).
func (s *Surveys) PutSurvey(ctx context.Context, sv evaluator.Survey) error {
	return dynamo.Put(ctx, s.DB, s.Table, "put survey", surveyItem{Keys: dynamo.Keys{PK: dynamo.SurveyPK(sv.ID), SK: dynamo.SKSurvey},
		GSI1: dynamo.GSI1{PK: dynamo.GSISurveys, SK: dynamo.NanoKey(sv.CreatedAt) + "#" + sv.ID},
		ID:   sv.ID, Title: sv.Title, Questions: sv.Questions, Districts: sv.Districts, Paths: sv.Paths, Days: sv.Days,
		PerDistrict: sv.PerDistrict, FrameFrom: sv.FrameFrom, FrameTo: sv.FrameTo, ClosesAt: sv.ClosesAt, CreatedBy: sv.CreatedBy,
		CreatedAt: sv.CreatedAt, Seed: sv.Seed, Strata: strataAttrs(sv.Strata), SentAt: sv.SentAt},
		expression.AttributeNotExists(expression.Name("PK")))
}

// Survey returns a survey (consistent), or evaluator.ErrSurveyNotFound.
func (s *Surveys) Survey(ctx context.Context, id string) (evaluator.Survey, error) {
	if id == "" || len(id) > 64 {
		return evaluator.Survey{}, evaluator.ErrSurveyNotFound
	}
	it, err := dynamo.One[surveyItem](ctx, s.DB, s.Table, "get survey", dynamo.SurveyPK(id), dynamo.SKSurvey, true, evaluator.ErrSurveyNotFound)
	if err != nil {
		return evaluator.Survey{}, err
	}
	return it.survey(), nil
}

// Surveys returns every survey, the newest first (Query GSI1).
func (s *Surveys) Surveys(ctx context.Context) ([]evaluator.Survey, error) {
	return dynamo.QueryAllAs(ctx, s.DB, s.Table, "list surveys", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.GSISurveys, ""), Backward: true}, surveyItem.survey)
}

// Invited returns the surveys openid was invited to since since (Query GSI2).
func (s *Surveys) Invited(ctx context.Context, openid string, since time.Time) ([]string, error) {
	q := dynamo.Query{Index: "GSI2", Key: expression.Key("GSI2PK").Equal(expression.Value(dynamo.SurveyedPK(openid))).
		And(expression.Key("GSI2SK").GreaterThanEqual(expression.Value(dynamo.TimeKey(since))))}
	return dynamo.QueryAllAs(ctx, s.DB, s.Table, "list a person's survey invitations", q, func(it inviteItem) string { return it.SurveyID })
}

// errInvited is the invitation's condition failing: the person is invited already.
var errInvited = fault.New(fault.Conflict, "survey_invited", "该居民已收到过这份调查的邀请")

// Invite writes the invitation (IF new) and queues its message, in one transaction;
// ok is false when the person was invited already (nothing is written).
func (s *Surveys) Invite(ctx context.Context, inv evaluator.Invitation, m notify.Message) (bool, error) {
	var tx dynamo.Tx
	tx.Put(inviteItem{Keys: dynamo.Keys{PK: dynamo.SurveyPK(inv.SurveyID), SK: dynamo.InviteSK(inv.OpenID)}, GSI2: dynamo.GSI2{PK: dynamo.SurveyedPK(inv.OpenID), SK: dynamo.TimeKey(inv.At) + "#" + inv.SurveyID},
		SurveyID: inv.SurveyID, OpenID: inv.OpenID, DistrictID: inv.DistrictID, At: inv.At},
		expression.AttributeNotExists(expression.Name("PK")), errInvited)
	outboxdb.Queue(&tx, m)
	err := dynamo.Transact(ctx, s.DB, s.Table, "invite to survey", &tx)
	if errors.Is(err, errInvited) {
		return false, nil
	}
	return err == nil, err
}

// MarkSent sets the survey's strata and sending time IF it was not sent.
func (s *Surveys) MarkSent(ctx context.Context, id string, strata []evaluator.Stratum, at time.Time) error {
	_, err := dynamo.Update(ctx, s.DB, s.Table, "mark survey sent", dynamo.SurveyPK(id), dynamo.SKSurvey,
		expression.Set(expression.Name("Strata"), expression.Value(strataAttrs(strata))).Set(expression.Name("SentAt"), expression.Value(at.UTC())),
		expression.AttributeExists(expression.Name("PK")).And(expression.Name("SentAt").Equal(expression.Value(time.Time{}))),
		types.ReturnValueNone)
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return evaluator.ErrSurveySent
	}
	return err
}

// Invitation returns openid's invitation to a survey (consistent).
func (s *Surveys) Invitation(ctx context.Context, surveyID, openid string) (evaluator.Invitation, bool, error) {
	it, err := dynamo.One[inviteItem](ctx, s.DB, s.Table, "get survey invitation", dynamo.SurveyPK(surveyID), dynamo.InviteSK(openid), true, evaluator.ErrNotInvited)
	if errors.Is(err, evaluator.ErrNotInvited) {
		return evaluator.Invitation{}, false, nil
	}
	if err != nil {
		return evaluator.Invitation{}, false, err
	}
	return evaluator.Invitation{SurveyID: it.SurveyID, OpenID: it.OpenID, DistrictID: it.DistrictID, At: it.At}, true, nil
}

// Respond writes the answer IF the person has none; evaluator.ErrAnswered otherwise.
func (s *Surveys) Respond(ctx context.Context, r evaluator.Response) error {
	err := dynamo.Put(ctx, s.DB, s.Table, "answer survey", answerItem{Keys: dynamo.Keys{PK: dynamo.SurveyPK(r.SurveyID), SK: dynamo.AnswerSK(r.OpenID)},
		SurveyID: r.SurveyID, OpenID: r.OpenID, DistrictID: r.DistrictID, Answers: r.Answers, At: r.At},
		expression.AttributeNotExists(expression.Name("PK")))
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return evaluator.ErrAnswered
	}
	return err
}

// Answered reports whether openid answered the survey (consistent).
func (s *Surveys) Answered(ctx context.Context, surveyID, openid string) (bool, error) {
	_, err := dynamo.One[answerItem](ctx, s.DB, s.Table, "get survey answer", dynamo.SurveyPK(surveyID), dynamo.AnswerSK(openid), true, evaluator.ErrSurveyNotFound)
	if errors.Is(err, evaluator.ErrSurveyNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Responses returns the survey's answers (one Query of its partition).
func (s *Surveys) Responses(ctx context.Context, surveyID string) ([]evaluator.Response, error) {
	return dynamo.QueryAllAs(ctx, s.DB, s.Table, "list survey answers", dynamo.Query{Key: dynamo.Partition("", dynamo.SurveyPK(surveyID), dynamo.SKAnswerPfx)}, answerItem.response)
}
