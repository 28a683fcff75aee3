package wechat

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// apiHost is the host of the WeChat API that APIBase replaces.
const apiHost = "api.weixin.qq.com"

// NewHTTPClient returns the client for the WeChat API. A call gives up after 5 s, so a
// slow WeChat cannot hold a Lambda invocation (the SDK's send methods take no context).
// When apiBase is not empty, requests for https://api.weixin.qq.com are sent to
// apiBase instead, keeping their path (after apiBase's own path) and query; requests
// for other hosts are left alone. An apiBase that is not an absolute http(s) URL makes
// every WeChat API call fail rather than reach the real API.
func NewHTTPClient(apiBase string) *http.Client {
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   2 * time.Second,
		ResponseHeaderTimeout: 4 * time.Second,
		ExpectContinueTimeout: time.Second,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	c := &http.Client{Timeout: 5 * time.Second, Transport: t}
	if apiBase != "" {
		c.Transport = newRewrite(apiBase, t)
	}
	return c
}

// rewrite sends requests for the WeChat API to another base URL.
type rewrite struct {
	base *url.URL // nil when the configured base is invalid
	raw  string
	next http.RoundTripper
}

func newRewrite(apiBase string, next http.RoundTripper) *rewrite {
	rt := &rewrite{raw: apiBase, next: next}
	u, err := url.Parse(apiBase)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		rt.base = u
	}
	return rt
}

func (rt *rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" || req.URL.Hostname() != apiHost {
		return rt.next.RoundTrip(req)
	}
	if rt.base == nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("wechat: WECHAT_API_BASE %q is not an absolute http(s) URL", rt.raw)
	}
	// A RoundTripper must not modify the caller's request.
	out := req.Clone(req.Context())
	out.Host = ""
	out.URL.Scheme = rt.base.Scheme
	out.URL.Host = rt.base.Host
	prefix := strings.TrimSuffix(rt.base.Path, "/")
	out.URL.Path = prefix + req.URL.Path
	if req.URL.RawPath != "" {
		out.URL.RawPath = strings.TrimSuffix(rt.base.EscapedPath(), "/") + req.URL.RawPath
	}
	return rt.next.RoundTrip(out)
}
