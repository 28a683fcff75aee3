package notify

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	base, maxDelay := 30*time.Second, time.Hour
	tests := []struct {
		n        int
		jitter   float64
		min, max time.Duration
	}{
		{1, 0, 15 * time.Second, 15 * time.Second},
		{1, 1, 30 * time.Second, 30 * time.Second},
		{2, 0.5, 45 * time.Second, 45 * time.Second},
		{4, 1, 4 * time.Minute, 4 * time.Minute},
		{20, 1, time.Hour, time.Hour},
		{20, 0, 30 * time.Minute, 30 * time.Minute},
	}
	for _, tt := range tests {
		if got := Backoff(tt.n, base, maxDelay, tt.jitter); got < tt.min || got > tt.max {
			t.Errorf("Backoff(%d, jitter %v) = %v, want %v", tt.n, tt.jitter, got, tt.min)
		}
	}
}

func TestTextIsChineseForEveryKind(t *testing.T) {
	data := map[string]string{"activity": "非遗剪纸体验课", "time": "12月1日 14:30", "venue": "株洲市文化馆",
		"position": "3", "reason": "场地维修", "name": "张三", "status": "已暂停", "count": "2", "detail": "座椅损坏", "text": "你好"}
	for kind := range texts {
		got, err := Text(Message{Kind: kind, Data: data})
		if err != nil || got == "" || strings.Contains(got, "<no value>") {
			t.Errorf("Text(%s) = %q, %v", kind, got, err)
		}
	}
	if got, _ := Text(Message{Kind: "booking_confirmed", Data: data}); got != "预约成功：非遗剪纸体验课，12月1日 14:30，株洲市文化馆。请凭电子票入场。" {
		t.Errorf("Text(booking_confirmed) = %q", got)
	}
	if _, err := Text(Message{Kind: "nope"}); err == nil {
		t.Error("Text(unknown kind) = nil error, want one")
	}
	// Missing data leaves no dangling punctuation.
	if got, _ := Text(Message{Kind: "slot_cancelled", Data: map[string]string{"activity": "A", "time": "T"}}); got != "很抱歉，活动已取消：A，T。" {
		t.Errorf("Text(slot_cancelled without a reason) = %q", got)
	}
}

func TestTemplateFill(t *testing.T) {
	tpl := Template{TemplateID: "T", Fields: map[string]string{"thing1": "activity", "time2": "time", "thing3": "venue"}}
	got := tpl.Fill(Message{Data: map[string]string{"activity": strings.Repeat("长", 25), "time": "12月1日"}})
	if got["thing1"] != strings.Repeat("长", 19)+"…" || got["time2"] != "12月1日" || got["thing3"] != "-" {
		t.Errorf("Fill = %v, want thing1 cut to 20 characters, time2 as is, thing3 \"-\"", got)
	}
}

func TestMessageValidate(t *testing.T) {
	if err := (Message{ID: "1", Kind: "k", To: "o"}).Validate(); err != nil {
		t.Errorf("Validate(complete) = %v", err)
	}
	for _, m := range []Message{{Kind: "k", To: "o"}, {ID: "1", To: "o"}, {ID: "1", Kind: "k"}} {
		if err := m.Validate(); err != ErrMessageInvalid {
			t.Errorf("Validate(%+v) = %v, want ErrMessageInvalid", m, err)
		}
	}
}

// Every kind has a name staff read, and reasons read as words or WeChat's error code.
func TestNamesForStaff(t *testing.T) {
	for kind := range texts {
		if KindName(kind) == "通知" {
			t.Errorf("kind %s has no name for staff", kind)
		}
	}
	for r, want := range map[string]string{"errcode_40003": "微信返回错误码 40003", "unsubscribed": "用户已取消关注", "booking_cancelled": "预约已取消", "nonsense": "其他原因"} {
		if got := ReasonText(r); got != want {
			t.Errorf("ReasonText(%s) = %q, want %q", r, got, want)
		}
	}
}

// The texts people read have no English word outside their placeholders.
func TestTextsAreChinese(t *testing.T) {
	latin := regexp.MustCompile(`[A-Za-z]{2,}`)
	for kind, text := range texts {
		if w := latin.FindString(placeholder.ReplaceAllString(text, "")); w != "" {
			t.Errorf("text of %s = %q has the English %q", kind, text, w)
		}
	}
	for kind, name := range kindNames {
		if latin.MatchString(name) {
			t.Errorf("name of %s = %q is not Chinese", kind, name)
		}
	}
}
