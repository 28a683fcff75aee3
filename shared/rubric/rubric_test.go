package rubric

import (
	"errors"
	"testing"
)

var errInvalid = errors.New("scores invalid")

func TestTotal(t *testing.T) {
	r := Rubric{{"a", "甲", 40}, {"b", "乙", 60}}
	for _, tc := range []struct {
		name   string
		scores map[string]int
		want   int
		ok     bool
	}{
		{"every criterion within its maximum", map[string]int{"a": 40, "b": 1}, 41, true},
		{"zero everywhere", map[string]int{"a": 0, "b": 0}, 0, true},
		{"over a maximum", map[string]int{"a": 41, "b": 0}, 0, false},
		{"negative", map[string]int{"a": -1, "b": 0}, 0, false},
		{"one missing", map[string]int{"a": 1}, 0, false},
		{"an unknown one instead", map[string]int{"a": 1, "c": 1}, 0, false},
		{"an unknown one besides", map[string]int{"a": 1, "b": 1, "c": 1}, 0, false},
	} {
		got, err := r.Total(tc.scores, errInvalid)
		if ok := err == nil; got != tc.want || ok != tc.ok || !ok && err != errInvalid {
			t.Errorf("%s: Total = %d, %v, want %d, ok %v", tc.name, got, err, tc.want, tc.ok)
		}
	}
}
