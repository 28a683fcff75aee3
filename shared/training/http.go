package training

import (
	"net/http"
	"strconv"
	"time"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/web"
)

// Routes adds the training routes to rt (docs/api.md):
//
//	POST /api/v1/admin/trainings                   create a course → 201
//	POST /api/v1/admin/trainings/{id}/attendance   record attendees → 200 {"recorded","already"}
//	GET  /api/v1/admin/training/compliance?year=&districtId=   the compliance report
//	GET  /api/v1/me/trainings                      the caller's training record
func Routes(rt *web.Router, svc *Service, v web.Verifier) {
	staff := []string{auth.RoleAdmin, auth.RoleCoordinator, auth.RoleStaff}
	h := &handler{svc: svc}
	rt.Handle("POST /api/v1/admin/trainings", web.RequireAuth(v, h.create, staff...))
	rt.Handle("POST /api/v1/admin/trainings/{id}/attendance", web.RequireAuth(v, h.attend, staff...))
	rt.Handle("GET /api/v1/admin/training/compliance", web.RequireAuth(v, h.compliance, staff...))
	rt.Handle("GET /api/v1/me/trainings", web.RequireAuth(v, h.mine))
}

type handler struct{ svc *Service }

func claims(r *http.Request) auth.Claims {
	c, _ := auth.FromContext(r.Context())
	return c
}

func (h *handler) create(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Title      string    `json:"title"`
		Mode       Mode      `json:"mode"`
		DistrictID string    `json:"districtId"`
		Date       time.Time `json:"date"`
		Days       float64   `json:"days"`
		ClassHours float64   `json:"classHours"`
	}
	if err := web.Decode(w, r, &req); err != nil {
		web.Error(w, r, err)
		return
	}
	c, err := h.svc.CreateCourse(r.Context(), claims(r), Course{Title: req.Title, Mode: req.Mode, DistrictID: req.DistrictID,
		Date: req.Date, Days: req.Days, ClassHours: req.ClassHours})
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, c)
}

func (h *handler) attend(w http.ResponseWriter, r *http.Request) {
	var req struct {
		OpenIDs []string `json:"openids"`
	}
	if err := web.Decode(w, r, &req); err != nil {
		web.Error(w, r, err)
		return
	}
	rec, err := h.svc.RecordAttendance(r.Context(), claims(r), r.PathValue("id"), req.OpenIDs)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, rec)
}

func (h *handler) compliance(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	year := 0
	if y := q.Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil {
			web.Error(w, r, ErrYearInvalid)
			return
		}
		year = n
	}
	rep, err := h.svc.Compliance(r.Context(), claims(r), q.Get("districtId"), year)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, rep)
}

func (h *handler) mine(w http.ResponseWriter, r *http.Request) {
	m, err := h.svc.Mine(r.Context(), claims(r).OpenID)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, m)
}
