package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/apptest"
	"github.com/wentitong/wentitong/shared/buckettest"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/sam"
	"github.com/wentitong/wentitong/shared/wechat/callback"
	"github.com/wentitong/wentitong/shared/wechattest"
)

const (
	testToken  = "wechat-callback-token"
	testSecret = "0123456789abcdef0123456789abcdef-session"
	// testTicketKey is base64 of a 32-byte Ed25519 seed.
	testTicketKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	testIDHashKey = "0123456789abcdef0123456789abcdef-id-hash"
)

// serve sends a request to h: body as JSON when there is one, token as the bearer when
// there is one.
func serve(h http.Handler, method, path, body, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// mustApp builds the app as a function's main does, on a fresh table and fake WeChat API.
func mustApp(t *testing.T, now time.Time) (*app.App, *dynamotest.Table, *wechattest.Server) {
	t.Helper()
	return mustAppWithBucket(t, now, buckettest.New(t))
}

// mustAppWithBucket is mustApp on a given embedded bucket.
func mustAppWithBucket(t *testing.T, now time.Time, kit *buckettest.Kit) (*app.App, *dynamotest.Table, *wechattest.Server) {
	t.Helper()
	tbl := dynamotest.New(t)
	wx := wechattest.NewServer(t)
	cfg := config.From(env{
		"TABLE_NAME":              tbl.Name,
		"WECHAT_APP_ID":           wechattest.AppID,
		"WECHAT_APP_SECRET":       wechattest.AppSecret,
		"WECHAT_TOKEN":            testToken,
		"WECHAT_ENCODING_AES_KEY": strings.Repeat("a", 43),
		"WECHAT_MESSAGE_MODE":     "compat", // the tests post in every mode
		"WECHAT_API_BASE":         wx.URL,
		"SESSION_SECRET":          testSecret,
		"ADMIN_OPENIDS":           "o-admin",
		"TICKET_SIGNING_KEY":      testTicketKey,
		"ID_HASH_KEY":             testIDHashKey,
		"MEDIA_BUCKET":            buckettest.BucketName,
		"MINIPROGRAM_APP_ID":      wechattest.MiniAppID,
		"MINIPROGRAM_APP_SECRET":  wechattest.MiniAppSecret,
	}.get)
	a := apptest.New(t, tbl, cfg, now)
	a.Bucket = kit.Bucket
	return a, tbl, wx
}

// mustFunctions returns the functions of the project's template.yaml.
func mustFunctions(t *testing.T) []sam.Function {
	t.Helper()
	fns, err := sam.DefaultFunctions()
	if err != nil {
		t.Fatal(err)
	}
	return fns
}

type env map[string]string

func (e env) get(k string) string { return e[k] }

// Every route template.yaml gives an HTTP function is served by that function's handler,
// and every pattern a handler registers is declared in the template; none is one of the
// local runner's /_dev routes.
func TestRoutesMatchTemplate(t *testing.T) {
	a, _, _ := mustApp(t, time.Now())
	fns := mustFunctions(t)
	var httpFns []string
	for _, fn := range fns {
		if len(fn.Routes) == 0 {
			continue
		}
		httpFns = append(httpFns, fn.LogicalID)
		rt, err := a.Router(fn.LogicalID)
		if err != nil {
			t.Errorf("template function %s has routes but no handler: %v", fn.LogicalID, err)
			continue
		}
		var declared []string
		for _, r := range fn.Routes {
			declared = append(declared, r.Pattern())
			if strings.HasPrefix(r.Path, "/_dev") {
				t.Errorf("%s declares %s: the local runner's /_dev routes (the simulator, /_dev/login) never deploy", fn.LogicalID, r.Path)
			}
		}
		slices.Sort(declared)
		if got := rt.Patterns(); !slices.Equal(got, declared) {
			t.Errorf("%s handler patterns = %q, want the template's %q", fn.LogicalID, got, declared)
		}
		// And the handler answers each route itself (not the router's 404/405).
		for _, r := range fn.Routes {
			path := strings.NewReplacer("{id}", "x").Replace(r.Path)
			rec := httptest.NewRecorder()
			rt.ServeHTTP(rec, httptest.NewRequest(r.Method, path, nil))
			if code := errorCode(rec); code == "route_not_found" || code == "method_not_allowed" {
				t.Errorf("%s %s: handler of %s answered %s", r.Method, path, fn.LogicalID, code)
			}
		}
	}
	if got := app.HTTPFunctions(); !slices.Equal(got, httpFns) {
		t.Errorf("app.HTTPFunctions() = %q, want the template's HTTP functions %q", got, httpFns)
	}
}

func errorCode(rec *httptest.ResponseRecorder) string {
	var body struct {
		Error struct{ Code string } `json:"error"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	return body.Error.Code
}

func signedQuery(now time.Time, token string, extra url.Values) string {
	ts := strconv.FormatInt(now.Unix(), 10)
	q := url.Values{"timestamp": {ts}, "nonce": {"n0nce"}, "signature": {callback.Sign(token, ts, "n0nce")}}
	for k, v := range extra {
		q[k] = v
	}
	return q.Encode()
}

func TestWeChatVerification(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	a, _, _ := mustApp(t, now)
	h := apptest.HTTP(t, a, "WeChatFunction")
	echo := url.Values{"echostr": {"hello-123"}}
	tests := []struct {
		name     string
		query    string
		wantCode int
		wantBody string
	}{
		{"signed", signedQuery(now, testToken, echo), 200, "hello-123"},
		{"wrong token", signedQuery(now, "other-token", echo), 403, "signature_invalid"},
		{"no signature", "echostr=hello-123&timestamp=1&nonce=n", 403, "signature_invalid"},
		{"stale timestamp", signedQuery(now.Add(-6*time.Minute), testToken, echo), 403, "timestamp_out_of_window"},
		{"future timestamp", signedQuery(now.Add(6*time.Minute), testToken, echo), 403, "timestamp_out_of_window"},
		{"no echostr", signedQuery(now, testToken, nil), 400, "echostr_missing"},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/wechat?"+tt.query, nil))
		if rec.Code != tt.wantCode || !strings.Contains(rec.Body.String(), tt.wantBody) {
			t.Errorf("%s: GET /wechat = %d %q, want %d containing %q", tt.name, rec.Code, rec.Body, tt.wantCode, tt.wantBody)
		}
	}
}

func TestSignInAndMe(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	a, tbl, wx := mustApp(t, now)
	h := apptest.HTTP(t, a, "AccountFunction")
	do := func(method, path, body, token string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	type session struct {
		Token     string
		OpenID    string
		Roles     []string
		ExpiresAt time.Time
	}
	signIn := func(code string) session {
		t.Helper()
		rec := do("POST", "/api/v1/auth/wechat", `{"code":"`+code+`"}`, "")
		if rec.Code != 200 {
			t.Fatalf("sign in with %s = %d %s, want 200", code, rec.Code, rec.Body)
		}
		var s session
		if err := json.Unmarshal(rec.Body.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		return s
	}

	s := signIn("dev:o-1")
	if s.OpenID != "o-1" || s.Token == "" || !slices.Equal(s.Roles, []string{"resident"}) || !s.ExpiresAt.After(now) {
		t.Errorf("sign in = %+v, want openid o-1, a token, roles [resident], a future expiry", s)
	}
	if admin := signIn("dev:o-admin"); !slices.Contains(admin.Roles, "admin") {
		t.Errorf("sign in of an ADMIN_OPENIDS openid: roles = %v, want admin among them", admin.Roles)
	}

	rec := do("GET", "/api/v1/me", "", s.Token)
	var me struct {
		OpenID    string
		Roles     []string
		CreatedAt time.Time
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &me); err != nil || rec.Code != 200 || me.OpenID != "o-1" || !me.CreatedAt.Equal(now) {
		t.Errorf("GET /api/v1/me = %d %s, want o-1's profile created at %v", rec.Code, rec.Body, now)
	}

	// Bad input: each is refused with its code, and nothing is written.
	before := tbl.Counter.Snapshot()["UpdateItem"]
	bad := []struct {
		name, method, path, body, token string
		wantStatus                      int
		wantCode                        string
	}{
		{"malformed json", "POST", "/api/v1/auth/wechat", `{"code":`, "", 400, "invalid_json"},
		{"wrong type", "POST", "/api/v1/auth/wechat", `{"code":1}`, "", 400, "invalid_json"},
		{"two values", "POST", "/api/v1/auth/wechat", `{"code":"dev:o-1"}{}`, "", 400, "invalid_json"},
		{"oversized", "POST", "/api/v1/auth/wechat", `{"code":"` + strings.Repeat("x", 70<<10) + `"}`, "", 413, "body_too_large"},
		{"empty code", "POST", "/api/v1/auth/wechat", `{"code":""}`, "", 401, "code_invalid"},
		{"code wechat rejects", "POST", "/api/v1/auth/wechat", `{"code":"not-a-dev-code"}`, "", 401, "code_invalid"},
		{"me without token", "GET", "/api/v1/me", "", "", 401, "token_missing"},
		{"me with forged token", "GET", "/api/v1/me", "", s.Token[:len(s.Token)-2] + "xx", 401, "token_invalid"},
		{"unknown route", "GET", "/api/v1/nope", "", "", 404, "route_not_found"},
		{"wrong method", "DELETE", "/api/v1/auth/wechat", "", "", 405, "method_not_allowed"},
	}
	for _, tt := range bad {
		rec := do(tt.method, tt.path, tt.body, tt.token)
		if rec.Code != tt.wantStatus || errorCode(rec) != tt.wantCode {
			t.Errorf("%s: %s %s = %d %s, want %d %s", tt.name, tt.method, tt.path, rec.Code, rec.Body, tt.wantStatus, tt.wantCode)
		}
		var body struct {
			Error struct{ Message string } `json:"error"`
		}
		if json.Unmarshal(rec.Body.Bytes(), &body); body.Error.Message == "" {
			t.Errorf("%s: error body %s has no message", tt.name, rec.Body)
		}
	}
	if after := tbl.Counter.Snapshot()["UpdateItem"]; after != before {
		t.Errorf("refused requests wrote %d items, want none", after-before)
	}

	// WeChat failing: the sign-in is unavailable (503), not a client error, and says so.
	wx.FailNext(wechattest.OpOAuth, -1, 1)
	if rec := do("POST", "/api/v1/auth/wechat", `{"code":"dev:o-2"}`, ""); rec.Code != 503 || errorCode(rec) != "unavailable" {
		t.Errorf("sign in while WeChat fails = %d %s, want 503 unavailable", rec.Code, rec.Body)
	}
	// DynamoDB failing: also 503, and the next try works.
	restore := tbl.FailAll(t)
	if rec := do("POST", "/api/v1/auth/wechat", `{"code":"dev:o-3"}`, ""); rec.Code != 503 {
		t.Errorf("sign in while DynamoDB fails = %d %s, want 503", rec.Code, rec.Body)
	}
	restore()
	signIn("dev:o-3")
}

func TestExpiredToken(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	clock := now
	tbl := dynamotest.New(t)
	wx := wechattest.NewServer(t)
	cfg := config.From(env{"TABLE_NAME": tbl.Name, "WECHAT_APP_ID": wechattest.AppID, "WECHAT_APP_SECRET": wechattest.AppSecret,
		"WECHAT_API_BASE": wx.URL, "SESSION_SECRET": testSecret}.get)
	a, err := app.New(context.Background(), cfg, app.Options{DB: tbl.DB, Now: func() time.Time { return clock }, LogOutput: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	h := apptest.HTTP(t, a, "AccountFunction")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/api/v1/auth/wechat", strings.NewReader(`{"code":"dev:o-9"}`)))
	var s struct{ Token string }
	_ = json.Unmarshal(rec.Body.Bytes(), &s)
	clock = now.Add(13 * time.Hour)
	req := httptest.NewRequest("GET", "/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+s.Token)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 401 || errorCode(rec) != "token_expired" {
		t.Errorf("GET /api/v1/me with a 13-hour-old token = %d %s, want 401 token_expired", rec.Code, rec.Body)
	}
}

func TestNewRefusesIncompleteConfig(t *testing.T) {
	tbl := dynamotest.New(t)
	ctx := context.Background()
	if _, err := app.New(ctx, config.From(env{"TABLE_NAME": tbl.Name}.get), app.Options{DB: tbl.DB, LogOutput: io.Discard}); err == nil ||
		!strings.Contains(err.Error(), "WECHAT_APP_ID") {
		t.Errorf("New without WeChat credentials = %v, want an error naming WECHAT_APP_ID", err)
	}
	a, err := app.New(ctx, config.From(env{"TABLE_NAME": tbl.Name, "WECHAT_APP_ID": "wx", "WECHAT_APP_SECRET": "s", "SESSION_SECRET": "short"}.get),
		app.Options{DB: tbl.DB, LogOutput: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.HTTP("AccountFunction"); err == nil {
		t.Error("AccountFunction with a short SESSION_SECRET: nil error, want one")
	}
	if _, err := a.HTTP("WeChatFunction"); err == nil || !strings.Contains(err.Error(), "WECHAT_TOKEN") {
		t.Errorf("WeChatFunction without WECHAT_TOKEN = %v, want an error naming it", err)
	}
	if _, err := a.HTTP("NoSuchFunction"); err == nil {
		t.Error("HTTP(NoSuchFunction) = nil error, want one")
	}
}

// Every route template.yaml declares is documented in docs/api.md as "METHOD /path".
func TestEveryRouteIsDocumented(t *testing.T) {
	path, err := sam.Find()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(filepath.Dir(path), "docs", "api.md"))
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := sam.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	routes, err := tmpl.Routes()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range routes {
		if !strings.Contains(string(doc), r.Pattern()) {
			t.Errorf("docs/api.md does not document %s (%s)", r.Pattern(), r.Function)
		}
	}
}

// The callback's message mode is configuration, never a guess: an EncodingAESKey without
// WECHAT_MESSAGE_MODE, an unknown mode, or an encrypted mode without the key fail the
// cold start.
func TestMessageModeIsConfigured(t *testing.T) {
	tbl := dynamotest.New(t)
	for _, tt := range []struct {
		key, mode string
		ok        bool
	}{
		{"", "", true}, {strings.Repeat("a", 43), "safe", true}, {strings.Repeat("a", 43), "compat", true}, {"", "plain", true},
		{strings.Repeat("a", 43), "", false}, {strings.Repeat("a", 43), "secure", false}, {"", "safe", false},
	} {
		cfg := config.From(env{"TABLE_NAME": tbl.Name, "WECHAT_APP_ID": wechattest.AppID, "WECHAT_APP_SECRET": wechattest.AppSecret,
			"WECHAT_TOKEN": testToken, "WECHAT_ENCODING_AES_KEY": tt.key, "WECHAT_MESSAGE_MODE": tt.mode}.get)
		a := apptest.New(t, tbl, cfg, time.Time{})
		_, err := a.Router("WeChatFunction")
		if (err == nil) != tt.ok || err != nil && !strings.Contains(err.Error(), "WECHAT_") {
			t.Errorf("key %d characters, mode %q: Router = %v, want ok %v", len(tt.key), tt.mode, err, tt.ok)
		}
	}
}
