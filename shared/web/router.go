package web

import (
	"net/http"
	"slices"
)

// Router is an http.ServeMux that remembers its patterns (so tests can compare them with
// template.yaml) and answers unknown routes and methods with the JSON error body.
type Router struct {
	mux      *http.ServeMux
	patterns []string
}

// NewRouter returns an empty router.
func NewRouter() *Router { return &Router{mux: http.NewServeMux()} }

// Handle registers h for an http.ServeMux pattern such as "POST /api/v1/auth/wechat".
func (rt *Router) Handle(pattern string, h http.HandlerFunc) {
	rt.mux.Handle(pattern, h)
	rt.patterns = append(rt.patterns, pattern)
}

// Patterns returns the registered patterns, sorted.
func (rt *Router) Patterns() []string {
	out := slices.Clone(rt.patterns)
	slices.Sort(out)
	return out
}

func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, pattern := rt.mux.Handler(r)
	if pattern != "" {
		rt.mux.ServeHTTP(w, r)
		return
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
