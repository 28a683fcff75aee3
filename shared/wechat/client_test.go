package wechat

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestNewHTTPClientRewritesWeChatAPI(t *testing.T) {
	type seen struct{ method, path, query, body string }
	got := make(chan seen, 1)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.URL.Path, r.URL.RawQuery, string(body)}
		io.WriteString(w, `{"errcode":0}`)
	}))
	defer ts.Close()

	tests := []struct {
		base, url string
		body      string
		want      seen
	}{
		{ts.URL, "https://api.weixin.qq.com/cgi-bin/token?x=1", "",
			seen{"GET", "/cgi-bin/token", "x=1", ""}},
		{ts.URL + "/", "https://api.weixin.qq.com/cgi-bin/token?x=1&secret=s", "",
			seen{"GET", "/cgi-bin/token", "x=1&secret=s", ""}},
		{ts.URL + "/wx", "https://api.weixin.qq.com/cgi-bin/stable_token", `{"appid":"a"}`,
			seen{"POST", "/wx/cgi-bin/stable_token", "", `{"appid":"a"}`}},
		{ts.URL + "/wx/", "https://api.weixin.qq.com:443/sns/oauth2/access_token?code=dev%3Ao1", "",
			seen{"GET", "/wx/sns/oauth2/access_token", "code=dev%3Ao1", ""}},
	}
	for _, tt := range tests {
		c := NewHTTPClient(tt.base)
		method := http.MethodGet
		if tt.body != "" {
			method = http.MethodPost
		}
		req, _ := http.NewRequest(method, tt.url, strings.NewReader(tt.body))
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("base %q: Do(%s): %v", tt.base, tt.url, err)
		}
		resp.Body.Close()
		if g := <-got; g != tt.want {
			t.Errorf("base %q: %s reached the server as %+v, want %+v", tt.base, tt.url, g, tt.want)
		}
		if req.URL.String() != tt.url {
			t.Errorf("the caller's request was changed to %s", req.URL)
		}
	}
}

// recorder is a RoundTripper that records where requests go, without a network.
type recorder struct{ urls []string }

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.urls = append(r.urls, req.URL.String())
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
}

func TestRewriteLeavesOtherHostsAlone(t *testing.T) {
	tests := []string{
		"https://open.weixin.qq.com/connect/oauth2/authorize?appid=a",
		"https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=t",
		"https://qyapi.weixin.qq.com/cgi-bin/gettoken",
		"http://api.weixin.qq.com/cgi-bin/token", // not https: not the API the SDK calls
		"https://api.weixin.qq.com.evil.example/cgi-bin/token",
		"https://dynamodb.ap-east-1.amazonaws.com/",
	}
	for _, u := range tests {
		rec := &recorder{}
		rt := newRewrite("http://127.0.0.1:9999", rec)
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		if _, err := rt.RoundTrip(req); err != nil {
			t.Fatalf("RoundTrip(%s): %v", u, err)
		}
		if len(rec.urls) != 1 || rec.urls[0] != u {
			t.Errorf("RoundTrip(%s) went to %v, want unchanged", u, rec.urls)
		}
	}
}

func TestRewriteRefusesInvalidBase(t *testing.T) {
	for _, base := range []string{"127.0.0.1:9999", "ftp://127.0.0.1", "http://", "::"} {
		rec := &recorder{}
		rt := newRewrite(base, rec)
		req, _ := http.NewRequest(http.MethodGet, "https://api.weixin.qq.com/cgi-bin/token", nil)
		_, err := rt.RoundTrip(req)
		if err == nil || len(rec.urls) != 0 {
			t.Errorf("base %q: RoundTrip err = %v, sent %v; want an error and nothing sent", base, err, rec.urls)
		}
	}
}

func TestNewHTTPClientHasTimeouts(t *testing.T) {
	for _, base := range []string{"", "http://127.0.0.1:9999"} {
		c := NewHTTPClient(base)
		if c.Timeout <= 0 || c.Timeout > 10*time.Second {
			t.Errorf("NewHTTPClient(%q).Timeout = %v, want a few seconds", base, c.Timeout)
		}
		var tr *http.Transport
		switch rt := c.Transport.(type) {
		case *http.Transport:
			tr = rt
		case *rewrite:
			tr, _ = rt.next.(*http.Transport)
		}
		if tr == nil || tr.ResponseHeaderTimeout <= 0 || tr.TLSHandshakeTimeout <= 0 {
			t.Errorf("NewHTTPClient(%q) transport %T lacks timeouts", base, c.Transport)
		}
	}
}
