// Package assessmentapp wires the assessment function (AssessmentFunction): third-party
// evaluators' grants, their de-identified exports and the log of their reads.
package assessmentapp

import (
	"github.com/google/uuid"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/dynamo/assessmentdb"
	"github.com/wentitong/wentitong/shared/evaluator"
	"github.com/wentitong/wentitong/shared/web"
)

// Needs is the configuration the assessment function reads.
var Needs = boot.Needs.And(boot.SessionNeeds)

// Router returns the assessment function's routes. Its policy knows the evaluators'
// grants, so evaluator routes admit those whose current grant covers the district.
func Router(b *boot.Base) (*web.Router, error) {
	if err := b.Config.Check(Needs); err != nil {
		return nil, err
	}
	p, err := b.Policy()
	if err != nil {
		return nil, err
	}
	ev := Evaluators(b)
	p.Guard.Grants = ev
	rt := web.NewRouter(p)
	evaluator.Routes(rt, ev)
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
