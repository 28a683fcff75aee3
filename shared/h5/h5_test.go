package h5_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/h5"
	"github.com/wentitong/wentitong/shared/web"
)

const secret = "0123456789abcdef0123456789abcdef-h5-test"

// oauth accepts the code "code-<openid>".
type oauth struct{}

func (oauth) Identify(_ context.Context, code string) (auth.Identity, error) {
	id, ok := strings.CutPrefix(code, "code-")
	if !ok {
		return auth.Identity{}, auth.ErrCodeInvalid
	}
	return auth.Identity{Kind: auth.IdentOfficial, ID: id}, nil
}

type people map[string]bool // openid → 长辈版

func (people) SignedIn(context.Context, string, time.Time) (auth.Standing, error) {
	return auth.Standing{}, nil
}
func (people) Standing(context.Context, string) (auth.Standing, error) { return auth.Standing{}, nil }
func (people) SignOut(context.Context, string, time.Time) error        { return nil }
func (p people) ElderMode(_ context.Context, id string) (bool, error)  { return p[id], nil }
func (p people) SetElderMode(_ context.Context, id string, on bool) error {
	p[id] = on
	return nil
}

type fixture struct {
	site   *h5.Site
	rt     *web.Router
	people people
	auth   *auth.Service
	now    time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{people: people{}, now: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)}
	svc := &auth.Service{Secret: []byte(secret), OAuth: oauth{}, People: f.people, Now: func() time.Time { return f.now }}
	site, err := h5.New(h5.Config{
		Base: "https://h5.example.cn/h5", Auth: svc, CSRFKey: []byte(secret), People: f.people,
		AuthorizeURL: func(back, state string) string {
			return "https://wx.example/authorize?redirect_uri=" + url.QueryEscape(back) + "&state=" + state
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	pages, err := site.Parse(fstest.MapFS{
		"me.html":   {Data: []byte(`{{define "content"}}<p id="me">{{.Data}}</p><form method="post">{{template "csrf" .}}</form>{{end}}`)},
		"home.html": {Data: []byte(`{{define "content"}}<p>{{when .Data}}</p>{{end}}`)},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rt := site.Router(&access.Policy{Sessions: svc})
	rt.Handle("GET /h5", access.Public, site.Page(func(w http.ResponseWriter, r *http.Request) {
		pages.Render(w, r, "home", http.StatusOK, h5.View{Title: "首页", Data: f.now})
	}))
	rt.Handle("GET /h5/me", access.Resident, site.Page(func(w http.ResponseWriter, r *http.Request) {
		c, _ := auth.FromContext(r.Context())
		pages.Render(w, r, "me", http.StatusOK, h5.View{Title: "我", Data: c.OpenID})
	}))
	rt.Handle("POST /h5/me", access.Resident, site.Page(func(w http.ResponseWriter, r *http.Request) {
		c, _ := auth.FromContext(r.Context())
		io.WriteString(w, "done by "+c.OpenID)
	}))
	f.site, f.rt, f.auth = site, rt, svc
	return f
}

// browser keeps cookies as a browser would for https://h5.example.cn/h5.
type browser struct {
	f       *fixture
	cookies map[string]*http.Cookie
}

func (f *fixture) browser() *browser { return &browser{f: f, cookies: map[string]*http.Cookie{}} }

func (b *browser) do(req *http.Request) *httptest.ResponseRecorder {
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	b.f.rt.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return rec
}

func (b *browser) get(target string) *httptest.ResponseRecorder {
	return b.do(httptest.NewRequest("GET", "https://h5.example.cn"+target, nil))
}

func (b *browser) post(target string, form url.Values, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "https://h5.example.cn"+target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for k, v := range header {
		req.Header[k] = v
	}
	return b.do(req)
}

// signIn follows a private page through the authorisation and back.
func (b *browser) signIn(t *testing.T, openid string) {
	t.Helper()
	rec := b.get("/h5/me")
	if rec.Code != http.StatusFound {
		t.Fatalf("GET /h5/me signed out = %d, want 302 to the authorisation", rec.Code)
	}
	u, _ := url.Parse(rec.Header().Get("Location"))
	back, _ := url.Parse(u.Query().Get("redirect_uri"))
	q := back.Query()
	q.Set("code", "code-"+openid)
	q.Set("state", u.Query().Get("state"))
	rec = b.get(back.Path + "?" + q.Encode())
	if rec.Code != http.StatusFound || rec.Header().Get("Location") != "/h5/me" {
		t.Fatalf("callback = %d to %q, want 302 to /h5/me: %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
}

func TestSignInThroughAuthorisation(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	rec := b.get("/h5/me")
	if rec.Code != http.StatusFound {
		t.Fatalf("GET /h5/me = %d, want 302", rec.Code)
	}
	loc, _ := url.Parse(rec.Header().Get("Location"))
	if loc.Host != "wx.example" || loc.Query().Get("state") == "" {
		t.Errorf("redirected to %s, want the authorisation with a state", loc)
	}
	if got := loc.Query().Get("redirect_uri"); got != "https://h5.example.cn/h5/auth/callback?next=%2Fh5%2Fme" {
		t.Errorf("redirect_uri = %q, want the callback returning to /h5/me", got)
	}
	nonce := b.cookies["wt_oauth"]
	if nonce == nil || !nonce.HttpOnly || !nonce.Secure || nonce.SameSite != http.SameSiteLaxMode || nonce.Path != "/h5" {
		t.Fatalf("nonce cookie = %+v, want HttpOnly, Secure, SameSite=Lax, Path=/h5", nonce)
	}

	b.signIn(t, "o-alice")
	sess := b.cookies[h5.SessionCookie]
	if sess == nil || !sess.HttpOnly || !sess.Secure || sess.SameSite != http.SameSiteLaxMode || sess.MaxAge <= 0 {
		t.Fatalf("session cookie = %+v, want HttpOnly, Secure, SameSite=Lax, with a lifetime", sess)
	}
	if _, ok := b.cookies["wt_oauth"]; ok {
		t.Error("the nonce cookie outlived the sign-in")
	}
	// The cookie carries an auth.Service token, nothing else.
	if _, err := (&auth.Service{Secret: []byte(secret), Now: func() time.Time { return f.now }}).Verify(sess.Value); err != nil {
		t.Errorf("session cookie is no auth token: %v", err)
	}
	rec = b.get("/h5/me")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `<p id="me">o-alice</p>`) {
		t.Errorf("GET /h5/me signed in = %d %s, want o-alice's page", rec.Code, rec.Body)
	}
}

// The OAuth state is required, bound to the browser that started the sign-in, and
// expires.
func TestCallbackChecksState(t *testing.T) {
	f := newFixture(t)
	start := func(b *browser) (state string) {
		rec := b.get("/h5/me")
		loc, _ := url.Parse(rec.Header().Get("Location"))
		return loc.Query().Get("state")
	}
	callback := func(b *browser, state string) *httptest.ResponseRecorder {
		q := url.Values{"code": {"code-o-mallory"}, "next": {"/h5/me"}}
		if state != "" {
			q.Set("state", state)
		}
		return b.get("/h5/auth/callback?" + q.Encode())
	}

	b := f.browser()
	start(b)
	if rec := callback(b, ""); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "登录请求已失效") {
		t.Errorf("callback without state = %d %s, want 403 登录请求已失效", rec.Code, rec.Body)
	}

	// A state another browser got (login CSRF: the attacker's own authorisation).
	attacker, victim := f.browser(), f.browser()
	stolen := start(attacker)
	start(victim)
	if rec := callback(victim, stolen); rec.Code != http.StatusForbidden {
		t.Errorf("callback with another browser's state = %d, want 403", rec.Code)
	}
	if _, ok := victim.cookies[h5.SessionCookie]; ok {
		t.Error("a forged callback signed the victim in")
	}

	late := f.browser()
	state := start(late)
	f.now = f.now.Add(auth.StateTTL + time.Second)
	if rec := callback(late, state); rec.Code != http.StatusForbidden {
		t.Errorf("callback after the state expired = %d, want 403", rec.Code)
	}

	for _, next := range []string{"https://evil.example/", "//evil.example/h5", "/h5\\..\\evil", "/api/v1/me", "/h5//evil.example"} {
		if rec := f.browser().get("/h5/auth/callback?code=code-x&state=s&next=" + url.QueryEscape(next)); rec.Code != http.StatusBadRequest {
			t.Errorf("callback with next=%q = %d, want 400", next, rec.Code)
		}
	}
}

func TestActionNeedsCSRFTokenAndSameOrigin(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	b.signIn(t, "o-alice")
	page := b.get("/h5/me").Body.String()
	token := between(page, `name="_csrf" value="`, `"`)
	if token == "" {
		t.Fatalf("the page has no CSRF token: %s", page)
	}
	if rec := b.post("/h5/me", url.Values{"_csrf": {token}}, nil); rec.Code != http.StatusOK || rec.Body.String() != "done by o-alice" {
		t.Errorf("POST with the token = %d %q, want 200", rec.Code, rec.Body)
	}
	if rec := b.post("/h5/me", url.Values{}, nil); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "页面已过期") {
		t.Errorf("POST without a token = %d, want 403 页面已过期", rec.Code)
	}
	if rec := b.post("/h5/me", url.Values{"_csrf": {token}}, http.Header{"Sec-Fetch-Site": {"cross-site"}}); rec.Code != http.StatusForbidden {
		t.Errorf("cross-site POST with the token = %d, want 403", rec.Code)
	}
	if rec := b.post("/h5/me", url.Values{"_csrf": {token}}, http.Header{"Sec-Fetch-Site": nil, "Origin": {"https://evil.example"}}); rec.Code != http.StatusForbidden {
		t.Errorf("POST from another origin = %d, want 403", rec.Code)
	}
	// An old browser sends neither header: the token alone decides.
	if rec := b.post("/h5/me", url.Values{"_csrf": {"forged" + token[6:]}}, http.Header{"Sec-Fetch-Site": nil}); rec.Code != http.StatusForbidden {
		t.Errorf("POST with a forged token = %d, want 403", rec.Code)
	}
	// Another person's token does not work in this browser.
	other := f.browser()
	other.signIn(t, "o-bob")
	otherToken := between(other.get("/h5/me").Body.String(), `name="_csrf" value="`, `"`)
	if rec := b.post("/h5/me", url.Values{"_csrf": {otherToken}}, nil); rec.Code != http.StatusForbidden {
		t.Errorf("POST with another browser's token = %d, want 403", rec.Code)
	}
	// Signed out: refused, not redirected (the form would be lost).
	anon := f.browser()
	anonToken := between(anon.get("/h5").Body.String(), `name="_csrf" value="`, `"`)
	if rec := anon.post("/h5/me", url.Values{"_csrf": {anonToken}}, nil); rec.Code != http.StatusUnauthorized {
		t.Errorf("POST signed out = %d, want 401", rec.Code)
	}
}

// A body that is not the form it says it is, or is too large, is refused as such — not
// as an expired page, which would send the person round a refresh that cannot help.
func TestMalformedOrOversizedFormIsRefusedAsSuch(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	b.signIn(t, "o-alice")
	token := between(b.get("/h5/me").Body.String(), `name="_csrf" value="`, `"`)
	send := func(contentType, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "https://h5.example.cn/h5/me", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("X-CSRF-Token", token)
		return b.do(req)
	}
	if rec := send("multipart/form-data; boundary=XYZ", "--XYZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n"+token); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "表单内容不正确") {
		t.Errorf("a truncated multipart form = %d, want 400 表单内容不正确: %s", rec.Code, rec.Body)
	}
	big := url.Values{"_csrf": {token}, "note": {strings.Repeat("字", 30<<10)}}.Encode()
	if rec := send("application/x-www-form-urlencoded", big); rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "内容太大") {
		t.Errorf("a %d-byte form = %d, want 413 内容太大: %s", len(big), rec.Code, rec.Body)
	}
	if rec := send("application/x-www-form-urlencoded", url.Values{"_csrf": {token}}.Encode()); rec.Code != http.StatusOK {
		t.Errorf("the same request with a proper form = %d, want 200: %s", rec.Code, rec.Body)
	}
}

// The 长辈版 switch is remembered in the browser, and for a signed-in person in their
// profile, which a sign-in on another phone brings back.
func TestElderSwitchIsRemembered(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	b.signIn(t, "o-grandma")
	home := b.get("/h5").Body.String()
	if strings.Contains(home, `class="elder"`) || !strings.Contains(home, `name="on" value="1"`) {
		t.Fatalf("home before the switch is not the standard version with the switch: %s", home)
	}
	rec := b.post("/h5/prefs/elder", url.Values{"_csrf": {between(home, `name="_csrf" value="`, `"`)}, "on": {"1"}, "next": {"/h5/me"}}, nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/h5/me" {
		t.Fatalf("switch = %d to %q, want 303 back to /h5/me", rec.Code, rec.Header().Get("Location"))
	}
	if !strings.Contains(b.get("/h5").Body.String(), `<html lang="zh-CN" class="elder">`) {
		t.Error("the home page after the switch is not 长辈版")
	}
	if !f.people["o-grandma"] {
		t.Error("the profile does not remember 长辈版")
	}
	phone := f.browser()
	phone.signIn(t, "o-grandma")
	if !strings.Contains(phone.get("/h5").Body.String(), `class="elder"`) {
		t.Error("signing in on another phone did not bring 长辈版 back")
	}
}

func TestPagesAreGzippedAndAssetsFingerprinted(t *testing.T) {
	f := newFixture(t)
	req := httptest.NewRequest("GET", "https://h5.example.cn/h5/", nil) // the trailing slash, as API Gateway routes it
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	f.rt.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("GET /h5/ = %d, encoding %q, cache %q; want 200, gzip, no-store", rec.Code, rec.Header().Get("Content-Encoding"), rec.Header().Get("Cache-Control"))
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("Content-Security-Policy = %q, want default-src 'self'", csp)
	}
	css := f.site.Assets().URL("site.css")
	rec = f.browser().get(css)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") {
		t.Errorf("GET %s = %d %v, want the CSS, immutable", css, rec.Code, rec.Header())
	}
	if rec := f.browser().get("/h5/assets/site.css"); rec.Code != http.StatusNotFound {
		t.Errorf("GET an asset by its bare name = %d, want 404 (only fingerprinted names are served)", rec.Code)
	}
}

func TestNewRefusesABaseOutsidePrefix(t *testing.T) {
	svc := &auth.Service{Secret: []byte(secret)}
	for _, base := range []string{"https://h5.example.cn", "https://h5.example.cn/pages", "ftp://h5.example.cn/h5", ""} {
		if _, err := h5.New(h5.Config{Base: base, Auth: svc, CSRFKey: []byte(secret), AuthorizeURL: func(string, string) string { return "" }}); err == nil {
			t.Errorf("New with H5_BASE_URL %q = nil error, want one", base)
		}
	}
}

func between(s, start, end string) string {
	_, rest, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, end)
	return v
}

// A package served by a function of its own (the staff console) gets a router without
// the foundation's routes, its own navigation on every page and on its error pages, and
// its assets under its own path.
func TestPackageOfItsOwn(t *testing.T) {
	f := newFixture(t)
	pages, err := f.site.Parse(fstest.MapFS{
		"_nav.html": {Data: []byte(`{{define "brand"}}<a class="brand" href="/h5/desk/">工作台</a>{{end}}{{define "nav"}}<nav id="desk">工作台导航</nav>{{end}}`)},
		"desk.html": {Data: []byte(`{{define "content"}}<p id="desk-page">{{.Data}}</p>{{end}}`)},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pages.Home("/h5/desk/", "返回工作台")
	if err := f.site.Assets().AddUnder("/desk", fstest.MapFS{"desk.css": {Data: []byte("p{}")}}); err != nil {
		t.Fatal(err)
	}
	if u := f.site.Assets().URL("desk.css"); !strings.HasPrefix(u, "/h5/desk/assets/desk.") {
		t.Errorf("URL(desk.css) = %q, want it under /h5/desk/assets/", u)
	}
	rt := f.site.PagesRouter(&access.Policy{Sessions: f.auth}, pages)
	rt.Handle("GET /h5/desk", access.Admin, f.site.Page(func(w http.ResponseWriter, r *http.Request) {
		pages.Render(w, r, "desk", http.StatusOK, h5.View{Title: "工作台", Data: "ok"})
	}))
	rt.Handle("GET /h5/desk/assets/{name}", access.Public, f.site.Assets().ServeHTTP)
	if got := rt.Patterns(); len(got) != 2 {
		t.Errorf("PagesRouter registered %v, want only the package's two routes", got)
	}
	b := f.browser()
	b.signIn(t, "o-alice")
	req := httptest.NewRequest("GET", "https://h5.example.cn/h5/desk", nil)
	req.AddCookie(b.cookies[h5.SessionCookie])
	rec := httptest.NewRecorder()
	rt.ServeHTTP(rec, req)
	body := rec.Body.String()
	if rec.Code != http.StatusForbidden || !strings.Contains(body, `<nav id="desk">`) || strings.Contains(body, "我的预约") ||
		!strings.Contains(body, `href="/h5/desk/">返回工作台`) {
		t.Errorf("a resident on an admin page = %d %s, want 403 in the package's layout, leading back to it", rec.Code, body)
	}
	rec = httptest.NewRecorder()
	rt.ServeHTTP(rec, httptest.NewRequest("GET", "https://h5.example.cn"+f.site.Assets().URL("desk.css"), nil))
	if rec.Code != http.StatusOK || rec.Body.String() != "p{}" {
		t.Errorf("GET the package's asset = %d %q", rec.Code, rec.Body)
	}
}
