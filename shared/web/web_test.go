package web_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/web"
)

func body(t *testing.T, rec *httptest.ResponseRecorder) web.ErrorBody {
	t.Helper()
	var b web.ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
		t.Fatalf("body %q is not JSON: %v", rec.Body, err)
	}
	return b
}

func TestStatus(t *testing.T) {
	tests := []struct {
		kind fault.Kind
		want int
	}{
		{fault.Internal, 500}, {fault.Invalid, 400}, {fault.Unauthorized, 401}, {fault.Forbidden, 403},
		{fault.NotFound, 404}, {fault.Conflict, 409}, {fault.TooLarge, 413}, {fault.Unavailable, 503},
	}
	for _, tt := range tests {
		if got := web.Status(tt.kind); got != tt.want {
			t.Errorf("Status(%v) = %d, want %d", tt.kind, got, tt.want)
		}
	}
}

// An internal error's cause reaches the log, redacted, and never the client.
func TestErrorHidesInternalCause(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	h := web.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		web.Error(w, r, errors.New("dial https://api.weixin.qq.com/cgi-bin/token?secret=S3CR3T: boom"))
	}), log)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	b := body(t, rec)
	if rec.Code != 500 || b.Error.Code != "internal" || strings.Contains(rec.Body.String(), "boom") || b.Error.Message == "" {
		t.Errorf("response = %d %s, want 500 internal with a message and no cause", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "boom") || strings.Contains(logs.String(), "S3CR3T") {
		t.Errorf("log = %s, want the cause without the secret", logs.String())
	}
	if rec.Header().Get(web.RequestIDHeader) == "" {
		t.Error("no request id header")
	}
}

func TestPanicIsInternal(t *testing.T) {
	h := web.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("nil map") }), slog.New(slog.DiscardHandler))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != 500 || body(t, rec).Error.Code != "internal" {
		t.Errorf("panicking handler = %d %s, want 500 internal", rec.Code, rec.Body)
	}
}

func TestRequestIDPassedThroughOrReplaced(t *testing.T) {
	h := web.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(web.RequestID(r.Context())))
	}), slog.New(slog.DiscardHandler))
	for _, tt := range []struct{ in, want string }{{"abc-123", "abc-123"}, {"bad id with spaces", ""}} {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set(web.RequestIDHeader, tt.in)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		got := rec.Body.String()
		if tt.want != "" && got != tt.want || tt.want == "" && (got == tt.in || len(got) != 36) {
			t.Errorf("request id for %q = %q, want %q (or a fresh uuid when malformed)", tt.in, got, tt.want)
		}
	}
}

func TestRouterAnswersUnknownRoutesInJSON(t *testing.T) {
	rt := web.NewRouter(nil)
	rt.Handle("POST /api/v1/things/{id}", access.Public, func(w http.ResponseWriter, r *http.Request) {
		web.JSON(w, 200, map[string]string{"id": r.PathValue("id")})
	})
	tests := []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/nope", 404, "route_not_found"},
		{"GET", "/api/v1/things/7", 405, "method_not_allowed"},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		if rec.Code != tt.status || body(t, rec).Error.Code != tt.code {
			t.Errorf("%s %s = %d %s, want %d %s", tt.method, tt.path, rec.Code, rec.Body, tt.status, tt.code)
		}
	}
	rec := httptest.NewRecorder()
	rt.ServeHTTP(rec, httptest.NewRequest("POST", "/api/v1/things/7", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"7"`) {
		t.Errorf("POST /api/v1/things/7 = %d %s, want 200 with id 7", rec.Code, rec.Body)
	}
	if got := rt.Patterns(); len(got) != 1 || got[0] != "POST /api/v1/things/{id}" {
		t.Errorf("Patterns() = %q", got)
	}
}

func TestDecode(t *testing.T) {
	type req struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	tests := []struct {
		name, body, contentType string
		wantCode                string
	}{
		{"ok", `{"name":"a","count":2,"extra":true}`, "application/json", ""},
		{"no content type", `{"name":"a"}`, "", ""},
		{"malformed", `{"name":`, "application/json", "invalid_json"},
		{"trailing value", `{"name":"a"} {"name":"b"}`, "application/json", "invalid_json"},
		{"wrong type", `{"count":"two"}`, "application/json", "invalid_json"},
		{"curl's default type", `{"name":"a"}`, "application/x-www-form-urlencoded", ""},
		{"form fields", `name=a`, "application/x-www-form-urlencoded", "invalid_json"},
		{"multipart", `{"name":"a"}`, "multipart/form-data; boundary=x", "unsupported_media_type"},
		{"xml", `<name>a</name>`, "application/xml", "unsupported_media_type"},
		{"too large", `{"name":"` + strings.Repeat("a", web.MaxBodyBytes) + `"}`, "application/json", "body_too_large"},
		{"empty", ``, "application/json", "invalid_json"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
		if tt.contentType != "" {
			r.Header.Set("Content-Type", tt.contentType)
		}
		var v req
		err := web.Decode(httptest.NewRecorder(), r, &v)
		if got := codeOf(err); got != tt.wantCode {
			t.Errorf("%s: Decode = %v (code %q), want code %q", tt.name, err, got, tt.wantCode)
		}
	}
}

func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return fault.CodeOf(err)
}

// Like API Gateway, the router routes /x/ as /x when no pattern has the slash.
func TestRouterIgnoresATrailingSlash(t *testing.T) {
	rt := web.NewRouter(nil)
	rt.Handle("GET /h5", access.Public, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "home "+r.URL.Path) })
	rt.Handle("GET /x/", access.Public, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "subtree") })
	for path, want := range map[string]string{"/h5": "home /h5", "/h5/": "home /h5", "/x/y": "subtree"} {
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusOK || rec.Body.String() != want {
			t.Errorf("GET %s = %d %q, want 200 %q", path, rec.Code, rec.Body, want)
		}
	}
}

// A CSV download names its file, is not cached and is not sniffed as a page.
func TestCSV(t *testing.T) {
	rec := httptest.NewRecorder()
	web.CSV(rec, "report-430211-all.csv", []byte("\uFEFFa,b\n"))
	for k, want := range map[string]string{
		"Content-Type":           "text/csv; charset=utf-8",
		"Content-Disposition":    `attachment; filename="report-430211-all.csv"`,
		"Cache-Control":          "no-store",
		"X-Content-Type-Options": "nosniff",
	} {
		if got := rec.Header().Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if rec.Code != http.StatusOK || rec.Body.String() != "\uFEFFa,b\n" {
		t.Errorf("CSV answered %d %q", rec.Code, rec.Body)
	}
}
