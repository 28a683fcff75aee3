package figuredb

import (
	"context"
	"errors"
	"strings"
	"time"

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

// The items below name their attributes here, not by the domain types, so that renaming
// a field there changes no stored data.

// callItem is a figure.Call in the table.
type callItem struct {
	dynamo.Keys
	Selected   bool         `dynamodbav:"Selected"` // the condition of Select
	Year       int          `dynamodbav:"Year"`
	OpensAt    time.Time    `dynamodbav:"OpensAt"`
	ClosesAt   time.Time    `dynamodbav:"ClosesAt"`
	Panel      []string     `dynamodbav:"Panel"`
	PanelSize  int          `dynamodbav:"PanelSize"`
	SelectedAt time.Time    `dynamodbav:"SelectedAt"`
	Ranking    []rankedAttr `dynamodbav:"Ranking"`
}

// rankedAttr is a figure.Ranked in a call's ranking.
type rankedAttr struct {
	ApplicationID string  `dynamodbav:"ApplicationID"`
	Name          string  `dynamodbav:"Name"`
	Scores        int     `dynamodbav:"Scores"`
	Mean          float64 `dynamodbav:"Mean"`
	Rank          int     `dynamodbav:"Rank"`
	Selected      bool    `dynamodbav:"Selected"`
	Reason        string  `dynamodbav:"Reason"`
}

// newCallItem is c's item; an empty ranking is stored as none.
func newCallItem(c figure.Call, selected bool) callItem {
	it := callItem{Keys: dynamo.Keys{PK: dynamo.CallPK(c.Year), SK: dynamo.SKCall}, Selected: selected, Year: c.Year, OpensAt: c.OpensAt,
		ClosesAt: c.ClosesAt, Panel: c.Panel, PanelSize: c.PanelSize, SelectedAt: c.SelectedAt}
	for _, r := range c.Ranking {
		it.Ranking = append(it.Ranking, rankedAttr{ApplicationID: r.ApplicationID, Name: r.Name, Scores: r.Scores, Mean: r.Mean,
			Rank: r.Rank, Selected: r.Selected, Reason: r.Reason})
	}
	return it
}

func (it callItem) call() figure.Call {
	c := figure.Call{Year: it.Year, OpensAt: it.OpensAt, ClosesAt: it.ClosesAt, Panel: it.Panel, PanelSize: it.PanelSize, SelectedAt: it.SelectedAt}
	for _, r := range it.Ranking {
		c.Ranking = append(c.Ranking, figure.Ranked{ApplicationID: r.ApplicationID, Name: r.Name, Scores: r.Scores, Mean: r.Mean,
			Rank: r.Rank, Selected: r.Selected, Reason: r.Reason})
	}
	return c
}

type applicantItem struct {
	dynamo.Keys
	ApplicationID string `dynamodbav:"ApplicationID"`
}

// applicationItem is a figure.Application in the table.
type applicationItem struct {
	dynamo.Keys
	dynamo.GSI1
	OpenID       string    `dynamodbav:"openid"`
	Applicant    string    `dynamodbav:"OpenID"` // the same openid, as the item has always held it twice
	ID           string    `dynamodbav:"ID"`
	Year         int       `dynamodbav:"Year"`
	Name         string    `dynamodbav:"Name"`
	Discipline   string    `dynamodbav:"Discipline"`
	DistrictID   string    `dynamodbav:"DistrictID"`
	DistrictPath string    `dynamodbav:"DistrictPath"`
	Bio          string    `dynamodbav:"Bio"`
	Works        []string  `dynamodbav:"Works"`
	Honours      []string  `dynamodbav:"Honours"`
	SubmittedAt  time.Time `dynamodbav:"SubmittedAt"`
}

type figureScoreItem struct {
	dynamo.Keys
	OpenID string         `dynamodbav:"openid"`
	Scores map[string]int `dynamodbav:"Scores"`
}

// figureItem is a figure.Figure in the table.
type figureItem struct {
	dynamo.Keys
	dynamo.GSI1
	ID           string       `dynamodbav:"ID"`
	Name         string       `dynamodbav:"Name"`
	Discipline   string       `dynamodbav:"Discipline"`
	DistrictID   string       `dynamodbav:"DistrictID"`
	DistrictPath string       `dynamodbav:"DistrictPath"`
	Bio          string       `dynamodbav:"Bio"`
	Works        []string     `dynamodbav:"Works"`
	Honours      []string     `dynamodbav:"Honours"`
	Year         int          `dynamodbav:"Year"`
	Rank         int          `dynamodbav:"Rank"`
	Status       string       `dynamodbav:"Status"`
	NextReviewAt time.Time    `dynamodbav:"NextReviewAt"`
	History      []changeAttr `dynamodbav:"History"`
	Version      int          `dynamodbav:"Version"`
}

// changeAttr is a figure.Change in a figure's history.
type changeAttr struct {
	At     time.Time `dynamodbav:"At"`
	Status string    `dynamodbav:"Status"`
	Reason string    `dynamodbav:"Reason"`
	By     string    `dynamodbav:"By"`
}

// CreateCall writes a new call (attribute_not_exists).
func (s *Figures) CreateCall(ctx context.Context, c figure.Call) error {
	err := dynamo.Put(ctx, s.DB, s.Table, "create call", newCallItem(c, false),
		expression.AttributeNotExists(expression.Name("PK")))
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return figure.ErrCallExists
	}
	return err
}

// Call returns a year's call, or figure.ErrCallNotFound.
func (s *Figures) Call(ctx context.Context, year int) (figure.Call, error) {
	return dynamo.OneAs(ctx, s.DB, s.Table, "get call", dynamo.CallPK(year), dynamo.SKCall, false, figure.ErrCallNotFound, callItem.call)
}

// AddApplication writes the application and the applicant's guard for its year
// (attribute_not_exists) in one transaction.
func (s *Figures) AddApplication(ctx context.Context, a figure.Application) error {
	notExists := expression.AttributeNotExists(expression.Name("PK"))
	var tx dynamo.Tx
	tx.Put(applicantItem{Keys: dynamo.Keys{PK: dynamo.CallPK(a.Year), SK: dynamo.ApplicantSK(a.OpenID)}, ApplicationID: a.ID}, notExists, figure.ErrAlreadyApplied)
	tx.Put(applicationItem{Keys: dynamo.Keys{PK: dynamo.ApplicationPK(a.ID), SK: dynamo.SKApplication},
		GSI1: dynamo.GSI1{PK: dynamo.ApplicationsPK(a.Year), SK: dynamo.TimeKey(a.SubmittedAt) + "#" + a.ID}, OpenID: a.OpenID, Applicant: a.OpenID,
		ID: a.ID, Year: a.Year, Name: a.Name, Discipline: a.Discipline, DistrictID: a.DistrictID, DistrictPath: a.DistrictPath,
		Bio: a.Bio, Works: a.Works, Honours: dynamo.NilIfEmpty(a.Honours), SubmittedAt: a.SubmittedAt}, notExists, nil)
	return dynamo.Transact(ctx, s.DB, s.Table, "add application", &tx)
}

func (it applicationItem) application() figure.Application {
	return figure.Application{ID: it.ID, Year: it.Year, OpenID: it.OpenID, Name: it.Name, Discipline: it.Discipline,
		DistrictID: it.DistrictID, DistrictPath: it.DistrictPath, Bio: it.Bio, Works: dynamo.EmptyIfNil(it.Works),
		Honours: dynamo.EmptyIfNil(it.Honours), SubmittedAt: it.SubmittedAt}
}

// Application returns one application, or figure.ErrApplicationUnknown.
func (s *Figures) Application(ctx context.Context, id string) (figure.Application, error) {
	return dynamo.OneAs(ctx, s.DB, s.Table, "get application", dynamo.ApplicationPK(id), dynamo.SKApplication, false, figure.ErrApplicationUnknown, applicationItem.application)
}

// Applications returns a year's applications, the earliest first (Query GSI1).
func (s *Figures) Applications(ctx context.Context, year int) ([]figure.Application, error) {
	return dynamo.QueryAllAs(ctx, s.DB, s.Table, "list applications", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.ApplicationsPK(year), "")}, applicationItem.application)
}

// PutScore writes a panel member's scores under the application's partition.
func (s *Figures) PutScore(ctx context.Context, applicationID, openid string, scores map[string]int) error {
	return dynamo.Put(ctx, s.DB, s.Table, "put score", figureScoreItem{
		Keys: dynamo.Keys{PK: dynamo.ApplicationPK(applicationID), SK: dynamo.FigureScoreSK(openid)}, OpenID: openid, Scores: scores}, expression.ConditionBuilder{})
}

// Scores returns the panel's scores of an application (Query of its partition,
// begins_with SCORE#).
func (s *Figures) Scores(ctx context.Context, applicationID string) ([]map[string]int, error) {
	return dynamo.QueryAllAs(ctx, s.DB, s.Table, "list scores", dynamo.Query{Key: dynamo.Partition("", dynamo.ApplicationPK(applicationID), dynamo.FigureScoreSK(""))},
		func(it figureScoreItem) map[string]int { return it.Scores })
}

func newFigureItem(f figure.Figure) figureItem {
	it := figureItem{Keys: dynamo.Keys{PK: dynamo.FigurePK(f.ID), SK: dynamo.SKFigure}, GSI1: dynamo.GSI1{PK: dynamo.GSIFigures, SK: f.DistrictPath + "#" + f.ID},
		ID: f.ID, Name: f.Name, Discipline: f.Discipline, DistrictID: f.DistrictID, DistrictPath: f.DistrictPath, Bio: f.Bio,
		Works: f.Works, Honours: dynamo.NilIfEmpty(f.Honours), Year: f.Year, Rank: f.Rank, Status: f.Status,
		NextReviewAt: f.NextReviewAt, Version: f.Version}
	if f.History != nil {
		it.History = []changeAttr{}
	}
	for _, c := range f.History {
		it.History = append(it.History, changeAttr{At: c.At, Status: c.Status, Reason: c.Reason, By: c.By})
	}
	return it
}

func (it figureItem) figure() figure.Figure {
	f := figure.Figure{ID: it.ID, Name: it.Name, Discipline: it.Discipline, DistrictID: it.DistrictID, DistrictPath: it.DistrictPath,
		Bio: it.Bio, Works: dynamo.EmptyIfNil(it.Works), Honours: dynamo.EmptyIfNil(it.Honours), Year: it.Year, Rank: it.Rank,
		Status: it.Status, NextReviewAt: it.NextReviewAt, History: []figure.Change{}, Version: it.Version}
	for _, c := range it.History {
		f.History = append(f.History, figure.Change{At: c.At, Status: c.Status, Reason: c.Reason, By: c.By})
	}
	return f
}

// Select writes the call with its ranking (condition: not selected yet) and the selected
// figures, in one TransactWriteItems of at most 1 + figure.TopN items.
func (s *Figures) Select(ctx context.Context, c figure.Call, figures []figure.Figure) error {
	var tx dynamo.Tx
	tx.Put(newCallItem(c, true),
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
