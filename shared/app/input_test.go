package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"maps"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/wentitong/wentitong/infra/local/demo"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/input"
	"github.com/wentitong/wentitong/shared/privacy"
	"github.com/wentitong/wentitong/shared/sam"
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
	tmpl, err := sam.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	fns, err := tmpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
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
			form := strings.HasPrefix(c.path, "/h5/")
			var doc any
			var paths []string
			if form {
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
			// A refused request changes nothing, so every attack is made on the one target.
			base := c.body
			for _, p := range paths {
				fields++
				var orig string
				if !form {
					replaced(doc, p, func(v string) string { orig = v; return v })
				}
				_, timeErr := time.Parse(time.RFC3339, orig)
				for _, at := range textAttacks {
					if form {
						q, _ := url.ParseQuery(base)
						q.Set(p, at.f(q.Get(p)))
						c.body = q.Encode()
					} else {
						c.body = string(mustJSON(replaced(doc, p, at.f)))
					}
					before := w.state()
					rec := w.send(as, c)
					var got struct {
						Error struct{ Code, Message string }
					}
					_ = json.Unmarshal(rec.Body.Bytes(), &got)
					switch {
					case form && rec.Code != 400:
						t.Errorf("%s field %s with %s as %s = %d, want 400", pattern, p, at.name, as.name, rec.Code)
					case !form && (rec.Code != 400 || got.Error.Code != at.code && !(timeErr == nil && got.Error.Code == "invalid_json")):
						t.Errorf("%s field %s with %s as %s = %d %s, want 400 %s", pattern, p, at.name, as.name, rec.Code, rec.Body, at.code)
					case w.state() != before:
						t.Errorf("%s field %s with %s was refused but changed the table", pattern, p, at.name)
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
			c.body = base
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

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// A suggestion typed in the chat with a direction override is not filed: the chat says
// why, and the table holds no ticket.
func TestChatSuggestionRefusesControlCharacters(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	a, tbl, _ := mustApp(t, now)
	if _, err := demo.SeedBase(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	h, err := a.HTTP("WeChatFunction")
	if err != nil {
		t.Fatal(err)
	}
	msg := `<xml><ToUserName><![CDATA[gh_wentitong]]></ToUserName><FromUserName><![CDATA[o-resident-7]]></FromUserName>` +
		`<CreateTime>1764320000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[建议 阅览室` + "\u202e" + `增加插座]]></Content><MsgId>778</MsgId></xml>`
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, safeRequest(t, now, "n-bidi", msg))
	if reply := decryptReply(t, rec); !strings.Contains(reply, "控制字符") {
		t.Errorf("reply = %q, want it to say the text holds a control character", reply)
	}
	filed, err := (&dynamo.Evaluation{DB: tbl.DB, Table: tbl.Name}).TicketsOf(context.Background(), "o-resident-7")
	if err != nil || len(filed) != 0 {
		t.Errorf("feedback of o-resident-7 = %+v (%v), want none", filed, err)
	}
}

// syncBuffer is a log output the concurrent parts of a test may share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fullOpenID matches a test openid in full (o-resident-a, o-applicant-12); the masked
// form (o-re…-a) keeps only two characters after the dash.
var fullOpenID = regexp.MustCompile(`\bo-[A-Za-z0-9_-]{5,}`)

// openidsIn returns the full openids a log holds.
func openidsIn(log string) []string {
	return slices.Compact(slices.Sorted(slices.Values(fullOpenID.FindAllString(log, -1))))
}

// deliverAll runs the notifier over every message in the outbox, as the stream would,
// so that its log lines are in the log too.
func (w *arena) deliverAll() {
	w.t.Helper()
	out, err := w.tbl.DB.Scan(context.Background(), &dynamodb.ScanInput{TableName: &w.tbl.Name})
	if err != nil {
		w.t.Fatal(err)
	}
	for _, it := range out.Items {
		var k struct{ PK string }
		_ = attributevalue.UnmarshalMap(it, &k)
		if id, ok := strings.CutPrefix(k.PK, dynamo.OutboxPrefix); ok {
			if err := w.a.Notify.Deliver(context.Background(), id); err != nil {
				w.t.Errorf("deliver %s: %v", id, err)
			}
		}
	}
}

// The log check itself finds a full openid, and passes a masked one.
func TestOpenIDsInLogs(t *testing.T) {
	log := `{"msg":"notification sent","message":"v1.applied.o-coord-x","to":"o-co…-x"}`
	if got := openidsIn(log); !slices.Equal(got, []string{"o-coord-x"}) {
		t.Errorf("openidsIn = %q, want the unmasked id only", got)
	}
	if got := openidsIn(`{"message":"v1.applied.` + privacy.Within("o-coord-x", "o-coord-x") + `"}`); len(got) != 0 {
		t.Errorf("openidsIn(masked) = %q, want none", got)
	}
}

var textareaName = regexp.MustCompile(`<textarea[^>]*\bname="([^"]+)"`)

// Every textarea of every page is long text to the form check; any other field is one
// line, so a textarea the check does not know would refuse every line break.
func TestTextareasAreLongText(t *testing.T) {
	n := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range textareaName.FindAllStringSubmatch(string(b), -1) {
			n++
			if !input.LongForm[m[1]] {
				t.Errorf("%s: textarea %q is not in input.LongForm", path, m[1])
			}
		}
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("found %d textareas (%v), want the pages' own", n, err)
	}
}
