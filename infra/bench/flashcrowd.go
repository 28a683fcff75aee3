package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/truora/minidyn/server"

	"github.com/wentitong/wentitong/infra/local/engine"
	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/bookingdb"
	"github.com/wentitong/wentitong/shared/dynamo/notifydb"
	"github.com/wentitong/wentitong/shared/dynamodev"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/sam"
)

func init() {
	register("flashcrowd", "residents race for one slot through the booking handlers; invariants, latency, calls, capacity units, the journal's cost", flashcrowd)
}

type crowdOpts struct {
	residents, capacity, concurrency, party int
	duplicates, waitlist, faults            float64
	seed                                    uint64
	retries, sdkAttempts, runs              int
	journal, journalDir                     string
}

func flashcrowd(ctx context.Context, args []string, out io.Writer) error {
	fs := flags("flashcrowd", out)
	o := crowdOpts{}
	fs.IntVar(&o.residents, "residents", 5000, "residents in the crowd, one booking attempt each")
	fs.IntVar(&o.capacity, "capacity", 500, "places in the slot")
	fs.IntVar(&o.concurrency, "concurrency", 64, "requests in flight at once")
	fs.IntVar(&o.party, "party", 1, "largest party size (each resident asks for 1..party places)")
	fs.Float64Var(&o.duplicates, "duplicates", 0.1, "share of residents who tap twice (a second request with another key)")
	fs.Float64Var(&o.waitlist, "waitlist", 0, "share of residents who join the waiting list when full")
	fs.Float64Var(&o.faults, "faults", 0, "share of DynamoDB calls failing with InternalServerError (half after being applied)")
	fs.IntVar(&o.retries, "retries", 10, "client retries of a 5xx answer, with the same Idempotency-Key")
	fs.IntVar(&o.sdkAttempts, "sdk-attempts", 3, "DynamoDB client attempts per call (1: every fault reaches the resident's retry)")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed")
	fs.StringVar(&o.journal, "journal", "both", "the local runner's journal under the engine: off, on, or both (the crowd twice, off then on)")
	fs.IntVar(&o.runs, "runs", 1, "runs of each mode, alternating off and on; the journal's cost compares their medians")
	fs.StringVar(&o.journalDir, "journal-dir", ".", "where the journal is kept, in a temporary directory removed afterwards (the disk the runner's -data is on)")
	quick := fs.Bool("quick", false, "a run of a few seconds: 1000 residents, 200 places, concurrency 32")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *quick {
		o.residents, o.capacity, o.concurrency = 1000, 200, 32
	}
	if o.residents < 1 || o.capacity < 1 || o.concurrency < 1 || o.party < 1 || o.sdkAttempts < 1 || o.runs < 1 || o.faults < 0 || o.faults >= 1 {
		return fmt.Errorf("flashcrowd: residents, capacity, concurrency, party, sdk-attempts and runs must be positive, faults in [0,1)")
	}
	var modes []bool // journaled or not
	switch o.journal {
	case "off":
		modes = []bool{false}
	case "on":
		modes = []bool{true}
	case "both":
		modes = []bool{false, true}
	default:
		return fmt.Errorf("flashcrowd: -journal is off, on or both, not %q", o.journal)
	}
	// Alternating the modes spreads the machine's other load over both alike.
	runs := make([][]*crowdResult, len(modes)) // by mode
	for range o.runs {
		for m, journaled := range modes {
			r, err := runCrowd(ctx, o, journaled)
			if err != nil {
				return err
			}
			runs[m] = append(runs[m], r)
		}
	}
	for _, rs := range runs {
		if err := rs[len(rs)-1].printTable(out); err != nil {
			return err
		}
	}
	return printCrowd(out, runs)
}

// tally is what the DynamoDB calls of one request cost, gathered through its context:
// the booking's own calls apart from the session check's (those made before the request
// was authenticated: the person's standing, read once per auth.StandingTTL per instance).
type tally struct {
	calls    atomic.Int64
	wcu, rcu atomic.Int64 // in thousandths
	session  struct {
		calls atomic.Int64
		rcu   atomic.Int64 // in thousandths
	}
}

type tallyKey struct{}

// meter counts every call (with retries) and estimates its capacity units under
// DynamoDB's pricing: 1 WCU per KB written (doubled in a transaction, condition checks
// included), 0.5 RCU per eventually consistent 4 KB read and 1 per strongly consistent.
func meter(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("benchMeter",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			res, md, err := next.HandleInitialize(ctx, in)
			t, _ := ctx.Value(tallyKey{}).(*tally)
			if t == nil {
				return res, md, err
			}
			w, r := units(in.Parameters, res.Result)
			if _, signedIn := auth.FromContext(ctx); !signedIn {
				t.session.calls.Add(1)
				t.session.rcu.Add(int64(r * 1000))
				return res, md, err
			}
			t.calls.Add(1)
			t.wcu.Add(int64(w * 1000))
			t.rcu.Add(int64(r * 1000))
			return res, md, err
		}), middleware.After)
}

func units(in, out any) (wcu, rcu float64) {
	readUnits := func(items []map[string]types.AttributeValue, consistent bool, minimum int) float64 {
		per := 0.5
		if consistent {
			per = 1
		}
		n := 0
		for _, it := range items {
			n += (itemSize(it) + 4095) / 4096
		}
		return per * float64(max(n, minimum))
	}
	switch in := in.(type) {
	case *dynamodb.TransactWriteItemsInput:
		for _, it := range in.TransactItems {
			kb := 1
			if it.Put != nil {
				kb = (itemSize(it.Put.Item) + 1023) / 1024
			}
			wcu += 2 * float64(kb)
		}
	case *dynamodb.PutItemInput:
		wcu = float64((itemSize(in.Item) + 1023) / 1024)
	case *dynamodb.UpdateItemInput:
		wcu = 1
	case *dynamodb.GetItemInput:
		var items []map[string]types.AttributeValue
		if o, ok := out.(*dynamodb.GetItemOutput); ok && o.Item != nil {
			items = append(items, o.Item)
		}
		rcu = readUnits(items, aws.ToBool(in.ConsistentRead), 1)
	case *dynamodb.BatchGetItemInput:
		keys := 0
		for _, ka := range in.RequestItems {
			keys += len(ka.Keys)
		}
		rcu = 0.5 * float64(keys) // every key is charged, found or not
		if o, ok := out.(*dynamodb.BatchGetItemOutput); ok {
			for _, items := range o.Responses {
				rcu += readUnits(items, false, 0) - 0.5*float64(len(items))
			}
		}
	case *dynamodb.QueryInput:
		if o, ok := out.(*dynamodb.QueryOutput); ok {
			size := 0
			for _, it := range o.Items {
				size += itemSize(it)
			}
			per := 0.5
			if aws.ToBool(in.ConsistentRead) {
				per = 1
			}
			rcu = per * float64(max(1, (size+4095)/4096))
		}
	}
	return wcu, rcu
}

// itemSize approximates DynamoDB's item size: names plus values.
func itemSize(it map[string]types.AttributeValue) int {
	n := 0
	for k, v := range it {
		n += len(k) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return len(v.Value)/2 + 1
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberM:
		return 3 + itemSize(v.Value)
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range v.Value {
			n += len(s)
		}
		return n
	}
	return 1
}

// bucket sums the requests that ended one way.
type bucket struct {
	requests            int
	calls               int64
	wcuM, rcuM          int64
	sessCalls, sessRCUM int64
	latencies           []time.Duration
}

func (b *bucket) add(t *tally, d time.Duration) {
	b.requests++
	b.calls += t.calls.Load()
	b.wcuM += t.wcu.Load()
	b.rcuM += t.rcu.Load()
	b.sessCalls += t.session.calls.Load()
	b.sessRCUM += t.session.rcu.Load()
	b.latencies = append(b.latencies, d)
}

// refusal is a refused request: when it began (since the crowd's start), its calls and
// its latency.
type refusal struct {
	start time.Duration
	t     *tally
	d     time.Duration
}

// session is what the session check cost a request on average: calls and RCU.
func (b *bucket) session() (calls, rcu float64) {
	if b.requests == 0 {
		return 0, 0
	}
	n := float64(b.requests)
	return float64(b.sessCalls) / n, float64(b.sessRCUM) / 1000 / n
}

func (b *bucket) per() (calls, wcu, rcu float64) {
	if b.requests == 0 {
		return 0, 0, 0
	}
	n := float64(b.requests)
	return float64(b.calls) / n, float64(b.wcuM) / 1000 / n, float64(b.rcuM) / 1000 / n
}

type crowdResult struct {
	o                                  crowdOpts
	attempts, requests                 int
	confirmed, waitlisted, full, dup   int
	otherRefusals, gaveUp              int
	booked, placesHeld                 int
	oversold, duplicates, lost         int
	outbox, items                      int
	elapsed, soldOutAt                 time.Duration
	all, ok, refused, failed           bucket
	afterSoldOut                       bucket // refusals that began after the last place went
	faultsInjected                     int64
	baselineTx                         int
	baselineErr                        error
	baselineElapsed                    time.Duration
	baselineP50, baselineP99, p50, p99 time.Duration
	journal                            *engine.Engine // nil: the engine alone
	journalDir                         string
	journalStats                       engine.Stats // of the whole run, baseline included
}

// runCrowd runs the crowd against a fresh engine, behind the local runner's journal
// when journaled.
func runCrowd(ctx context.Context, o crowdOpts, journaled bool) (_ *crowdResult, err error) {
	const table = "wentitong-bench"
	r := &crowdResult{o: o}
	var eng http.Handler = server.NewServer()
	if journaled {
		dir, err := os.MkdirTemp(o.journalDir, ".bench-journal-")
		if err != nil {
			return nil, fmt.Errorf("flashcrowd: journal directory: %w", err)
		}
		defer os.RemoveAll(dir)
		j, err := engine.Open(ctx, engine.Options{Dir: dir, Table: table})
		if err != nil {
			return nil, err
		}
		defer func() { err = errors.Join(err, j.Close(context.WithoutCancel(ctx))) }()
		eng, r.journal, r.journalDir = j, j, dir
	}
	stream := dynamotest.NewStream(eng) // the table's stream: the notifier queues the confirmations from it
	faults := dynamotest.NewFaults(stream)
	srv := httptest.NewServer(faults)
	defer srv.Close()
	base, err := dynamo.NewClient(ctx, dynamo.ClientOptions{Endpoint: srv.URL, MaxAttempts: o.sdkAttempts, RetryBackoff: 2 * time.Millisecond})
	if err != nil {
		return nil, err
	}
	db := dynamodb.New(base.Options(), func(opts *dynamodb.Options) { opts.APIOptions = append(opts.APIOptions, meter) })
	if err := dynamodev.EnsureTable(ctx, db, table); err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	a, h, err := bookingsFunction(ctx, db, table)
	if err != nil {
		return nil, err
	}
	sessions, err := a.Auth()
	if err != nil {
		return nil, err
	}
	act := booking.Activity{ID: "bench-film", Kind: booking.KindFilm, Title: "周末公益电影", VenueID: "v-bench", CreatedAt: now}
	if err := a.Catalog.PutActivity(ctx, act); err != nil {
		return nil, err
	}
	start := now.Add(48 * time.Hour)
	slot := booking.Slot{ID: "bench-slot", ActivityID: act.ID, Kind: act.Kind, StartsAt: start, EndsAt: start.Add(2 * time.Hour),
		Capacity: o.capacity, BookingOpensAt: now.Add(-time.Minute), BookingClosesAt: start, PerPersonLimit: 1,
		MaxPartySize: o.party, Mode: booking.ModeFirstCome, Status: booking.SlotScheduled}
	if err := a.Catalog.CreateSlot(ctx, slot); err != nil {
		return nil, err
	}

	// The crowd: each resident one request (some two), each retried on 5xx with its key.
	// Their profiles are written first, so that the baseline runs on the same table.
	rnd := rand.New(rand.NewPCG(o.seed, o.seed+1))
	type job struct {
		who             int
		key, body, auth string
	}
	var jobs []job
	for i := range o.residents {
		openid := fmt.Sprintf("o-bench-%06d", i)
		// Each resident signed in before (the sign-in records the profile whose standing
		// the session check reads); none is in the instance's standing memory.
		if _, err := sessions.People.SignedIn(ctx, openid, now); err != nil {
			return nil, err
		}
		s, err := sessions.Issue(context.Background(), openid, []string{auth.RoleResident}, time.Now())
		if err != nil {
			return nil, err
		}
		body := fmt.Sprintf(`{"partySize":%d,"waitlist":%t}`, 1+rnd.IntN(o.party), rnd.Float64() < o.waitlist)
		jobs = append(jobs, job{i, fmt.Sprintf("k%d-0", i), body, "Bearer " + s.Token})
		if rnd.Float64() < o.duplicates {
			jobs = append(jobs, job{i, fmt.Sprintf("k%d-1", i), body, "Bearer " + s.Token})
		}
	}
	rnd.Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })

	// The baseline before the crowd, on the same table: the raw engine's TransactWriteItems
	// of the same items (a booking item as the service writes it, the slot's counter, the
	// person's holds), as many as there are places. Its items are then deleted, so the crowd starts from the
	// same table and both grow alike (minidyn's transactions slow down as the table grows).
	booked, err := bookingItem(ctx, a, base, table, slot)
	if err != nil {
		return nil, err
	}
	if err := baseline(ctx, base, table, booked, o.capacity, o.concurrency, r); err != nil {
		return nil, err
	}

	r.attempts = len(jobs)
	faults.Set(o.faults, o.seed)
	var (
		mu       sync.Mutex
		told     = map[int][]string{} // confirmed booking ids each resident was told
		queue    = make(chan job)
		wg       sync.WaitGroup
		began    = time.Now()
		requests atomic.Int64
		refusals []refusal // each refused request's start, to tell those after the sale sold out
	)
	for range o.concurrency {
		wg.Go(func() {
			for j := range queue {
				for attempt := 0; ; attempt++ {
					t := &tally{}
					req := bookingRequest(context.WithValue(ctx, tallyKey{}, t), slot.ID, j.body, j.auth, j.key)
					rec := httptest.NewRecorder()
					t0 := time.Now()
					h.ServeHTTP(rec, req)
					d := time.Since(t0)
					requests.Add(1)
					var body struct {
						ID, Status string
						Error      struct{ Code string }
					}
					_ = json.Unmarshal(rec.Body.Bytes(), &body)
					mu.Lock()
					r.all.add(t, d)
					switch {
					case rec.Code == http.StatusCreated:
						r.ok.add(t, d)
						r.confirmed++
						told[j.who] = append(told[j.who], body.ID)
						r.soldOutAt = max(r.soldOutAt, time.Since(began))
					case rec.Code >= 500:
						r.failed.add(t, d)
					default:
						r.refused.add(t, d)
						refusals = append(refusals, refusal{t0.Sub(began), t, d})
						switch {
						case rec.Code == http.StatusAccepted:
							r.waitlisted++
						case body.Error.Code == "slot_full":
							r.full++
						case body.Error.Code == "already_booked":
							r.dup++
						default:
							r.otherRefusals++
						}
					}
					mu.Unlock()
					if rec.Code < 500 {
						break
					}
					if attempt == o.retries {
						mu.Lock()
						r.gaveUp++
						mu.Unlock()
						break
					}
				}
			}
		})
	}
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	wg.Wait()
	r.elapsed = time.Since(began)
	for _, f := range refusals {
		if f.start > r.soldOutAt {
			r.afterSoldOut.add(f.t, f.d)
		}
	}
	r.requests = int(requests.Load())
	r.faultsInjected = faults.Injected()
	faults.Set(0, 0)

	// The invariants, read back from the table with the SDK's retries: with one attempt
	// per call, a connection a fault of the run broke would fail the read-back.
	verify := dynamodb.New(db.Options(), func(o *dynamodb.Options) { o.RetryMaxAttempts = 5 })
	s, err := (&bookingdb.Catalog{DB: verify, Table: table}).Slot(ctx, slot.ID)
	if err != nil {
		return nil, err
	}
	r.booked = s.Booked
	r.oversold = max(0, s.Booked-o.capacity)
	bs, err := (&bookingdb.Bookings{DB: verify, Table: table}).OfSlot(ctx, slot.ID)
	if err != nil {
		return nil, err
	}
	held := map[string]string{}
	for _, b := range bs {
		if b.Status == booking.StatusConfirmed {
			r.placesHeld += b.PartySize
			held[b.OpenID] = b.ID
		}
	}
	r.oversold = max(r.oversold, r.placesHeld-o.capacity)
	for who, ids := range told {
		slices.Sort(ids)
		if len(slices.Compact(ids)) > 1 {
			r.duplicates++
		}
		if held[fmt.Sprintf("o-bench-%06d", who)] != ids[0] {
			r.lost++ // told confirmed, but the table does not hold it
		}
	}
	tmpl, err := sam.LoadDefault()
	if err != nil {
		return nil, err
	}
	fn, err := tmpl.Function("NotifierFunction")
	if err != nil {
		return nil, err
	}
	notices, err := dynamotest.NewFeed(stream, a.Announcements(), fn)
	if err != nil {
		return nil, err
	}
	if _, err := notices.Poll(ctx); err != nil {
		return nil, err
	}
	pending, err := notifydb.PendingOutbox(ctx, verify, table, now.AddDate(1, 0, 0), int32(o.capacity+o.residents))
	if err != nil {
		return nil, err
	}
	for _, it := range pending {
		if k, _ := dynamo.StringAttr(it, "kind"); k == booking.MsgConfirmed {
			r.outbox++
		}
	}
	if r.items, err = countItems(ctx, verify, table); err != nil {
		return nil, err
	}
	r.p50, r.p99 = percentiles(r.all.latencies)
	if r.journal != nil {
		r.journalStats = r.journal.Stats()
	}
	return r, nil
}

// bookingsFunction is one instance of the bookings function on table: its platform and
// its handler.
func bookingsFunction(ctx context.Context, db *dynamodb.Client, table string) (*app.App, http.Handler, error) {
	a, err := app.New(ctx, benchConfig(table), app.Options{DB: db, LogOutput: io.Discard})
	if err != nil {
		return nil, nil, err
	}
	h, err := a.HTTP("BookingsFunction")
	return a, h, err
}

// bookingRequest is a resident's booking request (JSON body, Authorization, key) for
// slotID.
func bookingRequest(ctx context.Context, slotID, body, auth, key string) *http.Request {
	req := httptest.NewRequestWithContext(ctx, "POST", "/api/v1/slots/"+slotID+"/bookings", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", auth)
	req.Header.Set(booking.IdempotencyHeader, key)
	return req
}

func countItems(ctx context.Context, db *dynamodb.Client, table string) (int, error) {
	// A Scan is fine here: this is the benchmark's report, not a request path.
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(table), Select: types.SelectCount})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, err
		}
		n += int(page.Count)
	}
	return n, nil
}

// bookingTemplate names the booking bookingItem makes: its holder, and its session.
const (
	templateHolder = "o-bench-template"
	templateSlot   = "bench-template"
)

// bookingItem returns a booking item as the service writes it (its ticket, the key's
// record, its index keys), for the baseline to write the same items: it books a session
// like slot, reads the booking, and deletes what the booking wrote.
func bookingItem(ctx context.Context, a *app.App, db *dynamodb.Client, table string, slot booking.Slot) (map[string]types.AttributeValue, error) {
	slot.ID = templateSlot
	if err := a.Catalog.CreateSlot(ctx, slot); err != nil {
		return nil, err
	}
	svc, err := a.Booking()
	if err != nil {
		return nil, err
	}
	if _, err := svc.Book(ctx, templateHolder, slot.ID, "k-template", booking.Request{PartySize: 1}); err != nil {
		return nil, fmt.Errorf("baseline's booking: %w", err)
	}
	item, err := dynamo.GetItem(ctx, db, table, "baseline's booking", dynamo.SlotPK(slot.ID), dynamo.BookingSK(templateHolder), true)
	if err != nil || item == nil {
		return nil, fmt.Errorf("baseline's booking: %v not found", err)
	}
	for _, k := range [][2]string{{dynamo.SlotPK(slot.ID), dynamo.SKSlot}, {dynamo.SlotPK(slot.ID), dynamo.SKListing},
		{dynamo.SlotPK(slot.ID), dynamo.BookingSK(templateHolder)}, {dynamo.UserPK(templateHolder), dynamo.SKHolds}} {
		if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: dynamo.Key(k[0], k[1])}); err != nil {
			return nil, fmt.Errorf("baseline's booking: %w", err)
		}
	}
	return item, nil
}

// baseline runs n raw TransactWriteItems of a booking's items, concurrency at once: the
// booking item (booked's attributes, its holder and session replaced), the session's
// counter and the person's holds.
func baseline(ctx context.Context, db *dynamodb.Client, table string, booked map[string]types.AttributeValue, n, concurrency int, r *crowdResult) error {
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	num := func(v int) types.AttributeValue { return &types.AttributeValueMemberN{Value: strconv.Itoa(v)} }
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
		"PK": s("SLOT#baseline"), "SK": s("SLOT"), "Free": num(n), "Booked": num(0), "Capacity": num(n),
	}})
	if err != nil {
		return err
	}
	var (
		mu   sync.Mutex
		lats []time.Duration
		wg   sync.WaitGroup
		next atomic.Int64
	)
	began := time.Now()
	for range concurrency {
		wg.Go(func() {
			for {
				i := int(next.Add(1))
				if i > n {
					return
				}
				who := fmt.Sprintf("o-base-%06d", i)
				var tx dynamo.Tx
				tx.Idempotent(fmt.Sprintf("baseline-%06d", i), nil)
				for _, it := range []types.TransactWriteItem{
					{Put: &types.Put{TableName: aws.String(table), ConditionExpression: aws.String("attribute_not_exists(PK)"),
						Item: rewrite(booked, strings.NewReplacer(templateHolder, who, templateSlot, "baseline"))}},
					{Update: &types.Update{TableName: aws.String(table), Key: map[string]types.AttributeValue{"PK": s("SLOT#baseline"), "SK": s("SLOT")},
						UpdateExpression: aws.String("ADD #f :m, #b :p"), ConditionExpression: aws.String("#f >= :p"),
						ExpressionAttributeNames: map[string]string{"#f": "Free", "#b": "Booked"}, ExpressionAttributeValues: map[string]types.AttributeValue{":m": num(-1), ":p": num(1)}}},
					{Update: &types.Update{TableName: aws.String(table), Key: map[string]types.AttributeValue{"PK": s("USER#" + who), "SK": s("HOLDS")},
						UpdateExpression: aws.String("ADD #h :one"), ConditionExpression: aws.String("attribute_not_exists(#h) OR #h < :one"),
						ExpressionAttributeNames: map[string]string{"#h": "held#baseline"}, ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1)}}},
				} {
					tx.Add(it, nil, nil)
				}
				t0 := time.Now()
				if err := dynamo.Transact(ctx, db, table, "baseline", &tx); err != nil {
					mu.Lock()
					r.baselineErr = err
					mu.Unlock()
					continue
				}
				d := time.Since(t0)
				mu.Lock()
				lats = append(lats, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	r.baselineElapsed = time.Since(began)
	r.baselineTx = len(lats)
	if r.baselineTx == 0 && r.baselineErr != nil {
		return fmt.Errorf("baseline: %w", r.baselineErr)
	}
	r.baselineP50, r.baselineP99 = percentiles(lats)
	return deleteBaseline(ctx, db, table, n)
}

// rewrite returns a copy of item with r applied to its top-level strings.
func rewrite(item map[string]types.AttributeValue, r *strings.Replacer) map[string]types.AttributeValue {
	out := make(map[string]types.AttributeValue, len(item))
	for k, v := range item {
		if sv, ok := v.(*types.AttributeValueMemberS); ok {
			v = &types.AttributeValueMemberS{Value: r.Replace(sv.Value)}
		}
		out[k] = v
	}
	return out
}

// deleteBaseline removes what baseline wrote, 25 items a BatchWriteItem.
func deleteBaseline(ctx context.Context, db *dynamodb.Client, table string, n int) error {
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	keys := [][2]string{{"SLOT#baseline", "SLOT"}}
	for i := 1; i <= n; i++ {
		who := fmt.Sprintf("o-base-%06d", i)
		keys = append(keys, [2]string{"SLOT#baseline", "BOOKING#" + who}, [2]string{"USER#" + who, "HOLDS"})
	}
	for len(keys) > 0 {
		var reqs []types.WriteRequest
		for _, k := range keys[:min(25, len(keys))] {
			reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{"PK": s(k[0]), "SK": s(k[1])}}})
		}
		keys = keys[min(25, len(keys)):]
		out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: reqs}})
		if err != nil {
			return fmt.Errorf("baseline cleanup: %w", err)
		}
		for _, u := range out.UnprocessedItems[table] {
			k := u.DeleteRequest.Key
			keys = append(keys, [2]string{k["PK"].(*types.AttributeValueMemberS).Value, k["SK"].(*types.AttributeValueMemberS).Value})
		}
	}
	return nil
}

func percentiles(ds []time.Duration) (p50, p99 time.Duration) {
	if len(ds) == 0 {
		return 0, 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)*50/100], s[min(len(s)-1, len(s)*99/100)]
}

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// rates are the run's figures that the journal moves.
func (r *crowdResult) rates() (requests, confirmed, baseline float64) {
	return rate(r.requests, r.elapsed), rate(r.confirmed, r.soldOutAt), rate(r.baselineTx, r.baselineElapsed)
}

// crowdFigures are what the table and the JSON line report of a run.
type crowdFigures struct {
	attemptsPerSec, confirmedPerSec, baselinePerSec, ratio float64
	okCalls, okW, okR, noCalls, noW, noR, allCalls         float64
	soldCalls, soldW, soldR                                float64 // refusals begun after the sale sold out
	sessCalls, sessR                                       float64 // the session check, per request
}

func (r *crowdResult) figures() crowdFigures {
	var f crowdFigures
	f.attemptsPerSec, f.confirmedPerSec, f.baselinePerSec = r.rates()
	if f.baselinePerSec > 0 {
		f.ratio = f.confirmedPerSec / f.baselinePerSec
	}
	f.okCalls, f.okW, f.okR = r.ok.per()
	f.noCalls, f.noW, f.noR = r.refused.per()
	f.soldCalls, f.soldW, f.soldR = r.afterSoldOut.per()
	f.allCalls, _, _ = r.all.per()
	f.sessCalls, f.sessR = r.all.session()
	f.allCalls += f.sessCalls
	return f
}

func (r *crowdResult) journalName() string {
	if r.journal == nil {
		return "journal off"
	}
	return "journal on"
}

func (r *crowdResult) printTable(out io.Writer) error {
	f := r.figures()
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "flashcrowd (%s)\tresidents %d, capacity %d, concurrency %d, party ≤%d, faults %.2f\t\n", r.journalName(), r.o.residents, r.o.capacity, r.o.concurrency, r.o.party, r.o.faults)
	rows := [][2]string{
		{"attempts (requests incl. retries)", fmt.Sprintf("%d (%d)", r.attempts, r.requests)},
		{"confirmed / waitlisted", fmt.Sprintf("%d / %d", r.confirmed, r.waitlisted)},
		{"refused slot_full / already_booked / other", fmt.Sprintf("%d / %d / %d", r.full, r.dup, r.otherRefusals)},
		{"5xx answers retried / given up", fmt.Sprintf("%d / %d", r.failed.requests, r.gaveUp)},
		{"faults injected", fmt.Sprint(r.faultsInjected)},
		{"places booked (counter / bookings)", fmt.Sprintf("%d / %d of %d", r.booked, r.placesHeld, r.o.capacity)},
		{"oversold / duplicates / lost confirmations", fmt.Sprintf("%d / %d / %d", r.oversold, r.duplicates, r.lost)},
		{"confirmation outbox items", fmt.Sprint(r.outbox)},
		{"requests/s (whole run)", fmt.Sprintf("%.0f in %.2fs", f.attemptsPerSec, r.elapsed.Seconds())},
		{"confirmed bookings/s (until sold out)", fmt.Sprintf("%.0f in %.2fs", f.confirmedPerSec, r.soldOutAt.Seconds())},
		{"latency p50 / p99", fmt.Sprintf("%.2f ms / %.2f ms", ms(r.p50), ms(r.p99))},
		{"DynamoDB calls per request (all)", fmt.Sprintf("%.2f", f.allCalls)},
		{"session check per request: calls, RCU", fmt.Sprintf("%.2f, %.2f (the person's standing, read once per %s per instance)", f.sessCalls, f.sessR, auth.StandingTTL)},
		{"per confirmed booking, after the session check: calls, WCU, RCU", fmt.Sprintf("%.2f, %.2f, %.2f", f.okCalls, f.okW, f.okR)},
		{"per refused attempt, after the session check: calls, WCU, RCU", fmt.Sprintf("%.2f, %.2f, %.2f", f.noCalls, f.noW, f.noR)},
		{"  of which begun once sold out: calls, WCU, RCU", fmt.Sprintf("%.2f, %.2f, %.2f (%d refusals; the rest raced the last places)", f.soldCalls, f.soldW, f.soldR, r.afterSoldOut.requests)},
		{"table items", fmt.Sprint(r.items)},
		{"baseline: raw TransactWriteItems (3 items)/s", fmt.Sprintf("%.0f (%d in %.2fs, p50 %.2f ms, p99 %.2f ms)", f.baselinePerSec, r.baselineTx, r.baselineElapsed.Seconds(), ms(r.baselineP50), ms(r.baselineP99))},
		{"ratio: confirmed bookings/s ÷ raw tx/s", fmt.Sprintf("%.2f", f.ratio)},
	}
	if st := r.journalStats; r.journal != nil {
		rows = append(rows, [2]string{"journal: writes, fsyncs (writes each), MB", fmt.Sprintf("%d, %d (%.1f), %.1f in %s",
			st.Records, st.Flushes, perFlush(st), float64(st.Bytes)/(1<<20), r.journalDir)},
			[2]string{"journal: mean write+fsync", fmt.Sprintf("%.2f ms", ms(meanFlush(st)))})
	}
	for _, row := range rows {
		fmt.Fprintf(tw, "  %s\t%s\t\n", row[0], row[1])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(out)
	return err
}

func perFlush(st engine.Stats) float64 {
	if st.Flushes == 0 {
		return 0
	}
	return float64(st.Records) / float64(st.Flushes)
}

func meanFlush(st engine.Stats) time.Duration {
	if st.Flushes == 0 {
		return 0
	}
	return st.SyncTime / time.Duration(st.Flushes)
}

// printCrowd prints the journal's cost when both modes ran (medians of their runs), and
// one JSON line: the last run's figures, with the cost beside them. It fails when a run
// broke an invariant.
func printCrowd(out io.Writer, runs [][]*crowdResult) error {
	last := runs[len(runs)-1]
	r := last[len(last)-1]
	f := r.figures()
	fields := map[string]any{
		"scenario": "flashcrowd", "residents": r.o.residents, "capacity": r.o.capacity, "concurrency": r.o.concurrency,
		"faults": r.o.faults, "attempts": r.attempts, "requests": r.requests, "confirmed": r.confirmed,
		"waitlisted": r.waitlisted, "slotFull": r.full, "alreadyBooked": r.dup, "gaveUp": r.gaveUp,
		"oversold": r.oversold, "duplicates": r.duplicates, "lost": r.lost, "outbox": r.outbox,
		"requestsPerSec": round(f.attemptsPerSec), "confirmedPerSec": round(f.confirmedPerSec),
		"p50Ms": round(ms(r.p50)), "p99Ms": round(ms(r.p99)), "callsPerRequest": round(f.allCalls),
		"confirmedCalls": round(f.okCalls), "confirmedWCU": round(f.okW), "confirmedRCU": round(f.okR),
		"refusedCalls": round(f.noCalls), "refusedWCU": round(f.noW), "refusedRCU": round(f.noR),
		"sessionCalls": round(f.sessCalls), "sessionRCU": round(f.sessR),
		"soldOutCalls": round(f.soldCalls), "soldOutWCU": round(f.soldW), "soldOutRCU": round(f.soldR),
		"tableItems": r.items, "baselineTxPerSec": round(f.baselinePerSec), "ratio": round(f.ratio),
		"journal": r.journal != nil, "runs": r.o.runs,
	}
	if r.journal != nil {
		st := r.journalStats
		fields["journalWrites"], fields["journalFsyncs"], fields["journalBytes"] = st.Records, st.Flushes, st.Bytes
		fields["journalMeanFsyncMs"] = round(ms(meanFlush(st)))
	}
	if len(runs) == 2 {
		off, on := medians(runs[0]), medians(runs[1])
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "the journal's cost (same run, median of %d each)\tjournal off\tjournal on\tchange\t\n", len(runs[0]))
		for i, name := range []string{"requests/s", "confirmed bookings/s", "latency p50 (ms)", "latency p99 (ms)", "raw TransactWriteItems/s"} {
			change := "—"
			if off[i] != 0 {
				change = fmt.Sprintf("%+.0f%%", (on[i]-off[i])/off[i]*100)
			}
			fmt.Fprintf(tw, "  %s\t%.2f\t%.2f\t%s\t\n", name, off[i], on[i], change)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for i, name := range []string{"RequestsPerSec", "ConfirmedPerSec", "P50Ms", "P99Ms", "BaselineTxPerSec"} {
			fields["off"+name], fields["on"+name] = round(off[i]), round(on[i])
		}
	}
	line, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(out, string(line)); err != nil {
		return err
	}
	for _, rs := range runs {
		for _, r := range rs {
			if r.oversold > 0 || r.duplicates > 0 || r.lost > 0 {
				return fmt.Errorf("flashcrowd (%s): invariants broken: oversold %d, duplicates %d, lost %d", r.journalName(), r.oversold, r.duplicates, r.lost)
			}
		}
	}
	return nil
}

// medians are the runs' median requests/s, confirmed bookings/s, p50 and p99 (ms) and
// raw transactions/s.
func medians(rs []*crowdResult) [5]float64 {
	var cols [5][]float64
	for _, r := range rs {
		req, conf, raw := r.rates()
		for i, v := range []float64{req, conf, ms(r.p50), ms(r.p99), raw} {
			cols[i] = append(cols[i], v)
		}
	}
	var m [5]float64
	for i, c := range cols {
		slices.Sort(c)
		m[i] = c[len(c)/2]
	}
	return m
}

func round(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }
