package demo_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/wentitong/wentitong/infra/local/demo"
	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/team"
)

func TestSeed(t *testing.T) {
	tbl := dynamotest.New(t)
	now := time.Date(2026, 11, 28, 13, 0, 0, 0, time.UTC)
	a, err := app.New(context.Background(), config.Config{TableName: tbl.Name, WeChatAppID: "wx", WeChatAppSecret: "s"},
		app.Options{DB: tbl.DB, Now: func() time.Time { return now }, LogOutput: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sum, err := demo.Seed(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	dists, err := a.Directory.Districts(ctx)
	if err != nil || len(dists) != sum.Districts {
		t.Fatalf("Districts() = %d, %v; Seed said %d", len(dists), err, sum.Districts)
	}
	counties := map[string]bool{}
	for _, d := range dists {
		if d.Level == directory.LevelCounty {
			counties[d.Name] = true
		}
	}
	for _, name := range []string{"荷塘区", "芦淞区", "石峰区", "天元区", "渌口区", "醴陵市", "攸县", "茶陵县", "炎陵县"} {
		if !counties[name] {
			t.Errorf("demo districts lack %s", name)
		}
	}
	if len(counties) != 9 {
		t.Errorf("demo has %d county-level divisions, want Zhuzhou's 9", len(counties))
	}
	venues, err := a.Directory.VenuesUnder(ctx, dists[0])
	if err != nil || len(venues) != sum.Venues || sum.Venues < 12 {
		t.Errorf("venues under the city = %d, %v; Seed said %d, want at least a dozen", len(venues), err, sum.Venues)
	}
	// Every report section has figures for the city.
	rep, err := a.Reports().Build(ctx, auth.Claims{OpenID: "o-admin", Roles: []string{auth.RoleAdmin}}, "", evaluation.Period(now))
	if err != nil {
		t.Fatal(err)
	}
	tot := rep.Total
	for name, v := range map[string]int{"bookings": tot.Bookings, "attendance": tot.Attendance, "unique residents": tot.UniqueResidents,
		"active villages": tot.ActiveVillages, "ratings": tot.Satisfaction.Ratings, "volunteers": tot.VolunteersRegistered,
		"active volunteers": tot.VolunteersActive, "instructors": tot.SportsInstructors, "teams": tot.TeamsApproved,
		"training": tot.TrainingCompliant, "failed notifications": tot.NotificationsFailed} {
		if v == 0 {
			t.Errorf("demo report: %s is 0", name)
		}
	}
	if tot.CoveragePct == nil || tot.InstructorsPer1000 == nil || !tot.Satisfaction.Sufficient || len(rep.Children) != 9 {
		t.Errorf("demo report: coverage %v, instructors ‰ %v, satisfaction %+v, %d counties", tot.CoveragePct, tot.InstructorsPer1000, tot.Satisfaction, len(rep.Children))
	}
	if figs, err := a.Figures().Search(ctx, "", ""); err != nil || len(figs) != 10 || sum.Figures != 10 {
		t.Errorf("demo figures = %d, %v; want last year's ten", len(figs), err)
	}
	if teams, err := a.Teams().Directory(ctx, team.Filter{}); err != nil || len(teams) != 5 || sum.Teams != 6 {
		t.Errorf("demo teams in the directory = %d, %v; want 5 approved of 6", len(teams), err)
	}

	if scope, err := a.Volunteers.Scope(ctx, "o-coordinator-youxian"); err != nil || scope != "430223" {
		t.Errorf("Scope(o-coordinator-youxian) = %q, %v; want 430223 (攸县)", scope, err)
	}
	if cs, err := a.Volunteers.Coordinators(ctx, "430200/430223"); err != nil || len(cs) != 1 {
		t.Errorf("Coordinators(430223) = %v, %v; want the demo coordinator", cs, err)
	}
	for _, kind := range booking.Kinds {
		slots, err := a.Catalog.SlotsOfKind(ctx, kind)
		if err != nil || len(slots) == 0 {
			t.Errorf("SlotsOfKind(%s) = %d, %v; want some", kind, len(slots), err)
		}
		for _, s := range slots {
			if !s.StartsAt.After(now) || s.BookingOpensAt.After(now) {
				t.Errorf("slot %s starts %v, opens %v; want it in the future and open now (%v)", s.ID, s.StartsAt, s.BookingOpensAt, now)
			}
		}
	}
}
