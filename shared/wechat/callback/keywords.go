package callback

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"

	"github.com/wentitong/wentitong/shared/booking"
)

type command int

const (
	cmdHelp      command = iota
	cmdKind              // rest is the booking.Kind
	cmdBookings          // 我的预约
	cmdVolunteer         // 志愿
	cmdFeedback          // 建议 …; rest is the suggestion
	cmdNearby            // 附近
	cmdSearch            // 搜 …; rest is the text searched
)

// keywords maps each normalised keyword to its command (and kind).
var keywords = map[string]struct {
	cmd  command
	kind booking.Kind
}{}

func init() {
	add := func(cmd command, kind booking.Kind, words ...string) {
		for _, w := range words {
			keywords[normalize(w)] = struct {
				cmd  command
				kind booking.Kind
			}{cmd, kind}
		}
	}
	add(cmdKind, booking.KindFilm, "电影", "观影", "看电影", "电影放映", "放映", "影讯", "露天电影", "film", "movie")
	add(cmdKind, booking.KindEvent, "活动", "文化活动", "演出", "讲座", "展览", "event", "events")
	add(cmdKind, booking.KindFitness, "健身", "健身课", "健身课程", "运动", "体育", "fitness")
	add(cmdKind, booking.KindReading, "阅读", "读书", "阅读活动", "阅览室", "电子阅览室", "图书馆", "reading")
	add(cmdBookings, "", "我的预约", "预约", "我的订单", "我的票", "电子票", "门票")
	add(cmdVolunteer, "", "志愿", "志愿者", "志愿服务", "文化志愿者", "社会体育指导员", "volunteer")
	add(cmdNearby, "", "附近", "附近场馆", "场馆", "文化地图", "地图")
	add(cmdHelp, "", "帮助", "help", "菜单", "你好", "您好")
}

// feedbackPrefixes start a suggestion: "建议 图书馆周末延长开放".
var feedbackPrefixes = []string{"建议", "反馈", "意见", "投诉"}

// match reads a text message tolerantly: full-width letters, digits and spaces count as
// their ASCII forms, case and surrounding punctuation are ignored, and synonyms count.
// For a kind, rest is the kind; for feedback, the suggestion; for a search, its text.
func match(content string) (command, string) {
	s := strings.TrimSpace(width.Fold.String(content))
	for _, p := range searchPrefixes {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return cmdSearch, strings.TrimFunc(rest, isPunctOrSpace)
		}
	}
	for _, p := range feedbackPrefixes {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return cmdFeedback, strings.TrimSpace(strings.TrimLeftFunc(rest, isPunctOrSpace))
		}
	}
	k, ok := keywords[normalize(s)]
	if !ok {
		return cmdHelp, ""
	}
	return k.cmd, string(k.kind)
}

// normalize is fold, lower case, without spaces and punctuation.
func normalize(s string) string {
	s = strings.ToLower(width.Fold.String(s))
	return strings.Map(func(r rune) rune {
		if isPunctOrSpace(r) {
			return -1
		}
		return r
	}, s)
}

func isPunctOrSpace(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
}
