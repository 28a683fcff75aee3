package h5

import (
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/privacy"
	"github.com/wentitong/wentitong/shared/web"
)

//go:embed all:templates
var templatesDir embed.FS

// View is what a page template gets as its dot.
type View struct {
	Title string // the page's <title> and heading
	Tab   string // the bottom navigation's current tab: "home", "bookings", "volunteer", "feedback", or ""
	Back  string // a path for the 返回 link at the top, or ""
	Data  any    // the page's own data

	// Render fills these.
	Elder    bool   // 长辈版
	CSRF     string // the token a form must carry ({{template "csrf" .}})
	Path     string // this page's path and query (forms that come back here)
	SignedIn bool
	SignIn   string // the link that signs in and comes back here (SignInURL)
}

// layout is the base template set every page is parsed into: the layout, the partials
// and the error page.
type layout struct {
	base  *template.Template
	error *template.Template
}

// Funcs are the template functions every page has, besides the standard ones:
//
//	asset "site.css"      the asset's fingerprinted URL
//	inline "site.css"     a stylesheet's content, for <style> (allowed by the CSP's hash)
//	path "/me/bookings"   Prefix + the path
//	when t                "11月30日 19:30" (Beijing time)
//	day t                 "11月30日 周六"
//	clock t               "19:30"
//	date t                "2026年11月30日"
func funcs(a *Assets) template.FuncMap {
	return template.FuncMap{
		"asset":  a.URL,
		"inline": a.Inline,
		"path":   func(p string) string { return Prefix + p },
		"when":   beijing.Short,
		"day": func(t time.Time) string {
			t = t.In(beijing.Zone)
			return t.Format("1月2日") + " " + Weekday(t)
		},
		"clock": func(t time.Time) string { return t.In(beijing.Zone).Format("15:04") },
		"date":  beijing.Day,
	}
}

// Weekday is t's day of the week in Chinese (周一 … 周日).
func Weekday(t time.Time) string {
	return [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}[t.Weekday()]
}

func parseLayout(a *Assets) (*layout, error) {
	base, err := template.New("h5").Funcs(funcs(a)).ParseFS(templatesDir, "templates/_*.html")
	if err != nil {
		return nil, fmt.Errorf("h5 layout: %w", err)
	}
	l := &layout{base: base}
	if l.error, err = pageOf(base, templatesDir, "templates/error.html"); err != nil {
		return nil, err
	}
	return l, nil
}

func pageOf(base *template.Template, fsys fs.FS, name string) (*template.Template, error) {
	t, err := base.Clone()
	if err != nil {
		return nil, err
	}
	if _, err := t.ParseFS(fsys, name); err != nil {
		return nil, fmt.Errorf("h5 page %s: %w", name, err)
	}
	return t, nil
}

// Templates are a package's pages, each parsed into its own copy of the layout.
type Templates struct {
	site  *Site
	pages map[string]*template.Template // "home" → the layout with home.html's blocks
	error *template.Template            // the error page in the package's layout
	home  Refusal                       // where an error page leads by default
}

// Parse reads a package's templates from fsys: each *.html at its root is a page named
// after the file ("home.html" → "home") that defines "content" (and, when it needs
// them, "head" and "scripts"); files starting with _ are partials every page of the
// package sees. extra adds template functions (nil for none).
func (s *Site) Parse(fsys fs.FS, extra template.FuncMap) (*Templates, error) {
	base, err := s.layout.base.Clone()
	if err != nil {
		return nil, err
	}
	base.Funcs(extra)
	if partials, _ := fs.Glob(fsys, "_*.html"); len(partials) > 0 {
		if _, err := base.ParseFS(fsys, partials...); err != nil {
			return nil, fmt.Errorf("h5 partials: %w", err)
		}
	}
	files, err := fs.Glob(fsys, "[^_]*.html")
	if err != nil {
		return nil, err
	}
	t := &Templates{site: s, pages: map[string]*template.Template{}, home: Refusal{Link: Prefix + "/", LinkText: "返回首页"}}
	if t.error, err = pageOf(base, templatesDir, "templates/error.html"); err != nil {
		return nil, err
	}
	for _, f := range files {
		p, err := pageOf(base, fsys, f)
		if err != nil {
			return nil, err
		}
		t.pages[strings.TrimSuffix(path.Base(f), ".html")] = p
	}
	return t, nil
}

// Home sets where the package's error pages lead when a refusal names no link (the
// site's home page, 返回首页, unless set).
func (t *Templates) Home(link, text string) *Templates {
	t.home = Refusal{Link: link, LinkText: text}
	return t
}

// Refuse is Site.Refuse with the package's layout (a package partial may redefine the
// layout's "brand" and "nav" blocks) and home link.
func (t *Templates) Refuse(w http.ResponseWriter, r *http.Request, err error, ref Refusal) {
	t.site.refuseWith(w, r, t.error, t.home, err, ref)
}

// Error is Site.Error with the package's layout and home link.
func (t *Templates) Error(w http.ResponseWriter, r *http.Request, err error) {
	t.Refuse(w, r, err, Refusal{})
}

// Names returns the pages' names.
func (t *Templates) Names() []string {
	var out []string
	for n := range t.pages {
		out = append(out, n)
	}
	return out
}

// Render writes the page name with v and the status: HTML, gzipped when the browser
// takes it, never cached (pages carry the person's data and tokens).
func (t *Templates) Render(w http.ResponseWriter, r *http.Request, name string, status int, v View) {
	p, ok := t.pages[name]
	if !ok {
		t.site.Error(w, r, fmt.Errorf("h5: no page %q", name))
		return
	}
	t.site.render(w, r, p, status, v)
}

func (s *Site) render(w http.ResponseWriter, r *http.Request, p *template.Template, status int, v View) {
	r = s.prepare(w, r) // an error page the router answered has not been through Page
	v.Elder = s.elder(r)
	v.CSRF = s.CSRFToken(r)
	v.Path = Here(r)
	_, v.SignedIn = s.Claims(r)
	v.SignIn = SignInURL(r)
	var buf bytes.Buffer
	if err := p.ExecuteTemplate(&buf, "layout", v); err != nil {
		logger(r).Error("render page", "err", err)
		if p.Lookup("error.html") == nil {
			s.Error(w, r, fault.ErrInternal)
		} else {
			http.Error(w, fault.ErrInternal.Message, http.StatusInternalServerError)
		}
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	var gz []byte
	if acceptsGzip(r) {
		gz = gzipFast(buf.Bytes())
	}
	writeBody(w, r, status, "text/html; charset=utf-8", buf.Bytes(), gz)
}

var gzipPool = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed); return w }}

func gzipFast(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzipPool.Get().(*gzip.Writer)
	zw.Reset(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	gzipPool.Put(zw)
	return buf.Bytes()
}

// Here is the request's path and query, to come back to: the home page is /h5/ (the
// router routes it as /h5, as API Gateway does).
func Here(r *http.Request) string {
	if r.URL.Path == Prefix {
		u := *r.URL
		u.Path = Prefix + "/"
		return u.RequestURI()
	}
	return r.URL.RequestURI()
}

// Refusal is what the error page shows: what happened and what to do next, in Chinese,
// with a link to go on (never a code).
type Refusal struct {
	Message  string // what happened, and what to do next
	Link     string // where to go on, a path under Prefix; "" for the home page
	LinkText string // the link's text; "" for 返回首页
}

// Refuse renders the error page of err with the refusal's sentence and link, and the
// status of err's kind. Internal and unavailable errors are logged with their cause
// and shown only as the generic sentence.
func (s *Site) Refuse(w http.ResponseWriter, r *http.Request, err error, ref Refusal) {
	s.refuseWith(w, r, s.layout.error, Refusal{Link: Prefix + "/", LinkText: "返回首页"}, err, ref)
}

// refuseWith renders the error page page of err, leading to home unless ref names a link.
func (s *Site) refuseWith(w http.ResponseWriter, r *http.Request, page *template.Template, home Refusal, err error, ref Refusal) {
	fe := fault.As(err)
	status := web.Status(fe.Kind)
	if status >= 500 {
		logger(r).Error("page failed", "code", fe.Code, "err", privacy.Redact(err.Error()))
		ref = Refusal{Message: fe.Message}
	} else {
		logger(r).Info("page refused", "code", fe.Code)
	}
	if ref.Message == "" {
		ref.Message = Sentence(fe.Message) + nextStep(fe)
	}
	if ref.Link == "" {
		ref.Link, ref.LinkText = home.Link, home.LinkText
	}
	title := "没有成功"
	if fe.Kind == fault.NotFound {
		title = "找不到页面"
	}
	s.render(w, r, page, status, View{Title: title, Data: ref})
}

// Error renders the error page of err: its message and the next step its kind suggests.
func (s *Site) Error(w http.ResponseWriter, r *http.Request, err error) {
	s.Refuse(w, r, err, Refusal{})
}

// nextStep is the generic next step of an error's kind, for messages that do not say
// one. Messages ending in a full sentence that already says what to do are kept whole.
func nextStep(fe *fault.Error) string {
	if strings.Contains(fe.Message, "请") {
		return ""
	}
	switch fe.Kind {
	case fault.Unauthorized:
		return "请从公众号菜单重新进入。"
	case fault.Forbidden:
		return "如有疑问，请在「建议/反馈」中告诉我们。"
	case fault.NotFound:
		return "请返回首页查看其他内容。"
	case fault.Conflict:
		return "请返回上一页刷新后再试。"
	case fault.Invalid:
		return "请返回上一页修改后再提交。"
	}
	return "请稍后再试。"
}

// Sentence ends s with a full stop unless it ends with one already.
func Sentence(s string) string {
	if s == "" || strings.HasSuffix(s, "。") || strings.HasSuffix(s, "！") || strings.HasSuffix(s, "？") {
		return s
	}
	return s + "。"
}

// NotFound answers a path no page serves with the error page.
func (s *Site) NotFound(w http.ResponseWriter, r *http.Request) {
	s.Error(w, r, fault.ErrNotFound)
}

func logger(r *http.Request) *slog.Logger { return web.Logger(r.Context()) }
