package booking_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo"
)

// A slot is listed on GSI1 by an entry of its own, which no booking writes: the item
// whose counter a booking takes is in no index, and the listing still answers the places
// left. A slot written before the entries (GSI1 keys on its own item) is listed as well,
// and its next edit gives it an entry; a cancelled slot leaves the listing.
func TestBookingsWriteNoListingEntry(t *testing.T) {
	e := mustEnv(t, t0)
	ctx := context.Background()
	staff := e.token("o-staff", auth.RoleStaff)
	_, slot := e.mustSlot(staff, `{`+slotAt+`,"capacity":5,"maxPartySize":2}`)
	get := func(sk string) dynamo.Item {
		t.Helper()
		it, err := dynamo.GetItem(ctx, e.tbl.DB, e.tbl.Name, "read", dynamo.SlotPK(slot), sk, true)
		if err != nil {
			t.Fatal(err)
		}
		return it
	}
	if _, ok := get(dynamo.SKSlot)["GSI1PK"]; ok {
		t.Errorf("the slot's item, which holds the counter, has GSI1 keys: %v", get(dynamo.SKSlot))
	}
	entry := get(dynamo.SKListing)
	if pk, _ := dynamo.StringAttr(entry, "GSI1PK"); pk != dynamo.SlotsByKindPK(string(booking.KindFilm)) {
		t.Fatalf("listing entry = %v, want it under %s", entry, dynamo.SlotsByKindPK(string(booking.KindFilm)))
	}

	changes := e.tbl.Stream.Fork()
	if r := e.do("POST", "/api/v1/slots/"+slot+"/bookings", e.token("o-a"), `{"partySize":2}`, "Idempotency-Key", "k-a"); r.Code != 201 {
		t.Fatalf("book = %d %s", r.Code, r.Raw)
	}
	for _, c := range changes.Take() {
		if c.SK == dynamo.SKListing {
			t.Errorf("the booking wrote the listing entry %s/%s", c.PK, c.SK)
		}
	}
	upcoming := func() []booking.Slot {
		t.Helper()
		slots, _, err := e.app.Catalog.Upcoming(ctx, booking.Query{Kinds: booking.Kinds, From: t0, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return slots
	}
	if got := upcoming(); len(got) != 1 || got[0].ID != slot || got[0].Remaining() != 3 {
		t.Errorf("upcoming = %+v, want the slot with 3 places left", got)
	}

	// A slot as written before the entries: its own item on GSI1.
	old := get(dynamo.SKSlot)
	old["PK"] = &types.AttributeValueMemberS{Value: dynamo.SlotPK("s-old")}
	old["ID"] = &types.AttributeValueMemberS{Value: "s-old"}
	old["GSI1PK"] = entry["GSI1PK"]
	old["GSI1SK"] = &types.AttributeValueMemberS{Value: "2026-12-05T11:30:00Z#s-old"}
	if _, err := e.tbl.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(e.tbl.Name), Item: old}); err != nil {
		t.Fatal(err)
	}
	if got := upcoming(); len(got) != 2 || got[0].ID != slot || got[1].ID != "s-old" || got[1].Remaining() != 3 {
		t.Errorf("upcoming with a slot listed by its own item = %+v, want both", got)
	}
	if r := e.do("PATCH", "/api/v1/admin/slots/s-old", staff, `{"capacity":6}`); r.Code != 200 {
		t.Fatalf("edit = %d %s", r.Code, r.Raw)
	}
	// The edit removes the old item's own GSI1 keys (which the embedded engine ignores,
	// docs/decisions.md 10) and puts its entry: listed once.
	if it, err := dynamo.GetItem(ctx, e.tbl.DB, e.tbl.Name, "read", dynamo.SlotPK("s-old"), dynamo.SKListing, true); err != nil || it == nil {
		t.Errorf("after an edit the old slot has no listing entry (%v)", err)
	}
	if got := upcoming(); len(got) != 2 || got[1].ID != "s-old" || got[1].Remaining() != 4 {
		t.Errorf("upcoming after the edit = %+v, want the old slot once, with 4 places left", got)
	}

	if r := e.do("DELETE", "/api/v1/admin/slots/"+slot, staff, ""); r.Code != 200 {
		t.Fatalf("cancel = %d %s", r.Code, r.Raw)
	}
	if it := get(dynamo.SKListing); it != nil {
		t.Errorf("a cancelled slot keeps its listing entry %v", it)
	}
	if got := upcoming(); len(got) != 1 || got[0].ID != "s-old" {
		t.Errorf("upcoming after the cancellation = %+v, want the other slot alone", got)
	}
}
