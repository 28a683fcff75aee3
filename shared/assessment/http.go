package assessment

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/web"
)

// Routes adds the assessments' routes to rt (docs/api.md). {level} is institution,
// county, township or village; {unit} an institution's or a district's id. A district's
// own routes are its staff's (the staff rule on the district); an institution's are its
// staff's (member names who works there); reviewers are those an admin appointed for
// the year.
//
//	GET  /api/v1/assessments/{year}/{level}/scheme          the indicator set (public)
//	PUT  /api/v1/admin/assessments/{year}/{level}/scheme    define it (admin)
//	PUT  /api/v1/admin/assessment-reviewers/{year}/{openid} appoint a reviewer for the year (admin)
//	GET  /api/v1/assessments/{year}/{level}/sheet           every unit's live figures (reviewer)
//	GET  /api/v1/assessments/{year}/{level}/units/{unit}/evidence/{id}     read evidence (reviewer)
//	PUT  /api/v1/assessments/{year}/{level}/units/{unit}/reviews/{indicator} review a self-report (reviewer)
//	POST /api/v1/admin/assessments/{year}/{level}/publish   publish the results (admin)
//	GET  /api/v1/assessments/{year}/{level}/results?format= the published results, ranked (public)
//	GET  /api/v1/{kind}-assessments/{year}/{unit}           a unit's own live figures (its staff)
//	PUT  /api/v1/{kind}-assessments/{year}/{unit}/reports/{indicator}          self-report (its staff)
//	POST /api/v1/{kind}-assessments/{year}/{unit}/reports/{indicator}/evidence upload evidence (its staff)
//	GET  /api/v1/{kind}-assessments/{year}/{unit}/evidence/{id}                read it (its staff)
//
// where {kind} is district (the staff rule) or institution (member; without it, there
// are no institutions' routes).
func Routes(rt *web.Router, s *Service, district access.Target, member func(r *http.Request, c auth.Claims) error) {
	h := &handler{s: s}
	reviewer := access.Member(func(r *http.Request, c auth.Claims) error {
		year, err := strconv.Atoi(r.PathValue("year"))
		if err != nil {
			return ErrYearInvalid
		}
		return s.Reviewer(r.Context(), year, c.OpenID)
	})
	rt.Handle("GET /api/v1/assessments/{year}/{level}/scheme", access.Public, h.scheme)
	rt.Handle("PUT /api/v1/admin/assessments/{year}/{level}/scheme", access.Admin, h.define)
	rt.Handle("PUT /api/v1/admin/assessment-reviewers/{year}/{openid}", access.Admin, h.appoint)
	rt.Handle("GET /api/v1/assessments/{year}/{level}/sheet", reviewer, h.sheet)
	rt.Handle("GET /api/v1/assessments/{year}/{level}/units/{unit}/evidence/{id}", reviewer, h.evidence)
	rt.Handle("PUT /api/v1/assessments/{year}/{level}/units/{unit}/reviews/{indicator}", reviewer, h.review)
	rt.Handle("POST /api/v1/admin/assessments/{year}/{level}/publish", access.Admin, h.publish)
	rt.Handle("GET /api/v1/assessments/{year}/{level}/results", access.Public, h.results)
	own := []struct {
		prefix string
		rule   access.Rule
	}{{"/api/v1/district-assessments/{year}/{unit}", access.Staff(district)}}
	if member != nil {
		own = append(own, struct {
			prefix string
			rule   access.Rule
		}{"/api/v1/institution-assessments/{year}/{unit}", access.Member(member)})
	}
	for _, k := range own {
		rt.Handle("GET "+k.prefix, k.rule, h.unit)
		rt.Handle("PUT "+k.prefix+"/reports/{indicator}", k.rule, h.report)
		rt.Handle("POST "+k.prefix+"/reports/{indicator}/evidence", k.rule, h.upload)
		rt.Handle("GET "+k.prefix+"/evidence/{id}", k.rule, h.evidence)
	}
}

type handler struct{ s *Service }

// yearLevel reads the year and level of the path: a district's own routes are of its
// level, an institution's of institutions.
func (h *handler) yearLevel(r *http.Request) (Level, int, error) {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || year < 2000 || year > 2100 {
		return "", 0, ErrYearInvalid
	}
	level := Level(r.PathValue("level"))
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/v1/institution-assessments/"):
		level = LevelInstitution
	case strings.HasPrefix(r.URL.Path, "/api/v1/district-assessments/"):
		d, err := h.s.Places.District(r.Context(), r.PathValue("unit"))
		if err != nil {
			return "", 0, err
		}
		level = Level(d.Level)
		if level == LevelInstitution {
			level = ""
		}
	}
	if !ValidLevel(level) {
		return "", 0, ErrLevelInvalid
	}
	return level, year, nil
}

// serve answers what f returns for the path's year and level.
func serve[T any](h *handler, w http.ResponseWriter, r *http.Request, status int, f func(level Level, year int) (T, error)) {
	level, year, err := h.yearLevel(r)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	v, err := f(level, year)
	web.Answer(w, r, status, v, err)
}

func (h *handler) scheme(w http.ResponseWriter, r *http.Request) {
	serve(h, w, r, http.StatusOK, func(level Level, year int) (Scheme, error) {
		return h.s.Store.Scheme(r.Context(), year, level)
	})
}

func (h *handler) define(w http.ResponseWriter, r *http.Request) {
	var sc Scheme
	if !web.Read(w, r, &sc) {
		return
	}
	serve(h, w, r, http.StatusOK, func(level Level, year int) (Scheme, error) {
		sc.Year, sc.Level = year, level
		return h.s.DefineScheme(r.Context(), sc)
	})
}

func (h *handler) sheet(w http.ResponseWriter, r *http.Request) {
	serve(h, w, r, http.StatusOK, func(level Level, year int) (Sheet, error) {
		return h.s.Sheet(r.Context(), year, level, "")
	})
}

func (h *handler) unit(w http.ResponseWriter, r *http.Request) {
	serve(h, w, r, http.StatusOK, func(level Level, year int) (Sheet, error) {
		return h.s.Sheet(r.Context(), year, level, r.PathValue("unit"))
	})
}

func (h *handler) report(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Value *float64 `json:"value"`
		Note  string   `json:"note" input:"long"`
	}
	if !web.Read(w, r, &req) {
		return
	}
	c := web.Caller(r)
	serve(h, w, r, http.StatusOK, func(level Level, year int) (SelfReport, error) {
		if req.Value == nil {
			return SelfReport{}, ErrReportInvalid
		}
		return h.s.Report(r.Context(), c, year, level, r.PathValue("unit"), r.PathValue("indicator"), *req.Value, req.Note)
	})
}

func (h *handler) upload(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxEvidenceBytes+1))
	if err != nil {
		web.Error(w, r, ErrEvidenceInvalid)
		return
	}
	c := web.Caller(r)
	serve(h, w, r, http.StatusCreated, func(level Level, year int) (Evidence, error) {
		return h.s.AddEvidence(r.Context(), c, year, level, r.PathValue("unit"), r.PathValue("indicator"), r.URL.Query().Get("name"), body)
	})
}

func (h *handler) evidence(w http.ResponseWriter, r *http.Request) {
	level, year, err := h.yearLevel(r)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	e, content, err := h.s.Evidence(r.Context(), year, level, r.PathValue("unit"), r.PathValue("id"))
	if err != nil {
		web.Error(w, r, err)
		return
	}
	WriteEvidence(w, e, content)
}

// WriteEvidence answers an evidence file as a download of its own type, never shown
// inline nor cached (the API's and the console's reads).
func WriteEvidence(w http.ResponseWriter, e Evidence, content []byte) {
	w.Header().Set("Content-Type", e.Type)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(e.Name))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(content)
}

func (h *handler) appoint(w http.ResponseWriter, r *http.Request) {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		web.Error(w, r, ErrYearInvalid)
		return
	}
	if err := h.s.Appoint(r.Context(), year, r.PathValue("openid")); err != nil {
		web.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]any{"year": year, "openid": r.PathValue("openid"), "status": "appointed"})
}

func (h *handler) review(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Accept  bool     `json:"accept"`
		Value   *float64 `json:"value"`
		Comment string   `json:"comment" input:"long"`
	}
	if !web.Read(w, r, &req) {
		return
	}
	c := web.Caller(r)
	serve(h, w, r, http.StatusOK, func(level Level, year int) (SelfReport, error) {
		return h.s.Review(r.Context(), c, year, level, r.PathValue("unit"), r.PathValue("indicator"), req.Accept, req.Value, req.Comment)
	})
}

func (h *handler) publish(w http.ResponseWriter, r *http.Request) {
	serve(h, w, r, http.StatusCreated, func(level Level, year int) (Result, error) {
		return h.s.Publish(r.Context(), year, level)
	})
}

func (h *handler) results(w http.ResponseWriter, r *http.Request) {
	level, year, err := h.yearLevel(r)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	res, err := h.s.Store.Result(r.Context(), year, level)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	switch r.URL.Query().Get("format") {
	case "", "json":
		web.JSON(w, http.StatusOK, res)
	case "csv":
		web.CSV(w, fmt.Sprintf("assessment-%d-%s.csv", year, level), res.CSV())
	default:
		web.Error(w, r, ErrFormatInvalid)
	}
}
