package input_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/input"
)

func TestLineAndLong(t *testing.T) {
	tests := []struct {
		in         string
		line, long string // the code refused with, "" when accepted
	}{
		{"太极拳晨练", "", ""},
		{"Café 👨‍👩‍👧 表情", "", ""}, // joiners are not controls
		{"", "", ""},
		{"a\x00b", "control_character", "control_character"},
		{"\x1b[31m红色", "control_character", "control_character"},
		{"\x7f", "control_character", "control_character"},
		{"\u0085", "line_break", ""},
		{"\u0090", "control_character", "control_character"},
		{"第一行\n第二行", "line_break", ""},
		{"第一行\r\n第二行", "line_break", ""},
		{"a\u2028b", "line_break", ""},
		{"姓名\t电话", "control_character", ""},
		{"\u202eexe.txt", "control_character", "control_character"},
		{"a\u202ab", "control_character", "control_character"},
		{"a\u2066b\u2069", "control_character", "control_character"},
		{"a\u061cb", "control_character", "control_character"},
		{"\ufeff正文", "control_character", "control_character"},
		{"a\ufffeb", "control_character", "control_character"},
		{"a\U0010ffffb", "control_character", "control_character"},
		{"bad \xff utf8", "invalid_encoding", "invalid_encoding"},
		{strings.Repeat("字", input.MaxLine), "", ""},
		{strings.Repeat("字", input.MaxLine+1), "text_too_long", ""},
		{strings.Repeat("字", input.MaxLong+1), "text_too_long", "text_too_long"},
	}
	for _, tt := range tests {
		if got := code(input.Line("name", tt.in, 0)); got != tt.line {
			t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.line)
		}
		if got := code(input.Long("text", tt.in, 0)); got != tt.long {
			t.Errorf("Long(%q) = %q, want %q", tt.in, got, tt.long)
		}
	}
}

func code(err error) string {
	if err == nil {
		return ""
	}
	return fault.CodeOf(err)
}

// A refusal names the field, in Chinese, and says which character it found.
func TestRefusalNamesTheField(t *testing.T) {
	err := input.Line("title", "a\x00", 0)
	fe := fault.As(err)
	if fe.Kind != fault.Invalid || !strings.Contains(fe.Message, "「title」") || !strings.Contains(fe.Message, "控制字符") ||
		fe.Details["field"] != "title" || fe.Details["value"] != "U+0000" {
		t.Errorf("Line(title, NUL) = %+v, want an invalid error naming title and U+0000", fe)
	}
	// The shared error stays as it was.
	if input.ErrControl.Details != nil || strings.Contains(input.ErrControl.Message, "title") {
		t.Errorf("ErrControl changed: %+v", input.ErrControl)
	}
}

func TestDates(t *testing.T) {
	now := time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Time{}, ""},
		{now, ""},
		{now.AddDate(1, 11, 0), ""},
		{now.AddDate(2, 1, 0), "date_out_of_range"},
		{time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), "date_out_of_range"},
		{time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC), "date_out_of_range"},
		{time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), ""},
	}
	for _, tt := range tests {
		if got := code(input.Date("at", tt.t, now)); got != tt.want {
			t.Errorf("Date(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
	for in, want := range map[string]string{"": "", "2027-03-01": "", "9999-01-01": "date_out_of_range", "2027-02-30": "date_out_of_range", "明天": "date_out_of_range"} {
		if got := code(input.Day("day", in, now)); got != want {
			t.Errorf("Day(%q) = %q, want %q", in, got, want)
		}
	}
}

type inner struct {
	Note string `json:"note"`
}

type request struct {
	Title    string            `json:"title"`
	Text     string            `json:"text" input:"long"`
	Code     string            `json:"code" input:"max=4"`
	Day      string            `json:"day" input:"date"`
	Holidays []string          `json:"holidays" input:"date"`
	Tags     []string          `json:"tags"`
	Labels   map[string]string `json:"labels"`
	At       *time.Time        `json:"at"`
	Inner    inner             `json:"inner"`
	Items    []inner           `json:"items"`
	Ignored  string            `json:"-"`
	inner
}

// Check walks every field by its tags, and names the field by its JSON path.
func TestCheck(t *testing.T) {
	now := time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)
	far := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		r     request
		code  string
		field string
	}{
		{"clean", request{Title: "标题", Text: "一\n二", Code: "ab", Day: "2027-01-01", At: &now, Ignored: "\x00"}, "", ""},
		{"title", request{Title: "a\nb"}, "line_break", "title"},
		{"long text", request{Text: "a\x00"}, "control_character", "text"},
		{"max tag", request{Code: "abcde"}, "text_too_long", "code"},
		{"date tag", request{Day: "9999-01-01"}, "date_out_of_range", "day"},
		{"date slice", request{Holidays: []string{"2027-01-01", "10000-01-01"}}, "date_out_of_range", "holidays"},
		{"slice", request{Tags: []string{"ok", "\u202e"}}, "control_character", "tags"},
		{"map value", request{Labels: map[string]string{"k": "v\x1b"}}, "control_character", "labels"},
		{"map key", request{Labels: map[string]string{"k\x00": "v"}}, "control_character", "labels"},
		{"time", request{At: &far}, "date_out_of_range", "at"},
		{"nested", request{Inner: inner{Note: "\x00"}}, "control_character", "inner.note"},
		{"nested slice", request{Items: []inner{{Note: "\x00"}}}, "control_character", "items.note"},
		{"embedded", request{inner: inner{Note: "\x00"}}, "", ""}, // unexported: never decoded
	}
	for _, tt := range tests {
		err := input.Check(&tt.r, now)
		if got := code(err); got != tt.code || tt.code != "" && fault.As(err).Details["field"] != tt.field {
			t.Errorf("%s: Check = %v (%v), want %q on %q", tt.name, got, err, tt.code, tt.field)
		}
	}
}

func TestForm(t *testing.T) {
	for _, tt := range []struct {
		form map[string][]string
		want string
	}{
		{map[string][]string{"text": {"一\n二"}, "name": {"张三"}}, ""},
		{map[string][]string{"name": {"张\n三"}}, "line_break"},
		{map[string][]string{"comment": {"好\x00"}}, "control_character"},
		{map[string][]string{"a\x00": {"x"}}, "control_character"},
	} {
		if got := code(input.Form(tt.form)); got != tt.want {
			t.Errorf("Form(%q) = %q, want %q", tt.form, got, tt.want)
		}
	}
}

// Whatever the text, a one-line field accepts it exactly when it is valid UTF-8 of at
// most MaxLine characters and every character is plain; long text also takes breaks
// and tabs.
func FuzzText(f *testing.F) {
	for _, s := range []string{"太极拳", "a\x00b", "\u202e", "一\r\n二", "\t", "\xff", "\ufeff", strings.Repeat("x", 501)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		plain, breaks := true, true
		for _, r := range s {
			c := input.Classify(r)
			plain = plain && c == input.Plain
			breaks = breaks && c != input.Forbidden
		}
		n := utf8.RuneCountInString(s)
		valid := utf8.ValidString(s)
		if got, want := input.Line("f", s, 0) == nil, valid && plain && n <= input.MaxLine; got != want {
			t.Errorf("Line(%q) accepted = %v, want %v", s, got, want)
		}
		if got, want := input.Long("f", s, 0) == nil, valid && breaks && n <= input.MaxLong; got != want {
			t.Errorf("Long(%q) accepted = %v, want %v", s, got, want)
		}
		for _, r := range s {
			if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f || (r >= 0x202a && r <= 0x202e) {
				if input.Long("f", s, 0) == nil {
					t.Errorf("Long(%q) accepted U+%04X", s, r)
				}
			}
		}
	})
}

// An optional number is its default when absent, and the given refusal when it is not a
// whole number within its bounds.
func TestInt(t *testing.T) {
	bad := fault.New(fault.Invalid, "limit_invalid", "条数无效")
	for _, c := range []struct {
		in   string
		want int
		err  string
	}{
		{"", 20, ""}, {"1", 1, ""}, {"100", 100, ""}, {"0", 0, "limit_invalid"}, {"101", 0, "limit_invalid"},
		{"-5", 0, "limit_invalid"}, {"ten", 0, "limit_invalid"}, {"1.5", 0, "limit_invalid"}, {" 5", 0, "limit_invalid"},
	} {
		got, err := input.Int(c.in, 20, 1, 100, bad)
		if got != c.want || code(err) != c.err {
			t.Errorf("Int(%q) = %d, %v; want %d, %q", c.in, got, err, c.want, c.err)
		}
	}
}
