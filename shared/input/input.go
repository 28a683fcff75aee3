// Package input refuses text and dates no person means to send: control characters,
// line breaks in one-line fields, over-long text and dates outside a sane horizon.
//
// Every route checks what it takes here: web.Decode checks every field of a JSON body
// (Check), the pages check every form field (Form), and the chat checks what it files.
// A string field is one line of at most MaxLine characters unless its struct tag says
// otherwise:
//
//	Text string `json:"text" input:"long"`      // line breaks allowed, MaxLong characters
//	Note string `json:"note" input:"max=2000"`  // one line of at most 2000 characters
//	Day  string `json:"day" input:"date"`       // YYYY-MM-DD within the horizon
//
// Every time.Time (and *time.Time) field must be zero or within the horizon: not before
// Earliest, not more than Ahead after now.
package input

import (
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/fault"
)

// The bounds.
const (
	MaxLine = 500   // characters of a one-line field
	MaxLong = 10000 // characters of a long-text field
	// Ahead is how far ahead of now a date may lie: two years.
	Ahead = 2 * 366 * 24 * time.Hour
)

// Earliest is the earliest date any request may carry.
var Earliest = time.Date(1900, 1, 1, 0, 0, 0, 0, beijing.Zone)

// The refusals, each with its stable code; the field's name is in Details["field"] and
// in the message.
var (
	ErrControl   = fault.New(fault.Invalid, "control_character", "含有不允许的控制字符（如换行、制表、零字符或文字方向控制符）")
	ErrLineBreak = fault.New(fault.Invalid, "line_break", "只能填写一行文字，不能换行")
	ErrTooLong   = fault.New(fault.Invalid, "text_too_long", "文字太长")
	ErrBadUTF8   = fault.New(fault.Invalid, "invalid_encoding", "文字编码不正确")
	ErrDate      = fault.New(fault.Invalid, "date_out_of_range", "日期超出允许的范围")
)

// Line checks a one-line field: no control character, no line break, at most max
// characters (MaxLine when max is 0).
func Line(field, s string, max int) error {
	return check(field, s, false, max)
}

// Long checks a long-text field: line breaks and tabs allowed, no other control
// character, at most max characters (MaxLong when max is 0).
func Long(field, s string, max int) error {
	return check(field, s, true, max)
}

func check(field, s string, long bool, max int) error {
	if max == 0 {
		max = MaxLine
		if long {
			max = MaxLong
		}
	}
	if !utf8.ValidString(s) {
		return refuse(ErrBadUTF8, field, "")
	}
	n := 0
	for _, r := range s {
		n++
		switch Classify(r) {
		case Break:
			if !long {
				return refuse(ErrLineBreak, field, "")
			}
		case Tab:
			if !long {
				return refuse(ErrControl, field, fmt.Sprintf("U+%04X", r))
			}
		case Forbidden:
			return refuse(ErrControl, field, fmt.Sprintf("U+%04X", r))
		}
	}
	if n > max {
		return refuse(ErrTooLong, field, strconv.Itoa(max))
	}
	return nil
}

// Class is what a character is to a text field.
type Class int

// The classes.
const (
	Plain     Class = iota // allowed anywhere
	Break                  // a line break: allowed in long text only
	Tab                    // a tab: allowed in long text only
	Forbidden              // never allowed
)

// Classify says what r is to a text field. Forbidden are the C0 and C1 control
// characters other than tab and line breaks (NUL, ESC, DEL, …), the bidirectional
// embeddings, overrides and isolates (which make text read differently from how it is
// stored), the byte-order mark and the Unicode non-characters.
func Classify(r rune) Class {
	switch {
	case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' || r == '\u0085':
		return Break
	case r == '\t':
		return Tab
	case r < 0x20 || (r >= 0x7f && r <= 0x9f):
		return Forbidden
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069', r == '\u061c', r == '\ufeff':
		return Forbidden
	case r >= '\ufdd0' && r <= '\ufdef', r&0xfffe == 0xfffe, r == utf8.RuneError:
		return Forbidden
	}
	return Plain
}

// Date checks that t is zero or within the horizon around now.
func Date(field string, t, now time.Time) error {
	if t.IsZero() || !t.Before(Earliest) && !t.After(now.Add(Ahead)) {
		return nil
	}
	return refuse(ErrDate, field, t.In(beijing.Zone).Format(time.DateOnly))
}

// Day checks a YYYY-MM-DD field: empty, or a date within the horizon around now.
func Day(field, s string, now time.Time) error {
	if s == "" {
		return nil
	}
	d, err := time.ParseInLocation(time.DateOnly, s, beijing.Zone)
	if err != nil {
		return refuse(ErrDate, field, s)
	}
	return Date(field, d, now)
}

// Int reads an optional whole number, as a query parameter or a form field carries it:
// def when s is empty, bad when s is not a whole number from min to max.
func Int(s string, def, min, max int, bad error) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		return 0, bad
	}
	return n, nil
}

// refuse returns e about field: the field's name leads the message and is in Details.
func refuse(e *fault.Error, field, got string) error {
	out := *e
	if field != "" {
		out.Message = "「" + field + "」" + e.Message
		out.Details = map[string]string{"field": field}
		if got != "" {
			out.Details["value"] = got
		}
	}
	return &out
}

// Check checks every string, string slice, string map and time field of v (a pointer
// to a struct, as decoded from JSON), and of the structs, slices and maps it holds, by
// the rules of their struct tags (see the package comment). Fields are named by their
// JSON names. It returns the first refusal.
func Check(v any, now time.Time) error {
	return walk(reflect.ValueOf(v), "", rule{}, now, 0)
}

type rule struct {
	long, date bool
	max        int
}

func ruleOf(tag string) rule {
	var r rule
	for _, part := range strings.Split(tag, ",") {
		switch {
		case part == "long":
			r.long = true
		case part == "date":
			r.date = true
		case strings.HasPrefix(part, "max="):
			r.max, _ = strconv.Atoi(strings.TrimPrefix(part, "max="))
		}
	}
	return r
}

var timeType = reflect.TypeOf(time.Time{})

func walk(v reflect.Value, name string, r rule, now time.Time, depth int) error {
	if depth > 16 || !v.IsValid() {
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walk(v.Elem(), name, r, now, depth+1)
	case reflect.String:
		s := v.String()
		switch {
		case r.date:
			if err := Line(name, s, 0); err != nil {
				return err
			}
			return Day(name, s, now)
		case r.long:
			return Long(name, s, r.max)
		}
		return Line(name, s, r.max)
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // bytes are not text
		}
		for i := 0; i < v.Len(); i++ {
			if err := walk(v.Index(i), name, r, now, depth+1); err != nil {
				return err
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			if k := iter.Key(); k.Kind() == reflect.String {
				if err := Line(name, k.String(), 0); err != nil {
					return err
				}
			}
			if err := walk(iter.Value(), name, r, now, depth+1); err != nil {
				return err
			}
		}
	case reflect.Struct:
		if v.Type() == timeType {
			return Date(name, v.Interface().(time.Time), now)
		}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			fname, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if fname == "-" {
				continue
			}
			if f.Anonymous && fname == "" {
				if err := walk(v.Field(i), name, r, now, depth+1); err != nil {
					return err
				}
				continue
			}
			if fname == "" {
				fname = f.Name
			}
			if name != "" {
				fname = name + "." + fname
			}
			if err := walk(v.Field(i), fname, ruleOf(f.Tag.Get("input")), now, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// LongForm names the form fields that are long text (every page's textareas, which a
// test checks); every other form field is one line.
var LongForm = map[string]bool{
	"text": true, "comment": true, "description": true, "reason": true, "bio": true, "reply": true,
	"films": true, "panel": true, "questions": true, // one per line
	"note": true,
}

// Form checks every value of a posted form: the fields LongForm names as long text,
// the others as one line.
func Form(form url.Values) error {
	for _, k := range slices.Sorted(maps.Keys(form)) {
		if err := Line("", k, 0); err != nil {
			return err
		}
		for _, v := range form[k] {
			if err := check(k, v, LongForm[k], 0); err != nil {
				return err
			}
		}
	}
	return nil
}
