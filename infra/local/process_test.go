//go:build unix

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wentitong/wentitong/infra/local/engine"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/syncio"
)

// process is the runner running as a program of its own.
type process struct {
	cmd            *exec.Cmd
	url            string
	stdout, stderr *syncio.Buffer
	exited         chan struct{} // closed when it has exited; then err says how
	err            error
}

// mustBuild builds the runner into a temporary directory, once per test.
func mustBuild(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "local")
	// go test puts its toolchain's bin first in the PATH.
	out, err := exec.Command("go", "build", "-ldflags=-s -w", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// command runs the runner's program with the dev defaults, whatever the test's
// environment configures.
func command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !slices.Contains(config.Variables, k) {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return cmd
}

var listeningRE = regexp.MustCompile(`"msg":"listening on (http://[^"]+)"`)

// mustRun starts cmd and waits until it listens.
func mustRun(t *testing.T, cmd *exec.Cmd) *process {
	t.Helper()
	p := &process{cmd: cmd, stdout: syncio.NewBuffer(), stderr: syncio.NewBuffer(), exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		if a := cmd.SysProcAttr; a != nil && a.Setpgid {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // go run's runner too
		}
		_ = cmd.Process.Kill()
		<-p.exited
	})
	deadline := time.After(60 * time.Second)
	for {
		if m := listeningRE.FindStringSubmatch(p.stderr.String()); m != nil {
			p.url = m[1]
			return p
		}
		select {
		case <-p.exited:
			t.Fatalf("runner exited before listening: %v\nstderr:\n%s", p.err, p.stderr)
		case <-deadline:
			t.Fatalf("runner not listening after 60 s\nstderr:\n%s", p.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func signIn(t *testing.T, base, openid string) string {
	t.Helper()
	r := mustDo(t, "POST", base+"/api/v1/auth/wechat", `{"code":"dev:`+openid+`"}`, "")
	var s struct{ Token string }
	if err := json.Unmarshal([]byte(r.body), &s); err != nil || s.Token == "" {
		t.Fatalf("sign in as %s = %d %s", openid, r.status, r.body)
	}
	return s.Token
}

// book posts a booking of one place with an Idempotency-Key.
func book(base, slot, token, key string) (response, error) {
	req, err := http.NewRequest("POST", base+"/api/v1/slots/"+slot+"/bookings", strings.NewReader(`{"partySize":1}`))
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return response{resp.StatusCode, string(b)}, err
}

type bookingBody struct{ ID, Status, Ticket string }

func (r response) booking() bookingBody {
	var b bookingBody
	_ = json.Unmarshal([]byte(r.body), &b)
	return b
}

// sentTo counts the messages the fake WeChat API was asked to send, by recipient.
func sentTo(t *testing.T, base string) map[string]int {
	t.Helper()
	var sent struct{ Messages []struct{ ToUser string } }
	if err := json.Unmarshal([]byte(mustDo(t, "GET", base+"/_dev/wechat/sent", "", "").body), &sent); err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, m := range sent.Messages {
		n[m.ToUser]++
	}
	return n
}

// notification is an outbox message as staff see it.
type notification struct {
	ID, Kind, To, Status string
	DueAt                time.Time
}

// outbox lists the outbox messages of a status, as staff see them.
func outbox(t *testing.T, base, staff, status string) []notification {
	t.Helper()
	var out struct{ Notifications []notification }
	r := mustDo(t, "GET", base+"/api/v1/admin/notifications?limit=100&status="+status, "", staff)
	if err := json.Unmarshal([]byte(r.body), &out); err != nil || r.status != 200 {
		t.Fatalf("notifications %s = %d %s", status, r.status, r.body)
	}
	return out.Notifications
}

// confirmation finds the confirmation of a booking among ns (the newest hundred of a
// status): its id starts with the booking's.
func confirmation(ns []notification, booking string) (notification, bool) {
	for _, n := range ns {
		if n.Kind == "booking_confirmed" && strings.HasPrefix(n.ID, booking) {
			return n, true
		}
	}
	return notification{}, false
}

// eventually polls ok for 10 s and says whether it came true.
func eventually(ok func() bool) bool {
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

// remaining reads the slot's free places from the catalogue.
func remaining(t *testing.T, base, slot string) int {
	t.Helper()
	r := mustDo(t, "GET", base+"/api/v1/activities?limit=100", "", "")
	var cat struct {
		Activities []struct {
			Slots []struct {
				ID        string
				Remaining int
			}
		}
	}
	if err := json.Unmarshal([]byte(r.body), &cat); err != nil {
		t.Fatalf("catalogue = %d %s", r.status, r.body)
	}
	for _, a := range cat.Activities {
		for _, s := range a.Slots {
			if s.ID == slot {
				return s.Remaining
			}
		}
	}
	t.Fatalf("slot %s not in the catalogue: %s", slot, r.body)
	return 0
}

// The runner, as a real process, is killed with SIGKILL after n acknowledged bookings
// and one in flight. Restarted on the same data, it has all n in the same state: each
// booking with its ticket, which admits at the door; a retry with the same
// Idempotency-Key answers the same booking; the slot's free places count each once;
// the confirmations sent before the kill are not sent again. The booking in flight is
// there entirely or not at all, and its confirmation is sent once.
func TestKillNineLosesNothingAnswered(t *testing.T) {
	bin := mustBuild(t)
	t.Run("bookings", func(t *testing.T) { testKillBookings(t, bin) })
	t.Run("counters", func(t *testing.T) { testKillCounters(t, bin) })
}

// mustSlot creates, as the admin, a slot of the demo's first activity starting in half an
// hour (its door open already) and returns its id and start.
func mustSlot(t *testing.T, base, admin string, capacity int) (string, time.Time) {
	t.Helper()
	r := mustDo(t, "GET", base+"/api/v1/activities?limit=1", "", "")
	var cat struct{ Activities []struct{ ID string } }
	if err := json.Unmarshal([]byte(r.body), &cat); err != nil || len(cat.Activities) == 0 {
		t.Fatalf("demo catalogue = %d %s", r.status, r.body)
	}
	start := time.Now().Add(30 * time.Minute).Truncate(time.Minute) // the door opens an hour before
	r = mustDo(t, "POST", base+"/api/v1/admin/activities/"+cat.Activities[0].ID+"/slots", fmt.Sprintf(
		`{"startsAt":%q,"endsAt":%q,"capacity":%d}`, start.Format(time.RFC3339), start.Add(time.Hour).Format(time.RFC3339), capacity), admin)
	var slot struct{ ID string }
	if err := json.Unmarshal([]byte(r.body), &slot); err != nil || r.status != 201 {
		t.Fatalf("create slot = %d %s", r.status, r.body)
	}
	return slot.ID, start
}

// mustKill kills p with SIGKILL and waits for it to be gone.
func mustKill(t *testing.T, p *process) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.exited
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("runner ended with %v, want killed by SIGKILL", p.err)
	}
}

func testKillBookings(t *testing.T, bin string) {
	const n, capacity = 20, 30
	dir := t.TempDir()
	p := mustRun(t, command(bin, "-addr", "127.0.0.1:0", "-data", dir, "-poll", "50ms"))
	admin := signIn(t, p.url, "o-admin")
	slotID, _ := mustSlot(t, p.url, admin, capacity)
	slot := struct{ ID string }{slotID}

	tokens := make([]string, n+1)
	resident := func(i int) string { return fmt.Sprintf("o-kill-%02d", i) }
	for i := range tokens {
		tokens[i] = signIn(t, p.url, resident(i))
	}
	answers := make([]response, n)
	took := make([]time.Duration, n)
	var wg sync.WaitGroup
	for w := range 4 { // four residents at a time: their writes share group commits
		wg.Go(func() {
			for i := w; i < n; i += 4 {
				t0 := time.Now()
				a, err := book(p.url, slot.ID, tokens[i], fmt.Sprintf("key-%02d", i))
				took[i] = time.Since(t0)
				if err != nil || a.status != 201 || a.booking().Ticket == "" {
					t.Errorf("booking %d = %d %s, %v; want 201 with a ticket", i, a.status, a.body, err)
				}
				answers[i] = a
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	// Each confirmation is sent, and recorded as sent, before the kill.
	if !eventually(func() bool {
		sent := sentTo(t, p.url)
		for i := range n {
			if sent[resident(i)] != 1 {
				return false
			}
		}
		recorded := outbox(t, p.url, admin, "sent")
		for _, a := range answers {
			if _, ok := confirmation(recorded, a.booking().ID); !ok {
				return false
			}
		}
		return true
	}) {
		t.Fatalf("before the kill: sent %v, pending %v; want one confirmation to each of the %d, none pending",
			sentTo(t, p.url), outbox(t, p.url, admin, "pending"), n)
	}

	// One more in flight, and kill -9 half way through the time a booking takes.
	slices.Sort(took)
	inflight := make(chan struct{})
	go func() {
		defer close(inflight)
		_, _ = book(p.url, slot.ID, tokens[n], "key-inflight")
	}()
	time.Sleep(took[n/2] / 2)
	mustKill(t, p)
	<-inflight

	p = mustRun(t, command(bin, "-addr", "127.0.0.1:0", "-data", dir, "-poll", "50ms"))
	if !regexp.MustCompile(`then [1-9]\d* writes replayed from the journal`).MatchString(p.stdout.String()) {
		t.Errorf("restart does not say it replayed the journal:\n%s", p.stdout)
	}
	// The one in flight: whatever the kill left, a retry with its key completes it.
	var before []bookingBody
	var mine struct{ Bookings []bookingBody }
	_ = json.Unmarshal([]byte(mustDo(t, "GET", p.url+"/api/v1/me/bookings", "", tokens[n]).body), &mine)
	before = mine.Bookings
	if got := remaining(t, p.url, slot.ID); got != capacity-n-len(before) {
		t.Errorf("after the restart the slot has %d places left, want %d (%d answered, %d in flight kept)", got, capacity-n-len(before), n, len(before))
	}
	retry, err := book(p.url, slot.ID, tokens[n], "key-inflight")
	if err != nil || retry.status != 201 || (len(before) == 1 && retry.booking().ID != before[0].ID) || len(before) > 1 {
		t.Errorf("retry of the booking in flight = %d %s, %v; it had left %v, want 201 with that booking if any", retry.status, retry.body, err, before)
	}
	t.Logf("killed %v into the booking in flight; it was kept: %t", took[n/2]/2, len(before) == 1)

	for i, first := range answers {
		b := first.booking()
		again, err := book(p.url, slot.ID, tokens[i], fmt.Sprintf("key-%02d", i))
		if err != nil || again.status != 201 || again.body != first.body {
			t.Errorf("retry %d with the same key after the restart = %d %s, %v; want the first answer 201 %s", i, again.status, again.body, err, first.body)
		}
		var mine struct{ Bookings []bookingBody }
		_ = json.Unmarshal([]byte(mustDo(t, "GET", p.url+"/api/v1/me/bookings", "", tokens[i]).body), &mine)
		if len(mine.Bookings) != 1 || mine.Bookings[0] != b {
			t.Errorf("resident %d's bookings after the restart = %+v, want %+v", i, mine.Bookings, b)
		}
		in := mustDo(t, "POST", p.url+"/api/v1/admin/checkins", fmt.Sprintf(`{"ticket":%q,"slotId":%q}`, b.Ticket, slot.ID), admin)
		if in.status != 200 || !strings.Contains(in.body, `"admitted":true`) {
			t.Errorf("check-in of ticket %d after the restart = %d %s, want admitted", i, in.status, in.body)
		}
	}
	if got := remaining(t, p.url, slot.ID); got != capacity-n-1 {
		t.Errorf("in the end the slot has %d places left, want %d", got, capacity-n-1)
	}
	// The one in flight has its confirmation: sent (before the kill or after), or pending
	// (claimed by a notifier the kill stopped, it is sent when the claim's lease lapses);
	// those sent before the kill are not sent again.
	if !eventually(func() bool {
		if _, ok := confirmation(outbox(t, p.url, admin, "sent"), retry.booking().ID); ok {
			return true
		}
		_, ok := confirmation(outbox(t, p.url, admin, "pending"), retry.booking().ID)
		return ok
	}) {
		t.Errorf("after the restart the confirmation of %s is neither sent nor pending: pending %+v", retry.booking().ID, outbox(t, p.url, admin, "pending"))
	}
	sent := outbox(t, p.url, admin, "sent")
	for i, a := range answers {
		if _, ok := confirmation(sent, a.booking().ID); !ok {
			t.Errorf("after the restart the confirmation of booking %d is no longer recorded as sent", i)
		}
	}
	time.Sleep(200 * time.Millisecond) // a few more polls
	again := sentTo(t, p.url)
	for i := range n {
		if again[resident(i)] != 0 {
			t.Errorf("%s's confirmation was sent again after the restart", resident(i))
		}
	}
	if again[resident(n)] > 1 {
		t.Errorf("the confirmation of the booking in flight was sent %d times after the restart", again[resident(n)])
	}

	// SIGTERM stops it cleanly.
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	stoppedCleanly(t, p, dir)
	if p.err != nil {
		t.Errorf("runner stopped by SIGTERM exited with %v, want 0", p.err)
	}
}

// The report counters count from a stand-in for DynamoDB Streams that lives in memory:
// the writes replayed from the journal after a kill are streamed again, so the bookings
// the counters had not seen are counted after the restart.
func testKillCounters(t *testing.T, bin string) {
	const m = 5
	dir := t.TempDir()
	p := mustRun(t, command(bin, "-addr", "127.0.0.1:0", "-data", dir, "-poll", "1h")) // the counters see nothing
	admin := signIn(t, p.url, "o-admin")
	slot, start := mustSlot(t, p.url, admin, m)
	period := start.In(beijing.Zone).Format("2006-01")
	var report struct{ Total struct{ Bookings int } }
	bookings := func() int {
		r := mustDo(t, "GET", p.url+"/api/v1/admin/reports?period="+period, "", admin)
		if err := json.Unmarshal([]byte(r.body), &report); err != nil || r.status != 200 {
			t.Fatalf("report = %d %s", r.status, r.body)
		}
		return report.Total.Bookings
	}
	demo := bookings() // what was counted before the kill: nothing, with this -poll
	for i := range m {
		r, err := book(p.url, slot, signIn(t, p.url, fmt.Sprintf("o-count-%d", i)), "k")
		if err != nil || r.status != 201 {
			t.Fatalf("booking %d = %d %s, %v", i, r.status, r.body, err)
		}
	}
	mustKill(t, p)

	p = mustRun(t, command(bin, "-addr", "127.0.0.1:0", "-data", dir, "-poll", "50ms"))
	if !eventually(func() bool { return bookings() == demo+m }) {
		t.Errorf("after the restart the report counts %d bookings in %s, want the demo's %d and the %d booked before the kill", bookings(), period, demo, m)
	}
	time.Sleep(200 * time.Millisecond) // a few more polls count nothing twice
	if got := bookings(); got != demo+m {
		t.Errorf("later the report counts %d bookings, want %d", got, demo+m)
	}
}

// stoppedCleanly checks that p exited after compacting its journal, and let go of dir.
func stoppedCleanly(t *testing.T, p *process, dir string) {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("runner still running 30 s after the signal\nstderr:\n%s", p.stderr)
	}
	if !strings.Contains(p.stderr.String(), `"msg":"stopped; the journal is compacted into the snapshot"`) {
		t.Errorf("runner did not stop cleanly (%v)\nstderr:\n%s", p.err, p.stderr)
	}
	e, err := engine.Open(context.Background(), engine.Options{Dir: dir, Table: devDefaults["TABLE_NAME"]})
	if err != nil {
		t.Fatalf("the data directory after the stop: %v", err)
	}
	defer e.Close(context.Background())
	if l := e.Loaded(); l.Replayed != 0 || l.Items == 0 {
		t.Errorf("after a clean stop Open found %+v, want the items in the snapshot and nothing to replay", l)
	}
}

// Started with go run, the runner stops cleanly on the terminal's Ctrl-C (SIGINT to the
// process group: the go command ignores it, the runner handles it) and on a SIGTERM sent
// to the go command, which dies at once without passing it on: the runner notices it is
// orphaned and stops as if it had the signal.
func TestStopsOnSignalsUnderGoRun(t *testing.T) {
	for _, tt := range []struct {
		name  string
		send  func(*exec.Cmd) error
		cause string
	}{
		{"Ctrl-C", func(c *exec.Cmd) error { return syscall.Kill(-c.Process.Pid, syscall.SIGINT) }, "interrupt signal received"},
		{"SIGTERM to go run", func(c *exec.Cmd) error { return c.Process.Signal(syscall.SIGTERM) }, errParentGone.Error()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cmd := command("go", "run", ".", "-addr", "127.0.0.1:0", "-data", dir, "-demo=false")
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a process group, as a terminal makes
			p := mustRun(t, cmd)
			signIn(t, p.url, "o-1") // a write for the journal
			if err := tt.send(cmd); err != nil {
				t.Fatal(err)
			}
			stoppedCleanly(t, p, dir)
			if !strings.Contains(p.stderr.String(), `"cause":"`+tt.cause+`"`) {
				t.Errorf("shutdown cause is not %q:\n%s", tt.cause, p.stderr)
			}
		})
	}
}
