package bookingdb_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/bookingdb"
	"github.com/wentitong/wentitong/shared/dynamotest"
)

// The stored attributes are named by the store, not by the fields of booking.Activity,
// Slot and Booking: renaming a field of a domain type must not rename stored data. Each
// reads back as written.
func TestStoredAttributeNames(t *testing.T) {
	tbl := dynamotest.New(t)
	ctx := context.Background()
	cat := &bookingdb.Catalog{DB: tbl.DB, Table: tbl.Name}
	at := time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC)
	a := booking.Activity{ID: "a", Kind: booking.KindFilm, Title: "露天电影", Description: "周末放映", VenueID: "v", DistrictID: "k",
		CreatedAt: at.Add(-72 * time.Hour), NoShow: &booking.NoShowRules{ReleaseAfterMinutes: 15, Strikes: 3, WindowDays: 90, SuspendDays: 30}}
	if err := cat.PutActivity(ctx, a); err != nil {
		t.Fatal(err)
	}
	tbl.WantAttributes(t, dynamo.ActivityPK(a.ID), dynamo.SKActivity, "CreatedAt", "Description", "DistrictID", "ID", "Kind", "NoShow",
		"PK", "SK", "Title", "VenueID")
	if got, found, err := cat.Activity(ctx, a.ID); err != nil || !found || !reflect.DeepEqual(got, a) {
		t.Errorf("Activity() = %+v, %v, %v; want %+v", got, found, err, a)
	}

	s := booking.Slot{ID: "s", ActivityID: a.ID, Kind: a.Kind, StartsAt: at, EndsAt: at.Add(2 * time.Hour), Capacity: 6,
		BookingOpensAt: at.Add(-48 * time.Hour), BookingClosesAt: at, PerPersonLimit: 1, MaxPartySize: 2, Mode: booking.ModeFirstCome,
		EligibleDistrictID: "k", CancelCutoffMinutes: 30, Status: booking.SlotScheduled, Title: a.Title, VenueName: "广场",
		SeatRows: 2, SeatsPerRow: 3, Instructor: "放映员"}
	if err := cat.PutSlot(ctx, s); err != nil {
		t.Fatal(err)
	}
	tbl.WantAttributes(t, dynamo.SlotPK(s.ID), dynamo.SKSlot, "ActivityID", "Booked", "BookingClosesAt", "BookingOpensAt",
		"CancelCutoffMinutes", "Capacity", "EligibleDistrictID", "EndsAt", "Free", "ID", "Instructor", "Kind", "MaxPartySize", "Mode",
		"PK", "PerPersonLimit", "SK", "SeatRows", "SeatsPerRow", "StartsAt", "Status", "Title", "VenueName")
	if got, err := cat.Slot(ctx, s.ID); err != nil || !reflect.DeepEqual(got, s) {
		t.Errorf("Slot() = %+v, %v; want %+v", got, err, s)
	}

	bk := &bookingdb.Bookings{DB: tbl.DB, Table: tbl.Name}
	b := booking.Booking{ID: "s.x", SlotID: s.ID, ActivityID: a.ID, OpenID: "o-1", PartySize: 2, Status: booking.StatusConfirmed,
		StartsAt: s.StartsAt, CreatedAt: at.Add(-time.Hour), Seats: []string{"A1", "A2"}, For: "d-1", Name: "王小明"}
	if err := bk.Reserve(ctx, booking.Reservation{Booking: b, Slot: s, Key: "k-1", Outcome: booking.Outcome{Fingerprint: "f-1"}, Now: b.CreatedAt}); err != nil {
		t.Fatal(err)
	}
	tbl.WantAttributes(t, dynamo.SlotPK(s.ID), dynamo.BookingSK(b.OpenID), "AcceptFewer", "ActivityID", "CancelledAt", "CancelledBy",
		"CheckedInAt", "CheckedOutAt", "CreatedAt", "For", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK", "ID", "JoinedAt", "LimitHeld", "Name",
		"OpenID", "PK", "PartySize", "SK", "Seats", "SlotID", "StartsAt", "Status", "announce", "answeredParty", "answeredStatus",
		"idemFingerprint", "idemKey", "idemUntil")
	got, err := bk.Booking(ctx, s.ID, b.OpenID)
	b.LimitHeld = got.LimitHeld // the store's to set
	if err != nil || !reflect.DeepEqual(got, b) {
		t.Errorf("Booking() = %+v, %v; want %+v", got, err, b)
	}
}
