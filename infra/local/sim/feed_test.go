package sim

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/wechattest"
)

// Links to the H5 site become the runner's sign-in for the person, whatever the form of
// H5_BASE_URL (the runner's own /h5, or a site whose paths map onto /h5); other links
// stay as they are.
func TestLinkRewrite(t *testing.T) {
	for _, tt := range []struct{ base, href, want string }{
		{"http://127.0.0.1:8080/h5", "http://127.0.0.1:8080/h5/activities/a-1", "/_dev/login?next=%2Fh5%2Factivities%2Fa-1&openid=o-1"},
		{"http://127.0.0.1:8080/h5/", "http://127.0.0.1:8080/h5/me/bookings", "/_dev/login?next=%2Fh5%2Fme%2Fbookings&openid=o-1"},
		{"https://h5.wentitong.cn/h5", "https://h5.wentitong.cn/h5", "/_dev/login?next=%2Fh5%2F&openid=o-1"},
		{"https://h5.wentitong.cn", "https://h5.wentitong.cn/activities?kind=film", "/_dev/login?next=%2Fh5%2Factivities%3Fkind%3Dfilm&openid=o-1"},
		{"https://h5.wentitong.cn", "https://h5.wentitong.cn?x=1", "/_dev/login?next=%2Fh5%2F%3Fx%3D1&openid=o-1"},
		{"https://h5.wentitong.cn", "https://h5.wentitong.cn.evil.example/activities", "https://h5.wentitong.cn.evil.example/activities"},
		{"https://h5.wentitong.cn", "https://mp.weixin.qq.com/s/abc", "https://mp.weixin.qq.com/s/abc"},
	} {
		if got := (linker{h5Base: tt.base}).rewrite("o-1", tt.href); got != tt.want {
			t.Errorf("rewrite(%q) with base %q = %q, want %q", tt.href, tt.base, got, tt.want)
		}
	}
}

// A text reply's <a href> links become link parts (entities decoded), the rest stays
// text; a news reply and a customer-service news message become article cards with
// their links rewritten.
func TestEntriesOfMessages(t *testing.T) {
	f := newFeed(nil, linker{h5Base: "https://h5.test/h5"})
	e := f.fromReply("o-1", Reply{MsgType: "text", Content: `预约：<a href="https://h5.test/h5/activities?kind=film&amp;day=1">点此</a>，或 <b>回复</b> 电影`})
	want := []Part{{Text: "预约："}, {Text: "点此", Href: "/_dev/login?next=%2Fh5%2Factivities%3Fkind%3Dfilm%26day%3D1&openid=o-1"}, {Text: "，或 <b>回复</b> 电影"}}
	if e.Kind != "text" || e.Via != "reply" || !reflect.DeepEqual(e.Parts, want) {
		t.Errorf("text reply = %+v, want parts %+v", e, want)
	}
	e = f.fromReply("o-1", Reply{MsgType: "news", Articles: []Article{{Title: "非遗剪纸", URL: "https://h5.test/h5/activities/a-1", PicURL: "https://cdn.example/p.jpg"}}})
	if e.Kind != "articles" || len(e.Articles) != 1 || e.Articles[0].URL != "/_dev/login?next=%2Fh5%2Factivities%2Fa-1&openid=o-1" {
		t.Errorf("news reply = %+v, want one card linking to the sign-in", e)
	}
	data, _ := json.Marshal(map[string]any{"msgtype": "news", "news": map[string]any{"articles": []map[string]string{{"title": "月度报告", "url": "https://h5.test/h5/news/1"}}}})
	e = f.fromFake(wechattest.Message{Kind: "custom", ToUser: "o-2", Data: data, SentAt: time.Now()})
	if e.Kind != "articles" || e.Via != "custom" || e.Articles[0].Title != "月度报告" || e.Articles[0].URL != "/_dev/login?next=%2Fh5%2Fnews%2F1&openid=o-2" {
		t.Errorf("customer-service news = %+v, want a card for o-2", e)
	}
}
