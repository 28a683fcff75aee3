package beijing_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/beijing"
)

type inner struct {
	At    time.Time  `json:"at"`
	Maybe *time.Time `json:"maybe,omitempty"`
}

type answer struct {
	Name    string         `json:"name"`
	At      time.Time      `json:"at"`
	Unset   time.Time      `json:"unset,omitzero"`
	Inner   inner          `json:"inner"`
	List    []inner        `json:"list"`
	ByKey   map[string]any `json:"byKey"`
	Array   [1]time.Time   `json:"array"`
	hidden  time.Time
	Pointer *inner `json:"pointer"`
}

func TestInZone(t *testing.T) {
	utc := time.Date(2026, 11, 29, 11, 30, 0, 0, time.UTC)
	p := utc
	in := answer{Name: "x", At: utc, Inner: inner{At: utc, Maybe: &p}, List: []inner{{At: utc}},
		ByKey: map[string]any{"at": utc, "n": 1, "nested": []any{utc}}, Array: [1]time.Time{utc}, hidden: utc,
		Pointer: &inner{At: utc}}
	b, err := json.Marshal(beijing.InZone(in))
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	if strings.Contains(got, "Z\"") || strings.Count(got, "2026-11-29T19:30:00+08:00") != 8 {
		t.Errorf("InZone JSON = %s, want every time as 2026-11-29T19:30:00+08:00", got)
	}
	if f := beijing.ForeignTimes(b); len(f) > 0 {
		t.Errorf("ForeignTimes(InZone JSON) = %v, want none", f)
	}
	if f := beijing.ForeignTimes([]byte(`{"a":"2026-11-29T11:30:00Z","b":"2026-11-29T11:30:00.5+01:00","c":"0001-01-01T00:00:00Z"}`)); len(f) != 2 {
		t.Errorf("ForeignTimes = %v, want the two times not in +08:00", f)
	}
	if strings.Contains(got, "unset") {
		t.Errorf("InZone JSON = %s, want the zero time still omitted", got)
	}
	// The original is untouched.
	if in.At.Location() != time.UTC || in.Inner.Maybe.Location() != time.UTC || in.List[0].At.Location() != time.UTC ||
		in.ByKey["at"].(time.Time).Location() != time.UTC || in.Pointer.At.Location() != time.UTC {
		t.Errorf("InZone changed its argument: %+v", in)
	}
	// Values without times come back as they are.
	plain := map[string]int{"a": 1}
	if got := beijing.InZone(plain).(map[string]int); got["a"] != 1 {
		t.Errorf("InZone(%v) = %v", plain, got)
	}
	if beijing.InZone(nil) != nil {
		t.Errorf("InZone(nil) is not nil")
	}
}

type node struct {
	At   time.Time `json:"at"`
	Next *node     `json:"next,omitempty"`
}

func TestInZoneRecursive(t *testing.T) {
	utc := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b, _ := json.Marshal(beijing.InZone(&node{At: utc, Next: &node{At: utc}}))
	if want := `{"at":"2026-01-01T08:00:00+08:00","next":{"at":"2026-01-01T08:00:00+08:00"}}`; string(b) != want {
		t.Errorf("InZone of a list = %s, want %s", b, want)
	}
}
