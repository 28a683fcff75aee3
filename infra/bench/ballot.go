package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/truora/minidyn/server"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/notifydb"
	"github.com/wentitong/wentitong/shared/dynamodev"
)

func init() {
	register("ballot", "entries into a ballot slot, then the scheduler's draw: settle rate, calls per entry, invariants", ballotBench)
}

// ballotBench enters residents into one ballot slot, closes the window and times the
// draw job (publish + one transaction per entry), beside the raw engine's rate for
// transactions of the same shape on the same table.
func ballotBench(ctx context.Context, args []string, out io.Writer) error {
	fs := flags("ballot", out)
	entries := fs.Int("entries", 500, "residents entering the ballot")
	places := fs.Int("places", 50, "places in the slot")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *entries < 1 || *places < 1 {
		return fmt.Errorf("ballot: entries and places must be positive")
	}
	engine := server.NewServer()
	srv := httptest.NewServer(engine)
	defer srv.Close()
	base, err := dynamo.NewClient(ctx, dynamo.ClientOptions{Endpoint: srv.URL, RetryBackoff: 2 * time.Millisecond})
	if err != nil {
		return err
	}
	counter := dynamodev.NewCallCounter() // the draw's calls; the read-back and the baseline use base
	db := dynamodb.New(base.Options(), func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, counter.APIOptions()...) })
	const table = "wentitong-bench"
	var mu sync.Mutex
	now := time.Now().UTC().Truncate(time.Second)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	act := booking.Activity{ID: "bench-xiangju", Kind: booking.KindEvent, Title: "湘剧抽签场", VenueID: "v-bench", CreatedAt: now}
	a, svc, err := bookingApp(ctx, db, table, clock, act)
	if err != nil {
		return err
	}
	start, closes, mode := now.Add(48*time.Hour), now.Add(time.Hour), booking.ModeBallot
	slot, err := svc.CreateSlot(ctx, act.ID, booking.SlotPatch{StartsAt: &start, EndsAt: aws.Time(start.Add(2 * time.Hour)),
		Capacity: places, BookingClosesAt: &closes, Mode: &mode})
	if err != nil {
		return err
	}

	t0 := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, *entries)
	sem := make(chan struct{}, 16)
	for i := range *entries {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if _, err := svc.Book(ctx, fmt.Sprintf("o-ballot-%06d", i), slot.ID, fmt.Sprintf("k%d", i), booking.Request{}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return fmt.Errorf("ballot entry: %w", err)
	}
	enterTime := time.Since(t0)

	mu.Lock()
	now = closes.Add(booking.DrawGrace)
	mu.Unlock()
	before := counter.Total()
	t1 := time.Now()
	if err := svc.DrawBallots(ctx); err != nil {
		return fmt.Errorf("draw: %w", err)
	}
	drawTime := time.Since(t1)
	drawCalls := counter.Total() - before

	// Invariants, read back.
	view, err := svc.PublishedDraw(ctx, slot.ID)
	if err != nil || view.Draw == nil {
		return fmt.Errorf("published draw: %v", err)
	}
	verified := booking.VerifyDraw(*view.Draw) == nil
	held, err := a.Bookings.OfSlot(ctx, slot.ID)
	if err != nil {
		return err
	}
	statuses := map[booking.Status]int{}
	for _, b := range held {
		statuses[b.Status]++
	}
	after, err := a.Catalog.Slot(ctx, slot.ID)
	if err != nil {
		return err
	}
	msgs, err := notifydb.PendingOutbox(ctx, base, table, now.Add(time.Hour), int32(*entries*2+10))
	if err != nil {
		return err
	}
	kinds := map[string]int{}
	for _, m := range msgs {
		k, _ := dynamo.StringAttr(m, "kind")
		kinds[k]++
	}

	// Baseline: the raw engine's TransactWriteItems of the same shape as a settlement
	// (update + counter update + outbox put), one after another, on the same full table.
	n := min(*entries, 500)
	t2 := time.Now()
	for i := range n {
		pk := &types.AttributeValueMemberS{Value: fmt.Sprintf("BENCH#%d", i)}
		var tx dynamo.Tx
		tx.Add(types.TransactWriteItem{Put: &types.Put{Item: dynamo.Item{"PK": pk, "SK": &types.AttributeValueMemberS{Value: "A"}}}}, nil, nil)
		tx.Add(types.TransactWriteItem{Update: &types.Update{Key: dynamo.Item{"PK": &types.AttributeValueMemberS{Value: "BENCH"}, "SK": &types.AttributeValueMemberS{Value: "COUNTER"}},
			UpdateExpression: aws.String("ADD n :one"), ExpressionAttributeValues: dynamo.Item{":one": &types.AttributeValueMemberN{Value: "1"}}}}, nil, nil)
		tx.Add(types.TransactWriteItem{Put: &types.Put{Item: dynamo.Item{"PK": pk, "SK": &types.AttributeValueMemberS{Value: "B"}}}}, nil, nil)
		if err := dynamo.Transact(ctx, base, table, "baseline", &tx); err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
	}
	baseRate := rate(n, time.Since(t2))
	settleRate := rate(*entries, drawTime)

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	rows := [][2]string{
		{"entries, places", fmt.Sprintf("%d, %d", *entries, *places)},
		{"entering (16 at once)", fmt.Sprintf("%.0f entries/s", rate(*entries, enterTime))},
		{"draw job: publish + settle every entry", fmt.Sprintf("%.0f ms, %.0f entries/s", ms(drawTime), settleRate)},
		{"raw engine, 3-item transactions (baseline)", fmt.Sprintf("%.0f tx/s (settle/baseline %.2f)", baseRate, settleRate/baseRate)},
		{"DynamoDB calls per entry in the draw", fmt.Sprintf("%.2f", float64(drawCalls)/float64(*entries))},
		{"confirmed, waitlisted, balloted left", fmt.Sprintf("%d, %d, %d", statuses[booking.StatusConfirmed], statuses[booking.StatusWaitlisted], statuses[booking.StatusBalloted])},
		{"slot booked / capacity", fmt.Sprintf("%d / %d", after.Booked, after.Capacity)},
		{"ballot_won, ballot_lost messages", fmt.Sprintf("%d, %d", kinds["ballot_won"], kinds["ballot_lost"])},
		{"published draw re-runs", fmt.Sprint(verified)},
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\n", r[0], r[1])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	report := map[string]any{"entries": *entries, "places": *places, "drawMs": round(ms(drawTime)), "settlePerSec": round(settleRate),
		"baselineTxPerSec": round(baseRate), "callsPerEntry": round(float64(drawCalls) / float64(*entries)),
		"confirmed": statuses[booking.StatusConfirmed], "waitlisted": statuses[booking.StatusWaitlisted], "balloted": statuses[booking.StatusBalloted],
		"booked": after.Booked, "won": kinds["ballot_won"], "lost": kinds["ballot_lost"], "verified": verified}
	line, err := json.Marshal(report)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, strings.TrimSpace(string(line)))
	return err
}
