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
	"github.com/wentitong/wentitong/shared/web"
)

// Prefix is the path every page is served under: template.yaml declares the pages
// function's routes there, and H5_BASE_URL must end with it.
const Prefix = "/h5"

// Preferences remembers a signed-in person's 长辈版 choice across browsers.
type Preferences interface {
	// ElderMode reports whether the person chose 长辈版 (false for someone unknown).
	ElderMode(ctx context.Context, openid string) (bool, error)
	// SetElderMode records the choice.
	SetElderMode(ctx context.Context, openid string, on bool) error
}

// Config is what a Site needs.
type Config struct {
	// Base is the site's public URL (H5_BASE_URL), e.g. https://h5.wentitong.cn/h5; its
	// path must be Prefix. The WeChat authorisation returns to Base + "/auth/callback".
	Base string
	// Auth issues and verifies the session tokens the cookie carries.
	Auth *auth.Service
	// CSRFKey signs the forms' CSRF tokens (SESSION_SECRET, at least 32 bytes).
	CSRFKey []byte
	// AuthorizeURL is the WeChat authorisation page (snsapi_base) that returns to
	// redirectURI with ?code=…&state=state (wechat.AuthorizeURL, or the local fake's).
	AuthorizeURL func(redirectURI, state string) string
	// People remembers 长辈版 for the person; nil: the cookie alone remembers it.
	People Preferences
}

// Site is the pages' common machinery: the layout, the assets, sessions and CSRF.
type Site struct {
	cfg    Config
	base   *url.URL
	assets *Assets
	layout *layout
	cop    *http.CrossOriginProtection
	// mediaSrc are the origins besides the site's that pages load images, audio and
	// video from (" https://…" each; AllowMedia).
	mediaSrc string
}

// New checks cfg and builds the site with its layout and the common assets.
func New(cfg Config) (*Site, error) {
	base, err := url.Parse(cfg.Base)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" || strings.TrimSuffix(base.Path, "/") != Prefix {
		return nil, fmt.Errorf("config: H5_BASE_URL must be an http(s) URL whose path is %s, got %q", Prefix, cfg.Base)
	}
	base.Path = Prefix
	if cfg.Auth == nil || cfg.AuthorizeURL == nil {
		return nil, errors.New("h5: Auth and AuthorizeURL are required")
	}
	if len(cfg.CSRFKey) < auth.MinSecretLen {
		return nil, fmt.Errorf("config: the CSRF key (SESSION_SECRET) must be at least %d bytes", auth.MinSecretLen)
	}
	s := &Site{cfg: cfg, base: base, assets: NewAssets(), cop: http.NewCrossOriginProtection()}
	if err := s.assets.Add(assetFS); err != nil {
		return nil, err
	}
	if s.layout, err = parseLayout(s.assets); err != nil {
		return nil, err
	}
	s.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, ErrCrossOrigin)
	}))
	return s, nil
}

// Assets returns the site's asset registry, where a package of pages adds its own.
func (s *Site) Assets() *Assets { return s.assets }

// Base returns the site's public URL (H5_BASE_URL, without a trailing slash).
func (s *Site) Base() string { return s.base.String() }

// URL returns the public URL of a page path under Prefix ("/h5/me/bookings").
func (s *Site) URL(path string) string {
	return s.base.Scheme + "://" + s.base.Host + path
}

// Routes registers the foundation's own routes on rt (each is declared in template.yaml;
// Router calls it):
//
//	GET  /h5/assets/{name}   the fingerprinted assets, cached for a year
//	GET  /h5/auth/callback   where WeChat's authorisation returns: ?code, state, next
//	POST /h5/prefs/elder     the 长辈版 switch
//	GET  /h5/signin          sign in (silently, in WeChat) and go back to ?next=
func (s *Site) Routes(rt *web.Router) {
	rt.Handle("GET "+Prefix+"/assets/{name}", access.Public, s.assets.ServeHTTP)
	rt.Handle("GET "+Prefix+"/auth/callback", access.Public, s.Page(s.callback))
	rt.Handle("POST "+Prefix+"/prefs/elder", access.Public, s.Form(s.setElder))
	rt.Handle("GET "+Prefix+"/signin", access.Resident, s.Page(s.signedIn))
}

// signedIn serves GET /h5/signin?next=/h5/…: a public page's way to sign in (its rule
// sends a visitor without a session through the silent authorisation first), then back
// to next.
func (s *Site) signedIn(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	if !validNext(next) {
		next = Prefix + "/"
	}
	http.Redirect(w, r, next, http.StatusFound)
}

// SignInURL is the link a public page offers to sign in and come back to it.
func SignInURL(r *http.Request) string {
	return Prefix + "/signin?next=" + url.QueryEscape(Here(r))
}

// now is the clock of the session service.
func (s *Site) now() time.Time {
	if s.cfg.Auth.Now != nil {
		return s.cfg.Auth.Now()
	}
	return time.Now()
}
