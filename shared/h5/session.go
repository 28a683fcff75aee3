package h5

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/input"
	"github.com/wentitong/wentitong/shared/web"
)

// The cookies. All are scoped to Prefix, HttpOnly, Secure and SameSite=Lax: Lax, not
// Strict, because WeChat's authorisation returns to the callback by a cross-site
// top-level navigation, which must carry the nonce cookie.
//
// Secure is set everywhere, locally too: browsers treat http://127.0.0.1 and
// http://localhost as secure contexts and keep Secure cookies from them (Chromium,
// Firefox, Safari), so the local runner works on loopback without TLS. Serving the
// runner on another address over plain http (to try it from a phone on the LAN) would
// lose them; put it behind HTTPS for that.
const (
	SessionCookie = "wt_session" // an auth.Service token: the signed-in person
	nonceCookie   = "wt_oauth"   // the OAuth state's nonce, for the authorisation's round trip
	CSRFCookie    = "wt_csrf"    // the random value CSRF tokens are bound to
	elderCookie   = "wt_elder"   // "1": 长辈版, "0": 标准版
)

// Errors of sign-in and sessions, as pages show them.
var (
	ErrSignInFailed = fault.New(fault.Unauthorized, "signin_failed", "登录没有成功，请返回公众号菜单重新进入")
	ErrNeedSignIn   = fault.New(fault.Unauthorized, "signin_required", "登录已过期，请返回上一页刷新后再提交")
	ErrCrossOrigin  = fault.New(fault.Forbidden, "cross_origin", "请求来自其他网站，已拒绝。请从公众号菜单重新进入后再操作")
	ErrCSRF         = fault.New(fault.Forbidden, "csrf_invalid", "页面已过期，请返回上一页刷新后再提交")
	ErrNext         = fault.New(fault.Invalid, "next_invalid", "返回地址无效，请从公众号菜单重新进入")
	ErrBadForm      = fault.New(fault.Invalid, "form_invalid", "提交的表单内容不正确，请返回上一页检查后重新提交")
	ErrFormTooLarge = fault.New(fault.TooLarge, "form_too_large", "提交的内容太大，请返回上一页换一个小一些的文件")
)

func (s *Site) cookie(name, value string, maxAge time.Duration) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: Prefix, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode}
	switch {
	case maxAge < 0:
		c.MaxAge = -1
	case maxAge > 0:
		c.MaxAge = int(maxAge / time.Second)
	}
	return c
}

// Claims returns the signed-in person of r: the claims the router authenticated, or on
// a public page those of a valid session cookie.
func (s *Site) Claims(r *http.Request) (auth.Claims, bool) {
	if c, ok := auth.FromContext(r.Context()); ok {
		return c, true
	}
	ck, err := r.Cookie(SessionCookie)
	if err != nil {
		return auth.Claims{}, false
	}
	c, err := s.cfg.Auth.Authenticate(r.Context(), ck.Value)
	if err != nil {
		return auth.Claims{}, false
	}
	return c, true
}

// SignIn starts a sign-in: a new OAuth state whose nonce goes into a short-lived cookie,
// and a redirect to the WeChat authorisation page that returns to the callback and then
// to next (a path under Prefix).
func (s *Site) SignIn(w http.ResponseWriter, r *http.Request, next string) {
	if !validNext(next) {
		next = Prefix + "/"
	}
	state, nonce := s.cfg.Auth.NewState(s.now())
	http.SetCookie(w, s.cookie(nonceCookie, nonce, auth.StateTTL))
	back := s.URL(Prefix+"/auth/callback") + "?next=" + url.QueryEscape(next)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, s.cfg.AuthorizeURL(back, state), http.StatusFound)
}

// callback is where the authorisation returns: the state must be the one this browser
// was given (its nonce cookie) and fresh; the code becomes a session.
func (s *Site) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	next := q.Get("next")
	if !validNext(next) {
		s.Error(w, r, ErrNext)
		return
	}
	nonce := ""
	if ck, err := r.Cookie(nonceCookie); err == nil {
		nonce = ck.Value
	}
	http.SetCookie(w, s.cookie(nonceCookie, "", -1))
	if err := s.cfg.Auth.CheckState(q.Get("state"), nonce, s.now()); err != nil {
		s.Error(w, r, err)
		return
	}
	sess, err := s.cfg.Auth.SignIn(r.Context(), q.Get("code"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.startSession(w, r, sess)
	http.Redirect(w, r, next, http.StatusFound)
}

// startSession sets the session cookie and brings the person's remembered 长辈版 choice
// to this browser.
func (s *Site) startSession(w http.ResponseWriter, r *http.Request, sess auth.Session) {
	http.SetCookie(w, s.cookie(SessionCookie, sess.Token, time.Until(sess.ExpiresAt)))
	if s.cfg.People == nil {
		return
	}
	on, err := s.cfg.People.ElderMode(r.Context(), sess.OpenID)
	if err != nil {
		logger(r).Warn("read the 长辈版 preference", "err", err)
		return
	}
	if on || s.elder(r) {
		http.SetCookie(w, s.elderCookie(on))
	}
}

// EndSession ends the signed-in person's session in this browser (the cookie is
// dropped) and this process's cached standing of person, as after an erasure of their
// account: the next private page signs them in again.
func (s *Site) EndSession(w http.ResponseWriter, person string) {
	s.cfg.Auth.Forget(person)
	http.SetCookie(w, s.cookie(SessionCookie, "", -1))
}

// DevLogin serves GET /_dev/login?openid=…&next=/h5/…, which signs a browser in as
// openid directly. It signs in through the OAuth exchange with the code dev:<openid>,
// which only the fake WeChat API accepts, so it is mounted by the local runner and the
// browser tests only and template.yaml never declares it.
func (s *Site) DevLogin() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		next := q.Get("next")
		if next == "" {
			next = Prefix + "/"
		}
		if !validNext(next) {
			s.Error(w, r, ErrNext)
			return
		}
		openid := strings.TrimSpace(q.Get("openid"))
		if openid == "" || len(openid) > 64 {
			s.Error(w, r, auth.ErrCodeInvalid)
			return
		}
		sess, err := s.cfg.Auth.SignIn(r.Context(), "dev:"+openid)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		s.startSession(w, r, sess)
		http.Redirect(w, r, next, http.StatusFound)
	}
}

// ValidNext reports whether next is a path of the site a form may return to.
func ValidNext(next string) bool { return validNext(next) }

// validNext reports whether next is a path of the site to return to: under Prefix, not
// another host (//host, /\host) and without control characters.
func validNext(next string) bool {
	if next != Prefix && !strings.HasPrefix(next, Prefix+"/") && !strings.HasPrefix(next, Prefix+"?") {
		return false
	}
	if len(next) > 1024 || strings.ContainsAny(next, "\\\r\n\t") || strings.Contains(next, "//") {
		return false
	}
	u, err := url.Parse(next)
	return err == nil && u.Scheme == "" && u.Host == ""
}

// Router returns a router for pages that enforces each route's access.Rule with p, as
// the JSON routers do, but with the session of the cookie: a GET without a session is
// sent through the silent WeChat authorisation and back; a POST (any unsafe method)
// must first come from the site itself (http.CrossOriginProtection) and carry the
// form's CSRF token, and without a session it is refused with a page, not redirected
// (the form's content would be lost on the way). Other refusals are error pages. The
// foundation's own routes are registered on it (Routes).
func (s *Site) Router(p *access.Policy) *web.Router {
	rt := s.PagesRouter(p, nil)
	s.Routes(rt)
	return rt
}

// PagesRouter is Router without the foundation's own routes, for a function serving a
// package of pages beside the pages function (the staff console). Its error pages are
// drawn in t's layout (the site's when t is nil).
func (s *Site) PagesRouter(p *access.Policy, t *Templates) *web.Router {
	var pp access.Policy
	if p != nil {
		pp = *p
	}
	pp.Credentials = s.credentials
	rt := web.NewRouter(&pp)
	rt.Refuse = func(w http.ResponseWriter, r *http.Request, err error) { s.refuse(w, r, err, t) }
	return rt
}

// credentials is the session token of the cookie, after the same-origin and CSRF checks
// of an unsafe method.
func (s *Site) credentials(r *http.Request) (string, error) {
	if unsafe(r.Method) {
		if err := s.checkForm(r); err != nil {
			return "", err
		}
	}
	return sessionToken(r), nil
}

func unsafe(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// refuse answers a request its rule refused, with t's error page (the site's when nil).
func (s *Site) refuse(w http.ResponseWriter, r *http.Request, err error, t *Templates) {
	if fault.As(err).Kind == fault.Unauthorized && !unsafe(r.Method) {
		s.SignIn(w, r, Here(r))
		return
	}
	if fault.As(err).Kind == fault.Unauthorized {
		err = ErrNeedSignIn
	}
	if t != nil {
		t.Error(w, r, err)
		return
	}
	s.Error(w, r, err)
}

// checkForm is the same-origin and CSRF check of a state-changing request; it parses
// the form (at most maxForm bytes) and checks every field's text (input.Form).
func (s *Site) checkForm(r *http.Request) error {
	if err := s.cop.Check(r); err != nil {
		return ErrCrossOrigin
	}
	upload := strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
	if r.Body != nil {
		limit := int64(maxForm)
		if upload {
			limit = maxUpload
		}
		r.Body = http.MaxBytesReader(nil, r.Body, limit)
	}
	parse := r.ParseForm
	if upload {
		parse = func() error { return r.ParseMultipartForm(maxUpload) }
	}
	if err := parse(); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return ErrFormTooLarge
		}
		return ErrBadForm // a body that is not the form it says it is
	}
	if !s.checkCSRF(r, r.PostForm.Get(CSRFField)) {
		return ErrCSRF
	}
	return input.Form(r.PostForm)
}

// Form wraps a state-changing request on a public route (the 长辈版 switch), which the
// router's rule does not check: the same-origin and CSRF checks of Router.
func (s *Site) Form(h http.HandlerFunc) http.HandlerFunc {
	return s.Page(func(w http.ResponseWriter, r *http.Request) {
		if err := s.checkForm(r); err != nil {
			s.Error(w, r, err)
			return
		}
		h(w, r)
	})
}

// maxForm bounds a form's body; maxUpload a form with a file (multipart), whose
// handler bounds the file itself.
const (
	maxForm   = 64 << 10
	maxUpload = 1 << 20
)

// Page wraps every page: security headers, and the CSRF cookie a form on it needs.
func (s *Site) Page(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h(w, s.prepare(w, r))
	}
}

// prepare sets the security headers and makes sure the browser has its CSRF value, once
// per request.
func (s *Site) prepare(w http.ResponseWriter, r *http.Request) *http.Request {
	if _, ok := r.Context().Value(csrfKey).(string); ok {
		return r
	}
	hdr := w.Header()
	hdr.Set("Content-Security-Policy", fmt.Sprintf(csp, s.mediaSrc, s.mediaSrc, s.assets.styleHashes()))
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "same-origin")
	return s.withCSRF(w, r)
}

// csp allows nothing from another host but the media bucket's images, audio and video
// (the first two %s, empty without a bucket): scripts, styles and other images come from
// the site (QR codes are inline SVG), and forms post only to it. Inline styles are the
// site's own stylesheets, named by their hashes (the last %s).
const csp = "default-src 'self'; img-src 'self' data:%s; media-src 'self'%s; script-src 'self'; style-src 'self' %s; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

type ctxKey int

const csrfKey ctxKey = iota

func withValue(r *http.Request, k ctxKey, v any) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), k, v))
}

// AllowMedia lets pages show images and play audio and video from origin (the media
// bucket's, where the library's presigned URLs point: https://bucket.s3.region.amazonaws.com).
// Call it before serving.
func (s *Site) AllowMedia(origin string) {
	if origin != "" && !strings.Contains(s.mediaSrc, " "+origin) {
		s.mediaSrc += " " + origin
	}
}
