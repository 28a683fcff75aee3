package teamdb_test

import (
	"context"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/teamdb"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/team"
)

// The stored attributes are named by the store, not by team.Team's fields: renaming a
// field of the domain type must not rename stored data. A team reads back as written.
func TestStoredAttributeNames(t *testing.T) {
	tbl := dynamotest.New(t)
	ctx := context.Background()
	s := &teamdb.Teams{DB: tbl.DB, Table: tbl.Name}
	at := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	tm := team.Team{ID: "t1", Name: "荷塘腰鼓队", Category: team.Categories[0], DistrictID: "430202", DistrictPath: "430200/430202",
		Leader: team.Leader{OpenID: "o-leader", Name: "李明", Phone: "13800000000"}, MemberCount: 12, Description: "每周排练",
		Status: team.StatusPending, History: []team.Rating{}, CreatedAt: at}
	if err := s.Create(ctx, tm); err != nil {
		t.Fatal(err)
	}
	tbl.WantAttributes(t, dynamo.TeamPK(tm.ID), dynamo.SKTeam, "ApprovedAt", "Category", "CreatedAt", "Description", "DistrictID",
		"DistrictPath", "GSI1PK", "GSI1SK", "History", "ID", "Leader", "MemberCount", "Name", "NextReviewAt", "PK", "RatedAt",
		"RehearsalVenueID", "SK", "Stars", "Status", "Version")
	got, err := s.Team(ctx, tm.ID)
	if err != nil || got.Leader != tm.Leader || got.Name != tm.Name || !got.CreatedAt.Equal(at) || got.History == nil {
		t.Errorf("Team = %+v, %v; want %+v", got, err, tm)
	}
}
