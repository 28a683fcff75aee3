package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/wechattest"
)

func init() {
	register("notify", "drain N outbox messages against the fake WeChat API with injected errors", runNotify)
}

// flakyWeChat answers a share of send calls with errcode -1 (system busy).
type flakyWeChat struct {
	next http.Handler
	rate float64
	mu   sync.Mutex
	rnd  *rand.Rand
}

func (f *flakyWeChat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/cgi-bin/message/") {
		f.mu.Lock()
		fail := f.rnd.Float64() < f.rate
		f.mu.Unlock()
		if fail {
			_, _ = io.WriteString(w, `{"errcode":-1,"errmsg":"system error"}`)
			return
		}
	}
	f.next.ServeHTTP(w, r)
}

func runNotify(ctx context.Context, args []string, out io.Writer) error {
	fs := flags("notify", out)
	n := fs.Int("n", 2000, "messages to drain")
	errRate := fs.Float64("errors", 0.1, "share of WeChat send calls answered errcode -1")
	quick := fs.Bool("quick", false, "300 messages")
	seed := fs.Uint64("seed", 1, "random seed of the injected errors")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *quick {
		*n = 300
	}

	fake := wechattest.NewFake(wechattest.AppID, wechattest.AppSecret)
	const table = "wentitong-bench"
	rg, err := newRig(ctx, table, &flakyWeChat{next: fake, rate: *errRate, rnd: rand.New(rand.NewPCG(*seed, 2))})
	if err != nil {
		return err
	}
	defer rg.Close()
	db, counter := rg.db, rg.counter
	var mu sync.Mutex
	clock := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	cfg := config.From(func(k string) string {
		return map[string]string{"TABLE_NAME": table, "WECHAT_APP_ID": wechattest.AppID, "WECHAT_APP_SECRET": wechattest.AppSecret,
			"WECHAT_API_BASE": rg.wxURL, "NOTIFY_RATE": "0", "LOG_LEVEL": "error"}[k]
	})
	a, err := app.New(ctx, cfg, app.Options{DB: db, Now: now, LogOutput: io.Discard})
	if err != nil {
		return err
	}

	// Baseline: the same number of customer-service sends straight through the SDK, in
	// this run, against the same (flaky) fake, counting only successes.
	cs := a.OA.GetCustomerMessageManager()
	baseStart := time.Now()
	baseOK := 0
	for i := range *n {
		if cs.Send(message.NewCustomerTextMessage(fmt.Sprintf("o-base-%d", i), "基线")) == nil {
			baseOK++
		}
	}
	baseDur := time.Since(baseStart)
	fake.Reset()

	for i := range *n {
		m := notify.Message{ID: fmt.Sprintf("m%06d", i), Kind: "booking_reminder", To: fmt.Sprintf("o-%06d", i), CreatedAt: clock,
			Data: map[string]string{"activity": "公益电影", "time": "19:30", "venue": "工人文化宫"}}
		if err := a.Outbox.Add(ctx, m); err != nil {
			return err
		}
	}
	counter.Reset()
	start := time.Now()
	rounds := 0
	for ; rounds < 10000; rounds++ {
		tried, err := a.Notify.DeliverDue(ctx, 500)
		if err != nil {
			return err
		}
		pending, err := a.Outbox.List(ctx, notify.StatusPending, 1)
		if err != nil {
			return err
		}
		if tried == 0 && len(pending) == 0 {
			break
		}
		mu.Lock()
		clock = clock.Add(time.Minute) // the back-off passes in simulated time
		mu.Unlock()
	}
	dur := time.Since(start)

	perTo := map[string]int{}
	for _, m := range fake.Sent() {
		perTo[m.ToUser]++
	}
	dups := 0
	for _, c := range perTo {
		if c > 1 {
			dups += c - 1
		}
	}
	failed, err := a.Outbox.List(ctx, notify.StatusFailed, 1000)
	if err != nil {
		return err
	}
	sent := len(perTo)
	lost := *n - sent - len(failed)
	calls := counter.Total()
	rate := float64(*n) / dur.Seconds()
	baseRate := float64(*n) / baseDur.Seconds()
	fmt.Fprintf(out, "notify: %d messages, %.0f%% of WeChat sends answered -1 (seed %d), unpaced\n\n", *n, *errRate*100, *seed)
	fmt.Fprintf(out, "  %-34s %12s\n", "", "value")
	fmt.Fprintf(out, "  %-34s %12d\n", "sent (once each)", sent)
	fmt.Fprintf(out, "  %-34s %12d\n", "failed after 5 attempts", len(failed))
	fmt.Fprintf(out, "  %-34s %12d\n", "duplicates (must be 0)", dups)
	fmt.Fprintf(out, "  %-34s %12d\n", "lost (must be 0)", lost)
	fmt.Fprintf(out, "  %-34s %12d\n", "drain rounds (1 simulated minute)", rounds)
	fmt.Fprintf(out, "  %-34s %12.0f\n", "messages/s through the notifier", rate)
	fmt.Fprintf(out, "  %-34s %12.0f\n", "baseline: bare SDK sends/s", baseRate)
	fmt.Fprintf(out, "  %-34s %12.2f\n", "ratio notifier/baseline", rate/baseRate)
	fmt.Fprintf(out, "  %-34s %12.1f\n", "DynamoDB calls per message", float64(calls)/float64(*n))
	line, _ := json.Marshal(map[string]any{"scenario": "notify", "messages": *n, "errorRate": *errRate, "sent": sent, "failed": len(failed),
		"duplicates": dups, "lost": lost, "messagesPerSec": rate, "baselinePerSec": baseRate, "baselineOK": baseOK,
		"ratio": rate / baseRate, "dynamoCallsPerMessage": float64(calls) / float64(*n), "calls": counter.Snapshot()})
	fmt.Fprintf(out, "\n%s\n", line)
	if dups > 0 || lost > 0 {
		return fmt.Errorf("%d duplicates, %d lost", dups, lost)
	}
	return nil
}
