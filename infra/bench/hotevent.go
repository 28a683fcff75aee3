package main

import (
	"container/heap"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/truora/minidyn/server"

	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamodev"
	"github.com/wentitong/wentitong/shared/dynamotest"
)

func init() {
	register("hotevent", "a city-wide sale under DynamoDB's per-item limits, in simulated time: sell-out time and throttling with 1 counter and with N shards", hotevent)
}

type hotOpts struct {
	residents, places        int // of the hot session
	others, otherPlaces      int // of each of the two other popular films
	shards                   []int
	instances, concurrency   int
	arrive, pause            time.Duration
	sdkAttempts, maxAttempts int
	seed                     uint64
}

func hotevent(ctx context.Context, args []string, out io.Writer) error {
	fs := flags("hotevent", out)
	o := hotOpts{}
	fs.IntVar(&o.residents, "residents", 50000, "residents who try to book the hot session, one place each")
	fs.IntVar(&o.places, "places", 3000, "places of the hot session")
	fs.IntVar(&o.others, "others", 10000, "residents of each of the two other popular films selling at the same time")
	fs.IntVar(&o.otherPlaces, "other-places", 500, "places of each other film")
	shards := fs.String("shards", "1,10", "the runs: counter shards of the hot session (1: its own counter, not hot)")
	fs.IntVar(&o.instances, "instances", 20, "function instances (each its own memory of sessions) the requests are spread over")
	fs.IntVar(&o.concurrency, "concurrency", 64, "requests the machine runs at once (real, not simulated)")
	fs.DurationVar(&o.arrive, "arrive", 2*time.Second, "simulated time over which the residents first tap, from the sale's opening")
	fs.DurationVar(&o.pause, "pause", time.Second, "simulated time a resident waits before tapping again after an error (±50%)")
	fs.IntVar(&o.sdkAttempts, "sdk-attempts", 3, "DynamoDB client attempts per call (the SDK's default), with its back-off in simulated time")
	fs.IntVar(&o.maxAttempts, "max-taps", 60, "taps after which a resident gives up")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the runs to this file")
	quick := fs.Bool("quick", false, "a run of seconds: 5000 residents for 300 places, 2 × 1000 for 50")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *quick {
		o.residents, o.places, o.others, o.otherPlaces = 5000, 300, 1000, 50
	}
	for _, f := range strings.Split(*shards, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > booking.MaxHotShards {
			return fmt.Errorf("hotevent: -shards is a list of counts from 1 to %d, not %q", booking.MaxHotShards, *shards)
		}
		o.shards = append(o.shards, n)
	}
	if o.residents < 1 || o.places < 1 || o.others < 0 || o.otherPlaces < 1 || o.instances < 1 || o.concurrency < 1 || o.sdkAttempts < 1 || o.maxAttempts < 1 {
		return fmt.Errorf("hotevent: counts must be positive")
	}
	stopProfile, err := cpuProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stopProfile()
	var runs []*hotResult
	for _, n := range o.shards {
		r, err := runHot(ctx, o, n)
		if err != nil {
			return err
		}
		runs = append(runs, r)
	}
	return printHot(out, o, runs)
}

// simTime carries a request's simulated time through its DynamoDB calls: each attempt
// is stamped with it (the throttle's clock) and moves it on by DynamoDB's latency for the
// call, and by the SDK's back-off before a retry.
type simTime struct {
	mu sync.Mutex
	t  time.Duration
}

func (s *simTime) add(d time.Duration) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.t += d
	return s.t
}

type simKey struct{}
type attemptsKey struct{}

const simHeader = "X-Bench-Sim-Time"

// Simulated latencies: DynamoDB's typical single-digit milliseconds, a function's
// overhead per request.
const (
	readLatency     = 4 * time.Millisecond
	writeLatency    = 6 * time.Millisecond
	txLatency       = 12 * time.Millisecond
	requestOverhead = 5 * time.Millisecond
)

func latency(op string) time.Duration {
	switch {
	case op == "TransactWriteItems":
		return txLatency
	case strings.HasPrefix(op, "Get"), strings.HasPrefix(op, "BatchGet"), op == "Query", op == "TransactGetItems":
		return readLatency
	}
	return writeLatency
}

// simulate adds the simulated clock to a client's calls.
func simulate(stack *middleware.Stack) error {
	if err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("benchSimCall",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(context.WithValue(ctx, attemptsKey{}, new(atomic.Int64)), in)
		}), middleware.After); err != nil {
		return err
	}
	backoff := retry.NewExponentialJitterBackoff(retry.DefaultMaxBackoff) // the SDK's own
	return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("benchSimAttempt",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			s, _ := ctx.Value(simKey{}).(*simTime)
			n, _ := ctx.Value(attemptsKey{}).(*atomic.Int64)
			if s == nil || n == nil {
				return next.HandleFinalize(ctx, in)
			}
			if a := n.Add(1); a > 1 {
				d, _ := backoff.BackoffDelay(int(a-1), nil)
				s.add(d)
			}
			at := s.add(0)
			if req, ok := in.Request.(*smithyhttp.Request); ok {
				req.Header.Set(simHeader, strconv.FormatInt(int64(at), 10))
			}
			out, md, err := next.HandleFinalize(ctx, in)
			s.add(latency(middleware.GetOperationName(ctx)))
			return out, md, err
		}), "Retry", middleware.After)
}

func simClock(r *http.Request) time.Duration {
	n, _ := strconv.ParseInt(r.Header.Get(simHeader), 10, 64)
	return time.Duration(n)
}

// hotFilm is one session on sale and its crowd.
type hotFilm struct {
	name      string
	slot      booking.Slot
	residents int
	// what happened, in simulated time
	confirmed, full, gaveUp, other int
	soldOutAt, lastAnswer          time.Duration
	booked, held                   int
}

type hotResult struct {
	shards             int
	films              []*hotFilm
	requests, retries  int
	calls, throttled   int64
	hottest            []string
	elapsed, simulated time.Duration
}

// tap is a resident's next tap, at a simulated time.
type tap struct {
	at      time.Duration
	film    *hotFilm
	who     int
	attempt int
}

type taps []tap

func (t taps) Len() int           { return len(t) }
func (t taps) Less(i, j int) bool { return t[i].at < t[j].at }
func (t taps) Swap(i, j int)      { t[i], t[j] = t[j], t[i] }
func (t *taps) Push(x any)        { *t = append(*t, x.(tap)) }
func (t *taps) Pop() any {
	old := *t
	x := old[len(old)-1]
	*t = old[:len(old)-1]
	return x
}

// runHot sells the three films at once, the hot one over shards counters, in
// simulated time: the taps of each 10 ms of it run together, then the next.
func runHot(ctx context.Context, o hotOpts, shards int) (*hotResult, error) {
	const table = "wentitong-bench"
	r := &hotResult{shards: shards}
	throttle, err := dynamotest.NewThrottle(server.NewServer())
	if err != nil {
		return nil, err
	}
	throttle.Clock = simClock
	srv := httptest.NewServer(throttle)
	defer srv.Close()
	base, err := dynamo.NewClient(ctx, dynamo.ClientOptions{Endpoint: srv.URL})
	if err != nil {
		return nil, err
	}
	db := dynamodb.New(base.Options(), func(opts *dynamodb.Options) {
		// The SDK's retryer decides what to retry; its pauses are simulated (simulate).
		opts.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = o.sdkAttempts
			so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			so.RateLimiter = ratelimit.None // each function instance has its own; the bench has one client
		})
		opts.APIOptions = append(opts.APIOptions, simulate)
	})
	if err := dynamodev.EnsureTable(ctx, db, table); err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	var handlers []http.Handler
	var first *app.App
	for range o.instances {
		a, h, err := bookingsFunction(ctx, db, table)
		if err != nil {
			return nil, err
		}
		handlers = append(handlers, h)
		if first == nil {
			first = a
		}
	}
	sessions, err := first.Auth()
	if err != nil {
		return nil, err
	}
	start := now.Add(72 * time.Hour)
	for i, f := range []struct {
		name              string
		residents, places int
		hot               int
	}{{"hot", o.residents, o.places, shards}, {"film2", o.others, o.otherPlaces, 1}, {"film3", o.others, o.otherPlaces, 1}} {
		act := booking.Activity{ID: "bench-" + f.name, Kind: booking.KindFilm, Title: "新年音乐会", VenueID: "v-bench", CreatedAt: now}
		if err := first.Catalog.PutActivity(ctx, act); err != nil {
			return nil, err
		}
		slot := booking.Slot{ID: "bench-" + f.name + "-slot", ActivityID: act.ID, Kind: act.Kind, StartsAt: start.Add(time.Duration(i) * time.Hour),
			EndsAt: start.Add(time.Duration(i)*time.Hour + 2*time.Hour), Capacity: f.places, BookingOpensAt: now.Add(-time.Minute),
			BookingClosesAt: start, PerPersonLimit: 1, MaxPartySize: 1, Mode: booking.ModeFirstCome, Status: booking.SlotScheduled}
		if f.hot > 1 {
			slot.HotShards = f.hot
		}
		if err := first.Catalog.CreateSlot(ctx, slot); err != nil {
			return nil, err
		}
		r.films = append(r.films, &hotFilm{name: f.name, slot: slot, residents: f.residents})
	}

	// Every resident's token, then the first taps: spread over o.arrive.
	rnd := rand.New(rand.NewPCG(o.seed, uint64(shards)))
	tokens := map[string]string{}
	var queue taps
	for _, f := range r.films {
		for i := range f.residents {
			who := fmt.Sprintf("o-%s-%06d", f.name, i)
			s, err := sessions.Issue(ctx, who, []string{auth.RoleResident}, time.Now())
			if err != nil {
				return nil, err
			}
			tokens[who] = "Bearer " + s.Token
			queue = append(queue, tap{at: time.Duration(rnd.Int64N(int64(o.arrive) + 1)), film: f, who: i})
		}
	}
	heap.Init(&queue)

	throttle.Limit(dynamotest.ItemWriteUnits, dynamotest.ItemReadUnits, 100*time.Millisecond)
	began := time.Now()
	const step = 10 * time.Millisecond
	var mu sync.Mutex
	for queue.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		until := queue[0].at/step*step + step
		var batch []tap
		for queue.Len() > 0 && queue[0].at < until {
			batch = append(batch, heap.Pop(&queue).(tap))
		}
		next := make(chan tap)
		var wg sync.WaitGroup
		for range min(o.concurrency, len(batch)) {
			wg.Go(func() {
				for t := range next {
					who := fmt.Sprintf("o-%s-%06d", t.film.name, t.who)
					clock := &simTime{t: t.at + requestOverhead}
					req := bookingRequest(context.WithValue(ctx, simKey{}, clock), t.film.slot.ID, `{"partySize":1}`, tokens[who], "k-"+who)
					rec := httptest.NewRecorder()
					handlers[t.who%len(handlers)].ServeHTTP(rec, req)
					done := clock.add(0)
					var body struct{ Error struct{ Code string } }
					_ = json.Unmarshal(rec.Body.Bytes(), &body)
					mu.Lock()
					r.requests++
					f := t.film
					switch {
					case rec.Code == http.StatusCreated:
						f.confirmed++
						f.soldOutAt = max(f.soldOutAt, done)
					case rec.Code >= 500 || rec.Code == http.StatusTooManyRequests:
						if t.attempt+1 >= o.maxAttempts {
							f.gaveUp++
							break
						}
						r.retries++
						pause := time.Duration(float64(o.pause) * (0.5 + rnd.Float64()))
						heap.Push(&queue, tap{at: done + pause, film: f, who: t.who, attempt: t.attempt + 1})
						mu.Unlock()
						continue
					case body.Error.Code == "slot_full":
						f.full++
					default:
						f.other++
					}
					f.lastAnswer = max(f.lastAnswer, done)
					r.simulated = max(r.simulated, done)
					mu.Unlock()
				}
			})
		}
		for _, t := range batch {
			next <- t
		}
		close(next)
		wg.Wait()
	}
	r.elapsed = time.Since(began)
	st := throttle.Stats()
	r.calls, r.throttled, r.hottest = st.Calls, st.Throttled, st.Hottest
	throttle.Limit(0, 0, 0)

	// What the table holds.
	for _, f := range r.films {
		s, err := first.Catalog.Slot(ctx, f.slot.ID)
		if err != nil {
			return nil, err
		}
		f.booked = s.Booked
		bs, err := first.Bookings.OfSlot(ctx, f.slot.ID)
		if err != nil {
			return nil, err
		}
		for _, b := range bs {
			if b.Status == booking.StatusConfirmed {
				f.held += b.PartySize
			}
		}
	}
	return r, nil
}

func (f *hotFilm) oversold() int { return max(0, f.booked-f.slot.Capacity, f.held-f.slot.Capacity) }

func (f *hotFilm) soldOut() string {
	if f.held < f.slot.Capacity {
		return fmt.Sprintf("not sold out: %d of %d", f.held, f.slot.Capacity)
	}
	return fmt.Sprintf("%.2f s", f.soldOutAt.Seconds())
}

func printHot(out io.Writer, o hotOpts, runs []*hotResult) error {
	fmt.Fprintf(out, "hotevent: %d residents for %d places; two films of %d for %d each at the same time; %d function instances; first taps over %s; DynamoDB's per-item limits, in simulated time\n",
		o.residents, o.places, o.others, o.otherPlaces, o.instances, o.arrive)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	header := "  counter shards of the hot session"
	for _, r := range runs {
		header += fmt.Sprintf("\t%d", r.shards)
	}
	fmt.Fprintln(tw, header+"\t")
	row := func(name string, f func(r *hotResult) string) {
		line := "  " + name
		for _, r := range runs {
			line += "\t" + f(r)
		}
		fmt.Fprintln(tw, line+"\t")
	}
	row("hot: sold out after (simulated)", func(r *hotResult) string { return r.films[0].soldOut() })
	row("hot: last resident answered (simulated)", func(r *hotResult) string { return fmt.Sprintf("%.2f s", r.films[0].lastAnswer.Seconds()) })
	row("hot: confirmed / sold out / gave up / other", func(r *hotResult) string {
		f := r.films[0]
		return fmt.Sprintf("%d / %d / %d / %d", f.confirmed, f.full, f.gaveUp, f.other)
	})
	row("hot: places held / counter / oversold", func(r *hotResult) string {
		f := r.films[0]
		return fmt.Sprintf("%d / %d / %d", f.held, f.booked, f.oversold())
	})
	for i := 1; i < len(runs[0].films); i++ {
		row(runs[0].films[i].name+": sold out after / oversold", func(r *hotResult) string {
			f := r.films[i]
			return fmt.Sprintf("%s / %d", f.soldOut(), f.oversold())
		})
	}
	row("requests (taps again after an error)", func(r *hotResult) string { return fmt.Sprintf("%d (%d)", r.requests, r.retries) })
	row("DynamoDB calls / throttled", func(r *hotResult) string { return fmt.Sprintf("%d / %d", r.calls, r.throttled) })
	row("most throttled", func(r *hotResult) string {
		if len(r.hottest) == 0 {
			return "—"
		}
		return r.hottest[0]
	})
	row("real time", func(r *hotResult) string { return fmt.Sprintf("%.1f s", r.elapsed.Seconds()) })
	if err := tw.Flush(); err != nil {
		return err
	}
	var bad []string
	for _, r := range runs {
		fields := map[string]any{"scenario": "hotevent", "shards": r.shards, "residents": o.residents, "places": o.places,
			"requests": r.requests, "calls": r.calls, "throttled": r.throttled, "realSeconds": round(r.elapsed.Seconds())}
		for _, f := range r.films {
			fields[f.name+"SoldOutSeconds"] = round(f.soldOutAt.Seconds())
			fields[f.name+"Held"], fields[f.name+"Oversold"] = f.held, f.oversold()
			if f.oversold() > 0 {
				bad = append(bad, fmt.Sprintf("%s oversold %d with %d shards", f.name, f.oversold(), r.shards))
			}
		}
		line, err := json.Marshal(fields)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintln(out, string(line)); err != nil {
			return err
		}
	}
	slices.Sort(bad)
	if len(bad) > 0 {
		return fmt.Errorf("hotevent: %s", strings.Join(bad, "; "))
	}
	return nil
}
