package directorydb_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/dynamo/directorydb"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/geo"
)

// mustEmap returns a directory store with the city and one district to hang venues on.
func mustEmap(t *testing.T) (*directorydb.Directory, *dynamotest.Table, directory.District) {
	t.Helper()
	tbl := dynamotest.New(t)
	d := &directorydb.Directory{DB: tbl.DB, Table: tbl.Name}
	city := directory.Root("430200", "株洲市")
	tianyuan := city.Child("430211", "天元区", directory.LevelCounty)
	for _, dist := range []directory.District{city, tianyuan} {
		if err := d.PutDistrict(context.Background(), dist); err != nil {
			t.Fatal(err)
		}
	}
	return d, tbl, tianyuan
}

// offset returns the point dNorth and dEast metres from (lat, lng).
func offset(lat, lng, dNorth, dEast float64) directory.Location {
	dLat := dNorth / geo.EarthRadius * 180 / math.Pi
	dLng := dEast / geo.EarthRadius * 180 / math.Pi / math.Cos(lat*math.Pi/180)
	return directory.Location{Lat: lat + dLat, Lng: lng + dLng}
}

func ids(vs []directory.VenueDistance) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.ID)
	}
	return out
}

// Venues just across a cell edge from the point asked about are found, at every level of
// the index: here the corner of four partitions (geohash precision 4), which is also a
// corner of the finer cells inside them.
func TestVenuesNearAcrossCellEdges(t *testing.T) {
	d, tbl, dist := mustEmap(t)
	ctx := context.Background()
	// The corner of partitions south-west of it at (27.94921875, 113.203125).
	cLat, cLng := 27.94921875, 113.203125
	if a, b := geo.Encode(cLat-1e-6, cLng-1e-6, 4), geo.Encode(cLat+1e-6, cLng+1e-6, 4); a == b {
		t.Fatalf("(%v, %v) is not a partition corner: %s on both sides", cLat, cLng, a)
	}
	at := offset(cLat, cLng, -5, -5) // 7 m south-west of the corner
	place := map[string]directory.Location{
		"ne":     offset(cLat, cLng, 5, 5),     // across both edges, 14 m away
		"nw":     offset(cLat, cLng, 5, -5),    // across the east-west edge, 10 m
		"se":     offset(cLat, cLng, -5, 5),    // across the north-south edge, 10 m
		"same":   offset(cLat, cLng, -8, -8),   // in the point's own cell, 4 m
		"edge60": offset(cLat, cLng, 37, 37),   // 59 m away: outside a 50 m radius
		"far":    offset(cLat, cLng, 900, 900), // 1.28 km
	}
	for id, loc := range place {
		v := directory.Venue{ID: id, Name: id, Kind: directory.VenueVillageRoom, DistrictID: dist.ID, Location: loc}
		if err := d.CreateVenue(ctx, v); err != nil {
			t.Fatalf("CreateVenue(%s): %v", id, err)
		}
	}
	tests := []struct {
		radius int
		want   []string
	}{
		{50, []string{"same", "nw", "se", "ne"}},
		{100, []string{"same", "nw", "se", "ne", "edge60"}},
		{2_000, []string{"same", "nw", "se", "ne", "edge60", "far"}},
		{50_000, []string{"same", "nw", "se", "ne", "edge60", "far"}},
	}
	for _, tt := range tests {
		tbl.Counter.Reset()
		got, err := d.VenuesNear(ctx, directory.Near{At: at, RadiusMeters: tt.radius, Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(got), tt.want) {
			t.Errorf("VenuesNear(radius %d) = %v, want %v", tt.radius, ids(got), tt.want)
		}
		for i, v := range got {
			want := at.DistanceTo(place[v.ID])
			if math.Abs(float64(v.DistanceMeters)-want) > 0.5 || (i > 0 && v.DistanceMeters < got[i-1].DistanceMeters) {
				t.Errorf("radius %d: %s at %d m, want %.1f m and sorted", tt.radius, v.ID, v.DistanceMeters, want)
			}
		}
		calls := tbl.Counter.Snapshot()
		if calls["Scan"] != 0 || calls["Query"] == 0 || (tt.radius <= 2_000 && calls["Query"] > 9) {
			t.Errorf("VenuesNear(radius %d) made %v; want Queries only, at most 9 for a small circle", tt.radius, calls)
		}
	}
}

func TestVenuesNearFiltersAndLimits(t *testing.T) {
	d, _, dist := mustEmap(t)
	ctx := context.Background()
	at := directory.Location{Lat: 27.83, Lng: 113.13}
	venues := []directory.Venue{
		{ID: "lib-1km", Kind: directory.VenueLibrary, Location: offset(at.Lat, at.Lng, 1000, 0)},
		{ID: "lib-3km", Kind: directory.VenueLibrary, Location: offset(at.Lat, at.Lng, 0, -3000)},
		{ID: "museum-500m", Kind: directory.VenueMuseum, Location: offset(at.Lat, at.Lng, -500, 0)},
		{ID: "cinema-12km", Kind: directory.VenueCinema, Location: offset(at.Lat, at.Lng, 12000, 0)},
		// 攸县, 93 km south: beyond the widest circle.
		{ID: "youxian", Kind: directory.VenueCultureCentre, Location: directory.Location{Lat: 27.0004, Lng: 113.3452}},
	}
	for _, v := range venues {
		v.Name, v.DistrictID = v.ID, dist.ID
		if err := d.CreateVenue(ctx, v); err != nil {
			t.Fatalf("CreateVenue(%s): %v", v.ID, err)
		}
	}
	tests := []struct {
		q    directory.Near
		want []string
	}{
		{directory.Near{At: at, RadiusMeters: 10_000, Limit: 20}, []string{"museum-500m", "lib-1km", "lib-3km"}},
		{directory.Near{At: at, RadiusMeters: 50_000, Limit: 20}, []string{"museum-500m", "lib-1km", "lib-3km", "cinema-12km"}},
		{directory.Near{At: at, RadiusMeters: 50_000, Kind: directory.VenueLibrary, Limit: 20}, []string{"lib-1km", "lib-3km"}},
		{directory.Near{At: at, RadiusMeters: 50_000, Limit: 2}, []string{"museum-500m", "lib-1km"}},
		{directory.Near{At: at, RadiusMeters: 2_000, Kind: directory.VenueCinema, Limit: 20}, nil},
	}
	for _, tt := range tests {
		got, err := d.VenuesNear(ctx, tt.q)
		if err != nil || !slices.Equal(ids(got), tt.want) {
			t.Errorf("VenuesNear(%+v) = %v, %v; want %v", tt.q, ids(got), err, tt.want)
		}
	}
	if _, err := d.VenuesNear(ctx, directory.Near{At: at, RadiusMeters: 0, Limit: 1}); !errors.Is(err, directory.ErrRadiusInvalid) {
		t.Errorf("VenuesNear(radius 0) = %v, want ErrRadiusInvalid", err)
	}

	// Nearest widens its circle until it has n venues.
	for _, tt := range []struct {
		n    int
		want []string
	}{
		{1, []string{"museum-500m"}},
		{3, []string{"museum-500m", "lib-1km", "lib-3km"}},
		{4, []string{"museum-500m", "lib-1km", "lib-3km", "cinema-12km"}},
		{10, []string{"museum-500m", "lib-1km", "lib-3km", "cinema-12km"}},
	} {
		got, err := d.Nearest(ctx, at, tt.n)
		if err != nil || !slices.Equal(ids(got), tt.want) {
			t.Errorf("Nearest(%d) = %v, %v; want %v", tt.n, ids(got), err, tt.want)
		}
	}
	if _, err := d.Nearest(ctx, directory.Location{}, 3); !errors.Is(err, directory.ErrNearInvalid) {
		t.Errorf("Nearest(null island) = %v, want ErrNearInvalid", err)
	}
}

// Moving a venue moves it in the index; creating an existing id or updating a missing
// one is refused.
func TestVenueCreateUpdate(t *testing.T) {
	d, tbl, dist := mustEmap(t)
	ctx := context.Background()
	at := directory.Location{Lat: 27.83, Lng: 113.13}
	v := directory.Venue{ID: "v1", Name: "书屋", Kind: directory.VenueReadingRoom, DistrictID: dist.ID, Location: at, Facilities: []string{}}
	if err := d.CreateVenue(ctx, v); err != nil {
		t.Fatal(err)
	}
	if got, err := d.Venue(ctx, "v1"); err != nil || got.Name != "书屋" || len(got.Facilities) != 0 {
		t.Errorf("Venue(v1) = %+v, %v; want it back with no facilities", got, err)
	}
	if err := d.CreateVenue(ctx, v); !errors.Is(err, directory.ErrVenueExists) {
		t.Errorf("CreateVenue(again) = %v, want ErrVenueExists", err)
	}
	v.Location = offset(at.Lat, at.Lng, 20_000, 0)
	if err := d.UpdateVenue(ctx, v); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.VenuesNear(ctx, directory.Near{At: at, RadiusMeters: 1_000, Limit: 5}); len(got) != 0 {
		t.Errorf("after the move, VenuesNear(old place) = %v, want none", ids(got))
	}
	if got, _ := d.VenuesNear(ctx, directory.Near{At: v.Location, RadiusMeters: 1_000, Limit: 5}); !slices.Equal(ids(got), []string{"v1"}) {
		t.Errorf("after the move, VenuesNear(new place) = %v, want [v1]", ids(got))
	}
	ghost := v
	ghost.ID = "ghost"
	if err := d.UpdateVenue(ctx, ghost); !errors.Is(err, directory.ErrVenueNotFound) {
		t.Errorf("UpdateVenue(missing) = %v, want ErrVenueNotFound", err)
	}
	if err := d.CreateDistrict(ctx, dist); !errors.Is(err, directory.ErrDistrictExists) {
		t.Errorf("CreateDistrict(existing) = %v, want ErrDistrictExists", err)
	}
	if err := d.RenameDistrict(ctx, "nope", "x"); !errors.Is(err, directory.ErrDistrictUnknown) {
		t.Errorf("RenameDistrict(missing) = %v, want ErrDistrictUnknown", err)
	}
	if err := d.RenameDistrict(ctx, dist.ID, "天元"); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.District(ctx, dist.ID); got.Name != "天元" || got.Path != dist.Path {
		t.Errorf("after rename, District = %+v, want name 天元 and the same path", got)
	}
	tbl.FailAll(t)
	if _, err := d.Nearest(ctx, at, 3); fault.KindOf(err) != fault.Unavailable {
		t.Errorf("Nearest(failing table) = %v, want unavailable", err)
	}
}

// How much of the index one e-map query reads, with 400 venues spread over Zhuzhou's
// urban area (about 40 × 40 km) and the city's counties.
func TestVenuesNearReadsOnlyItsCells(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 400 venues")
	}
	d, tbl, dist := mustEmap(t)
	ctx := context.Background()
	const n = 400
	for i := range n {
		// A deterministic scatter: a 20 × 20 grid, 2 km apart, around the centre.
		loc := offset(27.83, 113.13, float64(i/20-10)*2000+37, float64(i%20-10)*2000+53)
		v := directory.Venue{ID: fmt.Sprintf("v%03d", i), Name: "v", Kind: directory.VenueVillageRoom, DistrictID: dist.ID, Location: loc}
		if err := d.PutVenue(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	at := directory.Location{Lat: 27.83, Lng: 113.13}
	for _, radius := range []int{2_000, 10_000, 50_000} {
		tbl.Counter.Reset()
		candidates, err := d.Candidates(ctx, directory.Near{At: at, RadiusMeters: radius, Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		read := len(candidates)
		got, _ := d.VenuesNear(ctx, directory.Near{At: at, RadiusMeters: radius, Limit: directory.MaxLimit})
		queries := tbl.Counter.Snapshot()["Query"] / 2
		t.Logf("radius %5d m: %d queries, %3d of %d items read, %3d within the radius", radius, queries, read, n, len(got))
		if radius == 2_000 && read > n/10 {
			t.Errorf("radius %d m read %d of %d items, want at most a tenth", radius, read, n)
		}
	}
	tbl.Counter.Reset()
	near, err := d.Nearest(ctx, at, 5)
	if err != nil || len(near) != 5 {
		t.Fatalf("Nearest(5) = %d, %v", len(near), err)
	}
	t.Logf("Nearest(5): %d queries", tbl.Counter.Snapshot()["Query"])
}
