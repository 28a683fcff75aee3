package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/uuid"

	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/volunteer"
	"github.com/wentitong/wentitong/shared/wechattest"
)

func init() {
	register("shift-signups", "active volunteers racing for a shift's places: rate, latency, calls per attempt, capacity invariant", runShiftSignups)
}

// idNumber makes the i-th valid ID number of a run (GB 11643 check character).
func idNumber(i int) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	birth := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/900)
	first := "430223" + birth.Format("20060102") + fmt.Sprintf("%03d", 100+i%900)
	sum := 0
	for k := range 17 {
		sum += int(first[k]-'0') * weights[k]
	}
	return first + string("10X98765432"[sum%11])
}

func runShiftSignups(ctx context.Context, args []string, out io.Writer) error {
	fs := flags("shift-signups", out)
	n := fs.Int("volunteers", 400, "active volunteers signing up at once")
	capacity := fs.Int("capacity", 50, "the shift's places")
	workers := fs.Int("workers", 32, "concurrent requests")
	if err := fs.Parse(args); err != nil {
		return err
	}
	fake := wechattest.NewFake(wechattest.AppID, wechattest.AppSecret)
	const table = "wentitong-bench"
	rg, err := newRig(ctx, table, fake)
	if err != nil {
		return err
	}
	defer rg.Close()
	db, counter := rg.db, rg.counter
	cfg := config.Config{TableName: table, WeChatAppID: wechattest.AppID, WeChatAppSecret: wechattest.AppSecret,
		WeChatAPIBase: rg.wxURL, SessionSecret: "bench-session-secret-0123456789abcdef",
		IDHashKey: "bench-id-number-hash-key-0123456789abcdef"}
	a, err := app.New(ctx, cfg, app.Options{DB: db, LogOutput: io.Discard})
	if err != nil {
		return err
	}
	svc := a.Volunteer()

	// The world: a county, a venue, n approved volunteers and one shift tomorrow.
	city := directory.Root("430200", "株洲市")
	county := city.Child("430223", "攸县", directory.LevelCounty)
	for _, d := range []directory.District{city, county} {
		if err := a.Directory.PutDistrict(ctx, d); err != nil {
			return err
		}
	}
	if err := a.Directory.PutVenue(ctx, directory.Venue{ID: "v-bench", Name: "攸县文化馆", Kind: directory.VenueCultureCentre,
		DistrictID: county.ID, Location: directory.Location{Lat: 27.0, Lng: 113.3}}); err != nil {
		return err
	}
	admin := auth.Claims{OpenID: "o-admin", Roles: []string{auth.RoleAdmin}}
	setup := time.Now()
	openids := make([]string, *n)
	for i := range *n {
		openids[i] = "o-bench-" + strconv.Itoa(i)
		v, err := svc.Apply(ctx, openids[i], volunteer.Application{Name: "志愿者", Phone: "13800138000", IDNumber: idNumber(i),
			DistrictID: county.ID, Category: volunteer.CategoryCulture})
		if err != nil {
			return fmt.Errorf("apply %d: %w", i, err)
		}
		if _, err := svc.Decide(ctx, admin, v.ID, volunteer.ActionApprove, ""); err != nil {
			return fmt.Errorf("approve %d: %w", i, err)
		}
	}
	start := time.Now().Add(24 * time.Hour).Truncate(time.Hour)
	sh, err := svc.CreateShift(ctx, admin, volunteer.Shift{Title: "压测班次", VenueID: "v-bench", StartsAt: start,
		EndsAt: start.Add(3 * time.Hour), Capacity: *capacity})
	if err != nil {
		return err
	}
	setupTook := time.Since(setup)

	// The race.
	counter.Reset()
	var (
		next            atomic.Int64
		ok, full, other atomic.Int64
		mu              sync.Mutex
		lat             []time.Duration
		wg              sync.WaitGroup
	)
	began := time.Now()
	for range *workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= *n {
					return
				}
				t0 := time.Now()
				_, err := svc.SignUp(ctx, openids[i], sh.ID)
				d := time.Since(t0)
				switch {
				case err == nil:
					ok.Add(1)
				case fault.CodeOf(err) == volunteer.ErrShiftFull.Code:
					full.Add(1)
				default:
					other.Add(1)
				}
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	took := time.Since(began)
	calls := counter.Snapshot()

	// Invariants: the counter, the sign-up items and the successes agree, and never
	// exceed capacity.
	got, err := a.Volunteers.Shift(ctx, sh.ID)
	if err != nil {
		return err
	}
	items := 0
	for _, id := range openids {
		v, err := a.Volunteers.VolunteerOf(ctx, id)
		if err != nil {
			return err
		}
		if sg, found, err := a.Volunteers.Signup(ctx, sh.ID, v.ID); err != nil {
			return err
		} else if found && sg.Status == volunteer.SignedUp {
			items++
		}
	}
	invariant := got.SignedUp == int(ok.Load()) && items == int(ok.Load()) && items <= *capacity && other.Load() == 0

	// Baselines on the same engine: conditional UpdateItem of one counter, and a
	// two-item TransactWriteItems (the sign-up's shape), with the same concurrency.
	updRate, err := signupBaseline(ctx, db, table, *n, *workers, false)
	if err != nil {
		return err
	}
	txRate, err := signupBaseline(ctx, db, table, *n, *workers, true)
	if err != nil {
		return err
	}

	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	rate := float64(*n) / took.Seconds()
	var total int64
	for _, c := range calls {
		total += c
	}
	fmt.Fprintf(out, "shift-signups: %d active volunteers, %d places, %d workers (setup %v)\n", *n, *capacity, *workers, setupTook.Round(time.Millisecond))
	fmt.Fprintf(out, "  %-34s %10.0f /s\n", "sign-up attempts", rate)
	fmt.Fprintf(out, "  %-34s %10.0f /s   ratio %.2f\n", "baseline: conditional UpdateItem", updRate, rate/updRate)
	fmt.Fprintf(out, "  %-34s %10.0f /s   ratio %.2f\n", "baseline: 2-item TransactWriteItems", txRate, rate/txRate)
	fmt.Fprintf(out, "  %-34s %v / %v\n", "latency p50 / p99", pct(0.5).Round(time.Microsecond), pct(0.99).Round(time.Microsecond))
	fmt.Fprintf(out, "  %-34s %.2f  %v\n", "DynamoDB calls per attempt", float64(total)/float64(*n), calls)
	fmt.Fprintf(out, "  %-34s %d signed up, %d shift_full, %d other; counter %d, items %d: %v\n", "outcome",
		ok.Load(), full.Load(), other.Load(), got.SignedUp, items, map[bool]string{true: "OK", false: "VIOLATED"}[invariant])
	line, _ := json.Marshal(map[string]any{"scenario": "shift-signups", "volunteers": *n, "capacity": *capacity, "workers": *workers,
		"ratePerSec": rate, "baselineUpdatePerSec": updRate, "baselineTxPerSec": txRate, "p50Ms": pct(0.5).Seconds() * 1000,
		"p99Ms": pct(0.99).Seconds() * 1000, "callsPerAttempt": float64(total) / float64(*n), "signedUp": ok.Load(),
		"full": full.Load(), "other": other.Load(), "invariant": invariant})
	fmt.Fprintln(out, string(line))
	if !invariant {
		return fmt.Errorf("capacity invariant violated")
	}
	return nil
}

// baseline measures n raw writes with the given concurrency: a conditional UpdateItem
// of one counter, or (tx) a transaction of a conditional Put and that Update.
func signupBaseline(ctx context.Context, db *dynamodb.Client, table string, n, workers int, tx bool) (float64, error) {
	key := func(pk string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: "X"}}
	}
	counterPK := "BENCH#" + uuid.NewString()
	update := types.Update{
		TableName: aws.String(table), Key: key(counterPK),
		UpdateExpression:          aws.String("ADD n :one"),
		ConditionExpression:       aws.String("attribute_not_exists(n) OR n < :max"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}, ":max": &types.AttributeValueMemberN{Value: "1000000000"}},
	}
	var (
		next atomic.Int64
		errs atomic.Int64
		wg   sync.WaitGroup
	)
	began := time.Now()
	for range workers {
		wg.Go(func() {
			for int(next.Add(1)) <= n {
				var err error
				if tx {
					item := key("BENCH#" + uuid.NewString())
					var t dynamo.Tx
					t.Add(types.TransactWriteItem{Put: &types.Put{Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}}, nil, nil)
					u := update
					t.Add(types.TransactWriteItem{Update: &u}, nil, nil)
					err = dynamo.Transact(ctx, db, table, "baseline", &t)
				} else {
					_, err = db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: update.TableName, Key: update.Key,
						UpdateExpression: update.UpdateExpression, ConditionExpression: update.ConditionExpression,
						ExpressionAttributeValues: update.ExpressionAttributeValues})
				}
				if err != nil {
					errs.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if e := errs.Load(); e > 0 {
		return 0, fmt.Errorf("baseline: %d of %d writes failed", e, n)
	}
	return float64(n) / time.Since(began).Seconds(), nil
}
