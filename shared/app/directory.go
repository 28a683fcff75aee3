package app

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/figure"
	"github.com/wentitong/wentitong/shared/report"
	"github.com/wentitong/wentitong/shared/team"
	"github.com/wentitong/wentitong/shared/web"
)

// directoryRouter serves the directory and evaluation: the district tree, venues, the
// e-map, ratings and satisfaction, feedback tickets, teams, figures and reports.
func (a *App) directoryRouter() (*web.Router, error) {
	svc, err := a.Auth()
	if err != nil {
		return nil, err
	}
	rt := web.NewRouter()
	directory.Routes(rt, a.Directory, a.Directory, svc)
	evaluation.Routes(rt, a.Evaluation(), svc)
	team.Routes(rt, a.Teams(), svc)
	figure.Routes(rt, a.Figures(), svc)
	report.Routes(rt, a.Reports(), svc)
	return rt, nil
}

// Reports returns the district performance reports, read from maintained aggregates.
func (a *App) Reports() *report.Service {
	return &report.Service{
		Source: reportSource{
			metrics: &dynamo.Metrics{DB: a.DB, Table: a.Config.TableName},
			tallies: &dynamo.Evaluation{DB: a.DB, Table: a.Config.TableName},
			teams:   &dynamo.Teams{DB: a.DB, Table: a.Config.TableName},
		},
		Places: a.Directory,
		Guard:  a.guard(),
		Now:    a.Now,
	}
}

// reportSource reads each aggregate from the store that maintains it.
type reportSource struct {
	metrics *dynamo.Metrics
	tallies *dynamo.Evaluation
	teams   *dynamo.Teams
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

// Figures returns the cultural figures database.
func (a *App) Figures() *figure.Service {
	return &figure.Service{
		Store:  &dynamo.Figures{DB: a.DB, Table: a.Config.TableName},
		Places: a.Directory,
		Now:    a.Now,
		NewID:  uuid.NewString,
	}
}

// Teams returns the amateur team directory.
func (a *App) Teams() *team.Service {
	return &team.Service{
		Store:  &dynamo.Teams{DB: a.DB, Table: a.Config.TableName},
		Places: a.Directory,
		Guard:  a.guard(),
		Now:    a.Now,
		NewID:  uuid.NewString,
	}
}

// Evaluation returns the ratings and feedback service; only people checked in at a slot
// of an activity that has ended may rate it.
func (a *App) Evaluation() *evaluation.Service {
	return &evaluation.Service{
		Store:      &dynamo.Evaluation{DB: a.DB, Table: a.Config.TableName},
		Activities: a.Catalog,
		Places:     a.Directory,
		Staff:      a.Directory,
		Attendance: a.bookingService(),
		Guard:      a.guard(),
		Now:        a.Now,
		NewID:      uuid.NewString,
	}
}

// guard decides whose district data a signed-in person may act on.
func (a *App) guard() directory.Guard {
	return directory.Guard{Scopes: a.Directory, Districts: a.Directory}
}

// directoryJobs are the directory and evaluation's timed work.
func (a *App) directoryJobs() []Job {
	return []Job{{Name: "escalate-overdue-feedback", Run: func(ctx context.Context, now time.Time) error {
		_, err := a.Evaluation().EscalateOverdue(ctx, now)
		return err
	}}}
}
