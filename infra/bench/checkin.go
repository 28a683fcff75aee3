package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/truora/minidyn/server"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/bookingdb"
)

func init() {
	register("checkin", "door scans of a full session: what finding the ticket's booking reads, by its reference beside reading the session's every booking", checkinBench)
}

// checkinBench books a session full, then scans tickets at its door. Per scan it
// measures the DynamoDB calls and capacity units (flashcrowd's meter) of finding the
// ticket's booking by its reference (bookingdb's ByRef: an index entry and the booking),
// beside the baseline in the same run: reading the session's every booking and picking
// the ticket's (what a check-in did before), and the whole check-in's cost and time.
func checkinBench(ctx context.Context, args []string, out io.Writer) error {
	fs := flags("checkin", out)
	bookings := fs.Int("bookings", 1000, "confirmed bookings of the session")
	scans := fs.Int("scans", 100, "tickets scanned at the door")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *bookings < 1 || *scans < 1 || *scans > *bookings {
		return fmt.Errorf("checkin: want 1 <= -scans <= -bookings")
	}
	srv := httptest.NewServer(server.NewServer())
	defer srv.Close()
	base, err := dynamo.NewClient(ctx, dynamo.ClientOptions{Endpoint: srv.URL})
	if err != nil {
		return err
	}
	db := dynamodb.New(base.Options(), func(opts *dynamodb.Options) { opts.APIOptions = append(opts.APIOptions, meter) })
	const table = "wentitong-bench-checkin"
	now := time.Now().UTC().Truncate(time.Second)
	act := booking.Activity{ID: "bench-show", Kind: booking.KindEvent, Title: "周末惠民演出", VenueID: "v-bench", CreatedAt: now}
	a, svc, err := bookingApp(ctx, db, table, func() time.Time { return now }, act)
	if err != nil {
		return err
	}
	start := now.Add(30 * time.Minute) // the door is open
	slot := booking.Slot{ID: "bench-door", ActivityID: act.ID, Kind: act.Kind, StartsAt: start, EndsAt: start.Add(2 * time.Hour),
		Capacity: *bookings, BookingOpensAt: now.Add(-time.Hour), BookingClosesAt: start, PerPersonLimit: 1,
		MaxPartySize: 1, Mode: booking.ModeFirstCome, Status: booking.SlotScheduled}
	if err := a.Catalog.CreateSlot(ctx, slot); err != nil {
		return err
	}
	tickets := make([]string, 0, *bookings)
	ids := make([]string, 0, *bookings)
	for i := range *bookings {
		b, err := svc.Book(ctx, fmt.Sprintf("o-bench-door-%05d", i), slot.ID, "", booking.Request{PartySize: 1})
		if err != nil {
			return fmt.Errorf("checkin: book %d: %w", i, err)
		}
		tickets, ids = append(tickets, b.Ticket), append(ids, b.ID)
	}
	store := &bookingdb.Bookings{DB: db, Table: table}
	// The door's scans are made by a signed-in staff member: the meter counts a call
	// without a caller as the session check, which this bench does not make.
	ctx = auth.NewContext(ctx, auth.Claims{OpenID: "o-bench-door-staff", Roles: []string{auth.RoleStaff}})
	step := *bookings / *scans
	var byRef, bySlot, whole cost
	for i := range *scans {
		k := i * step
		// Baseline: the session's bookings, the ticket's picked among them.
		t := &tally{}
		bs, err := store.OfSlot(context.WithValue(ctx, tallyKey{}, t), slot.ID)
		if err != nil {
			return err
		}
		found := false
		for _, b := range bs {
			found = found || b.ID == ids[k]
		}
		if !found {
			return fmt.Errorf("checkin: booking %s not among the session's", ids[k])
		}
		bySlot.add(t, 0)
		// By its reference.
		t = &tally{}
		b, err := store.ByRef(context.WithValue(ctx, tallyKey{}, t), slot.ID, ids[k])
		if err != nil || b.ID != ids[k] {
			return fmt.Errorf("checkin: by reference %s: %v", ids[k], err)
		}
		byRef.add(t, 0)
		// The whole check-in, as the door's scan makes it.
		t = &tally{}
		began := time.Now()
		if _, err := svc.CheckIn(context.WithValue(ctx, tallyKey{}, t), tickets[k], slot.ID, fmt.Sprintf("scan-%d", k)); err != nil {
			return fmt.Errorf("checkin: scan %d: %w", k, err)
		}
		whole.add(t, time.Since(began))
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "checkin: %d confirmed bookings, %d scans at the door\n\n", *bookings, *scans)
	fmt.Fprintln(tw, "per scan\tcalls\tRCU\tWCU\tp50\tp99")
	fmt.Fprintf(tw, "find the booking: the session's every booking (before)\t%.2f\t%.1f\t%.1f\t\t\n", bySlot.mean(bySlot.calls), bySlot.mean(bySlot.rcu), bySlot.mean(bySlot.wcu))
	fmt.Fprintf(tw, "find the booking: by its reference (now)\t%.2f\t%.1f\t%.1f\t\t\n", byRef.mean(byRef.calls), byRef.mean(byRef.rcu), byRef.mean(byRef.wcu))
	fmt.Fprintf(tw, "the whole check-in (now)\t%.2f\t%.1f\t%.1f\t%s\t%s\n", whole.mean(whole.calls), whole.mean(whole.rcu), whole.mean(whole.wcu), whole.pct(0.5), whole.pct(0.99))
	tw.Flush()
	line, _ := json.Marshal(map[string]any{"scenario": "checkin", "bookings": *bookings, "scans": *scans,
		"bySlotRCU": round(bySlot.mean(bySlot.rcu)), "byRefRCU": round(byRef.mean(byRef.rcu)),
		"byRefCalls": round(byRef.mean(byRef.calls)), "checkinRCU": round(whole.mean(whole.rcu)),
		"checkinWCU": round(whole.mean(whole.wcu)), "checkinP50ms": whole.pctMS(0.5)})
	fmt.Fprintf(out, "\n%s\n", line)
	return nil
}

// cost sums the tallies of one kind of operation.
type cost struct {
	n               int
	calls, rcu, wcu float64
	took            []time.Duration
}

func (c *cost) add(t *tally, took time.Duration) {
	c.n++
	c.calls += float64(t.calls.Load())
	c.rcu += float64(t.rcu.Load()) / 1000
	c.wcu += float64(t.wcu.Load()) / 1000
	if took > 0 {
		c.took = append(c.took, took)
	}
}

func (c *cost) mean(sum float64) float64 { return sum / float64(max(c.n, 1)) }

func (c *cost) pct(p float64) string {
	if len(c.took) == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f ms", c.pctMS(p))
}

func (c *cost) pctMS(p float64) float64 {
	if len(c.took) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), c.took...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return float64(s[min(len(s)-1, int(p*float64(len(s))))].Microseconds()) / 1000
}
