package figuredb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/figure"
)

// Figures stores the cultural figures' calls, applications, scores and profiles.
type Figures struct {
	DB    *dynamodb.Client
	Table string
}

var _ figure.Store = (*Figures)(nil)

type callItem struct {
	PK       string `dynamodbav:"PK"`
	SK       string `dynamodbav:"SK"`
	Selected bool   `dynamodbav:"Selected"` // the condition of Select
	figure.Call
}

type applicantItem struct {
	PK            string `dynamodbav:"PK"`
	SK            string `dynamodbav:"SK"`
	ApplicationID string `dynamodbav:"ApplicationID"`
}

type applicationItem struct {
	PK     string `dynamodbav:"PK"`
	SK     string `dynamodbav:"SK"`
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
	OpenID string `dynamodbav:"openid"`
	figure.Application
}

type figureScoreItem struct {
	PK     string         `dynamodbav:"PK"`
	SK     string         `dynamodbav:"SK"`
	OpenID string         `dynamodbav:"openid"`
	Scores map[string]int `dynamodbav:"Scores"`
}

type figureItem struct {
	PK     string `dynamodbav:"PK"`
	SK     string `dynamodbav:"SK"`
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
	figure.Figure
}

// CreateCall writes a new call (attribute_not_exists).
func (s *Figures) CreateCall(ctx context.Context, c figure.Call) error {
	c.Ranking = dynamo.NilIfEmpty(c.Ranking)
	err := dynamo.Put(ctx, s.DB, s.Table, "create call", callItem{PK: dynamo.CallPK(c.Year), SK: dynamo.SKCall, Call: c},
		expression.AttributeNotExists(expression.Name("PK")))
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return figure.ErrCallExists
	}
	return err
}

// Call returns a year's call, or figure.ErrCallNotFound.
func (s *Figures) Call(ctx context.Context, year int) (figure.Call, error) {
	it, err := dynamo.One[callItem](ctx, s.DB, s.Table, "get call", dynamo.CallPK(year), dynamo.SKCall, false, figure.ErrCallNotFound)
	return it.Call, err
}

// AddApplication writes the application and the applicant's guard for its year
// (attribute_not_exists) in one transaction.
func (s *Figures) AddApplication(ctx context.Context, a figure.Application) error {
	a.Honours = dynamo.NilIfEmpty(a.Honours)
	notExists := expression.AttributeNotExists(expression.Name("PK"))
	var tx dynamo.Tx
	tx.Put(applicantItem{PK: dynamo.CallPK(a.Year), SK: dynamo.ApplicantSK(a.OpenID), ApplicationID: a.ID}, notExists, figure.ErrAlreadyApplied)
	tx.Put(applicationItem{PK: dynamo.ApplicationPK(a.ID), SK: dynamo.SKApplication,
		GSI1PK: dynamo.ApplicationsPK(a.Year), GSI1SK: dynamo.TimeKey(a.SubmittedAt) + "#" + a.ID, OpenID: a.OpenID, Application: a}, notExists, nil)
	return dynamo.Transact(ctx, s.DB, s.Table, "add application", &tx)
}

func (it applicationItem) application() figure.Application {
	a := it.Application
	a.OpenID, a.Honours, a.Works = it.OpenID, dynamo.EmptyIfNil(a.Honours), dynamo.EmptyIfNil(a.Works)
	return a
}

// Application returns one application, or figure.ErrApplicationUnknown.
func (s *Figures) Application(ctx context.Context, id string) (figure.Application, error) {
	return dynamo.OneAs(ctx, s.DB, s.Table, "get application", dynamo.ApplicationPK(id), dynamo.SKApplication, false, figure.ErrApplicationUnknown, applicationItem.application)
}

// Applications returns a year's applications, the earliest first (Query GSI1).
func (s *Figures) Applications(ctx context.Context, year int) ([]figure.Application, error) {
	items, err := dynamo.QueryAll[applicationItem](ctx, s.DB, s.Table, "list applications", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.ApplicationsPK(year), "")})
	if err != nil {
		return nil, err
	}
	return dynamo.Convert(items, func(it applicationItem) figure.Application { return it.application() }), nil
}

// PutScore writes a panel member's scores under the application's partition.
func (s *Figures) PutScore(ctx context.Context, applicationID, openid string, scores map[string]int) error {
	return dynamo.Put(ctx, s.DB, s.Table, "put score", figureScoreItem{
		PK: dynamo.ApplicationPK(applicationID), SK: dynamo.FigureScoreSK(openid), OpenID: openid, Scores: scores}, expression.ConditionBuilder{})
}

// Scores returns the panel's scores of an application (Query of its partition,
// begins_with SCORE#).
func (s *Figures) Scores(ctx context.Context, applicationID string) ([]map[string]int, error) {
	const op = "list scores"
	expr, err := expression.NewBuilder().WithKeyCondition(
		expression.Key("PK").Equal(expression.Value(dynamo.ApplicationPK(applicationID))).
			And(expression.Key("SK").BeginsWith(dynamo.FigureScoreSK("")))).Build()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	p := dynamodb.NewQueryPaginator(s.DB, &dynamodb.QueryInput{
		TableName: aws.String(s.Table), KeyConditionExpression: expr.KeyCondition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	})
	var out []map[string]int
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, dynamo.FormatError(op, err)
		}
		var items []figureScoreItem
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		for _, it := range items {
			out = append(out, it.Scores)
		}
	}
	return out, nil
}

func newFigureItem(f figure.Figure) figureItem {
	f.Honours = dynamo.NilIfEmpty(f.Honours)
	return figureItem{PK: dynamo.FigurePK(f.ID), SK: dynamo.SKFigure, GSI1PK: dynamo.GSIFigures, GSI1SK: f.DistrictPath + "#" + f.ID, Figure: f}
}

func (it figureItem) figure() figure.Figure {
	f := it.Figure
	f.Honours, f.Works, f.History = dynamo.EmptyIfNil(f.Honours), dynamo.EmptyIfNil(f.Works), dynamo.EmptyIfNil(f.History)
	return f
}

// Select writes the call with its ranking (condition: not selected yet) and the selected
// figures, in one TransactWriteItems of at most 1 + figure.TopN items.
func (s *Figures) Select(ctx context.Context, c figure.Call, figures []figure.Figure) error {
	c.Ranking = dynamo.NilIfEmpty(c.Ranking)
	var tx dynamo.Tx
	tx.Put(callItem{PK: dynamo.CallPK(c.Year), SK: dynamo.SKCall, Selected: true, Call: c},
		expression.Name("Selected").Equal(expression.Value(false)), figure.ErrAlreadySelected)
	for _, f := range figures {
		tx.Put(newFigureItem(f), expression.ConditionBuilder{}, nil)
	}
	return dynamo.Transact(ctx, s.DB, s.Table, "select figures", &tx)
}

// Figures returns the figures of a district's subtree (Query GSI1 FIGURES,
// begins_with path).
func (s *Figures) Figures(ctx context.Context, path string) ([]figure.Figure, error) {
	items, err := dynamo.QueryAll[figureItem](ctx, s.DB, s.Table, "list figures", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.GSIFigures, path)})
	if err != nil {
		return nil, err
	}
	out := make([]figure.Figure, 0, len(items))
	for _, it := range items {
		if path == "" || it.DistrictPath == path || strings.HasPrefix(it.DistrictPath, path+"/") {
			out = append(out, it.figure())
		}
	}
	return out, nil
}

// Figure returns one figure, or figure.ErrFigureNotFound.
func (s *Figures) Figure(ctx context.Context, id string) (figure.Figure, error) {
	return dynamo.OneAs(ctx, s.DB, s.Table, "get figure", dynamo.FigurePK(id), dynamo.SKFigure, false, figure.ErrFigureNotFound, figureItem.figure)
}

// SaveFigure writes the figure on condition that it is still at before.Version.
func (s *Figures) SaveFigure(ctx context.Context, before, after figure.Figure) error {
	err := dynamo.Put(ctx, s.DB, s.Table, "save figure", newFigureItem(after),
		expression.Name("Version").Equal(expression.Value(before.Version)))
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return figure.ErrFigureChanged
	}
	return err
}
