package callback_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/wentitong/wentitong/shared/wechat/callback"
)

// fakeSearch finds titles containing the text, and records what it was asked.
type fakeSearch struct {
	titles []string
	asked  []string
	err    error
}

func (f *fakeSearch) Find(_ context.Context, text string, limit int) ([]callback.Found, int, error) {
	f.asked = append(f.asked, text)
	if f.err != nil {
		return nil, 0, f.err
	}
	var out []callback.Found
	total := 0
	for i, t := range f.titles {
		if strings.Contains(t, text) {
			total++
			if len(out) < limit {
				out = append(out, callback.Found{Kind: "item", Title: t, Path: fmt.Sprintf("/items/i-%d", i)})
			}
		}
	}
	return out, total, nil
}

// 搜, 搜索 and 查找 search the rest of the message (full-width forms and punctuation
// tolerated), list at most five results with their links and a link to the search page;
// nothing found, nothing asked, no search configured and no index each have their text.
func TestSearchKeyword(t *testing.T) {
	var titles []string
	for i := range 7 {
		titles = append(titles, fmt.Sprintf("醴陵瓷器第%d件", i+1))
	}
	find := &fakeSearch{titles: append(titles, "攸县山歌")}
	chat := &callback.Chat{Search: find, Links: callback.Links{Base: "https://h5.test/h5"}, Now: time.Now}
	say := func(c *callback.Chat, text string) string {
		t.Helper()
		r, err := c.Respond(context.Background(), &message.MixMessage{CommonToken: message.CommonToken{FromUserName: "o-1", MsgType: message.MsgTypeText, CreateTime: 1}, Content: text})
		if err != nil {
			t.Fatal(err)
		}
		return r.Text
	}
	for _, text := range []string{"搜 醴陵瓷器", "搜索：醴陵瓷器", "查找 醴陵瓷器", "搜　醴陵瓷器！"} {
		find.asked = nil
		got := say(chat, text)
		if len(find.asked) != 1 || !strings.HasPrefix(find.asked[0], "醴陵瓷器") {
			t.Errorf("%q searched %q, want 醴陵瓷器", text, find.asked)
		}
		if !strings.Contains(got, "找到 7 条") || strings.Count(got, "/items/") != 5 || !strings.Contains(got, `href="https://h5.test/h5/items/i-0"`) ||
			!strings.Contains(got, "https://h5.test/h5/search?q=") || len(got) > 2048 {
			t.Errorf("%q = %q, want 7 found, 5 listed with links, and the search page", text, got)
		}
	}
	if got := say(chat, "搜 花鼓戏"); !strings.Contains(got, "没有找到与「花鼓戏」相关的内容") || !strings.Contains(got, "/search?q=") {
		t.Errorf("nothing found = %q", got)
	}
	if got := say(chat, "搜"); !strings.Contains(got, "例如：搜 醴陵瓷器") {
		t.Errorf("搜 alone = %q, want the prompt", got)
	}
	find.err = fmt.Errorf("fetch: %w", callback.ErrSearchUnavailable)
	if got := say(chat, "搜 醴陵"); !strings.HasPrefix(got, "搜索正在准备") || !strings.Contains(got, `href="https://h5.test/h5/search?q=%E9%86%B4%E9%99%B5"`) {
		t.Errorf("no index = %q, want to come back or the search page", got)
	}
	find.err = errors.New("disk on fire")
	if _, err := chat.Respond(context.Background(), &message.MixMessage{CommonToken: message.CommonToken{FromUserName: "o-1", MsgType: message.MsgTypeText, CreateTime: 1}, Content: "搜 醴陵"}); err == nil {
		t.Errorf("a failing search answered without an error")
	}
	if got := say(&callback.Chat{Now: time.Now}, "搜 醴陵"); got != "搜索暂未开通，请稍后再试。" {
		t.Errorf("without search = %q", got)
	}
}
