package assessmentdb_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/assessmentdb"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/evaluator"
)

// The stored attributes of grants, accesses, surveys and answers are named by the store,
// not by the evaluator types' fields: renaming a field must not rename stored data.
func TestEvaluatorsStoredAttributeNames(t *testing.T) {
	tbl := dynamotest.New(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	ev := &assessmentdb.Evaluators{DB: tbl.DB, Table: tbl.Name}
	g := evaluator.Grant{ID: "g1", OpenID: "o-evaluator", Name: "张三", Organisation: "评估机构", Districts: []string{"430202"},
		Paths: []string{"430200/430202"}, From: at, Until: at.AddDate(0, 1, 0), By: "o-admin", CreatedAt: at, Secret: "s"}
	if err := ev.AddGrant(ctx, g); err != nil {
		t.Fatal(err)
	}
	a := evaluator.Access{ID: "a1", At: at, GrantID: g.ID, OpenID: g.OpenID, Name: g.Name, Organisation: g.Organisation,
		Dataset: "ratings", DistrictID: "430202", From: "2026-11-01", To: "2026-11-28", Format: "csv", Rows: 3}
	if err := ev.LogAccess(ctx, a); err != nil {
		t.Fatal(err)
	}
	sv := &assessmentdb.Surveys{DB: tbl.DB, Table: tbl.Name}
	s := evaluator.Survey{ID: "s1", Title: "满意度", Questions: []string{"满意吗？"}, Districts: []string{"430202"}, Paths: []string{"430200/430202"},
		Days: 30, PerDistrict: 10, FrameFrom: at.AddDate(0, 0, -30), FrameTo: at, ClosesAt: at.AddDate(0, 0, 7), CreatedBy: "o-admin",
		CreatedAt: at, Seed: "00"}
	if err := sv.PutSurvey(ctx, s); err != nil {
		t.Fatal(err)
	}
	strata := []evaluator.Stratum{{DistrictID: "430202", Name: "荷塘区", Frame: 20, Sampled: 10}}
	if err := sv.MarkSent(ctx, s.ID, strata, at); err != nil {
		t.Fatal(err)
	}
	r := evaluator.Response{SurveyID: s.ID, OpenID: "o-resident", DistrictID: "430202", Answers: []int{5}, At: at}
	if err := sv.Respond(ctx, r); err != nil {
		t.Fatal(err)
	}
	tbl.WantAttributes(t, dynamo.GrantPK(g.ID), dynamo.SKGrant,
		"By", "CreatedAt", "Districts", "From", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "ID", "Name", "OpenID", "Organisation", "PK", "Paths", "RevokedAt", "RevokedBy", "SK", "Secret", "Until")
	tbl.WantAttributes(t, dynamo.AccessPK(a.ID), dynamo.SKAccess,
		"At", "Dataset", "DistrictID", "Format", "From", "GSI1PK", "GSI1SK", "GrantID", "ID", "Name", "OpenID", "Organisation", "PK", "Rows", "SK", "To")
	tbl.WantAttributes(t, dynamo.SurveyPK(s.ID), dynamo.SKSurvey,
		"ClosesAt", "CreatedAt", "CreatedBy", "Days", "Districts", "FrameFrom", "FrameTo", "GSI1PK", "GSI1SK", "ID", "PK", "Paths", "PerDistrict", "Questions", "SK", "Seed", "SentAt", "Strata", "Title")
	tbl.WantAttributes(t, dynamo.SurveyPK(s.ID), dynamo.AnswerSK(r.OpenID),
		"Answers", "At", "DistrictID", "OpenID", "PK", "SK", "SurveyID")
	got, err := sv.Survey(ctx, s.ID)
	if err != nil || len(got.Strata) != 1 || got.Strata[0] != strata[0] || !got.SentAt.Equal(at) || got.Seed != s.Seed {
		t.Errorf("Survey = %+v, %v", got, err)
	}
	gotG, err := ev.Grant(ctx, g.ID)
	if err != nil || gotG.Secret != g.Secret || !slices.Equal(gotG.Paths, g.Paths) {
		t.Errorf("Grant = %+v, %v", gotG, err)
	}
}
