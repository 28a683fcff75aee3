package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/infra/local/demo"
	"github.com/wentitong/wentitong/shared/apptest"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/buckettest"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/dynamo/countersdb"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/library"
	"github.com/wentitong/wentitong/shared/team"
)

func TestSeed(t *testing.T) {
	now := time.Date(2026, 11, 28, 13, 0, 0, 0, time.UTC)
	a, tbl := apptest.Start(t, now)
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
	// The platform counts the demo's past from the table's changes, as in production:
	// the report shows exactly what the seed did through the services, and the
	// counters agree with a recount from the items.
	if _, err := tbl.MustFeed(t, "CountersFunction", a.Counters()).Poll(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := a.Reports().Build(ctx, auth.Claims{OpenID: "o-admin", Roles: []string{auth.RoleAdmin}}, "", evaluation.Period(now))
	if err != nil {
		t.Fatal(err)
	}
	tot, h := rep.Total, sum.History
	for name, c := range map[string][2]int{
		"bookings": {tot.Bookings, h.Bookings}, "attendance": {tot.Attendance, h.Attended}, "unique residents": {tot.UniqueResidents, h.Residents},
		"active villages": {tot.ActiveVillages, len(h.ActiveVillages)}, "volunteers": {tot.VolunteersRegistered, h.Volunteers},
		"active volunteers": {tot.VolunteersActive, h.ServedThisMonth}, "instructors": {tot.SportsInstructors, h.Instructors},
		"training required": {tot.TrainingRequired, h.Appointees}, "training met": {tot.TrainingCompliant, h.Compliant},
		"failed notifications": {tot.NotificationsFailed, 0},
	} {
		if c[0] != c[1] {
			t.Errorf("demo report: %s = %d, want %d (what the demo did)", name, c[0], c[1])
		}
	}
	if h.Bookings == 0 || h.Attended == 0 || h.Cancelled == 0 || len(h.ActiveVillages) != 2 || h.Instructors == 0 || h.ServedThisMonth == 0 {
		t.Errorf("demo history = %+v, want bookings, check-ins, a cancellation, two active villages, instructors and service", h)
	}
	if tot.CoveragePct == nil || tot.InstructorsPer1000 == nil || !tot.Satisfaction.Sufficient || len(rep.Children) != 9 || tot.TeamsApproved == 0 {
		t.Errorf("demo report: coverage %v, instructors ‰ %v, satisfaction %+v, %d teams, %d counties", tot.CoveragePct, tot.InstructorsPer1000, tot.Satisfaction, tot.TeamsApproved, len(rep.Children))
	}
	r, err := (&countersdb.Counters{DB: tbl.DB, Table: tbl.Name}).Recount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := r.Drift(""); len(d) > 0 {
		t.Errorf("demo counters drift from the items at %v", d)
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
			if strings.HasPrefix(s.ActivityID, "a-past-") {
				if !s.EndsAt.Before(now) {
					t.Errorf("past slot %s ends %v, want before now (%v)", s.ID, s.EndsAt, now)
				}
				continue
			}
			if !s.StartsAt.After(now) || s.BookingOpensAt.After(now) {
				t.Errorf("slot %s starts %v, opens %v; want it in the future and open now (%v)", s.ID, s.StartsAt, s.BookingOpensAt, now)
			}
		}
	}
}

// With a bucket, the demo has collections of each kind of institution with published
// items whose generated media passed the upload's checks (pictures with thumbnails,
// recordings), and published articles about them.
func TestSeedLibrary(t *testing.T) {
	tbl := dynamotest.New(t)
	kit := buckettest.New(t)
	now := time.Date(2026, 11, 28, 13, 0, 0, 0, time.UTC)
	cfg := apptest.Config(tbl)
	cfg.MediaBucket = buckettest.BucketName
	a := apptest.New(t, tbl, cfg, now)
	a.Bucket = kit.Bucket
	ctx := context.Background()
	sum, err := demo.Seed(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedLibrary(ctx, a, &sum); err != nil {
		t.Fatal(err)
	}
	parts, err := a.Library()
	if err != nil {
		t.Fatal(err)
	}
	cols, err := parts.Library.Collections(ctx)
	if err != nil || len(cols) != 3 || sum.Collections != 3 {
		t.Fatalf("collections = %d, %v; want 3", len(cols), err)
	}
	kinds := map[string]int{}
	for _, c := range cols {
		_, items, err := parts.Library.PublicItems(ctx, c.ID)
		if err != nil || len(items) != 2 {
			t.Errorf("%s: %d published items, %v; want 2", c.Name, len(items), err)
		}
		for _, it := range items {
			v, err := parts.Library.PublicItem(ctx, it.ID)
			if err != nil || len(v.Media) != 1 {
				t.Fatalf("%s: %d ready media, %v; want 1", it.Title, len(v.Media), err)
			}
			m := v.Media[0]
			kinds[string(m.Type)]++
			if m.URL == "" || m.Type == library.MediaImage && m.ThumbURL == "" {
				t.Errorf("%s: media %+v, want a URL (and a thumbnail for a picture)", it.Title, m)
			}
		}
	}
	if kinds["image"] != 3 || kinds["audio"] != 3 || sum.Media != 6 {
		t.Errorf("media kinds = %v, want 3 pictures and 3 recordings", kinds)
	}
	list, err := parts.News.List(ctx, "", 10)
	if err != nil || len(list) != 2 || sum.News != 2 {
		t.Errorf("published news = %d, %v; want 2", len(list), err)
	}
	rep, err := parts.Library.Storage(ctx, auth.Claims{OpenID: "o-admin", Roles: []string{auth.RoleAdmin}})
	if err != nil || rep.City.Bytes == 0 {
		t.Errorf("storage = %+v, %v; want the demo's files counted", rep.City, err)
	}
}
