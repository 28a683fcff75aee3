package countersdb_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/dynamo/bookingdb"
	"github.com/wentitong/wentitong/shared/dynamo/countersdb"
	"github.com/wentitong/wentitong/shared/dynamo/directorydb"
	"github.com/wentitong/wentitong/shared/dynamo/reportdb"
	"github.com/wentitong/wentitong/shared/dynamotest"
)

// Consumers racing over the same changes count each once, and a change back counts back.
func TestCountersSyncOnce(t *testing.T) {
	tbl := dynamotest.New(t)
	ctx := context.Background()
	dir := &directorydb.Directory{DB: tbl.DB, Table: tbl.Name}
	city := directory.Root("c", "市")
	county := city.Child("k", "县", directory.LevelCounty)
	for _, d := range []directory.District{city, county} {
		if err := dir.PutDistrict(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := dir.PutVenue(ctx, directory.Venue{ID: "v", Name: "馆", Kind: directory.VenueLibrary, DistrictID: "k",
		Address: "地址", Location: directory.Location{Lat: 27.8, Lng: 113.1}}); err != nil {
		t.Fatal(err)
	}
	cat := &bookingdb.Catalog{DB: tbl.DB, Table: tbl.Name}
	if err := cat.PutActivity(ctx, booking.Activity{ID: "a", Kind: booking.KindEvent, Title: "活动", VenueID: "v"}); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 30, 20, 0, 0, 0, time.UTC) // 2026-12-01 04:00 in Beijing: December's
	slot := booking.Slot{ID: "s", ActivityID: "a", Kind: booking.KindEvent, StartsAt: start, EndsAt: start.Add(time.Hour), Capacity: 10,
		BookingOpensAt: start.Add(-48 * time.Hour), BookingClosesAt: start, MaxPartySize: 4, Mode: booking.ModeFirstCome, Status: booking.SlotScheduled}
	if err := cat.PutSlot(ctx, slot); err != nil {
		t.Fatal(err)
	}
	bk := &bookingdb.Bookings{DB: tbl.DB, Table: tbl.Name}
	b := booking.Booking{ID: "s.x", SlotID: "s", ActivityID: "a", OpenID: "o-1", PartySize: 3, Status: booking.StatusConfirmed, StartsAt: start, CreatedAt: start.Add(-time.Hour)}
	if err := bk.Reserve(ctx, booking.Reservation{Booking: b, Slot: slot, Now: start.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	c := &countersdb.Counters{DB: tbl.DB, Table: tbl.Name}
	subjects := []countersdb.Subject{{PK: "SLOT#s", SK: "BOOKING#o-1"}, {PK: "SLOT#s", SK: "SLOT"}, {PK: "USER#o-1", SK: "PROFILE"}}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { errs[i] = c.Sync(ctx, subjects) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	m := &reportdb.Metrics{DB: tbl.DB, Table: tbl.Name}
	for _, d := range []string{"c", "k"} {
		for _, p := range []string{"2026-12", "all"} {
			got, err := m.Metrics(ctx, d, p)
			if err != nil || got["bookings"] != 3 || got["uniqueResidents"] != 1 || got["attendance"] != 0 {
				t.Errorf("counters of %s %s = %v, %v; want 3 places of 1 resident", d, p, got, err)
			}
		}
	}
	if got, _ := m.Metrics(ctx, "c", "2026-11"); len(got) != 0 {
		t.Errorf("counters of November = %v, want none (the slot starts on 1 December, Beijing time)", got)
	}
	if err := bk.Cancel(ctx, b, slot, booking.ByResident, false, start.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := c.Sync(ctx, subjects[:1]); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := m.Metrics(ctx, "c", "2026-12"); got["bookings"] != 0 || got["uniqueResidents"] != 0 {
		t.Errorf("counters after the cancellation = %v, want back to 0", got)
	}
}
