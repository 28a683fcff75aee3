package report

import (
	"context"
	"net/http"

	"github.com/wentitong/wentitong/shared/access"

	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/web"
)

// Routes adds the report route to rt (docs/api.md):
//
//	GET /api/v1/admin/reports?district=&period=&format=json|csv   (staff, coordinator, admin)
//
// Staff report on their district's subtree (their own district when none is asked for).
func Routes(rt *web.Router, s *Service) {
	district := func(r *http.Request) ([]string, error) {
		return s.DistrictScope(r.Context(), r.URL.Query().Get("district"))
	}
	rt.Handle("GET /api/v1/admin/reports", access.Staff(district), func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		format := q.Get("format")
		if format == "" {
			format = "json"
		}
		if format != "json" && format != "csv" {
			web.Error(w, r, ErrFormatInvalid)
			return
		}
		period := q.Get("period")
		if period == "" {
			period = evaluation.Period(s.Now())
		}
		c := web.Caller(r)
		rep, err := s.Build(r.Context(), c, q.Get("district"), period)
		if err != nil {
			web.Error(w, r, err)
			return
		}
		if format == "json" {
			web.JSON(w, http.StatusOK, rep)
			return
		}
		web.CSV(w, rep.Filename(), rep.CSV())
	})
}

// DistrictScope returns the district a report names (nil for none: the caller's own),
// which staff asking for it must look after. Errors: the district's not-found error.
func (s *Service) DistrictScope(ctx context.Context, id string) ([]string, error) {
	if id == "" {
		return nil, nil
	}
	d, err := s.Places.District(ctx, id)
	if err != nil {
		return nil, err
	}
	return []string{d.Path}, nil
}
