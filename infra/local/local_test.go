package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/wentitong/wentitong/infra/local/engine"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/notifydb"
	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/syncio"
	"github.com/wentitong/wentitong/shared/wechat/callback"
)

// noEnv makes the runner use its dev defaults whatever the test's environment holds.
func noEnv(string) string { return "" }

// running is a runner started by mustStart.
type running struct {
	readyInfo
	stdout, stderr *syncio.Buffer
	stop           func() error // cancels the runner's context and waits for run to return
}

// mustStart runs r with args on a free port and returns once it is serving.
func mustStart(t *testing.T, r runner, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	rn := &running{stdout: syncio.NewBuffer(), stderr: syncio.NewBuffer()}
	ready := make(chan readyInfo, 1)
	r.ready = func(ri readyInfo) { ready <- ri }
	done := make(chan error, 1)
	go func() { done <- r.run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), rn.stdout, rn.stderr) }()
	var once sync.Once
	var stopErr error
	rn.stop = func() error {
		once.Do(func() { cancel(); stopErr = <-done })
		return stopErr
	}
	t.Cleanup(func() { _ = rn.stop() })
	select {
	case rn.readyInfo = <-ready:
		return rn
	case err := <-done:
		t.Fatalf("run ended before it was ready: %v\nstderr:\n%s", err, rn.stderr)
	case <-time.After(60 * time.Second): // seeding the demo under -race on a loaded machine
		t.Fatalf("runner not ready after 60 s\nstderr:\n%s", rn.stderr)
	}
	return nil
}

type response struct {
	status int
	body   string
}

func (r response) errorCode() string {
	var b struct {
		Error struct{ Code string } `json:"error"`
	}
	_ = json.Unmarshal([]byte(r.body), &b)
	return b.Error.Code
}

func mustDo(t *testing.T, method, url, body, token string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, string(b)}
}

// guideSignature runs the guide's shell lines that sign a verification request and
// returns the timestamp, nonce and signature they computed.
func guideSignature(t *testing.T, guide string) (ts, nonce, sig string) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	if _, err := exec.LookPath("sha1sum"); err != nil {
		t.Skip("no sha1sum")
	}
	var script []string
	for _, line := range strings.Split(guide, "\n") {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, "WXTOKEN=") || strings.HasPrefix(l, "SIG=") {
			script = append(script, l)
		}
	}
	if len(script) != 2 {
		t.Fatalf("guide has %d signing lines, want 2 (WXTOKEN=…, SIG=…):\n%s", len(script), guide)
	}
	out, err := exec.Command("bash", "-c", strings.Join(script, "\n")+"\necho \"$TS $NONCE $SIG\"").Output()
	if err != nil {
		t.Fatalf("guide's signing lines: %v", err)
	}
	f := strings.Fields(string(out))
	if len(f) != 3 {
		t.Fatalf("guide's signing lines printed %q, want timestamp, nonce and signature", out)
	}
	return f[0], f[1], f[2]
}

// The runner serves the template's routes and its own, and what was written survives a
// restart on the same data directory.
func TestRunServesAndKeepsData(t *testing.T) {
	dir := t.TempDir()
	rn := mustStart(t, runner{getenv: noEnv}, "-data", dir, "-demo=false")
	base := rn.URL

	if got := strings.Count(rn.stderr.String(), "listening on "+base); got != 1 {
		t.Errorf("stderr has %d lines with %q, want 1:\n%s", got, "listening on "+base, rn.stderr)
	}

	// The guide's shell recipe signs as WeChat does, and the callback accepts it.
	ts, nonce, sig := guideSignature(t, rn.stdout.String())
	if want := callback.Sign(devDefaults["WECHAT_TOKEN"], ts, nonce); sig != want {
		t.Errorf("guide's signature for timestamp %s nonce %s = %s, want %s", ts, nonce, sig, want)
	}
	q := url.Values{"signature": {sig}, "timestamp": {ts}, "nonce": {nonce}, "echostr": {"hello-123"}}
	if r := mustDo(t, "GET", base+"/wechat?"+q.Encode(), "", ""); r.status != 200 || r.body != "hello-123" {
		t.Errorf("GET /wechat signed = %d %q, want 200 hello-123", r.status, r.body)
	}
	now := strconv.FormatInt(time.Now().Unix(), 10)
	q = url.Values{"signature": {callback.Sign("not-the-token", now, "n")}, "timestamp": {now}, "nonce": {"n"}, "echostr": {"hello-123"}}
	if r := mustDo(t, "GET", base+"/wechat?"+q.Encode(), "", ""); r.status != 403 {
		t.Errorf("GET /wechat badly signed = %d %q, want 403", r.status, r.body)
	}

	r := mustDo(t, "POST", base+"/api/v1/auth/wechat", `{"code":"dev:o-1"}`, "")
	var session struct{ Token, OpenID string }
	if err := json.Unmarshal([]byte(r.body), &session); err != nil || r.status != 200 || session.Token == "" || session.OpenID != "o-1" {
		t.Fatalf("sign in as o-1 = %d %s, want 200 with a token", r.status, r.body)
	}

	if r := mustDo(t, "GET", base+"/_dev/wechat/sent", "", ""); r.status != 200 || strings.TrimSpace(r.body) != `{"messages":[]}` {
		t.Errorf("GET /_dev/wechat/sent = %d %s, want 200 {\"messages\":[]}", r.status, r.body)
	}
	if r := mustDo(t, "GET", base+"/_dev/health", "", ""); r.status != 200 || strings.TrimSpace(r.body) != `{"ok":true}` {
		t.Errorf("GET /_dev/health = %d %s, want 200 {\"ok\":true}", r.status, r.body)
	}
	for _, tt := range []struct{ method, path, code string }{
		{"GET", "/api/v1/nope", "route_not_found"},
		{"GET", "/", "route_not_found"},
		{"DELETE", "/api/v1/me", "method_not_allowed"},
	} {
		r := mustDo(t, tt.method, base+tt.path, "", "")
		if r.errorCode() != tt.code || !strings.Contains(r.body, `"message":"`) {
			t.Errorf("%s %s = %d %s, want the JSON error %s", tt.method, tt.path, r.status, r.body, tt.code)
		}
	}

	if err := rn.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, engine.SnapshotFile)); err != nil {
		t.Fatalf("no snapshot after stop: %v", err)
	}

	// Restarted on the same data, o-1 still exists and the token is still valid (the
	// SESSION_SECRET is the same dev default).
	rn = mustStart(t, runner{getenv: noEnv}, "-data", dir, "-demo=false")
	r = mustDo(t, "GET", rn.URL+"/api/v1/me", "", session.Token)
	var me struct{ OpenID string }
	if err := json.Unmarshal([]byte(r.body), &me); err != nil || r.status != 200 || me.OpenID != "o-1" {
		t.Errorf("GET /api/v1/me after a restart = %d %s, want 200 with o-1's profile", r.status, r.body)
	}
	if out := rn.stdout.String(); !regexp.MustCompile(`Data +\d+ items: the snapshot's \d+, then 0 writes replayed`).MatchString(out) ||
		!strings.Contains(out, "Kept in        "+dir) {
		t.Errorf("guide after a restart does not say the data was loaded from %s:\n%s", dir, out)
	}
}

// The stream poller hands each due pending outbox message to the notifier, which sends
// it: it shows in /_dev/wechat/sent once, within a few polls; a message due later waits.
func TestPollerDeliversDueOutbox(t *testing.T) {
	var (
		mu     sync.Mutex
		polled []events.DynamoDBEventRecord
	)
	r := runner{getenv: noEnv, polled: func(ev events.DynamoDBEvent, _ events.DynamoDBEventResponse) {
		mu.Lock()
		defer mu.Unlock()
		polled = append(polled, ev.Records...)
	}}
	rn := mustStart(t, r, "-data", t.TempDir(), "-demo=false", "-poll", "20ms")
	outbox := &notifydb.Outbox{DB: rn.DB, Table: rn.Table}
	now := time.Now().UTC()
	for _, m := range []notify.Message{
		{ID: "due", Kind: "booking_confirmed", To: "o-1", CreatedAt: now.Add(-time.Minute), Data: map[string]string{"activity": "非遗剪纸体验课"}},
		{ID: "later", Kind: "booking_reminder", To: "o-2", CreatedAt: now, DueAt: now.Add(time.Hour)},
	} {
		if err := outbox.Add(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	var sent struct {
		Messages []struct{ Kind, ToUser string }
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(sent.Messages) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		_ = json.Unmarshal([]byte(mustDo(t, "GET", rn.URL+"/_dev/wechat/sent", "", "").body), &sent)
	}
	time.Sleep(100 * time.Millisecond) // a few more polls: nothing is sent twice
	_ = json.Unmarshal([]byte(mustDo(t, "GET", rn.URL+"/_dev/wechat/sent", "", "").body), &sent)
	if m, err := outbox.Message(context.Background(), "due"); err != nil || m.Status != notify.StatusSent {
		t.Errorf("due message = %+v, %v; want sent", m, err)
	}
	if err := rn.stop(); err != nil {
		t.Fatal(err)
	}
	if len(sent.Messages) != 1 || sent.Messages[0].ToUser != "o-1" || sent.Messages[0].Kind != "custom" {
		t.Errorf("/_dev/wechat/sent = %+v, want the due message to o-1 once", sent.Messages)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, rec := range polled {
		if pk := rec.Change.Keys["PK"].String(); pk != dynamo.OutboxPrefix+"due" || rec.EventName != "INSERT" || rec.EventSourceArn == "" {
			t.Errorf("notifier got %s %s, want only INSERTs of the due message", rec.EventName, pk)
		}
	}
}

// Secrets the environment supplies are not printed; the rest is, marked as such.
func TestSettingsHideEnvironmentSecrets(t *testing.T) {
	env := map[string]string{"TABLE_NAME": "my-table", "WECHAT_TOKEN": "real-token-123", "SESSION_SECRET": "real-session-secret"}
	s := newSettings(func(k string) string { return env[k] })
	var b strings.Builder
	s.print(&b)
	out := b.String()
	for _, secret := range []string{"real-token-123", "real-session-secret"} {
		if strings.Contains(out, secret) {
			t.Errorf("printed settings contain the environment's secret %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{
		`TABLE_NAME +my-table  \(from environment\)\n`,
		`WECHAT_TOKEN +\(from environment\)\n`,
		`SESSION_SECRET +\(from environment\)\n`,
		`WECHAT_APP_SECRET +` + devDefaults["WECHAT_APP_SECRET"] + `\n`,
		`ADMIN_OPENIDS +o-admin\n`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("printed settings do not match %q:\n%s", want, out)
		}
	}
	if got := s.config(); got.WeChatToken != "real-token-123" || got.WeChatAppID != "wx-dev-app" || len(got.WeChatAESKey) != 43 {
		t.Errorf("config = token %q, app id %q, AES key of %d characters; want the environment's token, the dev app id, 43 characters",
			got.WeChatToken, got.WeChatAppID, len(got.WeChatAESKey))
	}
}
