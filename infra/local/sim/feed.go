package sim

import (
	"cmp"
	"encoding/json"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/wechattest"
)

// Entry is one line of a conversation: something the person did, a passive reply, a
// message the notifier sent them through the WeChat API, or a note of the simulator.
type Entry struct {
	Seq  int64     `json:"seq"`
	At   time.Time `json:"at"`
	Time string    `json:"time"` // Beijing time, as the chat shows it: 11月30日 19:30
	Side string    `json:"side"` // "me", "them" or "note"
	// Kind is what the entry shows: "text" (Parts), "location" (Title and Detail),
	// "articles" (Articles), "card" (a template or subscribe message: Title, Fields,
	// Link), "note" (Parts, centred) or "failure" (Parts, centred, as an error).
	Kind string `json:"kind"`
	// Via says how a message of the account came: "reply" (passive), "custom"
	// (客服消息), "template" (模板消息) or "subscribe" (订阅通知).
	Via      string    `json:"via,omitempty"`
	Parts    []Part    `json:"parts,omitempty"`
	Title    string    `json:"title,omitempty"`
	Detail   string    `json:"detail,omitempty"`
	Articles []Article `json:"articles,omitempty"`
	Fields   []Field   `json:"fields,omitempty"`
	Link     string    `json:"link,omitempty"`
}

// Part is a run of text, a link when Href is set.
type Part struct {
	Text string `json:"text"`
	Href string `json:"href,omitempty"`
}

// Field is one value of a template or subscribe message.
type Field struct {
	Name  string `json:"name"` // the template's field, thing1, time2, …
	Value string `json:"value"`
}

// feed holds every conversation of the simulator, in memory: what each person did and
// what reached them, in order. Messages the fake WeChat API recorded are taken in as
// they appear, for their addressee only.
type feed struct {
	fake  *wechattest.Fake // nil when the runner uses another WeChat API
	links linker

	mu       sync.Mutex
	seq      int64
	convs    map[string][]Entry
	absorbed int // how many of the fake's sent messages are in convs
}

func newFeed(fake *wechattest.Fake, links linker) *feed {
	return &feed{fake: fake, links: links, convs: map[string][]Entry{}}
}

// add appends e to openid's conversation, numbering and timing it.
func (f *feed) add(openid string, e Entry, at time.Time) Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.addLocked(openid, e, at)
}

func (f *feed) addLocked(openid string, e Entry, at time.Time) Entry {
	f.seq++
	e.Seq, e.At, e.Time = f.seq, at, at.In(beijing.Zone).Format("1月2日 15:04")
	f.convs[openid] = append(f.convs[openid], e)
	return e
}

// since returns openid's entries after seq, having taken in what the fake sent since
// the last call.
func (f *feed) since(openid string, seq int64) []Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.absorbLocked()
	conv := f.convs[openid]
	i, _ := slices.BinarySearchFunc(conv, seq+1, func(e Entry, s int64) int { return cmp.Compare(e.Seq, s) })
	return slices.Clone(conv[i:])
}

// openids returns who has a conversation, sorted.
func (f *feed) openids() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.absorbLocked()
	out := make([]string, 0, len(f.convs))
	for id := range f.convs {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

func (f *feed) absorbLocked() {
	if f.fake == nil {
		return
	}
	sent := f.fake.Sent()
	if len(sent) < f.absorbed { // the fake was reset
		f.absorbed = 0
	}
	for _, m := range sent[f.absorbed:] {
		f.addLocked(m.ToUser, f.fromFake(m), m.SentAt)
	}
	f.absorbed = len(sent)
}

// fromFake turns a message the notifier sent into what the person sees.
func (f *feed) fromFake(m wechattest.Message) Entry {
	e := Entry{Side: "them", Via: m.Kind}
	switch m.Kind {
	case "template", "subscribe":
		e.Kind, e.Title, e.Link = "card", "服务通知", f.links.rewrite(m.ToUser, m.URL)
		if m.Kind == "subscribe" {
			e.Title = "订阅通知"
		}
		var data map[string]struct {
			Value string `json:"value"`
		}
		_ = json.Unmarshal(m.Data, &data) // the fake accepted only a JSON object
		for name, v := range data {
			e.Fields = append(e.Fields, Field{Name: name, Value: v.Value})
		}
		slices.SortFunc(e.Fields, func(a, b Field) int {
			return cmp.Or(cmp.Compare(trailingNumber(a.Name), trailingNumber(b.Name)), cmp.Compare(a.Name, b.Name))
		})
		return e
	}
	var body struct {
		MsgType string `json:"msgtype"`
		Text    struct {
			Content string `json:"content"`
		} `json:"text"`
		News struct {
			Articles []struct {
				Title       string `json:"title"`
				Description string `json:"description"`
				URL         string `json:"url"`
				PicURL      string `json:"picurl"`
			} `json:"articles"`
		} `json:"news"`
	}
	_ = json.Unmarshal(m.Data, &body)
	switch body.MsgType {
	case "text":
		e.Kind, e.Parts = "text", f.links.parts(m.ToUser, body.Text.Content)
	case "news":
		e.Kind = "articles"
		for _, a := range body.News.Articles {
			e.Articles = append(e.Articles, Article{Title: a.Title, Description: a.Description, PicURL: a.PicURL, URL: f.links.rewrite(m.ToUser, a.URL)})
		}
	default:
		e.Kind, e.Parts = "text", []Part{{Text: "［暂不支持显示的消息类型：" + body.MsgType + "］"}}
	}
	return e
}

// fromReply turns a passive reply into what the person sees.
func (f *feed) fromReply(openid string, r Reply) Entry {
	e := Entry{Side: "them", Via: "reply", Kind: "text"}
	switch r.MsgType {
	case "text":
		e.Parts = f.links.parts(openid, r.Content)
	case "news":
		e.Kind = "articles"
		for _, a := range r.Articles {
			a.URL = f.links.rewrite(openid, a.URL)
			e.Articles = append(e.Articles, a)
		}
	default:
		e.Parts = []Part{{Text: "［暂不支持显示的消息类型：" + r.MsgType + "］"}}
	}
	return e
}

var digits = regexp.MustCompile(`\d+$`)

func trailingNumber(s string) int {
	n, _ := strconv.Atoi(digits.FindString(s))
	return n
}

// linker points the links of the chat at the local pages, signed in as the person.
type linker struct {
	h5Base string // H5_BASE_URL (or the platform's default), which the chat's links start with
}

// rewrite turns a link to the H5 site into the runner's sign-in for openid, which then
// opens the page (/_dev/login?openid=…&next=/h5/…). Other links stay as they are.
func (l linker) rewrite(openid, href string) string {
	base := strings.TrimSuffix(l.h5Base, "/")
	rest, ok := strings.CutPrefix(href, base)
	if base == "" || !ok || (rest != "" && rest[0] != '/' && rest[0] != '?' && rest[0] != '#') {
		return href
	}
	next := rest
	if next != "/h5" && !strings.HasPrefix(next, "/h5/") && !strings.HasPrefix(next, "/h5?") {
		next = "/h5" + rest
	}
	if !strings.HasPrefix(next, "/h5/") {
		next = "/h5/" + strings.TrimPrefix(next, "/h5")
	}
	return "/_dev/login?" + url.Values{"openid": {openid}, "next": {next}}.Encode()
}

// anchor is a link in a WeChat text: WeChat shows <a href="…">…</a> as a link and any
// other markup as text.
var anchor = regexp.MustCompile(`(?is)<a\s+href\s*=\s*["']([^"']*)["'][^>]*>(.*?)</a>`)

// parts splits a WeChat text into runs of text and links, the links rewritten.
func (l linker) parts(openid, text string) []Part {
	var out []Part
	last := 0
	for _, m := range anchor.FindAllStringSubmatchIndex(text, -1) {
		if m[0] > last {
			out = append(out, Part{Text: text[last:m[0]]})
		}
		href := html.UnescapeString(text[m[2]:m[3]])
		out = append(out, Part{Text: html.UnescapeString(text[m[4]:m[5]]), Href: l.rewrite(openid, href)})
		last = m[1]
	}
	if last < len(text) {
		out = append(out, Part{Text: text[last:]})
	}
	return out
}
