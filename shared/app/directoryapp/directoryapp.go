// Package directoryapp wires the directory function (DirectoryFunction): the district
// tree, venues, the e-map, ratings and satisfaction, feedback tickets, teams, figures and
// reports. Other functions that file feedback build the evaluation service here too.
package directoryapp

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/wentitong/wentitong/shared/app/bookingsapp"
	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/dynamo/bookingdb"
	"github.com/wentitong/wentitong/shared/dynamo/evaluationdb"
	"github.com/wentitong/wentitong/shared/dynamo/figuredb"
	"github.com/wentitong/wentitong/shared/dynamo/reportdb"
	"github.com/wentitong/wentitong/shared/dynamo/teamdb"
	"github.com/wentitong/wentitong/shared/dynamo/volunteerdb"
	"github.com/wentitong/wentitong/shared/dynamo/wechatdb"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/figure"
	"github.com/wentitong/wentitong/shared/report"
	"github.com/wentitong/wentitong/shared/team"
	"github.com/wentitong/wentitong/shared/training"
	"github.com/wentitong/wentitong/shared/web"
)

// Needs is the configuration the directory function reads.
var Needs = boot.Needs.And(boot.SessionNeeds)

// Router returns the directory function's routes.
func Router(b *boot.Base) (*web.Router, error) {
	p, err := b.PolicyFor(Needs)
	if err != nil {
		return nil, err
	}
	rt := web.NewRouter(p)
	dir := b.Directory()
	directory.Routes(rt, dir, dir)
	evaluation.Routes(rt, Evaluation(b))
	team.Routes(rt, Teams(b))
	figure.Routes(rt, Figures(b))
	report.Routes(rt, Reports(b))
	return rt, nil
}

// Reports returns the district performance reports, read from maintained aggregates.
func Reports(b *boot.Base) *report.Service {
	return &report.Service{
		Source: reportSource{
			metrics:  &reportdb.Metrics{DB: b.DB, Table: b.Table},
			tallies:  &evaluationdb.Evaluation{DB: b.DB, Table: b.Table},
			teams:    &teamdb.Teams{DB: b.DB, Table: b.Table},
			training: &training.Service{Store: &volunteerdb.Volunteers{DB: b.DB, Table: b.Table}, Targets: training.DefaultTargets},
		},
		Places: b.Directory(),
		Guard:  b.Guard(),
		Now:    b.Now,
	}
}

// reportSource reads each aggregate from the store that maintains it.
type reportSource struct {
	metrics  *reportdb.Metrics
	tallies  *evaluationdb.Evaluation
	teams    *teamdb.Teams
	training *training.Service // appointees and their yearly training totals
}

func (s reportSource) Metrics(ctx context.Context, districtID, period string) (report.Metrics, error) {
	return s.metrics.Metrics(ctx, districtID, period)
}

func (s reportSource) Tally(ctx context.Context, subject, period string) (evaluation.Tally, error) {
	return s.tallies.Tally(ctx, subject, period)
}

func (s reportSource) Counts(ctx context.Context, districtID string) (team.Counts, error) {
	return s.teams.Counts(ctx, districtID)
}

// Training counts the subtree's appointees against the city's targets.
func (s reportSource) Training(ctx context.Context, d directory.District, year int) (required, compliant int, err error) {
	return s.training.Counts(ctx, d, year)
}

// Figures returns the cultural figures database.
func Figures(b *boot.Base) *figure.Service {
	return &figure.Service{
		Store:  &figuredb.Figures{DB: b.DB, Table: b.Table},
		Places: b.Directory(),
		Now:    b.Now,
		NewID:  uuid.NewString,
	}
}

// Teams returns the amateur team directory.
func Teams(b *boot.Base) *team.Service {
	return &team.Service{
		Store:  &teamdb.Teams{DB: b.DB, Table: b.Table},
		Places: b.Directory(),
		Guard:  b.Guard(),
		Now:    b.Now,
		NewID:  uuid.NewString,
	}
}

// Evaluation returns the ratings and feedback service; only people checked in at a slot
// of an activity that has ended may rate it.
func Evaluation(b *boot.Base) *evaluation.Service {
	dir := b.Directory()
	return &evaluation.Service{
		Store:      &evaluationdb.Evaluation{DB: b.DB, Table: b.Table},
		Activities: &bookingdb.Catalog{DB: b.DB, Table: b.Table},
		Places:     dir,
		Staff:      dir,
		Attendance: bookingsapp.Unsigned(b),
		Guard:      b.Guard(),
		Now:        b.Now,
		NewID:      uuid.NewString,
		Serial:     (&wechatdb.Sequences{DB: b.DB, Table: b.Table}).Next,
	}
}

// Jobs are the directory and evaluation's timed work.
func Jobs(b *boot.Base) []boot.Job {
	return []boot.Job{{Name: "escalate-overdue-feedback", Run: func(ctx context.Context, now time.Time) error {
		_, err := Evaluation(b).EscalateOverdue(ctx, now)
		return err
	}}}
}
