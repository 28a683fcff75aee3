package bookingdb_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/account"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/accountdb"
	"github.com/wentitong/wentitong/shared/dynamo/bookingdb"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/privacy"
)

// An ID number's guard at a real-name slot is taken by the booking's own write, with the
// number's record on its owner when new, and given back by every write that ends the
// booking (a resident's or a slot's cancellation, a no-show's release): a refused
// booking takes and records nothing, and a released number books again.
func TestIDNumberGuardFollowsTheBooking(t *testing.T) {
	tbl := dynamotest.New(t)
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC)
	people := &accountdb.People{DB: tbl.DB, Table: tbl.Name}
	bk := &bookingdb.Bookings{DB: tbl.DB, Table: tbl.Name}
	cat := &bookingdb.Catalog{DB: tbl.DB, Table: tbl.Name}
	for _, p := range []string{"o-1", "o-2"} {
		if _, err := people.SignedIn(ctx, p, at); err != nil {
			t.Fatal(err)
		}
	}
	const dep = "d0123456789ab"
	if err := people.AddDependant(ctx, "o-2", account.Dependant{ID: dep, Name: "王秀英", Relation: "mother", CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	s := booking.Slot{ID: "s", ActivityID: "a", Kind: booking.KindEvent, StartsAt: at.Add(48 * time.Hour), EndsAt: at.Add(50 * time.Hour), Capacity: 5,
		BookingOpensAt: at, BookingClosesAt: at.Add(48 * time.Hour), MaxPartySize: 1, Mode: booking.ModeFirstCome, Status: booking.SlotScheduled, RealName: true}
	if err := cat.CreateSlot(ctx, s); err != nil {
		t.Fatal(err)
	}
	key := []byte("a test key of the ID numbers' hashes, 32 bytes or more")
	id := "430200199001010011"
	id = id[:17] + string(privacy.IDCheckChar(id[:17]))
	n := booking.IDNumber{Hash: privacy.HashIDNumber(key, id), KeyID: privacy.IDKeyID(key), Masked: privacy.IDNumber(id)}
	reserve := func(holder, suffix string, rec booking.IDRecord) (booking.Booking, error) {
		b := booking.Booking{ID: booking.BookingID(s.ID, suffix), SlotID: s.ID, ActivityID: s.ActivityID, OpenID: holder, PartySize: 1,
			Status: booking.StatusConfirmed, StartsAt: s.StartsAt, CreatedAt: at, JoinedAt: at, IDNumberMasked: n.Masked, IDGuard: n.Hash}
		return b, bk.Reserve(ctx, booking.Reservation{Booking: b, Slot: s, Now: at, ID: &rec})
	}
	guard := func() string {
		it, err := dynamo.GetItem(ctx, tbl.DB, tbl.Name, "guard", dynamo.SlotPK(s.ID), dynamo.IDGuardSK(n.Hash), true)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := dynamo.StringAttr(it, "bookingId")
		return v
	}
	onFile := func(person, dependant string) string {
		got, _, err := people.IDNumberOnFile(ctx, person, dependant)
		if err != nil {
			t.Fatal(err)
		}
		return got.Hash
	}

	own, err := reserve("o-1", "own", booking.IDRecord{Person: "o-1", Number: n, Record: true})
	if err != nil {
		t.Fatal(err)
	}
	if guard() != own.ID || onFile("o-1", "") != n.Hash {
		t.Fatalf("after the booking: guard held by %q, number on file %t; want %s and true", guard(), onFile("o-1", "") != "", own.ID)
	}
	theirs := booking.IDRecord{Person: "o-2", Dependant: dep, Number: n, Record: true}
	if _, err := reserve(booking.Holder("o-2", dep), "theirs~"+dep, theirs); !errors.Is(err, booking.ErrIDNumberTaken) {
		t.Fatalf("the same number for another family's member = %v, want ErrIDNumberTaken", err)
	}
	if onFile("o-2", dep) != "" {
		t.Error("the refused booking recorded the number on her")
	}
	if _, err := bk.Booking(ctx, s.ID, booking.Holder("o-2", dep)); !errors.Is(err, booking.ErrBookingNotFound) {
		t.Errorf("the refused booking was written: %v", err)
	}

	// A no-show's release gives the number back.
	if err := bk.Release(ctx, booking.Release{Booking: own, Slot: s, Now: s.StartsAt.Add(time.Hour), Strikes: 1}); err != nil {
		t.Fatal(err)
	}
	if g := guard(); g != "" {
		t.Fatalf("after the release the guard is held by %q", g)
	}
	mother, err := reserve(booking.Holder("o-2", dep), "theirs~"+dep, theirs)
	if err != nil || guard() != mother.ID || onFile("o-2", dep) != n.Hash {
		t.Fatalf("the released number for her = %v (guard %q), want booked and recorded", err, guard())
	}
	// A cancellation gives it back too (a slot's cancellation is the same write).
	if err := bk.Cancel(ctx, mother, s, booking.ByOrganiser, true, at); err != nil {
		t.Fatal(err)
	}
	if g := guard(); g != "" {
		t.Errorf("after the cancellation the guard is held by %q", g)
	}
	// Another number on file for her (same key): refused by the write, nothing taken.
	other := n
	other.Hash = strings.Repeat("0", len(n.Hash))
	if _, err := reserve(booking.Holder("o-2", dep), "again~"+dep, booking.IDRecord{Person: "o-2", Dependant: dep, Number: other, Record: true}); !errors.Is(err, booking.ErrIDNumberMismatch) {
		t.Errorf("another number for her = %v, want ErrIDNumberMismatch", err)
	}
}
