package directory

import "testing"

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
