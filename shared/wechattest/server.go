package wechattest

import (
	"net/http/httptest"
	"testing"

	"github.com/silenceper/wechat/v2/util"

	"github.com/wentitong/wentitong/shared/wechat"
)

// The credentials the fake started by NewServer accepts.
const (
	AppID     = "wx-test-app"
	AppSecret = "test-secret"
)

// Server is a Fake listening on a loopback address.
type Server struct {
	*Fake
	URL string // base URL, e.g. http://127.0.0.1:port
}

// NewServer starts a fake accepting AppID and AppSecret and stops it when the test
// ends. For the test's duration it sets WECHAT_API_BASE to its URL and points the SDK's
// process-wide HTTP client at it, so calls through the real SDK land on the fake. As
// both are process-wide, the test must not be parallel (Setenv enforces that).
func NewServer(tb testing.TB) *Server {
	tb.Helper()
	f := NewFake(AppID, AppSecret)
	ts := httptest.NewServer(f)
	tb.Cleanup(ts.Close)
	tb.Setenv("WECHAT_API_BASE", ts.URL)

	prev := util.DefaultHTTPClient
	client := wechat.NewHTTPClient(ts.URL)
	util.DefaultHTTPClient = client
	tb.Cleanup(func() {
		util.DefaultHTTPClient = prev
		client.CloseIdleConnections()
	})
	return &Server{Fake: f, URL: ts.URL}
}
