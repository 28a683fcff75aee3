// Package assessmentapp wires the assessment function (AssessmentFunction): the yearly
// assessments of institutions and districts, third-party evaluators' grants, their
// de-identified exports and the log of their reads.
package assessmentapp

import (
	"context"
	"net/http"

	"github.com/google/uuid"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/assessment"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamo/assessmentdb"
	"github.com/wentitong/wentitong/shared/dynamo/evaluationdb"
	"github.com/wentitong/wentitong/shared/dynamo/librarydb"
	"github.com/wentitong/wentitong/shared/dynamo/reportdb"
	"github.com/wentitong/wentitong/shared/dynamo/volunteerdb"
	"github.com/wentitong/wentitong/shared/evaluator"
	"github.com/wentitong/wentitong/shared/institution"
	"github.com/wentitong/wentitong/shared/training"
	"github.com/wentitong/wentitong/shared/web"
)

// Needs is the configuration the assessment function reads: H5_BASE_URL is where a
// survey's invitation sends people.
var Needs = boot.Needs.And(boot.SessionNeeds, config.Needs{Optional: []string{"H5_BASE_URL"}})

// Router returns the assessment function's routes. Its policy knows the evaluators'
// grants, so evaluator routes admit those whose current grant covers the district.
func Router(b *boot.Base) (*web.Router, error) {
	p, err := b.PolicyFor(Needs)
	if err != nil {
		return nil, err
	}
	ev := Evaluators(b)
	p.Guard.Grants = ev
	rt := web.NewRouter(p)
	evaluator.Routes(rt, ev)
	evaluator.SurveyRoutes(rt, ev, Surveys(b))
	dir := b.Directory()
	staff := Employees(b)
	assessment.Routes(rt, Assessments(b), func(r *http.Request) ([]string, error) {
		d, err := dir.District(r.Context(), r.PathValue("unit"))
		if err != nil {
			return nil, err
		}
		return []string{d.Path}, nil
	}, func(r *http.Request, c auth.Claims) error {
		return staff.Permit(r.Context(), c, r.PathValue("unit"))
	})
	return rt, nil
}

// Evaluators returns third-party evaluation: grants, exports and the access log.
func Evaluators(b *boot.Base) *evaluator.Service {
	return &evaluator.Service{
		Store:  &assessmentdb.Evaluators{DB: b.DB, Table: b.Table},
		Data:   &assessmentdb.History{DB: b.DB, Table: b.Table},
		Places: b.Directory(),
		Now:    b.Now,
		NewID:  uuid.NewString,
	}
}

// Surveys returns the satisfaction surveys: samples drawn from the attendance recorded,
// invitations queued in the outbox, answers from the residents' survey page.
func Surveys(b *boot.Base) *evaluator.Surveys {
	return &evaluator.Surveys{
		Store:  &assessmentdb.Surveys{DB: b.DB, Table: b.Table},
		Data:   &assessmentdb.History{DB: b.DB, Table: b.Table},
		Now:    b.Now,
		H5Base: b.H5Base(),
		NewID:  uuid.NewString,
	}
}

// Assessments returns the yearly assessments, their figures read from the counters the
// district reports read.
func Assessments(b *boot.Base) *assessment.Service {
	return &assessment.Service{
		Store: &assessmentdb.Assessments{DB: b.DB, Table: b.Table},
		Figures: &assessment.Counted{
			Metrics:  &reportdb.Metrics{DB: b.DB, Table: b.Table},
			Tallies:  &evaluationdb.Evaluation{DB: b.DB, Table: b.Table},
			Training: &training.Service{Store: &volunteerdb.Volunteers{DB: b.DB, Table: b.Table}, Targets: training.DefaultTargets},
			Places:   b.Directory(),
			Tickets:  &assessmentdb.History{DB: b.DB, Table: b.Table},
			Owners:   owners(institutions(b)),
			Now:      b.Now,
		},
		Places: b.Directory(),
		Now:    b.Now,
		NewID:  uuid.NewString,
	}
}

// Employees checks that a person works for an institution.
func Employees(b *boot.Base) institution.Guard {
	return institution.Guard{Store: institutions(b).Store}
}

// institutions returns the institutions and their staff and venues.
func institutions(b *boot.Base) *institution.Service {
	return &institution.Service{Store: &librarydb.Library{DB: b.DB, Table: b.Table}, Places: b.Directory()}
}

// owners lists the institutions with the venues each owns now.
func owners(s *institution.Service) func(ctx context.Context) ([]assessment.Owner, error) {
	return func(ctx context.Context) ([]assessment.Owner, error) {
		all, err := s.List(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]assessment.Owner, len(all))
		for i, in := range all {
			out[i] = assessment.Owner{ID: in.ID, Name: in.Name, DistrictID: in.DistrictID, County: in.County(), Venues: in.Venues}
		}
		return out, nil
	}
}
