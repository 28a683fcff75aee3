package callback

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/booking"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		in   string
		cmd  command
		rest string
	}{
		{"电影", cmdKind, "film"},
		{" 看电影！", cmdKind, "film"},
		{"观影", cmdKind, "film"},
		{"ＭＯＶＩＥ", cmdKind, "film"},
		{"活动", cmdKind, "event"},
		{"健身　", cmdKind, "fitness"},
		{"阅读", cmdKind, "reading"},
		{"我的预约", cmdBookings, ""},
		{"我的 预约", cmdBookings, ""},
		{"志愿", cmdVolunteer, ""},
		{"建议 图书馆周末延长开放", cmdFeedback, "图书馆周末延长开放"},
		{"反馈：路灯坏了", cmdFeedback, "路灯坏了"},
		{"建议", cmdFeedback, ""},
		{"附近", cmdNearby, ""},
		{"今天天气怎么样", cmdHelp, ""},
		{"", cmdHelp, ""},
	}
	for _, tt := range tests {
		cmd, rest := match(tt.in)
		if cmd != tt.cmd || rest != tt.rest {
			t.Errorf("match(%q) = %v, %q; want %v, %q", tt.in, cmd, rest, tt.cmd, tt.rest)
		}
	}
}

func TestParseScene(t *testing.T) {
	tests := []struct {
		in      string
		typ, id string
		ok      bool
	}{
		{"shift:s-1", "shift", "s-1", true},
		{"venue:v:2", "venue", "v:2", true},
		{"shift:", "", "", false},
		{":x", "", "", false},
		{"123123", "", "", false},
		{"venue:" + string(make([]byte, 64)), "", "", false},
	}
	for _, tt := range tests {
		typ, id, ok := ParseScene(tt.in)
		if typ != tt.typ || id != tt.id || ok != tt.ok {
			t.Errorf("ParseScene(%q) = %q, %q, %v; want %q, %q, %v", tt.in, typ, id, ok, tt.typ, tt.id, tt.ok)
		}
	}
}

func TestScenesRoute(t *testing.T) {
	expired := func(context.Context, string, string, time.Time) (Reply, error) { return Reply{}, ErrSceneExpired }
	ok := func(_ context.Context, from, id string, _ time.Time) (Reply, error) {
		return Text(from + " 签到 " + id), nil
	}
	s := Scenes{SceneShift: ok, SceneTicket: expired}
	tests := []struct {
		scene string
		want  string
		err   error
	}{
		{"shift:s-9", "o-1 签到 s-9", nil},
		{"ticket:t-1", "", ErrSceneExpired},
		{"screening:f-1", "", ErrSceneUnavailable},
		{"lottery:1", "", ErrSceneUnknown},
		{"123123", "", ErrSceneUnknown},
	}
	for _, tt := range tests {
		r, err := s.Route(context.Background(), "o-1", tt.scene, time.Now())
		if r.Text != tt.want || !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
			t.Errorf("Route(%q) = %q, %v; want %q, %v", tt.scene, r.Text, err, tt.want, tt.err)
		}
	}
}

func TestMenuJSONChecksWeChatLimits(t *testing.T) {
	if _, err := MenuJSON(Menu(Links{Base: "https://h5.example.cn"})); err != nil {
		t.Fatalf("the platform's menu: %v", err)
	}
	click := Button{Type: "click", Name: "活动", Key: "k"}
	bad := map[string][]Button{
		"four buttons":   {click, click, click, click},
		"six entries":    {{Name: "多", Sub: []Button{click, click, click, click, click, click}}},
		"long name":      {{Type: "click", Name: "一二三四五六", Key: "k"}},
		"click no key":   {{Type: "click", Name: "活动"}},
		"view no url":    {{Type: "view", Name: "链接"}},
		"unknown type":   {{Type: "miniprogram", Name: "小程序"}},
		"nested too far": {{Name: "一", Sub: []Button{{Name: "二", Sub: []Button{click}}}}},
	}
	for name, buttons := range bad {
		if _, err := MenuJSON(buttons); err == nil {
			t.Errorf("%s: MenuJSON accepted it", name)
		}
	}
}

func TestClip(t *testing.T) {
	long := strings.Repeat("电影", 1000) // 6000 bytes
	got := clip(long, maxTextBytes)
	if len(got) > maxTextBytes || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") {
		t.Errorf("clip: %d bytes, valid %v, want at most %d valid bytes ending with …", len(got), utf8.ValidString(got), maxTextBytes)
	}
	if got := clip("你好", maxTextBytes); got != "你好" {
		t.Errorf("clip(short) = %q", got)
	}
}

func TestBookingsTextStatus(t *testing.T) {
	at := time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC)
	got := bookingsText([]BookingLine{
		{Title: "露天电影", StartsAt: at, Status: booking.StatusConfirmed, PartySize: 2},
		{Title: "书法讲座", StartsAt: at, Status: booking.StatusWaitlisted, Position: 3},
		{Title: "新年音乐会", StartsAt: at, Status: booking.StatusBalloted},
	}, Links{Base: "https://h5.example/h5"})
	for _, want := range []string{"露天电影\n   12月1日 19:00 · " + booking.StatusConfirmed.Text() + "，2 人", booking.StatusWaitlisted.Text() + "，第 3 位", "新年音乐会\n   12月1日 19:00 · " + booking.StatusBalloted.Text() + "\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("bookingsText = %q; want it to contain %q", got, want)
		}
	}
}
