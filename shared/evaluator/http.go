package evaluator

import (
	"net/http"
	"time"

	"github.com/wentitong/wentitong/shared/access"
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
	if !web.Read(w, r, &req) {
		return
	}
	c := web.Caller(r)
	g, err := h.s.Grant(r.Context(), c, Grant{OpenID: req.OpenID, Name: req.Name, Organisation: req.Organisation,
		Districts: req.Districts, From: req.From, Until: req.Until})
	web.Answer(w, r, http.StatusCreated, g, err)
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
	c := web.Caller(r)
	g, err := h.s.Revoke(r.Context(), c, r.PathValue("id"))
	web.Answer(w, r, http.StatusOK, g, err)
}

func (h *handler) log(w http.ResponseWriter, r *http.Request) {
	month := r.URL.Query().Get("month")
	list, err := h.s.Log(r.Context(), month)
	web.Answer(w, r, http.StatusOK, map[string]any{"accesses": list}, err)
}

func (h *handler) mine(w http.ResponseWriter, r *http.Request) {
	c := web.Caller(r)
	gs, err := h.s.Current(r.Context(), c.OpenID)
	web.Answer(w, r, http.StatusOK, map[string]any{"grants": gs, "datasets": Datasets}, err)
}

func (h *handler) export(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	format := q.Get("format")
	if format == "" {
		format = "json"
	}
	c := web.Caller(r)
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
	web.CSV(w, e.Filename(), e.CSV())
}

// SurveyRoutes adds the satisfaction surveys' routes to rt (docs/api.md); results
// admit admins and the evaluators whose current grant covers every district the
// survey samples (each read logged as an export is):
//
//	POST /api/v1/admin/surveys             define a survey (admin)
//	GET  /api/v1/admin/surveys             every survey (admin)
//	POST /api/v1/admin/surveys/{id}/send   draw the samples and queue the invitations (admin)
//	GET  /api/v1/surveys/{id}/results      results with margins of error (evaluator, admin)
//	GET  /api/v1/surveys/{id}              the questions, and whether one may answer (signed in)
//	POST /api/v1/surveys/{id}/responses    answer once (the invited)
func SurveyRoutes(rt *web.Router, ev *Service, sv *Surveys) {
	h := &surveyHandler{ev: ev, sv: sv}
	rt.Handle("POST /api/v1/admin/surveys", access.Admin, h.create)
	rt.Handle("GET /api/v1/admin/surveys", access.Admin, h.list)
	rt.Handle("POST /api/v1/admin/surveys/{id}/send", access.Admin, h.send)
	rt.Handle("GET /api/v1/surveys/{id}/results", access.Evaluator(sv.Target), h.results)
	rt.Handle("GET /api/v1/surveys/{id}", access.Resident, h.form)
	rt.Handle("POST /api/v1/surveys/{id}/responses", access.Resident, h.respond)
}

type surveyHandler struct {
	ev *Service
	sv *Surveys
}

// Target is the paths of the districts the survey of the path's id samples
// (access.Target).
func (s *Surveys) Target(r *http.Request) ([]string, error) {
	sv, err := s.Store.Survey(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return sv.Paths, nil
}

func (h *surveyHandler) create(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Title       string    `json:"title"`
		Questions   []string  `json:"questions"`
		Districts   []string  `json:"districts"`
		Days        int       `json:"days"`
		PerDistrict int       `json:"perDistrict"`
		ClosesAt    time.Time `json:"closesAt"`
	}
	if !web.Read(w, r, &req) {
		return
	}
	c := web.Caller(r)
	sv, err := h.sv.Create(r.Context(), c, Survey{Title: req.Title, Questions: req.Questions, Districts: req.Districts,
		Days: req.Days, PerDistrict: req.PerDistrict, ClosesAt: req.ClosesAt})
	web.Answer(w, r, http.StatusCreated, sv, err)
}

func (h *surveyHandler) list(w http.ResponseWriter, r *http.Request) {
	list, err := h.sv.Store.Surveys(r.Context())
	web.Answer(w, r, http.StatusOK, map[string]any{"surveys": list}, err)
}

func (h *surveyHandler) send(w http.ResponseWriter, r *http.Request) {
	sv, err := h.sv.Send(r.Context(), r.PathValue("id"))
	web.Answer(w, r, http.StatusOK, sv, err)
}

func (h *surveyHandler) results(w http.ResponseWriter, r *http.Request) {
	c := web.Caller(r)
	res, err := h.ev.SurveyResults(r.Context(), c, h.sv, r.PathValue("id"))
	web.Answer(w, r, http.StatusOK, res, err)
}

func (h *surveyHandler) form(w http.ResponseWriter, r *http.Request) {
	c := web.Caller(r)
	f, err := h.sv.Form(r.Context(), r.PathValue("id"), c.OpenID)
	web.Answer(w, r, http.StatusOK, map[string]any{"id": f.Survey.ID, "title": f.Survey.Title, "questions": f.Survey.Questions,
		"closesAt": f.Survey.ClosesAt, "open": f.Open, "invited": f.Invited, "answered": f.Answered}, err)
}

func (h *surveyHandler) respond(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Answers []int `json:"answers"`
	}
	if !web.Read(w, r, &req) {
		return
	}
	c := web.Caller(r)
	res, err := h.sv.Respond(r.Context(), r.PathValue("id"), c.OpenID, req.Answers)
	web.Answer(w, r, http.StatusCreated, res, err)
}
