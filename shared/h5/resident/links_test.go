package resident_test

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/browsertest"
	"github.com/wentitong/wentitong/shared/wechat/callback"
	"github.com/wentitong/wentitong/shared/wechattest"
)

var href = regexp.MustCompile(`href="([^"]+)"`)

// Every link the chat and the menu produce leads to a page: the menu's view buttons,
// the links in the replies to every keyword, menu click, location and venue scan, and
// every kind of link the callback builds. Each is opened signed in (staff for the
// projectionist's page) and must answer 200 with a page.
func TestEveryChatAndMenuLinkIsAPage(t *testing.T) {
	p := browsertest.Start(t, browsertest.Options{Seed: browsertest.Demo})
	base := p.URL + "/h5"
	links := callback.Links{Base: base}
	var urls []string
	var walk func([]callback.Button)
	walk = func(bs []callback.Button) {
		for _, b := range bs {
			if b.URL != "" {
				urls = append(urls, b.URL)
			}
			walk(b.Sub)
		}
	}
	walk(callback.Menu(links))
	if len(urls) < 4 {
		t.Fatalf("the menu has %d links, want its four view buttons at least", len(urls))
	}

	// What the chat answers, as WeChat delivers it.
	account := wechattest.Account{AppID: "wx-dev-app", Token: "dev-token"}
	now := time.Now()
	n := 0
	say := func(body string) string {
		t.Helper()
		n++
		plain := fmt.Sprintf("<xml><ToUserName><![CDATA[gh_wentitong]]></ToUserName><FromUserName><![CDATA[o-resident-1]]></FromUserName><CreateTime>%d</CreateTime>%s<MsgId>%d</MsgId></xml>",
			now.Unix()+int64(n), body, 7000+n)
		post, err := account.Seal(wechattest.ModePlain, "o-resident-1", []byte(plain), now, fmt.Sprint("n", n))
		if err != nil {
			t.Fatal(err)
		}
		req, err := post.Request(p.URL + "/wechat")
		if err != nil {
			t.Fatal(err)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		answer, _ := io.ReadAll(res.Body)
		var reply struct{ Content string }
		_ = xml.Unmarshal(answer, &reply)
		return reply.Content
	}
	text := func(s string) string {
		return "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[" + s + "]]></Content>"
	}
	event := func(ev, key string) string {
		return "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[" + ev + "]]></Event><EventKey><![CDATA[" + key + "]]></EventKey>"
	}
	var replies []string
	for _, s := range []string{"电影", "活动", "健身", "阅读", "预约", "我的预约", "志愿者", "地图", "建议 阅览室增加插座", "你好"} {
		replies = append(replies, say(text(s)))
	}
	for _, key := range []string{callback.KeyEvents, callback.KeyFilms, callback.KeyFitness, callback.KeyReading,
		callback.KeyMyBookings, callback.KeyVolunteer, callback.KeyNearby, callback.KeyHelp} {
		replies = append(replies, say(event("CLICK", key)))
	}
	replies = append(replies,
		say("<MsgType><![CDATA[location]]></MsgType><Location_X>27.8274</Location_X><Location_Y>113.1339</Location_Y><Scale>15</Scale><Label><![CDATA[天元区]]></Label>"),
		say(event("SCAN", "venue:v-city-library")))
	fromChat := 0
	for _, r := range replies {
		for _, m := range href.FindAllStringSubmatch(r, -1) {
			urls = append(urls, m[1])
			fromChat++
		}
	}
	if fromChat < 10 {
		t.Fatalf("the chat's replies hold %d links, want many: %q", fromChat, replies)
	}
	// Every kind of link the callback builds, with the demo's ids.
	urls = append(urls, links.Activities("film"), links.Activity("a-film-wandering-earth"), links.MyBookings(),
		links.Volunteer(), links.Map(27.83, 113.13), links.Feedback())
	staffOnly := links.Screening("a-film-open-air-hutang-1")

	resident, admin := signedIn(t, p, "o-resident-1"), signedIn(t, p, "o-admin")
	slices.Sort(urls)
	for _, u := range append(slices.Compact(urls), staffOnly) {
		if !strings.HasPrefix(u, base) {
			t.Errorf("link %s is not a page of %s", u, base)
			continue
		}
		c := resident
		if u == staffOnly {
			c = admin
		}
		res, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "<h1>") {
			t.Errorf("GET %s = %d %s, want a page", u, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
}

// signedIn is an HTTP client with a cookie jar, signed in as openid through
// /_dev/login.
func signedIn(t *testing.T, p *browsertest.Platform, openid string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Get(p.URL + "/_dev/login?" + url.Values{"openid": {openid}, "next": {"/h5/"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/h5/" {
		t.Fatalf("signing in as %s ended at %s with %d", openid, res.Request.URL, res.StatusCode)
	}
	return c
}
