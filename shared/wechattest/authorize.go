package wechattest

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// AuthorizePath is where WeChat's web authorisation page lives (on open.weixin.qq.com);
// the fake serves it on its own host, where WECHAT_API_BASE points.
const AuthorizePath = "/connect/oauth2/authorize"

// SuggestOpenIDs adds openids the fake authorisation page offers to pick (the local
// runner's demo residents and staff); openids that signed in are offered too.
func (f *Fake) SuggestOpenIDs(ids ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range ids {
		if !slices.Contains(f.suggested, id) {
			f.suggested = append(f.suggested, id)
		}
	}
}

// authorize serves the authorisation page. WeChat's snsapi_base authorisation is
// silent: it returns at once to redirect_uri with ?code=…&state=…. The fake cannot know
// who is holding the phone, so it asks: pick or type an openid, and it returns with the
// code dev:<openid>, which its code exchange accepts. A bad appid, scope or redirect_uri
// is refused as WeChat refuses it, with a page saying so.
func (f *Fake) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	back, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case q.Get("appid") != f.appID:
		authorizeError(w, "appid 无效（40013 invalid appid）")
		return
	case q.Get("response_type") != "code" || (q.Get("scope") != "snsapi_base" && q.Get("scope") != "snsapi_userinfo"):
		authorizeError(w, "scope 或 response_type 参数错误")
		return
	case err != nil || (back.Scheme != "http" && back.Scheme != "https") || back.Host == "":
		authorizeError(w, "redirect_uri 参数错误")
		return
	}
	if openid := strings.TrimSpace(q.Get("openid")); openid != "" {
		f.SuggestOpenIDs(openid)
		v := back.Query()
		v.Set("code", "dev:"+openid)
		v.Set("state", q.Get("state"))
		back.RawQuery = v.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
		return
	}
	f.mu.Lock()
	ids := slices.Clone(f.suggested)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = authorizePage.Execute(w, struct {
		Query url.Values
		IDs   []string
		Back  string
	}{q, ids, back.Host})
}

func authorizeError(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	_ = authorizeErrorPage.Execute(w, msg)
}

const authorizeStyle = `<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:18px/1.5 sans-serif;margin:0 auto;max-width:480px;padding:16px;color:#1f1f1f}
h1{font-size:22px}button,input{font:inherit;min-height:48px;width:100%;margin:6px 0;border-radius:8px}
input{border:2px solid #888;padding:0 12px;box-sizing:border-box}button{background:#07a35a;color:#fff;border:0}
button.pick{background:#fff;color:#1f1f1f;border:2px solid #07a35a}p.note{color:#4d4d4d;font-size:16px}</style>`

var authorizePage = template.Must(template.New("authorize").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>微信授权（本地模拟）</title>` + authorizeStyle + `</head>
<body><h1>微信网页授权（本地模拟）</h1>
<p class="note">真实微信里这一步是静默的（snsapi_base）。本地运行时请选择或输入要登录的 openid，然后返回 {{.Back}}。</p>
<form method="get" action="` + AuthorizePath + `">
{{range $k, $v := .Query}}{{if ne $k "openid"}}{{range $v}}<input type="hidden" name="{{$k}}" value="{{.}}">{{end}}{{end}}{{end}}
{{range .IDs}}<button class="pick" name="openid" value="{{.}}">{{.}}</button>{{end}}
<label for="openid">其他 openid</label><input id="openid" name="openid" placeholder="o-resident-9" autocomplete="off">
<button type="submit">授权并返回</button>
</form></body></html>`))

var authorizeErrorPage = template.Must(template.New("authorize-error").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>授权失败</title>` + authorizeStyle + `</head>
<body><h1>授权失败</h1><p>{{.}}</p></body></html>`))
