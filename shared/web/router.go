package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/auth"
)

// Router is an http.ServeMux where every route declares its access.Rule, enforced before
// the route's handler runs. It remembers its patterns and rules (so tests can compare
// them with template.yaml and try every route as every kind of caller) and answers
// unknown routes and methods with the JSON error body.
type Router struct {
	mux      *http.ServeMux
	policy   *access.Policy
	patterns []string
	rules    map[string]access.Rule
	// Refuse answers a request its rule refused (Error when nil): a page router
	// redirects an anonymous visitor to sign in instead.
	Refuse func(w http.ResponseWriter, r *http.Request, err error)
}

// NewRouter returns an empty router enforcing rules with p (nil: only public routes).
func NewRouter(p *access.Policy) *Router {
	return &Router{mux: http.NewServeMux(), policy: p, rules: map[string]access.Rule{}}
}

// Handle registers h for an http.ServeMux pattern such as "POST /api/v1/auth/wechat",
// served only to the callers rule admits (with their claims in the request's context,
// auth.FromContext).
func (rt *Router) Handle(pattern string, rule access.Rule, h http.HandlerFunc) {
	rt.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, err := rt.policy.Authorize(r, rule)
		if err != nil {
			if rt.Refuse != nil {
				rt.Refuse(w, r, err)
				return
			}
			Error(w, r, err)
			return
		}
		h(w, r)
	}))
	rt.patterns = append(rt.patterns, pattern)
	rt.rules[pattern] = rule
}

// Caller is the caller a route's rule admitted (auth.FromContext): the zero Claims on a
// public route without a session.
func Caller(r *http.Request) auth.Claims {
	c, _ := auth.FromContext(r.Context())
	return c
}

// Rule returns the rule a pattern was registered with.
func (rt *Router) Rule(pattern string) (access.Rule, bool) {
	rule, ok := rt.rules[pattern]
	return rule, ok
}

// Patterns returns the registered patterns, sorted.
func (rt *Router) Patterns() []string {
	out := slices.Clone(rt.patterns)
	slices.Sort(out)
	return out
}

// ServeHTTP routes r. Like API Gateway, which routes /x/ as /x, a path with a trailing
// slash that no pattern matches is tried without it (the H5 home, GET /h5, is /h5/).
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, pattern := rt.mux.Handler(r)
	if pattern != "" {
		rt.mux.ServeHTTP(w, r)
		return
	}
	if p := r.URL.Path; len(p) > 1 && strings.HasSuffix(p, "/") {
		u := *r.URL
		u.Path, u.RawPath = strings.TrimSuffix(p, "/"), ""
		trimmed := r.WithContext(r.Context())
		trimmed.URL = &u
		if _, pattern := rt.mux.Handler(trimmed); pattern != "" {
			rt.mux.ServeHTTP(w, trimmed)
			return
		}
	}
	// No route: let the mux decide between 404 and 405 (it sets Allow), then answer in JSON.
	probe := &statusProbe{header: http.Header{}}
	h.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		if allow := probe.header.Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		JSON(w, http.StatusMethodNotAllowed, ErrorBody{Error: ErrorDetail{Code: ErrMethodNotAllowed.Code, Message: ErrMethodNotAllowed.Message}})
		return
	}
	if probe.status == http.StatusMovedPermanently || probe.status == http.StatusTemporaryRedirect || probe.status == http.StatusPermanentRedirect {
		h.ServeHTTP(w, r) // the mux's redirect to the canonical path
		return
	}
	Error(w, r, ErrRouteNotFound)
}

// statusProbe records the status a handler chose without sending anything.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header { return p.header }
func (p *statusProbe) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	return len(b), nil
}
func (p *statusProbe) WriteHeader(status int) {
	if p.status == 0 {
		p.status = status
	}
}
