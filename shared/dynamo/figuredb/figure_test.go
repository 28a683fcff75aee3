package figuredb_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/figuredb"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/figure"
)

// The stored attributes are named by the store, not by the domain types' fields:
// renaming a field of figure.Call, Application or Figure must not rename stored data.
func TestStoredAttributeNames(t *testing.T) {
	tbl := dynamotest.New(t)
	ctx := context.Background()
	s := &figuredb.Figures{DB: tbl.DB, Table: tbl.Name}
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	c := figure.Call{Year: 2026, OpensAt: at, ClosesAt: at.AddDate(0, 1, 0), Panel: []string{"o-p1", "o-p2", "o-p3"}, PanelSize: 3}
	if err := s.CreateCall(ctx, c); err != nil {
		t.Fatal(err)
	}
	a := figure.Application{ID: "a1", Year: 2026, OpenID: "o-applicant", Name: "王芳", Discipline: figure.Disciplines[0],
		DistrictID: "430202", DistrictPath: "430200/430202", Bio: "醴陵釉下彩", Works: []string{"作品一"}, SubmittedAt: at}
	if err := s.AddApplication(ctx, a); err != nil {
		t.Fatal(err)
	}
	c.SelectedAt = at.AddDate(0, 2, 0)
	c.Ranking = []figure.Ranked{{ApplicationID: a.ID, Name: a.Name, Scores: 3, Mean: 88.5, Rank: 1, Selected: true}}
	f := figure.NewFigure(a, c.Ranking[0], c.SelectedAt, "o-admin")
	if err := s.Select(ctx, c, []figure.Figure{f}); err != nil {
		t.Fatal(err)
	}
	tbl.WantAttributes(t, dynamo.CallPK(2026), dynamo.SKCall,
		"ClosesAt", "OpensAt", "PK", "Panel", "PanelSize", "Ranking", "SK", "Selected", "SelectedAt", "Year")
	tbl.WantAttributes(t, dynamo.ApplicationPK(a.ID), dynamo.SKApplication,
		"Bio", "Discipline", "DistrictID", "DistrictPath", "GSI1PK", "GSI1SK", "Honours", "ID", "Name", "OpenID", "PK", "SK", "SubmittedAt", "Works", "Year", "openid")
	tbl.WantAttributes(t, dynamo.FigurePK(a.ID), dynamo.SKFigure,
		"Bio", "Discipline", "DistrictID", "DistrictPath", "GSI1PK", "GSI1SK", "History", "Honours", "ID", "Name", "NextReviewAt", "PK", "Rank", "SK", "Status", "Version", "Works", "Year")
	gotCall, err := s.Call(ctx, 2026)
	if err != nil || len(gotCall.Ranking) != 1 || gotCall.Ranking[0].Mean != 88.5 || gotCall.Ranking[0].ApplicationID != a.ID || !slices.Equal(gotCall.Panel, c.Panel) {
		t.Errorf("Call = %+v, %v", gotCall, err)
	}
	gotApp, err := s.Application(ctx, a.ID)
	if err != nil || gotApp.OpenID != a.OpenID || gotApp.Name != a.Name || gotApp.Honours == nil {
		t.Errorf("Application = %+v, %v", gotApp, err)
	}
	gotFig, err := s.Figure(ctx, a.ID)
	if err != nil || gotFig.Rank != 1 || len(gotFig.History) != len(f.History) {
		t.Errorf("Figure = %+v, %v; want %+v", gotFig, err, f)
	}
}
