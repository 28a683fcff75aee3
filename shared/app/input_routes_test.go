//go:build !race

// The text check of every field of every route is sequential work the race detector has
// nothing to find in, and slow under it: it runs in the plain test run only.

package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/access"
)

// leaves appends the paths of every string in a decoded JSON value to out.
func leaves(v any, path string, out *[]string) {
	switch x := v.(type) {
	case string:
		*out = append(*out, path)
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			leaves(x[k], path+"/"+k, out)
		}
	case []any:
		for i, e := range x {
			leaves(e, path+"/"+strconv.Itoa(i), out)
		}
	}
}

// replaced returns v with the string at path changed by f.
func replaced(v any, path string, f func(string) string) any {
	if path == "" {
		if s, ok := v.(string); ok {
			return f(s)
		}
		return v
	}
	head, rest, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if rest != "" {
		rest = "/" + rest
	}
	switch x := v.(type) {
	case map[string]any:
		c := make(map[string]any, len(x))
		for k, e := range x {
			c[k] = e
		}
		c[head] = replaced(x[head], rest, f)
		return c
	case []any:
		c := slices.Clone(x)
		for i := range c {
			if strconv.Itoa(i) == head {
				c[i] = replaced(c[i], rest, f)
			}
		}
		return c
	}
	return v
}

// The attacks on a text field, and the code each must be refused with.
var textAttacks = []struct {
	name, code string
	f          func(string) string
}{
	{"NUL", "control_character", func(s string) string { return s + "\x00" }},
	{"ESC", "control_character", func(s string) string { return "\x1b[2J" + s }},
	{"bidi override", "control_character", func(s string) string { return "\u202e" + s }},
}

// Every text field of every route that takes a body — JSON or a page's form — refuses
// control characters with a clear error and a stable code, and changes nothing; every
// time in a body refuses year 9999. The requests are the access matrix's, made valid
// for an allowed caller, with one field changed at a time.
func TestEveryTextFieldRefusesControlCharacters(t *testing.T) {
	fns := mustFunctions(t)
	probe := newArena(t)
	routes, fields := 0, 0
	for _, fn := range fns {
		rt, err := probe.a.Router(fn.LogicalID)
		if err != nil || len(fn.Routes) == 0 {
			continue
		}
		for _, route := range fn.Routes {
			pattern := route.Pattern()
			fx, ok := fixtures[pattern]
			rule, _ := rt.Rule(pattern)
			if !ok || route.Method == "GET" {
				continue
			}
			w := newArena(t)
			as, c := residentA, fx(w, residentA)
			if ok, _ := allowed(rule, c, residentA); !ok || rule.Kind == access.KindPublic {
				as, c = admin, fx(w, admin)
			}
			if c.body == "" || strings.HasPrefix(c.body, "<") {
				continue // the WeChat callback's XML: what the chat files is checked by its service
			}
			if !strings.HasPrefix(c.path, "/h5/") && !json.Valid([]byte(c.body)) {
				continue // an uploaded file (evidence), checked by its content type, not text
			}
			form := strings.HasPrefix(c.path, "/h5/")
			var doc any
			var paths []string
			var parts []formPart
			if strings.HasPrefix(c.header.Get("Content-Type"), "multipart/") {
				// A console form with a file (evidence): its text fields and each file's
				// name are text; the file itself is checked by its content.
				parts = readParts(t, c)
				for i := range parts {
					paths = append(paths, strconv.Itoa(i))
				}
			} else if form {
				q, err := url.ParseQuery(c.body)
				if err != nil {
					t.Fatal(err)
				}
				for k := range q {
					paths = append(paths, k)
				}
				slices.Sort(paths)
			} else {
				if err := json.Unmarshal([]byte(c.body), &doc); err != nil {
					t.Fatalf("%s: fixture body %s: %v", pattern, c.body, err)
				}
				leaves(doc, "", &paths)
			}
			if len(paths) == 0 {
				continue
			}
			routes++
			// A refused request changes nothing, so every attack is made on the one target,
			// and the table is compared once, after all of them.
			base, baseHeader, before := c.body, c.header, w.state()
			for _, p := range paths {
				fields++
				var orig string
				if !form {
					replaced(doc, p, func(v string) string { orig = v; return v })
				}
				_, timeErr := time.Parse(time.RFC3339, orig)
				for _, at := range textAttacks {
					if parts != nil {
						i, _ := strconv.Atoi(p)
						c.body, c.header = writeParts(t, parts, i, at.f)
					} else if form {
						q, _ := url.ParseQuery(base)
						q.Set(p, at.f(q.Get(p)))
						c.body = q.Encode()
					} else {
						c.body = string(mustJSON(replaced(doc, p, at.f)))
					}
					rec := w.send(as, c)
					var got struct {
						Error struct{ Code, Message string }
					}
					_ = json.Unmarshal(rec.Body.Bytes(), &got)
					switch {
					case form && rec.Code != 400:
						t.Errorf("%s field %s with %s as %s = %d, want 400: %s", pattern, p, at.name, as.name, rec.Code, rec.Body)
					case targetGone(rec.Code, got.Error.Code):
						// The field names the target whose scope the route's rule checks
						// first: a target that does not exist is out of anyone's scope.
					case !form && (rec.Code != 400 || got.Error.Code != at.code && !(timeErr == nil && got.Error.Code == "invalid_json")):
						t.Errorf("%s field %s with %s as %s = %d %s, want 400 %s", pattern, p, at.name, as.name, rec.Code, rec.Body, at.code)
					}
				}
				if timeErr != nil {
					continue
				}
				// A time in the body: year 9999 is refused.
				c.body = string(mustJSON(replaced(doc, p, func(string) string { return "9999-12-31T00:00:00+08:00" })))
				if rec := w.send(as, c); rec.Code != 400 || !strings.Contains(rec.Body.String(), "date_out_of_range") {
					t.Errorf("%s field %s in year 9999 = %d %s, want 400 date_out_of_range", pattern, p, rec.Code, rec.Body)
				}
			}
			if w.state() != before {
				t.Errorf("%s: the refused requests changed the table", pattern)
			}
			c.body, c.header = base, baseHeader
			if rec := w.send(as, c); rec.Code/100 != 2 && !(c.redirects && rec.Code/100 == 3) {
				t.Errorf("%s as %s with the fixture's own body = %d %s, want it allowed: the refusals above prove nothing", pattern, as.name, rec.Code, rec.Body)
			}
		}
	}
	t.Logf("%d routes with a body, %d fields, each refused %d ways", routes, fields, len(textAttacks))
	if routes < 19 {
		t.Errorf("only %d routes with a text body were tried, want at least the 19 the attack found", routes)
	}
}

// targetGone reports whether a refusal says the request's target is unknown or out of
// the caller's scope: what the access rule answers before the body is decoded.
func targetGone(status int, code string) bool {
	return (status == 403 || status == 404) && (strings.HasSuffix(code, "_out_of_scope") || strings.HasSuffix(code, "not_found"))
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// formPart is one part of a multipart form: a text field, or a file with its name.
type formPart struct {
	field, filename string
	data            []byte
}

// readParts parses c's multipart body.
func readParts(t *testing.T, c call) []formPart {
	t.Helper()
	_, params, err := mime.ParseMediaType(c.header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(strings.NewReader(c.body), params["boundary"])
	var parts []formPart
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return parts
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, formPart{field: p.FormName(), filename: p.FileName(), data: data})
	}
}

// writeParts encodes parts as a multipart form with the text of part i (a field's
// value, or a file's name) changed by f.
func writeParts(t *testing.T, parts []formPart, i int, f func(string) string) (string, http.Header) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for j, p := range parts {
		var err error
		var pw io.Writer
		switch {
		case p.filename != "":
			name := p.filename
			if j == i {
				name = f(name)
			}
			pw, err = mw.CreateFormFile(p.field, name)
			if err == nil {
				_, err = pw.Write(p.data)
			}
		case j == i:
			err = mw.WriteField(p.field, f(string(p.data)))
		default:
			err = mw.WriteField(p.field, string(p.data))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String(), http.Header{"Content-Type": {mw.FormDataContentType()}}
}
