package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/officialaccount"
	offconfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/wentitong/wentitong/infra/local/demo"
	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/wechattest"
)

func init() {
	register("wechat", "safe-mode messages through the callback, beside a bare SDK echo handler", runWeChat)
}

// The bench account's credentials.
const (
	benchAppID  = wechattest.AppID
	benchToken  = "bench-token"
	benchAESKey = "wentitongBenchEncodingAESKey0123456789abcde" // 43 characters
)

// benchAccount signs and seals the deliveries as the WeChat platform does.
var benchAccount = wechattest.Account{AppID: benchAppID, Token: benchToken, AESKey: benchAESKey}

// runWeChat posts safe-mode messages (a mix of keywords, help, subscriptions and
// location reports, each delivered once) through WeChatFunction's handler on the
// embedded table with demo data, then the same messages through a bare silenceper
// server that echoes the text, and prints both with the ratio.
func runWeChat(ctx context.Context, args []string, out io.Writer) error {
	fs := flags("wechat", out)
	n := fs.Int("n", 2000, "messages per run")
	conc := fs.Int("c", 16, "concurrent deliveries")
	runs := fs.Int("runs", 3, "runs of each; the median run by throughput is reported")
	if err := fs.Parse(args); err != nil {
		return err
	}
	now := time.Now()

	const table = "wentitong-bench"
	rg, err := newRig(ctx, table, wechattest.NewFake(benchAppID, wechattest.AppSecret)) // the WeChat API is never called on the callback path
	if err != nil {
		return err
	}
	defer rg.Close()
	db, counter := rg.db, rg.counter
	env := map[string]string{"TABLE_NAME": table, "WECHAT_APP_ID": benchAppID, "WECHAT_APP_SECRET": wechattest.AppSecret,
		"WECHAT_TOKEN": benchToken, "WECHAT_ENCODING_AES_KEY": benchAESKey, "WECHAT_MESSAGE_MODE": "safe", "WECHAT_API_BASE": rg.wxURL, "LOG_LEVEL": "error",
		// The demo's past is made through the services, which sign tickets and hash ID numbers.
		"TICKET_SIGNING_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", "SESSION_SECRET": "bench-session-secret-of-32-bytes-or-more",
		"ID_HASH_KEY": "bench-id-number-hash-key-of-32-bytes-or-more"}
	a, err := app.New(ctx, config.From(func(k string) string { return env[k] }), app.Options{DB: db, LogOutput: io.Discard})
	if err != nil {
		return err
	}
	if _, err := demo.Seed(ctx, a); err != nil {
		return err
	}
	platform, err := a.HTTP("WeChatFunction")
	if err != nil {
		return err
	}

	// Each run delivers new messages (new MsgIds), so none is answered from the record.
	var oursRuns, baseRuns []result
	var rawRuns []float64
	var calls map[string]int64
	for r := range max(*runs, 1) {
		msgs, err := benchMessages(*n, now, r)
		if err != nil {
			return err
		}
		counter.Reset()
		ours, err := measure(ctx, platform, msgs, *conc, wantReply)
		if err != nil {
			return fmt.Errorf("platform: %w", err)
		}
		calls = counter.Snapshot()
		base, err := measure(ctx, bareEcho(), msgs, *conc, wantReply)
		if err != nil {
			return fmt.Errorf("bare SDK: %w", err)
		}
		raw, err := rawPuts(ctx, db, table, *n, *conc, r)
		if err != nil {
			return fmt.Errorf("raw engine: %w", err)
		}
		oursRuns, baseRuns, rawRuns = append(oursRuns, ours), append(baseRuns, base), append(rawRuns, raw)
	}
	slices.Sort(rawRuns)
	raw := rawRuns[len(rawRuns)/2]
	ours, base := median(oursRuns), median(baseRuns)
	msgs := make([]benchMessage, *n) // for the counts below
	var total int64
	for _, c := range calls {
		total += c
	}
	perMsg := float64(total) / float64(len(msgs))

	fmt.Fprintf(out, "wechat callback, safe mode: %d messages (text keywords, help, subscribe, LOCATION), %d concurrent, embedded DynamoDB; median of %d runs\n"+
		"(a message that only reads is answered, then claimed with its reply in one write; a subscription or LOCATION writes\n"+
		"the profile, a subscription its reply too; suggestions and scans are claimed before and answered after; keyword\n"+
		"listings are reused for 10 s per instance)\n\n", len(msgs), *conc, len(oursRuns))
	fmt.Fprintf(out, "%-22s %10s %10s %10s %18s\n", "", "msgs/s", "p50", "p99", "DynamoDB calls/msg")
	fmt.Fprintf(out, "%-22s %10.0f %10s %10s %18.2f\n", "platform", ours.rate, msText(ours.p50), msText(ours.p99), perMsg)
	fmt.Fprintf(out, "%-22s %10.0f %10s %10s %18.2f\n", "bare SDK echo", base.rate, msText(base.p50), msText(base.p99), 0.0)
	fmt.Fprintf(out, "%-22s %10.2f %10.2f %10.2f\n", "ratio (platform/bare)", ours.rate/base.rate,
		float64(ours.p50)/float64(base.p50), float64(ours.p99)/float64(base.p99))
	fmt.Fprintf(out, "DynamoDB calls by operation: %v\n", calls)
	fmt.Fprintf(out, "raw engine (median run): %.0f PutItem/s at the same concurrency, so at %.2f calls/msg at most %.0f msgs/s (platform reaches %.0f%% of that)\n\n",
		raw, perMsg, raw/perMsg, 100*ours.rate/(raw/perMsg))
	line, _ := json.Marshal(map[string]any{
		"scenario": "wechat", "messages": len(msgs), "concurrency": *conc,
		"msgsPerSec": round(ours.rate), "p50Ms": msf(ours.p50), "p99Ms": msf(ours.p99), "dynamoCallsPerMsg": round(perMsg),
		"baselineMsgsPerSec": round(base.rate), "baselineP50Ms": msf(base.p50), "baselineP99Ms": msf(base.p99),
		"throughputRatio": round(ours.rate / base.rate), "dynamoCalls": calls, "rawEnginePutsPerSec": round(raw),
	})
	fmt.Fprintln(out, string(line))
	return nil
}

// benchMessage is one delivery, encrypted and signed in advance.
type benchMessage struct {
	query string
	body  string
}

func benchMessages(n int, now time.Time, run int) ([]benchMessage, error) {
	out := make([]benchMessage, n)
	for i := range out {
		from := fmt.Sprintf("o-bench-%05d", i%500)
		var inner string
		switch i % 8 {
		case 0, 1, 2: // keyword listings: the common case
			inner = fmt.Sprintf(`<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content><MsgId>%d</MsgId>`,
				[]string{"电影", "活动", "健身"}[i%3], 1_000_000*(run+1)+i)
		case 3, 4:
			inner = fmt.Sprintf(`<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好]]></Content><MsgId>%d</MsgId>`, 1_000_000*(run+1)+i)
		case 5:
			inner = `<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>`
		default:
			inner = `<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[LOCATION]]></Event><Latitude>27.83</Latitude><Longitude>113.13</Longitude><Precision>30</Precision>`
		}
		plain := fmt.Sprintf(`<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName><CreateTime>%d</CreateTime>%s</xml>`,
			from, now.Unix()+int64(run*n+i), inner)
		post, err := benchAccount.Seal(wechattest.ModeSafe, from, []byte(plain), now, "n"+strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		out[i] = benchMessage{query: post.Query.Encode(), body: string(post.Body)}
	}
	return out, nil
}

// bareEcho is the baseline: silenceper's server as its README shows it, in safe mode,
// echoing text and answering events "success"; no dedup, no table.
func bareEcho() http.Handler {
	oa := officialaccount.NewOfficialAccount(&offconfig.Config{AppID: benchAppID, AppSecret: wechattest.AppSecret,
		Token: benchToken, EncodingAESKey: benchAESKey, Cache: cache.NewMemory()})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv := oa.GetServer(r, w)
		srv.SetMessageHandler(func(msg *message.MixMessage) *message.Reply {
			if msg.MsgType != message.MsgTypeText {
				return nil
			}
			return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText(msg.Content)}
		})
		if err := srv.Serve(); err != nil {
			http.Error(w, "refused", http.StatusForbidden)
			return
		}
		if srv.ResponseMsg == nil {
			_, _ = w.Write([]byte("success"))
			return
		}
		_ = srv.Send()
	})
}

func wantReply(rec *httptest.ResponseRecorder) error {
	if rec.Code != 200 || (rec.Body.String() != "success" && !strings.HasPrefix(rec.Body.String(), "<xml><Encrypt>")) {
		return fmt.Errorf("answer %d %.200s", rec.Code, rec.Body)
	}
	return nil
}

// median returns the run with the median throughput.
func median(rs []result) result {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b result) int { return cmp.Compare(a.rate, b.rate) })
	return s[len(s)/2]
}

type result struct {
	rate     float64
	p50, p99 time.Duration
}

// measure delivers every message once through h with conc workers.
func measure(ctx context.Context, h http.Handler, msgs []benchMessage, conc int, check func(*httptest.ResponseRecorder) error) (result, error) {
	lat := make([]time.Duration, len(msgs))
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(msgs) {
					return
				}
				req := httptest.NewRequest("POST", "/wechat?"+msgs[i].query, strings.NewReader(msgs[i].body))
				rec := httptest.NewRecorder()
				t0 := time.Now()
				h.ServeHTTP(rec, req)
				lat[i] = time.Since(t0)
				if err := check(rec); err != nil {
					once.Do(func() { firstErr = fmt.Errorf("message %d: %w", i, err) })
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return result{}, firstErr
	}
	if err := ctx.Err(); err != nil {
		return result{}, err
	}
	slices.Sort(lat)
	return result{
		rate: float64(len(msgs)) / elapsed.Seconds(),
		p50:  lat[len(lat)/2],
		p99:  lat[min(len(lat)-1, len(lat)*99/100)],
	}, nil
}

// msText and msf print latencies; round (flashcrowd.go) keeps two decimals.
func msText(d time.Duration) string { return fmt.Sprintf("%.2fms", msf(d)) }
func msf(d time.Duration) float64   { return round(float64(d) / float64(time.Millisecond)) }

// rawPuts is the engine's own rate for the simplest write, through the same client.
func rawPuts(ctx context.Context, db *dynamodb.Client, table string, n, conc, run int) (float64, error) {
	var next atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(n) || ctx.Err() != nil {
					return
				}
				_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
					"PK": &types.AttributeValueMemberS{Value: "BENCH#" + strconv.Itoa(run) + "#" + strconv.FormatInt(i, 10)},
					"SK": &types.AttributeValueMemberS{Value: "BENCH"},
				}})
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
				}
			}
		})
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, err
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
