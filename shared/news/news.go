// Package news is the news centre (数字资讯中心): institutions' articles, residents'
// topic subscriptions with their recorded consent, and the daily digest that tells each
// subscriber, at most once a day, what is new in the topics they follow.
package news

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/fault"
)

// Category is the section an article is filed under; each is a topic residents follow.
type Category struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// Categories are the news centre's sections.
var Categories = []Category{
	{"notice", "通知公告"},
	{"culture", "文化动态"},
	{"heritage", "非遗传承"},
	{"reading", "阅读推广"},
	{"sports", "体育健身"},
	{"events", "活动预告"},
}

// CategoryName returns a category's Chinese name, or "" for an unknown key.
func CategoryName(key string) string {
	for _, c := range Categories {
		if c.Key == key {
			return c.Name
		}
	}
	return ""
}

// Status is a draft or published.
type Status string

// The statuses of an article.
const (
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
)

// Article is one piece of news, written by an institution's staff.
type Article struct {
	ID            string `json:"id"`
	InstitutionID string `json:"institutionId"`
	Title         string `json:"title"`
	Summary       string `json:"summary,omitempty" input:"long"`
	Body          string `json:"body" input:"long"`
	Category      string `json:"category"`
	// The cover is an image of a library item (its thumbnail is shown).
	CoverItemID  string    `json:"coverItemId,omitempty"`
	CoverMediaID string    `json:"coverMediaId,omitempty"`
	ItemIDs      []string  `json:"itemIds"`
	ActivityIDs  []string  `json:"activityIds"`
	Topics       []string  `json:"topics"` // set when published: its category's and its items' collections'
	Status       Status    `json:"status"`
	Author       string    `json:"-"`
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
	PublishedAt  time.Time `json:"publishedAt,omitzero"`
	Version      int       `json:"version"`
}

// Errors of articles.
var (
	ErrNotFound         = fault.New(fault.NotFound, "news_not_found", "找不到该资讯")
	ErrChanged          = fault.New(fault.Conflict, "news_changed", "该资讯已被他人修改，请刷新后重试")
	ErrAlreadyPublished = fault.New(fault.Conflict, "news_published", "该资讯已发布")
	ErrCoverInvalid     = fault.New(fault.Invalid, "news_invalid_cover", "封面须是所关联资源中已就绪的图片")
	ErrLinkInvalid      = fault.New(fault.NotFound, "news_link_not_found", "关联的资源或活动不存在（资源须已发布）")
)

// Limits of an article.
const (
	maxTitle   = 64 // WeChat's own limit of an article's title
	maxSummary = 120
	maxBody    = 20000
	maxLinks   = 20
)

// Validate returns an invalid error naming the first wrong field: a title of 1 to 64
// characters, a summary of at most 120, a body of 1 to 20,000, a known category, at
// most 20 linked items and 20 activities without repeats, a cover named whole or not
// at all.
func (a Article) Validate() error {
	bad := func(field, msg string) error { return fault.Invalidf("news_invalid_"+field, "%s", msg) }
	switch {
	case utf8.RuneCountInString(a.Title) == 0 || utf8.RuneCountInString(a.Title) > maxTitle || strings.TrimSpace(a.Title) != a.Title:
		return bad("title", "标题为 1 到 64 个字，前后不留空格")
	case utf8.RuneCountInString(a.Summary) > maxSummary:
		return bad("summary", "摘要不超过 120 字")
	case strings.TrimSpace(a.Body) == "" || utf8.RuneCountInString(a.Body) > maxBody:
		return bad("body", "正文为 1 到 20000 字")
	case CategoryName(a.Category) == "":
		return bad("category", "请选择栏目：notice、culture、heritage、reading、sports 或 events")
	case len(a.ItemIDs) > maxLinks || hasRepeats(a.ItemIDs):
		return bad("items", "关联资源最多 20 个，不能重复")
	case len(a.ActivityIDs) > maxLinks || hasRepeats(a.ActivityIDs):
		return bad("activities", "关联活动最多 20 个，不能重复")
	case (a.CoverItemID == "") != (a.CoverMediaID == ""):
		return ErrCoverInvalid
	case a.CoverItemID != "" && !slices.Contains(a.ItemIDs, a.CoverItemID):
		return ErrCoverInvalid
	}
	return nil
}

func hasRepeats(ss []string) bool {
	for i, s := range ss {
		if s == "" || slices.Contains(ss[:i], s) {
			return true
		}
	}
	return false
}

// Draft is what staff write.
type Draft struct {
	InstitutionID string   `json:"institutionId"`
	Title         string   `json:"title"`
	Summary       string   `json:"summary" input:"long"`
	Body          string   `json:"body" input:"long"`
	Category      string   `json:"category"`
	CoverItemID   string   `json:"coverItemId"`
	CoverMediaID  string   `json:"coverMediaId"`
	ItemIDs       []string `json:"itemIds"`
	ActivityIDs   []string `json:"activityIds"`
}

func (d Draft) apply(a Article) Article {
	a.Title, a.Summary, a.Body = strings.TrimSpace(d.Title), strings.TrimSpace(d.Summary), strings.TrimSpace(d.Body)
	a.Category, a.CoverItemID, a.CoverMediaID = d.Category, d.CoverItemID, d.CoverMediaID
	a.ItemIDs, a.ActivityIDs = nonNil(d.ItemIDs), nonNil(d.ActivityIDs)
	return a
}

func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}
