package news

import (
	"net/http"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/input"
	"github.com/wentitong/wentitong/shared/institution"
	"github.com/wentitong/wentitong/shared/web"
)

// ErrLimitInvalid is a bad limit parameter.
var ErrLimitInvalid = fault.New(fault.Invalid, "limit_invalid", "条数应为 1 到 100 的整数")

// Routes adds the news centre's routes to rt (docs/api.md):
//
//	GET    /api/v1/news                     published articles (?category=&limit=)
//	GET    /api/v1/news/{id}                one published article
//	POST   /api/v1/admin/news               write a draft (staff of its institution)
//	GET    /api/v1/admin/news               an institution's articles (?institution=)
//	PUT    /api/v1/admin/news/{id}          replace it {"version", …}
//	POST   /api/v1/admin/news/{id}/publish  publish
//	GET    /api/v1/topics                   what residents may follow
//	GET    /api/v1/me/subscriptions         what I follow
//	PUT    /api/v1/me/subscriptions/{topic} follow {"consent": true}
//	DELETE /api/v1/me/subscriptions/{topic} stop following
func Routes(rt *web.Router, s *Service) {
	g := s.guard()
	ofArticle := institution.Member(g, func(r *http.Request) (string, error) {
		a, err := s.Store.Article(r.Context(), r.PathValue("id"))
		return a.InstitutionID, err
	})
	ofBody := institution.Member(g, func(r *http.Request) (string, error) {
		var d Draft
		access.Body(r, &d)
		return d.InstitutionID, nil
	})
	ofQuery := institution.Member(g, func(r *http.Request) (string, error) { return r.URL.Query().Get("institution"), nil })
	rt.Handle("GET /api/v1/news", access.Public, func(w http.ResponseWriter, r *http.Request) {
		limit, err := input.Int(r.URL.Query().Get("limit"), 20, 1, 100, ErrLimitInvalid)
		if err != nil {
			web.Error(w, r, err)
			return
		}
		as, err := s.List(r.Context(), r.URL.Query().Get("category"), limit)
		web.Answer(w, r, http.StatusOK, map[string][]Article{"news": as}, err)
	})
	rt.Handle("GET /api/v1/news/{id}", access.Public, func(w http.ResponseWriter, r *http.Request) {
		v, err := s.Get(r.Context(), r.PathValue("id"))
		web.Answer(w, r, http.StatusOK, v, err)
	})
	rt.Handle("POST /api/v1/admin/news", ofBody, func(w http.ResponseWriter, r *http.Request) {
		var d Draft
		if !web.Read(w, r, &d) {
			return
		}
		a, err := s.Create(r.Context(), web.Caller(r), d)
		web.Answer(w, r, http.StatusCreated, a, err)
	})
	rt.Handle("GET /api/v1/admin/news", ofQuery, func(w http.ResponseWriter, r *http.Request) {
		as, err := s.OfInstitution(r.Context(), web.Caller(r), r.URL.Query().Get("institution"))
		web.Answer(w, r, http.StatusOK, map[string][]Article{"news": as}, err)
	})
	rt.Handle("PUT /api/v1/admin/news/{id}", ofArticle, func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Version int `json:"version"`
			Draft
		}
		if !web.Read(w, r, &req) {
			return
		}
		a, err := s.Update(r.Context(), web.Caller(r), r.PathValue("id"), req.Version, req.Draft)
		web.Answer(w, r, http.StatusOK, a, err)
	})
	rt.Handle("POST /api/v1/admin/news/{id}/publish", ofArticle, func(w http.ResponseWriter, r *http.Request) {
		a, err := s.Publish(r.Context(), web.Caller(r), r.PathValue("id"))
		web.Answer(w, r, http.StatusOK, a, err)
	})
	rt.Handle("GET /api/v1/topics", access.Public, func(w http.ResponseWriter, r *http.Request) {
		ts, err := s.Topics(r.Context())
		web.Answer(w, r, http.StatusOK, map[string]any{"topics": ts, "consent": map[string]string{"version": ConsentVersion, "text": ConsentText}}, err)
	})
	rt.Handle("GET /api/v1/me/subscriptions", access.Resident, func(w http.ResponseWriter, r *http.Request) {
		subs, err := s.Subscriptions(r.Context(), web.Caller(r).OpenID)
		web.Answer(w, r, http.StatusOK, map[string][]Subscription{"subscriptions": subs}, err)
	})
	rt.Handle("PUT /api/v1/me/subscriptions/{topic}", access.Resident, func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Consent bool   `json:"consent"`
			Channel string `json:"channel"`
		}
		if !web.Read(w, r, &req) {
			return
		}
		sub, err := s.Subscribe(r.Context(), web.Caller(r).OpenID, r.PathValue("topic"), req.Consent, req.Channel)
		web.Answer(w, r, http.StatusOK, sub, err)
	})
	rt.Handle("DELETE /api/v1/me/subscriptions/{topic}", access.Resident, func(w http.ResponseWriter, r *http.Request) {
		if err := s.Unsubscribe(r.Context(), web.Caller(r).OpenID, r.PathValue("topic")); err != nil {
			web.Error(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
