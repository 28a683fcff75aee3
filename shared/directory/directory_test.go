package directory

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/wentitong/wentitong/shared/fault"
)

func TestDistrictValidate(t *testing.T) {
	city := Root("430200", "株洲市")
	county := city.Child("430223", "攸县", LevelCounty)
	town := county.Child("430223100", "联星街道", LevelTownship)
	tests := []struct {
		name string
		d    District
		ok   bool
	}{
		{"city", city, true},
		{"county", county, true},
		{"township", town, true},
		{"village", town.Child("430223100201", "城东社区", LevelVillage), true},
		{"no name", Root("1", ""), false},
		{"slash in id", Root("1/2", "x"), false},
		{"city with parent", District{ID: "c", ParentID: "p", Name: "x", Level: LevelCity, Path: "p/c"}, false},
		{"unknown level", District{ID: "c", ParentID: city.ID, Name: "x", Level: "province", Path: city.Path + "/c"}, false},
		{"path of another parent", District{ID: "v", ParentID: town.ID, Name: "x", Level: LevelVillage, Path: county.Path + "/v"}, false},
		{"no parent", District{ID: "v", Name: "x", Level: LevelVillage, Path: "v"}, false},
	}
	for _, tt := range tests {
		if err := tt.d.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestLocationValid(t *testing.T) {
	for _, tt := range []struct {
		l  Location
		ok bool
	}{{Location{27.83, 113.13}, true}, {Location{}, false}, {Location{91, 0}, false}, {Location{0, 181}, false}} {
		if got := tt.l.Valid(); got != tt.ok {
			t.Errorf("%+v.Valid() = %v, want %v", tt.l, got, tt.ok)
		}
	}
}

func TestTree(t *testing.T) {
	city := Root("430200", "株洲市")
	hetang := city.Child("430202", "荷塘区", LevelCounty)
	street := hetang.Child("430202001", "月塘街道", LevelTownship)
	youxian := city.Child("430223", "攸县", LevelCounty)
	roots := Tree([]District{city, hetang, street, youxian})
	if len(roots) != 1 || roots[0].ID != city.ID || len(roots[0].Children) != 2 ||
		roots[0].Children[0].Children[0].ID != street.ID || len(roots[0].Children[1].Children) != 0 {
		t.Errorf("Tree = %+v, want 株洲市 → [荷塘区 → [月塘街道], 攸县]", roots)
	}
	if sub := Tree([]District{hetang, street}); len(sub) != 1 || sub[0].ID != hetang.ID {
		t.Errorf("Tree(subtree) = %+v, want one root 荷塘区", sub)
	}
	for _, tt := range []struct {
		d, root District
		want    bool
	}{
		{street, city, true}, {street, hetang, true}, {hetang, hetang, true}, {street, youxian, false},
		{city, hetang, false}, {city.Child("4302021", "x", LevelCounty), hetang, false},
	} {
		if got := tt.d.Within(tt.root); got != tt.want {
			t.Errorf("%s.Within(%s) = %v, want %v", tt.d.Name, tt.root.Name, got, tt.want)
		}
	}
}

func TestNearSelect(t *testing.T) {
	at := Location{Lat: 27.83, Lng: 113.13}
	venues := []Venue{
		{ID: "far", Kind: VenueLibrary, Location: Location{Lat: 27.90, Lng: 113.13}},     // 7.8 km north
		{ID: "near", Kind: VenueMuseum, Location: Location{Lat: 27.831, Lng: 113.13}},    // 111 m
		{ID: "mid", Kind: VenueLibrary, Location: Location{Lat: 27.83, Lng: 113.14}},     // 984 m east
		{ID: "mid2", Kind: VenueLibrary, Location: Location{Lat: 27.83, Lng: 113.12}},    // 984 m west: tie, by id
		{ID: "out", Kind: VenueLibrary, Location: Location{Lat: 28.2282, Lng: 112.9388}}, // Changsha, 48 km
	}
	names := func(vs []VenueDistance) (out []string) {
		for _, v := range vs {
			out = append(out, v.ID)
		}
		return out
	}
	tests := []struct {
		q    Near
		want []string
	}{
		{Near{At: at, RadiusMeters: 10_000, Limit: 20}, []string{"near", "mid", "mid2", "far"}},
		{Near{At: at, RadiusMeters: 50_000, Limit: 20}, []string{"near", "mid", "mid2", "far", "out"}},
		{Near{At: at, RadiusMeters: 1_000, Limit: 20}, []string{"near", "mid", "mid2"}},
		{Near{At: at, RadiusMeters: 10_000, Kind: VenueLibrary, Limit: 20}, []string{"mid", "mid2", "far"}},
		{Near{At: at, RadiusMeters: 10_000, Limit: 2}, []string{"near", "mid"}},
		{Near{At: at, RadiusMeters: 100, Limit: 20}, nil},
	}
	for _, tt := range tests {
		got := tt.q.Select(venues)
		if !slices.Equal(names(got), tt.want) {
			t.Errorf("%+v.Select = %v, want %v", tt.q, names(got), tt.want)
		}
		if len(got) > 0 && got[0].ID == "near" && (got[0].DistanceMeters < 110 || got[0].DistanceMeters > 112) {
			t.Errorf("distance to near = %d m, want 111", got[0].DistanceMeters)
		}
	}
}

func TestNearValidate(t *testing.T) {
	at := Location{Lat: 27.83, Lng: 113.13}
	tests := []struct {
		q    Near
		want error
	}{
		{Near{At: at, RadiusMeters: 1, Limit: 1}, nil},
		{Near{At: at, RadiusMeters: MaxRadius, Kind: VenueCinema, Limit: MaxLimit}, nil},
		{Near{At: Location{Lat: 91, Lng: 0}, RadiusMeters: 1, Limit: 1}, ErrNearInvalid},
		{Near{At: at, RadiusMeters: 0, Limit: 1}, ErrRadiusInvalid},
		{Near{At: at, RadiusMeters: MaxRadius + 1, Limit: 1}, ErrRadiusInvalid},
		{Near{At: at, RadiusMeters: 1, Kind: "spa", Limit: 1}, ErrKindInvalid},
		{Near{At: at, RadiusMeters: 1, Limit: 0}, ErrLimitInvalid},
		{Near{At: at, RadiusMeters: 1, Limit: MaxLimit + 1}, ErrLimitInvalid},
	}
	for _, tt := range tests {
		if got := tt.q.Validate(); !errors.Is(got, tt.want) && got != tt.want {
			t.Errorf("%+v.Validate() = %v, want %v", tt.q, got, tt.want)
		}
	}
}

// ParseNear never panics, and what it accepts is a valid query.
func FuzzParseNear(f *testing.F) {
	for _, s := range [][4]string{{"27.83,113.13", "", "", ""}, {"27.83,113.13", "5000", "library", "5"}, {"NaN,1", "", "", ""},
		{"1e308,1", "", "", ""}, {",", "-1", "x", "0"}, {"27.83, 113.13", "50000", "", "100"}} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, near, radius, kind, limit string) {
		q, err := ParseNear(near, radius, kind, limit)
		if err == nil && q.Validate() != nil {
			t.Errorf("ParseNear(%q, %q, %q, %q) = %+v, which does not validate", near, radius, kind, limit, q)
		}
	})
}

func TestNearestReply(t *testing.T) {
	vs := []VenueDistance{
		{Venue: Venue{Name: "株洲市工人文化宫影院", Address: "芦淞区建设中路", OpeningHours: "每日 10:00-22:00"}, DistanceMeters: 2219},
		{Venue: Venue{Name: "湖塘村综合文化服务中心"}, DistanceMeters: 850},
		{Venue: Venue{Name: "攸县文化馆"}, DistanceMeters: 93_480},
	}
	got := NearestReply(vs)
	for _, want := range []string{"1. 株洲市工人文化宫影院（2.2公里）", "地址：芦淞区建设中路", "开放：每日 10:00-22:00", "2. 湖塘村综合文化服务中心（850米）", "3. 攸县文化馆（93公里）"} {
		if !strings.Contains(got, want) {
			t.Errorf("NearestReply = %q, want it to contain %q", got, want)
		}
	}
	if strings.Contains(got, "2. 湖塘村综合文化服务中心（850米）\n   地址") {
		t.Errorf("NearestReply shows an empty address: %q", got)
	}
	if empty := NearestReply(nil); !strings.Contains(empty, "暂未收录") {
		t.Errorf("NearestReply(nil) = %q", empty)
	}
	long := slices.Repeat([]VenueDistance{{Venue: Venue{Name: strings.Repeat("馆", 150), Address: strings.Repeat("路", 150)}, DistanceMeters: 1}}, 20)
	if n := len([]rune(NearestReply(long))); n > 2000 {
		t.Errorf("NearestReply of 20 long venues is %d characters, want at most 2000", n)
	}
}

type finder []District

func (f finder) District(_ context.Context, id string) (District, error) {
	for _, d := range f {
		if d.ID == id {
			return d, nil
		}
	}
	return District{}, ErrDistrictUnknown
}

func (f finder) Districts(context.Context) ([]District, error) { return f, nil }

// DistrictOrCity finds the district asked for, the city when none is, and nothing in an
// empty directory.
func TestDistrictOrCity(t *testing.T) {
	city := Root("430200", "株洲市")
	county := city.Child("430202", "荷塘区", LevelCounty)
	ctx := context.Background()
	for _, tc := range []struct {
		f    finder
		id   string
		want District
		err  error
	}{
		{finder{city, county}, "430202", county, nil},
		{finder{city, county}, "", city, nil},
		{finder{}, "", District{}, nil},
		{finder{city}, "x", District{}, ErrDistrictUnknown},
	} {
		got, err := DistrictOrCity(ctx, tc.f, tc.id)
		if got != tc.want || err != tc.err {
			t.Errorf("DistrictOrCity(%d districts, %q) = %v, %v, want %v, %v", len(tc.f), tc.id, got, err, tc.want, tc.err)
		}
	}
}

// Subtree loads under the district asked for (the city when none is), keeps what its
// filter keeps in its order, answers an empty list rather than nil, and passes on a
// failed load.
func TestSubtree(t *testing.T) {
	city := Root("430200", "株洲市")
	county := city.Child("430202", "荷塘区", LevelCounty)
	ctx := context.Background()
	var asked []string
	load := func(_ context.Context, path string) ([]int, error) {
		asked = append(asked, path)
		return []int{3, 8, 1, 6}, nil
	}
	even := func(n int) bool { return n%2 == 0 }
	got, err := Subtree(ctx, finder{city, county}, "430202", load, even, func(a, b int) int { return a - b })
	if err != nil || !slices.Equal(got, []int{6, 8}) {
		t.Errorf("Subtree = %v, %v, want [6 8]", got, err)
	}
	none, err := Subtree(ctx, finder{city, county}, "", load, func(int) bool { return false }, func(a, b int) int { return a - b })
	if err != nil || none == nil || len(none) != 0 {
		t.Errorf("Subtree keeping nothing = %#v, %v, want an empty list", none, err)
	}
	if !slices.Equal(asked, []string{county.Path, city.Path}) {
		t.Errorf("loaded under %v, want %v", asked, []string{county.Path, city.Path})
	}
	broken := errors.New("table unreachable")
	_, err = Subtree(ctx, finder{city}, "", func(context.Context, string) ([]int, error) { return nil, broken }, even, func(a, b int) int { return a - b })
	if !errors.Is(err, broken) {
		t.Errorf("Subtree with a failed load = %v, want it wrapped", err)
	}
	if _, err := Subtree(ctx, finder{city}, "x", load, even, func(a, b int) int { return a - b }); err != ErrDistrictUnknown {
		t.Errorf("Subtree of an unknown district = %v, want ErrDistrictUnknown", err)
	}
}

// A district a request names that does not exist is the request's fault: invalid, with
// the directory's code; a known one is found.
func TestNamedDistrict(t *testing.T) {
	city := Root("430200", "株洲市")
	ctx := context.Background()
	if d, err := NamedDistrict(ctx, finder{city}, "430200"); err != nil || d != city {
		t.Errorf("NamedDistrict(city) = %v, %v", d, err)
	}
	_, err := NamedDistrict(ctx, finder{city}, "x")
	if err != ErrNamedDistrictUnknown || fault.KindOf(err) != fault.Invalid || fault.CodeOf(err) != ErrDistrictUnknown.Code {
		t.Errorf("NamedDistrict(unknown) = %v, want ErrNamedDistrictUnknown (invalid, %s)", err, ErrDistrictUnknown.Code)
	}
}
