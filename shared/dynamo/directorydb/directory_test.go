package directorydb_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/accountdb"
	"github.com/wentitong/wentitong/shared/dynamo/bookingdb"
	"github.com/wentitong/wentitong/shared/dynamo/directorydb"
	"github.com/wentitong/wentitong/shared/dynamotest"
)

func TestDirectoryTreeAndVenues(t *testing.T) {
	tbl := dynamotest.New(t)
	ctx := context.Background()
	d := &directorydb.Directory{DB: tbl.DB, Table: tbl.Name}
	city := directory.Root("430200", "株洲市")
	hetang := city.Child("430202", "荷塘区", directory.LevelCounty)
	youxian := city.Child("430223", "攸县", directory.LevelCounty)
	street := hetang.Child("430202001", "月塘街道", directory.LevelTownship)
	// Written out of order: the listing still comes back parents first.
	for _, dist := range []directory.District{street, youxian, city, hetang} {
		if err := d.PutDistrict(ctx, dist); err != nil {
			t.Fatalf("PutDistrict(%s): %v", dist.Name, err)
		}
	}
	if err := d.PutDistrict(ctx, directory.District{ID: "y", Name: "无上级", Level: directory.LevelVillage, Path: "y"}); !errors.Is(err, directory.ErrDistrictInvalid) {
		t.Errorf("PutDistrict(village without parent) = %v, want ErrDistrictInvalid", err)
	}
	got, err := d.Districts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range got {
		names = append(names, g.Name)
	}
	if want := []string{"株洲市", "荷塘区", "月塘街道", "攸县"}; !slices.Equal(names, want) {
		t.Errorf("Districts() = %v, want %v (tree order)", names, want)
	}

	lib := directory.Venue{ID: "v1", Name: "株洲市图书馆", Kind: directory.VenueLibrary, DistrictID: street.ID,
		Location: directory.Location{Lat: 27.8407, Lng: 113.1520}}
	station := directory.Venue{ID: "v2", Name: "攸县文化馆", Kind: directory.VenueCultureCentre, DistrictID: youxian.ID,
		Location: directory.Location{Lat: 27.0006, Lng: 113.3960}}
	for _, v := range []directory.Venue{lib, station} {
		if err := d.PutVenue(ctx, v); err != nil {
			t.Fatalf("PutVenue(%s): %v", v.Name, err)
		}
	}
	if err := d.PutVenue(ctx, directory.Venue{ID: "v3", Name: "无区划", Kind: "museum", DistrictID: "nope", Location: lib.Location}); !errors.Is(err, directory.ErrDistrictUnknown) {
		t.Errorf("PutVenue(unknown district) = %v, want ErrDistrictUnknown", err)
	}
	if err := d.PutVenue(ctx, directory.Venue{ID: "v4", Name: "无坐标", Kind: "museum", DistrictID: street.ID}); !errors.Is(err, directory.ErrVenueInvalid) {
		t.Errorf("PutVenue(no location) = %v, want ErrVenueInvalid", err)
	}
	under, err := d.VenuesUnder(ctx, hetang)
	if err != nil || len(under) != 1 || under[0].ID != "v1" || under[0].DistrictPath != street.Path {
		t.Errorf("VenuesUnder(荷塘区) = %+v, %v; want the library alone, with its district path", under, err)
	}
	all, err := d.VenuesUnder(ctx, city)
	if err != nil || len(all) != 2 {
		t.Errorf("VenuesUnder(株洲市) = %d venues, %v; want 2", len(all), err)
	}
	if _, err := d.Venue(ctx, "nope"); !errors.Is(err, directory.ErrVenueNotFound) {
		t.Errorf("Venue(nope) = %v, want ErrVenueNotFound", err)
	}
}

func TestCatalogSlotsByKind(t *testing.T) {
	tbl := dynamotest.New(t)
	ctx := context.Background()
	c := &bookingdb.Catalog{DB: tbl.DB, Table: tbl.Name}
	start := time.Date(2026, 12, 5, 19, 30, 0, 0, time.UTC)
	act := booking.Activity{ID: "a1", Kind: booking.KindFilm, Title: "流浪地球2", VenueID: "v1", CreatedAt: start.Add(-72 * time.Hour)}
	if err := c.PutActivity(ctx, act); err != nil {
		t.Fatal(err)
	}
	slot := func(id string, at time.Time) booking.Slot {
		return booking.Slot{ID: id, ActivityID: "a1", Kind: booking.KindFilm, StartsAt: at, EndsAt: at.Add(2 * time.Hour),
			Capacity: 120, BookingOpensAt: at.Add(-72 * time.Hour), BookingClosesAt: at, PerPersonLimit: 1, MaxPartySize: 4, Mode: booking.ModeFirstCome}
	}
	for _, s := range []booking.Slot{slot("s2", start.Add(24*time.Hour)), slot("s1", start)} {
		if err := c.PutSlot(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	bad := slot("s3", start)
	bad.Capacity = 0
	if err := c.PutSlot(ctx, bad); !errors.Is(err, booking.ErrSlotInvalid) {
		t.Errorf("PutSlot(capacity 0) = %v, want ErrSlotInvalid", err)
	}
	got, err := c.SlotsOfKind(ctx, booking.KindFilm)
	if err != nil || len(got) != 2 || got[0].ID != "s1" || !got[0].StartsAt.Equal(start) || got[0].Remaining() != 120 {
		t.Errorf("SlotsOfKind(film) = %+v, %v; want s1 then s2", got, err)
	}
	if other, _ := c.SlotsOfKind(ctx, booking.KindFitness); len(other) != 0 {
		t.Errorf("SlotsOfKind(fitness) = %d slots, want 0", len(other))
	}
	a, ok, err := c.Activity(ctx, "a1")
	if err != nil || !ok || a.Title != act.Title {
		t.Errorf("Activity(a1) = %+v, %v, %v", a, ok, err)
	}
}

func TestSubscriptionFollowsTheLatestEvent(t *testing.T) {
	tbl := dynamotest.New(t)
	ctx := context.Background()
	p := &accountdb.People{DB: tbl.DB, Table: tbl.Name}
	t0 := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	check := func(when string, want bool) {
		t.Helper()
		if got, err := p.Unsubscribed(ctx, "o-1"); err != nil || got != want {
			t.Errorf("%s: Unsubscribed = %v, %v; want %v", when, got, err, want)
		}
	}
	check("never seen", false)
	if err := p.SetSubscribed(ctx, "o-1", true, t0); err != nil {
		t.Fatal(err)
	}
	check("followed", false)
	_ = p.SetSubscribed(ctx, "o-1", false, t0.Add(time.Hour))
	check("unfollowed", true)
	_ = p.SetSubscribed(ctx, "o-1", true, t0.Add(2*time.Hour))
	check("followed again", false)
}

// The stored attributes are named by the store, not by the domain types' fields: renaming
// a field of directory.District or directory.Venue must not rename stored data.
func TestStoredAttributeNames(t *testing.T) {
	tbl := dynamotest.New(t)
	ctx := context.Background()
	d := &directorydb.Directory{DB: tbl.DB, Table: tbl.Name}
	city := directory.Root("430200", "株洲市")
	city.Population = 3900000
	if err := d.PutDistrict(ctx, city); err != nil {
		t.Fatal(err)
	}
	v := directory.Venue{ID: "v1", Name: "图书馆", Kind: directory.VenueLibrary, DistrictID: city.ID, Address: "天元区",
		Location: directory.Location{Lat: 27.83, Lng: 113.08}, OpeningHours: "09:00-21:00", Facilities: []string{"借阅"},
		Accessibility: "无障碍通道", Phone: "0731-28680000"}
	if err := d.CreateVenue(ctx, v); err != nil {
		t.Fatal(err)
	}
	tbl.WantAttributes(t, dynamo.DistrictPK(city.ID), dynamo.SKDistrict,
		"GSI1PK", "GSI1SK", "ID", "Level", "Name", "PK", "ParentID", "Path", "Population", "SK")
	tbl.WantAttributes(t, dynamo.VenuePK(v.ID), dynamo.SKVenue,
		"Accessibility", "Address", "DistrictID", "DistrictPath", "Facilities", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "ID", "Kind", "Location", "Name", "OpeningHours", "PK", "Phone", "SK")
}
