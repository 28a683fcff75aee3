package beijing

import (
	"reflect"
	"regexp"
	"strings"
	"sync"
	"time"
)

// InZone returns v with every non-zero time.Time it holds — in exported struct fields,
// maps, slices, arrays, pointers and interfaces, at any depth — moved to Zone, so that
// encoding/json writes each as RFC 3339 with +08:00 ("2026-11-29T19:30:00+08:00").
// The instant is unchanged; v is not modified (what holds a converted time is copied).
// Zero times stay as they are: fields that may be unset are tagged omitzero. (Fields
// promoted from an embedded unexported struct type cannot be set, and are not moved.)
//
// Every JSON answer goes through it (web.JSON), so no route can answer UTC by accident.
func InZone(v any) any {
	if v == nil {
		return nil
	}
	out, changed := inZone(reflect.ValueOf(v))
	if !changed {
		return v
	}
	return out.Interface()
}

var timeType = reflect.TypeFor[time.Time]()

// inZone returns rv with its times in Zone, and whether anything changed (when not, rv
// itself is returned and nothing was copied).
func inZone(rv reflect.Value) (reflect.Value, bool) {
	if !mayHoldTime(rv.Type()) {
		return rv, false
	}
	switch rv.Kind() {
	case reflect.Struct:
		if rv.Type() == timeType {
			t := rv.Interface().(time.Time)
			if t.IsZero() || t.Location() == Zone {
				return rv, false
			}
			return reflect.ValueOf(t.In(Zone)), true
		}
		var out reflect.Value
		for i := range rv.NumField() {
			if !rv.Type().Field(i).IsExported() {
				continue // encoding/json does not write it either
			}
			f, changed := inZone(rv.Field(i))
			if !changed {
				continue
			}
			if !out.IsValid() {
				out = reflect.New(rv.Type()).Elem()
				out.Set(rv)
			}
			out.Field(i).Set(f)
		}
		return out, out.IsValid()
	case reflect.Pointer:
		if rv.IsNil() {
			return rv, false
		}
		e, changed := inZone(rv.Elem())
		if !changed {
			return rv, false
		}
		p := reflect.New(rv.Type().Elem())
		p.Elem().Set(e)
		return p, true
	case reflect.Interface:
		if rv.IsNil() {
			return rv, false
		}
		e, changed := inZone(rv.Elem())
		if !changed {
			return rv, false
		}
		out := reflect.New(rv.Type()).Elem()
		out.Set(e)
		return out, true
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return rv, false
		}
		var out reflect.Value
		for i := range rv.Len() {
			e, changed := inZone(rv.Index(i))
			if !changed {
				continue
			}
			if !out.IsValid() {
				if rv.Kind() == reflect.Slice {
					out = reflect.MakeSlice(rv.Type(), rv.Len(), rv.Len())
					reflect.Copy(out, rv)
				} else {
					out = reflect.New(rv.Type()).Elem()
					out.Set(rv)
				}
			}
			out.Index(i).Set(e)
		}
		return out, out.IsValid()
	case reflect.Map:
		if rv.IsNil() {
			return rv, false
		}
		var out reflect.Value
		it := rv.MapRange()
		for it.Next() {
			e, changed := inZone(it.Value())
			if !changed {
				continue
			}
			if !out.IsValid() {
				out = reflect.MakeMapWithSize(rv.Type(), rv.Len())
				for _, k := range rv.MapKeys() {
					out.SetMapIndex(k, rv.MapIndex(k))
				}
			}
			out.SetMapIndex(it.Key(), e)
		}
		return out, out.IsValid()
	}
	return rv, false
}

// holders remembers, per type, whether a value of it may hold a time.Time.
var holders sync.Map // reflect.Type → bool

// mayHoldTime reports whether a value of type t may hold a time.Time that JSON writes.
func mayHoldTime(t reflect.Type) bool {
	if v, ok := holders.Load(t); ok {
		return v.(bool)
	}
	may := holds(t, map[reflect.Type]bool{})
	holders.Store(t, may)
	return may
}

// holds is mayHoldTime's walk; visiting breaks the cycles of recursive types (a type
// reached again adds nothing the first visit does not find).
func holds(t reflect.Type, visiting map[reflect.Type]bool) bool {
	if visiting[t] {
		return false
	}
	visiting[t] = true
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Struct:
		if t == timeType {
			return true
		}
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && holds(f.Type, visiting) {
				return true
			}
		}
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return holds(t.Elem(), visiting)
	}
	return false
}

// stamp is an RFC 3339 time inside a JSON string.
var stamp = regexp.MustCompile(`"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d))"`)

// ForeignTimes returns the times in a JSON text that are not written in Beijing time
// (RFC 3339 with Z or another offset than +08:00), for tests that check answers.
// Zero times are not counted (InZone leaves them alone).
func ForeignTimes(body []byte) []string {
	var out []string
	for _, m := range stamp.FindAllSubmatch(body, -1) {
		s := string(m[1])
		if !strings.HasSuffix(s, "+08:00") && !strings.HasPrefix(s, "0001-01-01T") {
			out = append(out, s)
		}
	}
	return out
}
