package library

import (
	"strings"
	"testing"

	"github.com/wentitong/wentitong/shared/fault"
)

func TestItemValidate(t *testing.T) {
	ok := Item{Title: "攸县山歌《十绣》", Creators: []string{"刘桂英"}, Date: "1982-06", Subjects: []string{"攸县山歌", "民歌"},
		Rights: "licensed", Licence: "CC-BY-4.0"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("Validate(ok) = %v", err)
	}
	tests := []struct {
		name string
		edit func(*Item)
		code string
	}{
		{"empty title", func(it *Item) { it.Title = "" }, "item_invalid_title"},
		{"title with spaces", func(it *Item) { it.Title = " 十绣" }, "item_invalid_title"},
		{"long title", func(it *Item) { it.Title = strings.Repeat("歌", 101) }, "item_invalid_title"},
		{"eleven creators", func(it *Item) { it.Creators = make([]string, 11) }, "item_invalid_creators"},
		{"empty creator", func(it *Item) { it.Creators = []string{""} }, "item_invalid_creators"},
		{"month 13", func(it *Item) { it.Date = "1982-13" }, "item_invalid_date"},
		{"29 February of a common year", func(it *Item) { it.Date = "1983-02-29" }, "item_invalid_date"},
		{"words for a date", func(it *Item) { it.Date = "清代" }, "item_invalid_date"},
		{"repeated subject", func(it *Item) { it.Subjects = []string{"民歌", "民歌"} }, "item_invalid_subjects"},
		{"unknown rights", func(it *Item) { it.Rights = "mine" }, "item_invalid_rights"},
		{"open licence on a reserved item", func(it *Item) { it.Rights = "rights_holder_only" }, "item_invalid_licence"},
	}
	for _, tt := range tests {
		it := ok
		tt.edit(&it)
		if got := fault.CodeOf(it.Validate()); got != tt.code {
			t.Errorf("%s: Validate() = %s, want %s", tt.name, got, tt.code)
		}
	}
	leap := ok
	leap.Date = "1984-02-29"
	if err := leap.Validate(); err != nil {
		t.Errorf("29 February 1984: %v", err)
	}
}

func TestRuleCheck(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	image, _ := RuleFor("image/png")
	video, _ := RuleFor("video/mp4")
	mp4 := []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41")
	tests := []struct {
		name           string
		rule           Rule
		declared, size int64
		head           []byte
		want           string // a part of the reason; "" to pass
	}{
		{"a PNG as declared", image, 100, 100, png, ""},
		{"an MP4 as declared", video, 5000, 5000, mp4, ""},
		{"larger than declared", image, 100, 200, png, "申报"},
		{"over the limit", image, 30 << 20, 30 << 20, png, "文件过大"},
		{"empty", image, 0, 0, nil, "文件为空"},
		{"text said to be a PNG", image, 5, 5, []byte("hello"), "不是申报的图片类型"},
		{"an MP4 said to be a PNG", image, 100, 100, mp4, "不是申报的图片类型"},
	}
	for _, tt := range tests {
		got := tt.rule.Check(tt.declared, tt.size, tt.head)
		if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("%s: Check = %q, want %q", tt.name, got, tt.want)
		}
	}
	if _, err := RuleFor("application/x-msdownload"); err != ErrTypeNotAllowed {
		t.Errorf("RuleFor(exe) = %v, want ErrTypeNotAllowed", err)
	}
}

func TestMediaKeys(t *testing.T) {
	k := mediaKey("zz-library", "i-1", "m-2", "扁豆 双禽瓶.JPG")
	if k != "media/zz-library/i-1/m-2/file.jpg" {
		t.Errorf("mediaKey = %q", k)
	}
	if it, m, ok := ParseMediaKey(k); !ok || it != "i-1" || m != "m-2" {
		t.Errorf("ParseMediaKey(%q) = %q, %q, %v", k, it, m, ok)
	}
	for _, bad := range []string{"thumbs/m-2.jpg", "media/zz/i-1/file", "media/zz//m/file"} {
		if _, _, ok := ParseMediaKey(bad); ok {
			t.Errorf("ParseMediaKey(%q) ok, want not", bad)
		}
	}
	if k := mediaKey("zz", "i", "m", "a.ex/e"); !strings.HasSuffix(k, "/file") {
		t.Errorf("a strange extension is kept: %q", k)
	}
}
