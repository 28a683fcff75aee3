package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/dynamo/figuredb"
	"github.com/wentitong/wentitong/shared/figure"
	"github.com/wentitong/wentitong/shared/team"
)

// populations are approximate resident populations (2020 census, rounded), for the
// per-capita figures of the reports.
var populations = map[string]int{
	"430200": 3_902_700, "430202": 330_000, "430203": 330_000, "430204": 290_000, "430211": 440_000,
	"430212": 270_000, "430223": 660_000, "430224": 520_000, "430225": 170_000, "430281": 880_000,
}

// scopes assign the demo staff their districts.
var scopes = map[string]string{"o-staff-library": "430211", "o-coordinator-youxian": "430223"}

// seedEvaluation fills the directory and evaluation side: populations, staff scopes,
// ratings, teams and a past year's figures.
func seedEvaluation(ctx context.Context, a *app.App, s *Summary) error {
	for id, pop := range populations {
		d, err := a.Directory.District(ctx, id)
		if err != nil {
			return fmt.Errorf("seed population of %s: %w", id, err)
		}
		d.Population = pop
		if err := a.Directory.PutDistrict(ctx, d); err != nil {
			return fmt.Errorf("seed population of %s: %w", id, err)
		}
	}
	for openid, district := range scopes {
		if err := a.Directory.SetScope(ctx, openid, district); err != nil {
			return fmt.Errorf("seed scope of %s: %w", openid, err)
		}
	}
	// Twelve residents rate the xiangju evening and the tai chi class (3 to 5 stars, so
	// no staff alert is queued).
	eval := a.Evaluation()
	eval.Attendance = nil // the seeded ratings stand for visits before the platform's bookings
	for i := range 12 {
		openid := fmt.Sprintf("o-rater-%02d", i+1)
		for _, r := range []struct {
			activity string
			score    int
		}{{"a-event-xiangju", 3 + i%3}, {"a-fitness-taichi", 5 - i%2}} {
			if _, err := eval.Rate(ctx, openid, r.activity, r.score, ""); err != nil {
				return fmt.Errorf("seed rating: %w", err)
			}
			s.Ratings++
		}
	}
	if err := seedTeams(ctx, a, s); err != nil {
		return err
	}
	return seedFigures(ctx, a, s)
}

var adminClaims = auth.Claims{OpenID: "o-admin", Roles: []string{auth.RoleAdmin}}

func seedTeams(ctx context.Context, a *app.App, s *Summary) error {
	svc := a.Teams()
	for i, t := range []struct {
		name, category, district string
		members                  int
		scores                   map[string]int // nil: approved, not rated; empty: pending
	}{
		{"株洲市夕阳红合唱团", "choir", "430202001", 45, map[string]int{"scale": 19, "regularity": 18, "quality": 23, "service": 18, "management": 14}},
		{"天元区太极拳协会", "martial_arts", "430211001", 60, map[string]int{"scale": 18, "regularity": 19, "quality": 20, "service": 16, "management": 12}},
		{"湖塘村腰鼓队", "folk_arts", "430211100201", 24, map[string]int{"scale": 12, "regularity": 14, "quality": 14, "service": 12, "management": 9}},
		{"攸县花鼓戏剧团", "opera", "430223001", 30, map[string]int{"scale": 15, "regularity": 15, "quality": 21, "service": 17, "management": 10}},
		{"醴陵市陶瓷书画社", "calligraphy", "430281001", 18, nil},
		{"茶陵县广场舞联队", "dance", "430224001", 80, map[string]int{}},
	} {
		reg, err := svc.Register(ctx, auth.Claims{OpenID: fmt.Sprintf("o-team-leader-%d", i+1)}, team.Team{
			Name: t.name, Category: t.category, DistrictID: t.district, MemberCount: t.members,
			Leader: team.Leader{Name: "负责人", Phone: fmt.Sprintf("1390000%04d", i+1)},
		})
		if err != nil {
			return fmt.Errorf("seed team %s: %w", t.name, err)
		}
		s.Teams++
		if t.scores != nil && len(t.scores) == 0 {
			continue
		}
		if _, err := svc.Approve(ctx, adminClaims, reg.ID); err != nil {
			return fmt.Errorf("seed team %s: %w", t.name, err)
		}
		if t.scores != nil {
			if _, err := svc.Rate(ctx, adminClaims, reg.ID, t.scores); err != nil {
				return fmt.Errorf("seed team %s: %w", t.name, err)
			}
		}
	}
	return nil
}

// seedFigures records last year's call, twelve applications with the panel's scores and
// its selection, straight through the store (the call closed long ago).
func seedFigures(ctx context.Context, a *app.App, s *Summary) error {
	store := &figuredb.Figures{DB: a.DB, Table: a.Config.TableName}
	svc := a.Figures()
	now := a.Now()
	year := now.In(beijing.Zone).Year() - 1
	call := figure.Call{Year: year, OpensAt: time.Date(year, 3, 1, 0, 0, 0, 0, beijing.Zone), ClosesAt: time.Date(year, 5, 1, 0, 0, 0, 0, beijing.Zone),
		Panel: []string{"o-panel-1", "o-panel-2", "o-panel-3"}}
	if _, err := svc.OpenCall(ctx, call); err != nil {
		return fmt.Errorf("seed figure call: %w", err)
	}
	names := []struct{ name, discipline, district, work string }{
		{"陈湘音", "opera", "430211001", "湘剧《拜月记》"}, {"刘醴瓷", "folk_arts", "430281001", "釉下五彩瓷《映山红》"},
		{"周墨", "calligraphy", "430202001", "行书《炎帝陵赋》"}, {"谭明远", "literature", "430223001", "长篇小说《洣水长流》"},
		{"李舞", "dance", "430203001", "群舞《茶乡春早》"}, {"何韵", "music", "430224001", "民歌《茶陵谣》"},
		{"罗丹青", "fine_arts", "430225100", "国画《神农谷》"}, {"宋光影", "photography", "430204001", "组照《株洲记忆》"},
		{"曾传承", "intangible_heritage", "430212100", "渌口木雕"}, {"黄剧", "drama", "430202002", "话剧《火车头》"},
		{"邓武", "sports", "430211002", "武术套路教学"}, {"彭曲", "folk_arts", "430223002", "攸县皮影戏"},
	}
	for i, n := range names {
		d, err := a.Directory.District(ctx, n.district)
		if err != nil {
			return fmt.Errorf("seed application %s: %w", n.name, err)
		}
		app := figure.Application{ID: fmt.Sprintf("fig-%d-%02d", year, i+1), Year: year, OpenID: fmt.Sprintf("o-applicant-%02d", i+1),
			Name: n.name, Discipline: n.discipline, DistrictID: n.district, DistrictPath: d.Path,
			Bio: "从事" + n.work + "等创作与传承多年。", Works: []string{n.work}, SubmittedAt: call.OpensAt.Add(time.Duration(i) * time.Hour)}
		if err := store.AddApplication(ctx, app); err != nil {
			return fmt.Errorf("seed application %s: %w", n.name, err)
		}
		for p, panel := range call.Panel {
			scores := map[string]int{"achievement": 38 - i - p%2, "influence": 22 - i/3, "service": 18, "inheritance": 12}
			if err := store.PutScore(ctx, app.ID, panel, scores); err != nil {
				return fmt.Errorf("seed score: %w", err)
			}
		}
	}
	if _, err := svc.Select(ctx, adminClaims, year); err != nil {
		return fmt.Errorf("seed figure selection: %w", err)
	}
	s.Figures = figure.TopN
	return nil
}
