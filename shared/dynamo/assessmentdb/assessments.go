package assessmentdb

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/shared/assessment"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/fault"
)

// Assessments stores the yearly assessments: schemes, self-reports and their evidence,
// published results. Every change of a year's assessment is a transaction that checks
// its results are not published, so nothing changes under a published result.
type Assessments struct {
	DB    *dynamodb.Client
	Table string
}

var _ assessment.Store = (*Assessments)(nil)

// The items below name their attributes here, not by the domain types, so that renaming
// a field there changes no stored data.

// schemeAttr is an assessment.Scheme, in its item and in the result's header.
type schemeAttr struct {
	Year       int             `dynamodbav:"Year"`
	Level      string          `dynamodbav:"Level"`
	Indicators []indicatorAttr `dynamodbav:"Indicators"`
	Selection  selectionAttr   `dynamodbav:"Selection"`
}

type indicatorAttr struct {
	ID      string  `dynamodbav:"ID"`
	Name    string  `dynamodbav:"Name"`
	Weight  float64 `dynamodbav:"Weight"`
	Measure string  `dynamodbav:"Measure"`
	Target  float64 `dynamodbav:"Target"`
	Guide   string  `dynamodbav:"Guide"`
}

type selectionAttr struct {
	Count    int     `dynamodbav:"Count"`
	MinScore float64 `dynamodbav:"MinScore"`
}

func newSchemeAttr(s assessment.Scheme) schemeAttr {
	return schemeAttr{Year: s.Year, Level: string(s.Level), Selection: selectionAttr{Count: s.Selection.Count, MinScore: s.Selection.MinScore},
		Indicators: dynamo.ConvertList(s.Indicators, func(in assessment.Indicator) indicatorAttr {
			return indicatorAttr{ID: in.ID, Name: in.Name, Weight: in.Weight, Measure: string(in.Measure), Target: in.Target, Guide: in.Guide}
		})}
}

func (a schemeAttr) scheme() assessment.Scheme {
	return assessment.Scheme{Year: a.Year, Level: assessment.Level(a.Level), Selection: assessment.Selection{Count: a.Selection.Count, MinScore: a.Selection.MinScore},
		Indicators: dynamo.ConvertList(a.Indicators, func(in indicatorAttr) assessment.Indicator {
			return assessment.Indicator{ID: in.ID, Name: in.Name, Weight: in.Weight, Measure: assessment.Measure(in.Measure), Target: in.Target, Guide: in.Guide}
		})}
}

type schemeItem struct {
	dynamo.Keys
	schemeAttr
}

// reportItem is an assessment.SelfReport, with who submitted and reviewed it, and its
// version.
type reportItem struct {
	dynamo.Keys
	Year        int            `dynamodbav:"Year"`
	Level       string         `dynamodbav:"Level"`
	Unit        string         `dynamodbav:"Unit"`
	Indicator   string         `dynamodbav:"Indicator"`
	Value       float64        `dynamodbav:"Value"`
	Note        string         `dynamodbav:"Note"`
	Evidence    []evidenceAttr `dynamodbav:"Evidence"`
	Status      string         `dynamodbav:"Status"`
	SubmittedBy string         `dynamodbav:"SubmittedBy"`
	SubmittedAt time.Time      `dynamodbav:"SubmittedAt"`
	Accepted    *float64       `dynamodbav:"Accepted"`
	Comment     string         `dynamodbav:"Comment"`
	ReviewedBy  string         `dynamodbav:"ReviewedBy"`
	ReviewedAt  time.Time      `dynamodbav:"ReviewedAt"`
	Version     int            `dynamodbav:"Version"`
}

func newReportItem(r assessment.SelfReport) reportItem {
	return reportItem{Keys: dynamo.Keys{PK: dynamo.AssessPK(r.Year, string(r.Level)), SK: dynamo.ReportSK(r.Unit, r.Indicator)},
		Year: r.Year, Level: string(r.Level), Unit: r.Unit, Indicator: r.Indicator, Value: r.Value, Note: r.Note,
		Evidence: dynamo.ConvertList(dynamo.NilIfEmpty(r.Evidence), newEvidenceAttr), // the embedded engine cannot read back an empty list
		Status:   r.Status, SubmittedBy: r.SubmittedBy, SubmittedAt: r.SubmittedAt, Accepted: r.Accepted, Comment: r.Comment,
		ReviewedBy: r.ReviewedBy, ReviewedAt: r.ReviewedAt, Version: r.Version}
}

func (it reportItem) report() assessment.SelfReport {
	return assessment.SelfReport{Year: it.Year, Level: assessment.Level(it.Level), Unit: it.Unit, Indicator: it.Indicator, Value: it.Value,
		Note: it.Note, Evidence: dynamo.Convert(it.Evidence, evidenceAttr.evidence), Status: it.Status, SubmittedBy: it.SubmittedBy,
		SubmittedAt: it.SubmittedAt, Accepted: it.Accepted, Comment: it.Comment, ReviewedBy: it.ReviewedBy, ReviewedAt: it.ReviewedAt,
		Version: it.Version}
}

// evidenceAttr is an assessment.Evidence, with who uploaded it.
type evidenceAttr struct {
	ID         string    `dynamodbav:"ID"`
	Name       string    `dynamodbav:"Name"`
	Type       string    `dynamodbav:"Type"`
	Size       int       `dynamodbav:"Size"`
	SHA256     string    `dynamodbav:"SHA256"`
	UploadedBy string    `dynamodbav:"UploadedBy"`
	UploadedAt time.Time `dynamodbav:"UploadedAt"`
}

func newEvidenceAttr(e assessment.Evidence) evidenceAttr {
	return evidenceAttr{ID: e.ID, Name: e.Name, Type: e.Type, Size: e.Size, SHA256: e.SHA256, UploadedBy: e.UploadedBy, UploadedAt: e.UploadedAt}
}

func (a evidenceAttr) evidence() assessment.Evidence {
	return assessment.Evidence{ID: a.ID, Name: a.Name, Type: a.Type, Size: a.Size, SHA256: a.SHA256, UploadedBy: a.UploadedBy, UploadedAt: a.UploadedAt}
}

type evidenceItem struct {
	dynamo.Keys
	evidenceAttr
	Content []byte `dynamodbav:"content"`
}

type resultItem struct {
	dynamo.Keys
	Batch       string     `dynamodbav:"batch"`
	Units       int        `dynamodbav:"units"`
	Scheme      schemeAttr `dynamodbav:"scheme"`
	PublishedAt time.Time  `dynamodbav:"publishedAt"`
}

// resultUnitItem is an assessment.Unit of a published result.
type resultUnitItem struct {
	dynamo.Keys
	ID       string     `dynamodbav:"ID"`
	Name     string     `dynamodbav:"Name"`
	ParentID string     `dynamodbav:"ParentID"`
	Lines    []lineAttr `dynamodbav:"Lines"`
	Total    float64    `dynamodbav:"Total"`
	Rank     int        `dynamodbav:"Rank"`
	Selected bool       `dynamodbav:"Selected"`
}

type lineAttr struct {
	Indicator string   `dynamodbav:"Indicator"`
	Value     *float64 `dynamodbav:"Value"`
	Points    float64  `dynamodbav:"Points"`
	Note      string   `dynamodbav:"Note"`
}

func newResultUnitItem(pk, batch string, u assessment.Unit) resultUnitItem {
	return resultUnitItem{Keys: dynamo.Keys{PK: pk, SK: dynamo.ResultUnitSK(batch, u.ID)}, ID: u.ID, Name: u.Name, ParentID: u.ParentID,
		Total: u.Total, Rank: u.Rank, Selected: u.Selected, Lines: dynamo.ConvertList(u.Lines, func(l assessment.Line) lineAttr {
			return lineAttr{Indicator: l.Indicator, Value: l.Value, Points: l.Points, Note: l.Note}
		})}
}

func (it resultUnitItem) unit() assessment.Unit {
	return assessment.Unit{ID: it.ID, Name: it.Name, ParentID: it.ParentID, Total: it.Total, Rank: it.Rank, Selected: it.Selected,
		Lines: dynamo.ConvertList(it.Lines, func(l lineAttr) assessment.Line {
			return assessment.Line{Indicator: l.Indicator, Value: l.Value, Points: l.Points, Note: l.Note}
		})}
}

// unpublished is the check, in a transaction, that a year's level is not published.
func unpublished(tx *dynamo.Tx, year int, level assessment.Level) {
	tx.Check(dynamo.AssessPK(year, string(level)), dynamo.SKResult, expression.AttributeNotExists(expression.Name("PK")), assessment.ErrPublished)
}

// PutScheme writes a year's scheme for its level; assessment.ErrPublished once its
// results are.
func (a *Assessments) PutScheme(ctx context.Context, s assessment.Scheme) error {
	var tx dynamo.Tx
	unpublished(&tx, s.Year, s.Level)
	tx.Put(schemeItem{Keys: dynamo.Keys{PK: dynamo.AssessPK(s.Year, string(s.Level)), SK: dynamo.SKScheme}, schemeAttr: newSchemeAttr(s)}, expression.ConditionBuilder{}, nil)
	return dynamo.Transact(ctx, a.DB, a.Table, "put assessment scheme", &tx)
}

// Scheme returns a year's scheme of a level, or assessment.ErrSchemeNotFound.
func (a *Assessments) Scheme(ctx context.Context, year int, level assessment.Level) (assessment.Scheme, error) {
	return dynamo.OneAs(ctx, a.DB, a.Table, "get assessment scheme", dynamo.AssessPK(year, string(level)), dynamo.SKScheme, true, assessment.ErrSchemeNotFound, schemeItem.scheme)
}

// versioned is the condition that an item is at version was (absent for 0).
func versioned(was int) expression.ConditionBuilder {
	if was == 0 {
		return expression.AttributeNotExists(expression.Name("PK"))
	}
	return expression.Name("Version").Equal(expression.Value(was))
}

// PutReport writes a self-report at its version, conditioned on the stored one being
// was; fault.ErrConflict when it moved, assessment.ErrPublished once the results are.
func (a *Assessments) PutReport(ctx context.Context, r assessment.SelfReport, was int) error {
	var tx dynamo.Tx
	unpublished(&tx, r.Year, r.Level)
	tx.Put(newReportItem(r), versioned(was), fault.ErrConflict)
	return dynamo.Transact(ctx, a.DB, a.Table, "put self-report", &tx)
}

// Report returns a unit's self-report of an indicator (consistent).
func (a *Assessments) Report(ctx context.Context, year int, level assessment.Level, unit, indicator string) (assessment.SelfReport, bool, error) {
	it, found, err := dynamo.Get[reportItem](ctx, a.DB, a.Table, "get self-report", dynamo.AssessPK(year, string(level)), dynamo.ReportSK(unit, indicator), true)
	if err != nil || !found {
		return assessment.SelfReport{}, false, err
	}
	return it.report(), true, nil
}

// Reports returns the self-reports of a level's year, of one unit when unit is not ""
// (one Query of the partition).
func (a *Assessments) Reports(ctx context.Context, year int, level assessment.Level, unit string) ([]assessment.SelfReport, error) {
	prefix := dynamo.SKReportPfx
	if unit != "" {
		prefix = dynamo.ReportSK(unit, "")
	}
	return dynamo.QueryAllAs(ctx, a.DB, a.Table, "list self-reports", dynamo.Query{Key: dynamo.Partition("", dynamo.AssessPK(year, string(level)), prefix), Consistent: true}, reportItem.report)
}

// AddEvidence writes an evidence file and the report listing it, in one transaction
// conditioned as PutReport.
func (a *Assessments) AddEvidence(ctx context.Context, r assessment.SelfReport, was int, e assessment.Evidence, content []byte) error {
	var tx dynamo.Tx
	unpublished(&tx, r.Year, r.Level)
	tx.Put(newReportItem(r), versioned(was), fault.ErrConflict)
	tx.Put(evidenceItem{Keys: dynamo.Keys{PK: dynamo.AssessPK(r.Year, string(r.Level)), SK: dynamo.EvidenceSK(r.Unit, e.ID)}, evidenceAttr: newEvidenceAttr(e), Content: content},
		expression.AttributeNotExists(expression.Name("PK")), fault.ErrConflict)
	return dynamo.Transact(ctx, a.DB, a.Table, "add evidence", &tx)
}

// Evidence returns an evidence file with its content, or assessment.ErrEvidenceNotFound.
func (a *Assessments) Evidence(ctx context.Context, year int, level assessment.Level, unit, id string) (assessment.Evidence, []byte, error) {
	it, err := dynamo.One[evidenceItem](ctx, a.DB, a.Table, "get evidence", dynamo.AssessPK(year, string(level)), dynamo.EvidenceSK(unit, id), false, assessment.ErrEvidenceNotFound)
	return it.evidence(), it.Content, err
}

// publishGroup is how many units one transaction of a publication writes.
const publishGroup = 50

// Publish writes the result's units under a batch of their own, then its header naming
// the batch, IF there is none yet (assessment.ErrPublished): a publication cut short
// leaves units no header names, which nobody reads, and can be run again.
func (a *Assessments) Publish(ctx context.Context, r assessment.Result) error {
	pk := dynamo.AssessPK(r.Scheme.Year, string(r.Scheme.Level))
	if _, found, err := dynamo.Get[resultItem](ctx, a.DB, a.Table, "get result", pk, dynamo.SKResult, true); err != nil || found {
		if found {
			return assessment.ErrPublished
		}
		return err
	}
	batch := strconv.FormatInt(r.PublishedAt.UnixNano(), 36) // one per attempt
	for start := 0; start < len(r.Units); start += publishGroup {
		var tx dynamo.Tx
		for _, u := range r.Units[start:min(start+publishGroup, len(r.Units))] {
			tx.Put(newResultUnitItem(pk, batch, u), expression.ConditionBuilder{}, nil)
		}
		if err := dynamo.Transact(ctx, a.DB, a.Table, "publish result units", &tx); err != nil {
			return err
		}
	}
	var tx dynamo.Tx
	tx.Put(resultItem{Keys: dynamo.Keys{PK: pk, SK: dynamo.SKResult}, Batch: batch, Units: len(r.Units), Scheme: newSchemeAttr(r.Scheme), PublishedAt: r.PublishedAt},
		expression.AttributeNotExists(expression.Name("PK")), assessment.ErrPublished)
	return dynamo.Transact(ctx, a.DB, a.Table, "publish result", &tx)
}

// Result returns a published result, its units in rank order, or
// assessment.ErrNotPublished.
func (a *Assessments) Result(ctx context.Context, year int, level assessment.Level) (assessment.Result, error) {
	pk := dynamo.AssessPK(year, string(level))
	h, found, err := dynamo.Get[resultItem](ctx, a.DB, a.Table, "get result", pk, dynamo.SKResult, true)
	if err != nil {
		return assessment.Result{}, err
	}
	if !found {
		return assessment.Result{}, assessment.ErrNotPublished
	}
	items, err := dynamo.QueryAll[resultUnitItem](ctx, a.DB, a.Table, "list result units", dynamo.Query{Key: dynamo.Partition("", pk, dynamo.ResultUnitSK(h.Batch, ""))})
	if err != nil {
		return assessment.Result{}, err
	}
	if len(items) != h.Units {
		return assessment.Result{}, fmt.Errorf("get result %s: %d units stored, %d published", pk, len(items), h.Units)
	}
	units := dynamo.Convert(items, resultUnitItem.unit)
	slices.SortFunc(units, func(x, y assessment.Unit) int { return cmp.Or(cmp.Compare(x.Rank, y.Rank), cmp.Compare(x.ID, y.ID)) })
	return assessment.Result{Scheme: h.Scheme.scheme(), PublishedAt: h.PublishedAt, Units: units}, nil
}

type reviewerItem struct {
	dynamo.Keys
	OpenID string `dynamodbav:"openid"`
}

// Appoint makes openid a reviewer of the year.
func (a *Assessments) Appoint(ctx context.Context, year int, openid string) error {
	return dynamo.Put(ctx, a.DB, a.Table, "appoint reviewer", reviewerItem{Keys: dynamo.Keys{PK: dynamo.AssessYearPK(year), SK: dynamo.ReviewerSK(openid)}, OpenID: openid}, expression.ConditionBuilder{})
}

// Reviewer reports whether openid reviews the year's assessments.
func (a *Assessments) Reviewer(ctx context.Context, year int, openid string) (bool, error) {
	_, found, err := dynamo.Get[reviewerItem](ctx, a.DB, a.Table, "get reviewer", dynamo.AssessYearPK(year), dynamo.ReviewerSK(openid), false)
	return found, err
}
