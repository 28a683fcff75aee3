package figure

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/wentitong/wentitong/shared/access"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/web"
)

// ErrDisciplineInvalid is an unknown discipline in a search.
var ErrDisciplineInvalid = fault.New(fault.Invalid, "discipline_invalid", "未知的艺术门类")

// Routes adds the figures database's routes to rt (docs/api.md):
//
//	POST /api/v1/admin/figure-calls                         publish a year's call (admin)
//	GET  /api/v1/figure-calls/{year}                        the call, criteria and those selected (public)
//	POST /api/v1/figure-calls/{year}/applications           apply (signed in)
//	GET  /api/v1/admin/figure-calls/{year}/applications     the applications (panel, admin)
//	PUT  /api/v1/admin/figure-applications/{id}/score       a panel member's scores
//	POST /api/v1/admin/figure-calls/{year}/selection        rank and select the top ten (admin)
//	GET  /api/v1/figures                                    search (?discipline=&district=; public)
//	GET  /api/v1/figures/{id}                               a figure's profile and history (public)
//	GET  /api/v1/admin/figures                              figures due for review (admin)
//	POST /api/v1/admin/figures/{id}/status                  change status with a reason (admin)
//
// The applications and their scoring are for the year's panel (and admins).
func Routes(rt *web.Router, s *Service) {
	h := &handler{s: s}
	rt.Handle("POST /api/v1/admin/figure-calls", access.Admin, h.openCall)
	rt.Handle("GET /api/v1/figure-calls/{year}", access.Public, h.call)
	rt.Handle("POST /api/v1/figure-calls/{year}/applications", access.Resident, h.apply)
	rt.Handle("GET /api/v1/admin/figure-calls/{year}/applications", access.Member(h.panelOfYear), h.applications)
	rt.Handle("PUT /api/v1/admin/figure-applications/{id}/score", access.Member(h.panelOfApplication), h.score)
	rt.Handle("POST /api/v1/admin/figure-calls/{year}/selection", access.Admin, h.selection)
	rt.Handle("GET /api/v1/figures", access.Public, h.search)
	rt.Handle("GET /api/v1/figures/{id}", access.Public, h.profile)
	rt.Handle("GET /api/v1/admin/figures", access.Admin, h.due)
	rt.Handle("POST /api/v1/admin/figures/{id}/status", access.Admin, h.status)
}

// panelOfYear admits the panel of the call of the path's year.
func (h *handler) panelOfYear(r *http.Request, c auth.Claims) error {
	y, err := year(r)
	if err != nil {
		return err
	}
	return h.s.PanelMember(r.Context(), c, y)
}

// panelOfApplication admits the panel of the call an application was made to.
func (h *handler) panelOfApplication(r *http.Request, c auth.Claims) error {
	return h.s.ApplicationPanelMember(r.Context(), c, r.PathValue("id"))
}

type handler struct{ s *Service }

func year(r *http.Request) (int, error) {
	y, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || y < 2000 || y > 2100 {
		return 0, ErrCallNotFound
	}
	return y, nil
}

func (h *handler) openCall(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Year     int       `json:"year"`
		OpensAt  time.Time `json:"opensAt"`
		ClosesAt time.Time `json:"closesAt"`
		Panel    []string  `json:"panel"`
	}
	if !web.Read(w, r, &req) {
		return
	}
	c, err := h.s.OpenCall(r.Context(), Call{Year: req.Year, OpensAt: req.OpensAt, ClosesAt: req.ClosesAt, Panel: req.Panel})
	web.Answer(w, r, http.StatusCreated, c, err)
}

func (h *handler) call(w http.ResponseWriter, r *http.Request) {
	y, err := year(r)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	c, err := h.s.Call(r.Context(), y)
	web.Answer(w, r, http.StatusOK, c, err)
}

func (h *handler) apply(w http.ResponseWriter, r *http.Request) {
	y, err := year(r)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	var a Application
	if !web.Read(w, r, &a) {
		return
	}
	a.Year = y
	c := web.Caller(r)
	a, err = h.s.Apply(r.Context(), c, a)
	web.Answer(w, r, http.StatusCreated, a, err)
}

func (h *handler) applications(w http.ResponseWriter, r *http.Request) {
	y, err := year(r)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	apps, err := h.s.Applications(r.Context(), y)
	web.Answer(w, r, http.StatusOK, map[string][]Application{"applications": apps}, err)
}

func (h *handler) score(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Scores map[string]int `json:"scores"`
	}
	if !web.Read(w, r, &req) {
		return
	}
	c := web.Caller(r)
	total, err := h.s.Score(r.Context(), c, r.PathValue("id"), req.Scores)
	web.Answer(w, r, http.StatusOK, map[string]any{"applicationId": r.PathValue("id"), "scores": req.Scores, "total": total}, err)
}

func (h *handler) selection(w http.ResponseWriter, r *http.Request) {
	y, err := year(r)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	c := web.Caller(r)
	call, err := h.s.Select(r.Context(), c, y)
	web.Answer(w, r, http.StatusOK, call, err)
}

func (h *handler) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if d := q.Get("discipline"); d != "" && !slices.Contains(Disciplines, d) {
		web.Error(w, r, ErrDisciplineInvalid)
		return
	}
	fs, err := h.s.Search(r.Context(), q.Get("district"), q.Get("discipline"))
	web.Answer(w, r, http.StatusOK, map[string][]Figure{"figures": fs}, err)
}

func (h *handler) profile(w http.ResponseWriter, r *http.Request) {
	f, err := h.s.Profile(r.Context(), r.PathValue("id"))
	web.Answer(w, r, http.StatusOK, f, err)
}

func (h *handler) due(w http.ResponseWriter, r *http.Request) {
	fs, err := h.s.Due(r.Context())
	web.Answer(w, r, http.StatusOK, map[string][]Figure{"figures": fs}, err)
}

func (h *handler) status(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Status string `json:"status"`
		Reason string `json:"reason" input:"long"`
	}
	if !web.Read(w, r, &req) {
		return
	}
	c := web.Caller(r)
	f, err := h.s.SetStatus(r.Context(), c, r.PathValue("id"), req.Status, req.Reason)
	web.Answer(w, r, http.StatusOK, f, err)
}
