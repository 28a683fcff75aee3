package app_test

import (
	"context"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/dynamo/evaluationdb"
	"github.com/wentitong/wentitong/shared/input"
	"github.com/wentitong/wentitong/shared/privacy"
)

// A suggestion typed in the chat with a direction override is not filed: the chat says
// why, and the table holds no ticket.
func TestChatSuggestionRefusesControlCharacters(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	_, tbl, h := mustWeChat(t, now)
	msg := `<xml><ToUserName><![CDATA[gh_wentitong]]></ToUserName><FromUserName><![CDATA[o-resident-7]]></FromUserName>` +
		`<CreateTime>1764320000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[建议 阅览室` + "\u202e" + `增加插座]]></Content><MsgId>778</MsgId></xml>`
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, safeRequest(t, now, "n-bidi", msg))
	if reply := decryptReply(t, rec); !strings.Contains(reply, "控制字符") {
		t.Errorf("reply = %q, want it to say the text holds a control character", reply)
	}
	filed, err := (&evaluationdb.Evaluation{DB: tbl.DB, Table: tbl.Name}).TicketsOf(context.Background(), "o-resident-7")
	if err != nil || len(filed) != 0 {
		t.Errorf("feedback of o-resident-7 = %+v (%v), want none", filed, err)
	}
}

// fullOpenID matches a test openid in full (o-resident-a, o-applicant-12); the masked
// form (o-re…-a) keeps only two characters after the dash.
var fullOpenID = regexp.MustCompile(`\bo-[A-Za-z0-9_-]{5,}`)

// openidsIn returns the full openids a log holds.
func openidsIn(log string) []string {
	return slices.Compact(slices.Sorted(slices.Values(fullOpenID.FindAllString(log, -1))))
}

// deliverAll runs the notifier over every message due in the outbox within a day, as
// the stream would, so that its log lines are in the log too.
func (w *arena) deliverAll() {
	w.t.Helper()
	ctx := context.Background()
	ids, err := w.a.Outbox.Due(ctx, w.now.Add(24*time.Hour), 100)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, id := range ids {
		if err := w.a.Notify.Deliver(ctx, id); err != nil {
			w.t.Errorf("deliver %s: %v", id, err)
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
