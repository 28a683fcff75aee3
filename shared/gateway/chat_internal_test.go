package gateway

import "testing"

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
