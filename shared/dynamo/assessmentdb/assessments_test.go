package assessmentdb_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/assessment"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/assessmentdb"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/fault"
)

// A self-report is written at its version, with its evidence; a stale version is a
// conflict; once the result is published nothing of the year's level changes, and the
// result reads back in rank order.
func TestAssessmentsStore(t *testing.T) {
	tbl := dynamotest.New(t)
	ctx := context.Background()
	s := &assessmentdb.Assessments{DB: tbl.DB, Table: tbl.Name}
	sc := assessment.Scheme{Year: 2026, Level: assessment.LevelCounty, Selection: assessment.Selection{Count: 1},
		Indicators: []assessment.Indicator{{ID: "docs", Name: "制度", Weight: 100, Measure: assessment.MeasureSelf, Target: 10}}}
	if err := s.PutScheme(ctx, sc); err != nil {
		t.Fatal(err)
	}
	pk := dynamo.AssessPK(2026, string(assessment.LevelCounty))
	tbl.WantAttributes(t, pk, dynamo.SKScheme, "Indicators", "Level", "PK", "SK", "Selection", "Year")
	if got, err := s.Scheme(ctx, 2026, assessment.LevelCounty); err != nil || !reflect.DeepEqual(got, sc) {
		t.Errorf("Scheme() = %+v, %v; want %+v", got, err, sc)
	}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	r := assessment.SelfReport{Year: 2026, Level: assessment.LevelCounty, Unit: "430211", Indicator: "docs", Value: 8,
		Status: assessment.StatusSubmitted, SubmittedBy: "o-staff", SubmittedAt: now, Version: 1}
	if err := s.PutReport(ctx, r, 0); err != nil {
		t.Fatalf("PutReport(new) = %v", err)
	}
	e := assessment.Evidence{ID: "e1", Name: "制度.pdf", Type: "application/pdf", Size: 4, UploadedBy: "o-staff", UploadedAt: now}
	r.Evidence, r.Version = []assessment.Evidence{e}, 2
	if err := s.AddEvidence(ctx, r, 1, e, []byte("%PDF")); err != nil {
		t.Fatalf("AddEvidence = %v", err)
	}
	v := 7.0
	r.Status, r.Accepted, r.ReviewedBy, r.ReviewedAt, r.Version = assessment.StatusAccepted, &v, "o-reviewer", now, 3
	if err := s.PutReport(ctx, r, 2); err != nil {
		t.Fatalf("PutReport(review) = %v", err)
	}
	if err := s.PutReport(ctx, r, 2); !errors.Is(err, fault.ErrConflict) {
		t.Errorf("PutReport(stale) = %v, want a conflict", err)
	}
	got, found, err := s.Report(ctx, 2026, assessment.LevelCounty, "430211", "docs")
	if err != nil || !found || got.Version != 3 || got.Accepted == nil || *got.Accepted != 7 || len(got.Evidence) != 1 || got.SubmittedBy != "o-staff" {
		t.Fatalf("Report() = %+v, %v, %v", got, found, err)
	}
	if !got.ReviewedAt.Equal(now) || !reflect.DeepEqual(got.Evidence, r.Evidence) || got.Comment != r.Comment || got.Value != r.Value {
		t.Errorf("Report() = %+v, want %+v", got, r)
	}
	tbl.WantAttributes(t, pk, dynamo.ReportSK("430211", "docs"), "Accepted", "Comment", "Evidence", "Indicator", "Level", "Note", "PK",
		"ReviewedAt", "ReviewedBy", "SK", "Status", "SubmittedAt", "SubmittedBy", "Unit", "Value", "Version", "Year")
	tbl.WantAttributes(t, pk, dynamo.EvidenceSK("430211", "e1"), "ID", "Name", "PK", "SHA256", "SK", "Size", "Type", "UploadedAt", "UploadedBy", "content")
	if ev, content, err := s.Evidence(ctx, 2026, assessment.LevelCounty, "430211", "e1"); err != nil || string(content) != "%PDF" || ev != e {
		t.Errorf("Evidence() = %+v, %q, %v; want %+v", ev, content, err, e)
	}
	res := assessment.Result{Scheme: sc, PublishedAt: now, Units: assessment.Score(sc, []assessment.Unit{
		{ID: "b", Lines: []assessment.Line{{Indicator: "docs", Value: &v}}}, {ID: "a"}})}
	if err := s.Publish(ctx, res); err != nil {
		t.Fatalf("Publish = %v", err)
	}
	tbl.WantAttributes(t, pk, dynamo.SKResult, "PK", "SK", "batch", "publishedAt", "scheme", "units")
	if err := s.Publish(ctx, res); !errors.Is(err, assessment.ErrPublished) {
		t.Errorf("Publish(again) = %v, want ErrPublished", err)
	}
	if err := s.PutReport(ctx, r, 3); !errors.Is(err, assessment.ErrPublished) {
		t.Errorf("PutReport(after publication) = %v, want ErrPublished", err)
	}
	if err := s.PutScheme(ctx, sc); !errors.Is(err, assessment.ErrPublished) {
		t.Errorf("PutScheme(after publication) = %v, want ErrPublished", err)
	}
	out, err := s.Result(ctx, 2026, assessment.LevelCounty)
	if err != nil || len(out.Units) != 2 || out.Units[0].ID != "b" || out.Units[0].Rank != 1 || !out.Units[0].Selected || out.Units[1].Total != 0 {
		t.Errorf("Result() = %+v, %v", out, err)
	}
	if !reflect.DeepEqual(out.Scheme, sc) || !reflect.DeepEqual(out.Units[0], res.Units[0]) {
		t.Errorf("Result() = %+v, want %+v", out, res)
	}
}
