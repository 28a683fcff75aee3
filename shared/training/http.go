package training

import (
	"context"
	"math"
	"net/http"
	"time"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/input"

	"github.com/wentitong/wentitong/shared/web"
)

// Routes adds the training routes to rt (docs/api.md):
//
//	POST /api/v1/admin/trainings                   create a course → 201
//	POST /api/v1/admin/trainings/{id}/attendance   record attendees → 200 {"recorded","already"}
//	GET  /api/v1/admin/training/compliance?year=&districtId=   the compliance report
//	GET  /api/v1/me/trainings                      the caller's training record
//
// Staff run the courses and read the compliance of their district's subtree.
func Routes(rt *web.Router, svc *Service) {
	h := &handler{svc: svc}
	rt.Handle("POST /api/v1/admin/trainings", access.Staff(h.newCourse), h.create)
	rt.Handle("POST /api/v1/admin/trainings/{id}/attendance", access.Staff(h.course), h.attend)
	rt.Handle("GET /api/v1/admin/training/compliance", access.Staff(h.compliant), h.compliance)
	rt.Handle("GET /api/v1/me/trainings", access.Resident, h.mine)
}

// course is a course's district (access.Target).
func (h *handler) course(r *http.Request) ([]string, error) {
	return h.svc.CourseScope(r.Context(), r.PathValue("id"))
}

// newCourse is the district a new course is given (none: the caller's).
func (h *handler) newCourse(r *http.Request) ([]string, error) {
	var body struct {
		DistrictID string `json:"districtId"`
	}
	access.Body(r, &body)
	return h.paths(r, body.DistrictID)
}

// compliant is the district a compliance report asks for (none: the caller's).
func (h *handler) compliant(r *http.Request) ([]string, error) {
	return h.paths(r, r.URL.Query().Get("districtId"))
}

func (h *handler) paths(r *http.Request, districtID string) ([]string, error) {
	return h.svc.DistrictScope(r.Context(), districtID)
}

// CourseScope returns the district a course is given in, which staff recording its
// attendance must look after. Errors: ErrCourseNotFound.
func (s *Service) CourseScope(ctx context.Context, id string) ([]string, error) {
	c, err := s.Store.Course(ctx, id)
	if err != nil {
		return nil, err
	}
	return []string{c.DistrictPath}, nil
}

// DistrictScope returns the district a course or a report names, nil for none (the
// caller's own). Errors: ErrDistrict.
func (s *Service) DistrictScope(ctx context.Context, districtID string) ([]string, error) {
	if districtID == "" {
		return nil, nil
	}
	p, err := s.Path(ctx, districtID)
	if err != nil {
		return nil, err
	}
	return []string{p}, nil
}

type handler struct{ svc *Service }

func (h *handler) create(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Title      string    `json:"title"`
		Mode       Mode      `json:"mode"`
		DistrictID string    `json:"districtId"`
		Date       time.Time `json:"date"`
		Days       float64   `json:"days"`
		ClassHours float64   `json:"classHours"`
	}
	if !web.Read(w, r, &req) {
		return
	}
	c, err := h.svc.CreateCourse(r.Context(), web.Caller(r), Course{Title: req.Title, Mode: req.Mode, DistrictID: req.DistrictID,
		Date: req.Date, Days: req.Days, ClassHours: req.ClassHours})
	web.Answer(w, r, http.StatusCreated, c, err)
}

func (h *handler) attend(w http.ResponseWriter, r *http.Request) {
	var req struct {
		OpenIDs []string `json:"openids"`
	}
	if !web.Read(w, r, &req) {
		return
	}
	rec, err := h.svc.RecordAttendance(r.Context(), web.Caller(r), r.PathValue("id"), req.OpenIDs)
	web.Answer(w, r, http.StatusOK, rec, err)
}

func (h *handler) compliance(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	year, err := input.Int(q.Get("year"), 0, math.MinInt, math.MaxInt, ErrYearInvalid)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	rep, err := h.svc.Compliance(r.Context(), web.Caller(r), q.Get("districtId"), year)
	web.Answer(w, r, http.StatusOK, rep, err)
}

func (h *handler) mine(w http.ResponseWriter, r *http.Request) {
	m, err := h.svc.Mine(r.Context(), web.Caller(r).OpenID)
	web.Answer(w, r, http.StatusOK, m, err)
}
