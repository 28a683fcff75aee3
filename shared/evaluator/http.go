package evaluator

import (
	"fmt"
	"net/http"
	"time"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/web"
)

// Routes adds third-party evaluation's routes to rt (docs/api.md):
//
//	POST /api/v1/admin/evaluation-grants             grant an evaluator access (admin)
//	GET  /api/v1/admin/evaluation-grants             every grant (admin)
//	POST /api/v1/admin/evaluation-grants/{id}/revoke end a grant now (admin)
//	GET  /api/v1/admin/evaluation-access?month=      the access log (admin)
//	GET  /api/v1/evaluator/grants                    one's own current grants (signed in)
//	GET  /api/v1/evaluator/exports/{dataset}?district=&from=&to=&format=
//	                                                 a de-identified export (evaluator, admin)
func Routes(rt *web.Router, s *Service) {
	h := &handler{s: s}
	rt.Handle("POST /api/v1/admin/evaluation-grants", access.Admin, h.grant)
	rt.Handle("GET /api/v1/admin/evaluation-grants", access.Admin, h.grants)
	rt.Handle("POST /api/v1/admin/evaluation-grants/{id}/revoke", access.Admin, h.revoke)
	rt.Handle("GET /api/v1/admin/evaluation-access", access.Admin, h.log)
	rt.Handle("GET /api/v1/evaluator/grants", access.Resident, h.mine)
	rt.Handle("GET /api/v1/evaluator/exports/{dataset}", access.Evaluator(h.district), h.export)
}

type handler struct{ s *Service }

// district is the district an export reads (access.Target): it must name one.
func (h *handler) district(r *http.Request) ([]string, error) {
	id := r.URL.Query().Get("district")
	if id == "" {
		return nil, ErrDistrictNeeded
	}
	d, err := h.s.Places.District(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return []string{d.Path}, nil
}

func (h *handler) grant(w http.ResponseWriter, r *http.Request) {
	var req struct {
		OpenID       string    `json:"openid"`
		Name         string    `json:"name"`
		Organisation string    `json:"organisation"`
		Districts    []string  `json:"districts"`
		From         time.Time `json:"from"`
		Until        time.Time `json:"until"`
	}
	if err := web.Decode(w, r, &req); err != nil {
		web.Error(w, r, err)
		return
	}
	c, _ := auth.FromContext(r.Context())
	g, err := h.s.Grant(r.Context(), c, Grant{OpenID: req.OpenID, Name: req.Name, Organisation: req.Organisation,
		Districts: req.Districts, From: req.From, Until: req.Until})
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, g)
}

func (h *handler) grants(w http.ResponseWriter, r *http.Request) {
	gs, err := h.s.Store.Grants(r.Context())
	if err != nil {
		web.Error(w, r, err)
		return
	}
	now := h.s.Now()
	type row struct {
		Grant
		Current bool `json:"current"`
	}
	out := make([]row, len(gs))
	for i, g := range gs {
		out[i] = row{g, g.Current(now)}
	}
	web.JSON(w, http.StatusOK, map[string]any{"grants": out})
}

func (h *handler) revoke(w http.ResponseWriter, r *http.Request) {
	c, _ := auth.FromContext(r.Context())
	g, err := h.s.Revoke(r.Context(), c, r.PathValue("id"))
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, g)
}

func (h *handler) log(w http.ResponseWriter, r *http.Request) {
	month := r.URL.Query().Get("month")
	list, err := h.s.Log(r.Context(), month)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]any{"accesses": list})
}

func (h *handler) mine(w http.ResponseWriter, r *http.Request) {
	c, _ := auth.FromContext(r.Context())
	gs, err := h.s.Current(r.Context(), c.OpenID)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]any{"grants": gs, "datasets": Datasets})
}

func (h *handler) export(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	format := q.Get("format")
	if format == "" {
		format = "json"
	}
	c, _ := auth.FromContext(r.Context())
	e, err := h.s.Export(r.Context(), c, Request{Dataset: r.PathValue("dataset"), DistrictID: q.Get("district"),
		From: q.Get("from"), To: q.Get("to"), Format: format})
	if err != nil {
		web.Error(w, r, err)
		return
	}
	if format == "json" {
		web.JSON(w, http.StatusOK, e)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s-%s-%s.csv"`, e.Dataset, e.DistrictID, e.From, e.To))
	_, _ = w.Write(e.CSV())
}
