package booking_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo/bookingdb"
)

// reads counts the items DynamoDB returned to a client and the consistent reads'
// share, per operation: what a read costs in capacity grows with them.
type reads struct {
	mu    sync.Mutex
	items map[string]int // "Query", "Query GSI3", "GetItem"
}

func (r *reads) middleware(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("countReads",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			res, md, err := next.HandleInitialize(ctx, in)
			r.mu.Lock()
			defer r.mu.Unlock()
			switch o := res.Result.(type) {
			case *dynamodb.QueryOutput:
				op := "Query"
				if q, ok := in.Parameters.(*dynamodb.QueryInput); ok && q.IndexName != nil {
					op += " " + aws.ToString(q.IndexName)
				}
				r.items[op] += int(o.Count)
			case *dynamodb.GetItemOutput:
				if o.Item != nil {
					r.items["GetItem"]++
				}
			}
			return res, md, err
		}), middleware.After)
}

func (r *reads) take() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.items
	r.items = map[string]int{}
	return out
}

// A door scan finds the ticket's booking by its reference: one index entry and the
// booking, however many bookings the session has, where reading the session's every
// booking read all of them (at 1,000 bookings about 125 RCU a scan; `go run
// ./infra/bench checkin` measures both).
func TestCheckInReadsTheBookingByItsReference(t *testing.T) {
	now := time.Date(2026, 12, 5, 19, 0, 0, 0, time.UTC)
	e := mustEnv(t, now)
	ctx := context.Background()
	const n = 120
	slot := booking.Slot{ID: "door", ActivityID: "a-door", Kind: booking.KindEvent, StartsAt: now.Add(30 * time.Minute),
		EndsAt: now.Add(2 * time.Hour), Capacity: n, BookingOpensAt: now.Add(-time.Hour), BookingClosesAt: now.Add(30 * time.Minute),
		PerPersonLimit: 1, MaxPartySize: 1, Mode: booking.ModeFirstCome, Status: booking.SlotScheduled}
	if err := e.app.Catalog.PutActivity(ctx, booking.Activity{ID: "a-door", Kind: booking.KindEvent, Title: "惠民演出", VenueID: "v1", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := e.app.Catalog.CreateSlot(ctx, slot); err != nil {
		t.Fatal(err)
	}
	svc, err := e.app.Booking()
	if err != nil {
		t.Fatal(err)
	}
	var made []booking.Booking
	for i := range n {
		b, err := svc.Book(ctx, fmt.Sprintf("o-door-%03d", i), slot.ID, "", booking.Request{PartySize: 1})
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, b)
	}

	r := &reads{items: map[string]int{}}
	db := dynamodb.New(e.tbl.DB.Options(), func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, r.middleware) })
	store := &bookingdb.Bookings{DB: db, Table: e.tbl.Name}
	if _, err := store.OfSlot(ctx, slot.ID); err != nil {
		t.Fatal(err)
	}
	if got := r.take()["Query"]; got != n {
		t.Fatalf("the session's bookings read %d items, want %d (the baseline)", got, n)
	}
	for _, want := range []booking.Booking{made[0], made[n/2], made[n-1]} {
		b, err := store.ByRef(ctx, slot.ID, want.ID)
		if err != nil || b.ID != want.ID || b.OpenID != want.OpenID {
			t.Fatalf("ByRef(%s) = %s, %v", want.ID, b.ID, err)
		}
		got := r.take()
		if got["Query GSI3"] != 1 || got["GetItem"] != 1 || got["Query"] != 0 {
			t.Errorf("ByRef read %v, want one index entry (Query GSI3) and the booking (GetItem), not the session's bookings", got)
		}
	}
	// Another session's booking id, or one that does not exist: not found.
	if _, err := store.ByRef(ctx, "other", made[0].ID); err != booking.ErrBookingNotFound {
		t.Errorf("ByRef(another session) = %v, want ErrBookingNotFound", err)
	}
	if _, err := store.ByRef(ctx, slot.ID, slot.ID+".nobody"); err != booking.ErrBookingNotFound {
		t.Errorf("ByRef(unknown) = %v, want ErrBookingNotFound", err)
	}

	// The door's scan: admitted, reading the booking by its reference.
	door := *svc
	door.Store = store
	r.take()
	if b, err := door.CheckIn(ctx, made[7].Ticket, slot.ID, ""); err != nil || b.ID != made[7].ID {
		t.Fatalf("CheckIn = %s, %v", b.ID, err)
	}
	if got := r.take(); got["Query"] != 0 || got["Query GSI3"] != 1 {
		t.Errorf("a door scan read %v, want one index entry and no read of the session's bookings", got)
	}
	if _, err := door.CheckIn(ctx, made[7].Ticket, slot.ID, ""); err != booking.ErrTicketUsed {
		t.Errorf("the second scan = %v, want ErrTicketUsed", err)
	}
}
