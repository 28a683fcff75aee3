package callback

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Search finds what a resident asks for with 搜: library items, news, activities and
// venues, best first.
type Search interface {
	// Find returns at most limit things matching text and how many match in all; an
	// error wrapping ErrSearchUnavailable means there is no index to search yet (none
	// published, or a cold function still fetching it): the reply then links to the
	// search page, which the library's function answers.
	Find(ctx context.Context, text string, limit int) (found []Found, total int, err error)
}

// Found is one thing found.
type Found struct {
	Kind  string // item, news, activity, venue
	Title string
	Path  string // its page, relative to the H5 base: /items/<id>
}

// ErrSearchUnavailable is a Search's answer when no index can be read.
var ErrSearchUnavailable = errors.New("search unavailable")

// searchPrefixes start a search: "搜 醴陵瓷器". Longer first.
var searchPrefixes = []string{"搜索", "查找", "搜"}

// kindLabels are the kinds of things found as a reply names them.
var kindLabels = map[string]string{"item": "馆藏", "news": "资讯", "activity": "活动", "venue": "场馆"}

const (
	searchPrompt      = "请在「搜」后写下要找的内容，例如：搜 醴陵瓷器"
	searchClosedText  = "搜索暂未开通，请稍后再试。"
	searchBusyText    = "搜索正在准备，请稍后再发一次，或到搜索页查看：<a href=\"%s\">搜索「%s」</a>"
	searchNothingText = "没有找到与「%s」相关的内容。换个说法试试，例如：搜 花鼓戏、搜 炎帝传说。\n<a href=\"%s\">到搜索页筛选</a>"
)

// maxQueryRunes is the longest text searched, as the search route allows.
const maxQueryRunes = 50

// search answers 搜 <text> with the first results and a link to the search page.
func (c *Chat) search(ctx context.Context, text string) (Reply, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return Text(searchPrompt), nil
	case c.Search == nil:
		return Text(searchClosedText), nil
	}
	if utf8.RuneCountInString(text) > maxQueryRunes {
		text = string([]rune(text)[:maxQueryRunes])
	}
	found, total, err := c.Search.Find(ctx, text, maxListed)
	if errors.Is(err, ErrSearchUnavailable) {
		return Text(fmt.Sprintf(searchBusyText, c.Links.Search(text), text)), nil
	}
	if err != nil {
		return Reply{}, fmt.Errorf("search %q: %w", text, err)
	}
	if len(found) == 0 {
		return Text(fmt.Sprintf(searchNothingText, text, c.Links.Search(text))), nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "找到 %d 条与「%s」相关的内容：", total, text)
	for i, f := range found {
		fmt.Fprintf(&b, "\n%d. 【%s】<a href=\"%s\">%s</a>", i+1, kindLabels[f.Kind], c.Links.path(f.Path), clip(f.Title, 90))
	}
	fmt.Fprintf(&b, "\n全部结果和筛选：<a href=\"%s\">点此查看</a>", c.Links.Search(text))
	return Text(b.String()), nil
}

// Search is the search page with text searched.
func (l Links) Search(text string) string { return l.path("/search?q=" + url.QueryEscape(text)) }
