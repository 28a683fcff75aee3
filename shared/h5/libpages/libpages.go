// Package libpages is the residents' pages of the digital resource library and the news
// centre: collections, an item with its media player, search with filters, the news and
// an article, and 我的订阅. They call the same services as the JSON API, in the standard
// and the 长辈版 layout of shared/h5.
package libpages

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/h5"
	"github.com/wentitong/wentitong/shared/library"
	"github.com/wentitong/wentitong/shared/news"
	"github.com/wentitong/wentitong/shared/search"
	"github.com/wentitong/wentitong/shared/web"
)

//go:embed templates
var files embed.FS

// Sources are the services the pages read (libraryapp builds them).
type Sources struct {
	Library *library.Service
	News    *news.Service
	// Search returns the index to search (a replica of the published one in AWS).
	Search func(ctx context.Context) (*search.Index, error)
	// MediaOrigin is where the presigned media URLs point (the bucket's origin), which
	// the pages' Content-Security-Policy allows for images, audio and video.
	MediaOrigin string
}

// Config is what the pages need.
type Config struct {
	Site *h5.Site
	Sources
}

// Pages serves the library's and the news centre's pages.
type Pages struct {
	Config
	t *h5.Templates
}

// New parses the pages' templates.
func New(cfg Config) (*Pages, error) {
	if cfg.Site == nil || cfg.Library == nil || cfg.News == nil || cfg.Search == nil {
		return nil, errors.New("libpages: Site, Library, News and Search are required")
	}
	cfg.Site.AllowMedia(cfg.MediaOrigin)
	tpl, _ := fs.Sub(files, "templates")
	t, err := cfg.Site.Parse(tpl, template.FuncMap{
		"mediaName": func(t library.MediaType) string { return mediaNames[string(t)] },
		"kindName":  func(k string) string { return kindNames[k] },
		"h5path":    func(p string) string { return h5.Prefix + p },
		"size":      humanSize,
		"rights":    func(r string) string { return rightsNames[r] },
		"licence":   func(l string) string { return licenceNames[l] },
	})
	if err != nil {
		return nil, err
	}
	return &Pages{Config: cfg, t: t}, nil
}

// Routes registers the pages on rt (each route is declared in template.yaml):
//
//	GET  /h5/library                the library: collections, the latest news, a search box
//	GET  /h5/collections/{id}       a collection's published items
//	GET  /h5/items/{id}             an item: its metadata, images, audio and video players, PDFs
//	GET  /h5/search                 search with filters (?q=&kind=&media=&district=&from=&to=)
//	GET  /h5/news                   the news (?category=)
//	GET  /h5/news/{id}              an article, with its linked items and activities
//	GET  /h5/me/subscriptions       我的订阅: what one follows, and what may be followed
//	POST /h5/me/subscriptions       follow a topic, with consent
//	POST /h5/me/subscriptions/delete  stop following a topic
func (p *Pages) Routes(rt *web.Router) {
	page := func(pattern string, rule access.Rule, h http.HandlerFunc) { rt.Handle(pattern, rule, p.Site.Page(h)) }
	page("GET "+h5.Prefix+"/library", access.Public, p.library)
	page("GET "+h5.Prefix+"/collections/{id}", access.Public, p.collection)
	page("GET "+h5.Prefix+"/items/{id}", access.Public, p.item)
	page("GET "+h5.Prefix+"/search", access.Public, p.search)
	page("GET "+h5.Prefix+"/news", access.Public, p.newsList)
	page("GET "+h5.Prefix+"/news/{id}", access.Public, p.article)
	page("GET "+h5.Prefix+"/me/subscriptions", access.Resident, p.subscriptions)
	page("POST "+h5.Prefix+"/me/subscriptions", access.Resident, p.follow)
	page("POST "+h5.Prefix+"/me/subscriptions/delete", access.Resident, p.unfollow)
}

var (
	rightsNames = map[string]string{"public_domain": "公有领域", "institution": "本机构所有", "licensed": "权利人授权",
		"rights_holder_only": "权利人保留，仅馆内使用"}
	licenceNames = map[string]string{"CC0-1.0": "可自由使用（CC0）", "CC-BY-4.0": "署名后可使用（CC BY 4.0）",
		"CC-BY-NC-4.0": "署名、非商业使用（CC BY-NC 4.0）", "CC-BY-NC-ND-4.0": "署名、非商业、不得改编（CC BY-NC-ND 4.0）",
		"all_rights_reserved": "保留所有权利"}
	mediaNames = map[string]string{"image": "图片", "audio": "音频", "video": "视频", "pdf": "PDF 文档"}
	kindNames  = map[string]string{search.KindItem: "馆藏", search.KindNews: "资讯", search.KindActivity: "活动", search.KindVenue: "场馆"}
)

func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	default:
		return fmt.Sprintf("%d KB", max(n>>10, 1))
	}
}

type libraryData struct {
	Collections []library.Collection
	News        []news.Article
}

// library serves GET /h5/library.
func (p *Pages) library(w http.ResponseWriter, r *http.Request) {
	cols, err := p.Library.Collections(r.Context())
	if err != nil {
		p.t.Error(w, r, err)
		return
	}
	latest, err := p.News.List(r.Context(), "", 3)
	if err != nil {
		p.t.Error(w, r, err)
		return
	}
	p.t.Render(w, r, "library", http.StatusOK, h5.View{Title: "数字资源库", Data: libraryData{Collections: cols, News: latest}})
}

type collectionData struct {
	Collection library.Collection
	Items      []library.Item
}

// collection serves GET /h5/collections/{id}.
func (p *Pages) collection(w http.ResponseWriter, r *http.Request) {
	col, items, err := p.Library.PublicItems(r.Context(), r.PathValue("id"))
	if err != nil {
		p.t.Error(w, r, err)
		return
	}
	p.t.Render(w, r, "collection", http.StatusOK, h5.View{Title: col.Name, Back: h5.Prefix + "/library",
		Data: collectionData{Collection: col, Items: items}})
}

type itemData struct {
	library.View
	Topic string // the item's collection as a topic to follow
}

// item serves GET /h5/items/{id}: the media play from presigned URLs, which S3 answers
// with range requests (the player seeks).
func (p *Pages) item(w http.ResponseWriter, r *http.Request) {
	v, err := p.Library.PublicItem(r.Context(), r.PathValue("id"))
	if err != nil {
		p.t.Error(w, r, err)
		return
	}
	p.t.Render(w, r, "item", http.StatusOK, h5.View{Title: v.Title, Back: h5.Prefix + "/collections/" + url.PathEscape(v.CollectionID),
		Data: itemData{View: v, Topic: "collection:" + v.CollectionID}})
}

type searchData struct {
	Q, Kind, Media, From, To string
	Searched                 bool
	Results                  search.Results
	Error                    string
	Kinds, Medias            []option
}

type option struct{ Value, Text string }

// search serves GET /h5/search: the form, and the results when asked.
func (p *Pages) search(w http.ResponseWriter, r *http.Request) {
	get := r.URL.Query().Get
	d := searchData{Q: get("q"), Kind: get("kind"), Media: get("media"), From: get("from"), To: get("to"),
		Kinds:  []option{{"", "全部"}, {search.KindItem, "馆藏"}, {search.KindNews, "资讯"}, {search.KindActivity, "活动"}, {search.KindVenue, "场馆"}},
		Medias: []option{{"", "不限"}, {"image", "图片"}, {"audio", "音频"}, {"video", "视频"}, {"pdf", "PDF"}}}
	status := http.StatusOK
	if d.Q != "" || d.Kind != "" || d.Media != "" || get("district") != "" || get("collection") != "" {
		d.Searched = true
		q, err := search.ParseQuery(get)
		if err == nil {
			err = q.Validate()
		}
		var idx *search.Index
		if err == nil {
			if idx, err = p.Search(r.Context()); err != nil {
				err = search.ErrUnavailable.Wrap(err)
			}
		}
		if err == nil {
			q.Limit = 20
			d.Results, err = idx.Search(q)
		}
		if err != nil {
			fe := fault.As(err)
			if fe.Kind != fault.Invalid && fe.Kind != fault.Unavailable {
				p.t.Error(w, r, err)
				return
			}
			d.Error, status = fe.Message, web.Status(fe.Kind)
		}
	}
	p.t.Render(w, r, "search", status, h5.View{Title: "搜索", Data: d})
}

type newsData struct {
	Category   string
	Categories []news.Category
	Articles   []news.Article
}

// newsList serves GET /h5/news.
func (p *Pages) newsList(w http.ResponseWriter, r *http.Request) {
	cat := r.URL.Query().Get("category")
	list, err := p.News.List(r.Context(), cat, 30)
	if err != nil {
		p.t.Error(w, r, err)
		return
	}
	p.t.Render(w, r, "news", http.StatusOK, h5.View{Title: "资讯", Data: newsData{Category: cat, Categories: news.Categories, Articles: list}})
}

type articleData struct {
	news.View
	Paragraphs []string
	Topic      string
}

// article serves GET /h5/news/{id}.
func (p *Pages) article(w http.ResponseWriter, r *http.Request) {
	v, err := p.News.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		p.t.Error(w, r, err)
		return
	}
	var paras []string
	for _, s := range strings.Split(v.Body, "\n") {
		if s = strings.TrimSpace(s); s != "" {
			paras = append(paras, s)
		}
	}
	p.t.Render(w, r, "article", http.StatusOK, h5.View{Title: v.Title, Back: h5.Prefix + "/news",
		Data: articleData{View: v, Paragraphs: paras, Topic: "category:" + v.Category}})
}

type subscriptionsData struct {
	Mine    []news.Subscription
	Others  []news.Topic
	Consent string
	Error   string
	Done    string
}

// subscriptions serves GET /h5/me/subscriptions.
func (p *Pages) subscriptions(w http.ResponseWriter, r *http.Request) {
	d := subscriptionsData{}
	switch r.URL.Query().Get("done") {
	case "followed":
		d.Done = "已订阅。有新内容时，每天最多推送一条摘要。"
	case "unfollowed":
		d.Done = "已取消订阅。"
	}
	p.subscriptionsPage(w, r, http.StatusOK, d)
}

func (p *Pages) subscriptionsPage(w http.ResponseWriter, r *http.Request, status int, d subscriptionsData) {
	c := web.Caller(r)
	mine, err := p.News.Subscriptions(r.Context(), c.OpenID)
	if err != nil {
		p.t.Error(w, r, err)
		return
	}
	topics, err := p.News.Topics(r.Context())
	if err != nil {
		p.t.Error(w, r, err)
		return
	}
	following := map[string]bool{}
	for _, s := range mine {
		following[s.Topic] = true
	}
	for _, t := range topics {
		if !following[t.ID] {
			d.Others = append(d.Others, t)
		}
	}
	d.Mine, d.Consent = mine, news.ConsentText
	p.t.Render(w, r, "subscriptions", status, h5.View{Title: "我的订阅", Data: d})
}

// follow serves POST /h5/me/subscriptions: topic, consent=1.
func (p *Pages) follow(w http.ResponseWriter, r *http.Request) {
	c := web.Caller(r)
	_, err := p.News.Subscribe(r.Context(), c.OpenID, r.PostForm.Get("topic"), r.PostForm.Get("consent") == "1", "h5")
	if err != nil {
		fe := fault.As(err)
		if fe.Kind == fault.Invalid || fe.Kind == fault.NotFound {
			p.subscriptionsPage(w, r, web.Status(fe.Kind), subscriptionsData{Error: fe.Message})
			return
		}
		p.t.Error(w, r, err)
		return
	}
	http.Redirect(w, r, h5.Prefix+"/me/subscriptions?done=followed", http.StatusSeeOther)
}

// unfollow serves POST /h5/me/subscriptions/delete: topic.
func (p *Pages) unfollow(w http.ResponseWriter, r *http.Request) {
	c := web.Caller(r)
	if err := p.News.Unsubscribe(r.Context(), c.OpenID, r.PostForm.Get("topic")); err != nil && !errors.Is(err, news.ErrNotSubscribed) {
		p.t.Error(w, r, err)
		return
	}
	http.Redirect(w, r, h5.Prefix+"/me/subscriptions?done=unfollowed", http.StatusSeeOther)
}
