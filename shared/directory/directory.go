// Package directory is the city's structure as data: the district tree (city →
// county/district → township/street → village/community) and the venues hanging off it.
package directory

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/fault"
)

// Level is a district's place in the four-level administration.
type Level string

// The levels, from the top.
const (
	LevelCity     Level = "city"     // 市
	LevelCounty   Level = "county"   // 县（市、区）
	LevelTownship Level = "township" // 乡镇（街道）
	LevelVillage  Level = "village"  // 村（社区）
)

// parentLevel is the level a district's parent must have.
var parentLevel = map[Level]Level{LevelCounty: LevelCity, LevelTownship: LevelCounty, LevelVillage: LevelTownship}

// District is one node of the tree. Path is the ids from the root to this node joined by
// "/", so that a subtree is every district whose path starts with its root's.
type District struct {
	ID       string `json:"id"`
	ParentID string `json:"parentId,omitempty"`
	Name     string `json:"name"`
	Level    Level  `json:"level"`
	Path     string `json:"path"`
	// Population is the resident population, for per-capita figures (0: unknown).
	Population int `json:"population,omitempty"`
}

// Errors of the directory.
var (
	ErrDistrictInvalid = fault.New(fault.Invalid, "district_invalid", "行政区划信息不完整或层级不正确")
	ErrDistrictUnknown = fault.New(fault.NotFound, "district_not_found", "找不到该行政区划")
	ErrDistrictExists  = fault.New(fault.Conflict, "district_exists", "该行政区划代码已存在")
	ErrVenueExists     = fault.New(fault.Conflict, "venue_exists", "该场馆编号已存在")
	ErrVenueInvalid    = fault.New(fault.Invalid, "venue_invalid", "场馆信息不完整或坐标无效")
	ErrVenueNotFound   = fault.New(fault.NotFound, "venue_not_found", "找不到该场馆")
	// ErrNamedDistrictUnknown is a district a request names beside what it acts on (an
	// application's district, a listing's filter, an appointment's) that does not exist:
	// the request is invalid, rather than its subject missing.
	ErrNamedDistrictUnknown = fault.New(fault.Invalid, "district_not_found", "找不到该行政区划")
)

// Parent returns the level a district of level l hangs under ("" for the city and
// unknown levels).
func (l Level) Parent() Level { return parentLevel[l] }

// Child returns the district named name under d, at the next level down.
func (d District) Child(id, name string, level Level) District {
	return District{ID: id, ParentID: d.ID, Name: name, Level: level, Path: d.Path + "/" + id}
}

// Root returns the city at the top of a tree.
func Root(id, name string) District {
	return District{ID: id, Name: name, Level: LevelCity, Path: id}
}

// Validate reports ErrDistrictInvalid unless the district has an id of at most 32 bytes
// without "/" or "#", a name,
// a known level matching its parent's, and a path that ends in its id.
func (d District) Validate() error {
	switch {
	case d.ID == "" || strings.ContainsAny(d.ID, "/#") || len(d.ID) > 32 || d.Name == "" || utf8.RuneCountInString(d.Name) > 50:
		return ErrDistrictInvalid
	case d.Level == LevelCity:
		if d.ParentID != "" || d.Path != d.ID {
			return ErrDistrictInvalid
		}
	case parentLevel[d.Level] == "":
		return ErrDistrictInvalid
	default:
		parentPath, ok := strings.CutSuffix(d.Path, "/"+d.ID)
		if !ok || d.ParentID == "" || parentPath[strings.LastIndex(parentPath, "/")+1:] != d.ParentID {
			return ErrDistrictInvalid
		}
	}
	return nil
}

// Location is a point in WGS-84 degrees.
type Location struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// Valid reports whether the point is on the globe and not the null island.
func (l Location) Valid() bool {
	return l.Lat >= -90 && l.Lat <= 90 && l.Lng >= -180 && l.Lng <= 180 && (l.Lat != 0 || l.Lng != 0)
}

// Venue kinds.
const (
	VenueLibrary         = "library"          // 图书馆
	VenueCultureCentre   = "culture_centre"   // 文化馆
	VenueMuseum          = "museum"           // 博物馆
	VenueCinema          = "cinema"           // 影厅
	VenueSportsGround    = "sports_ground"    // 体育场馆
	VenueTownshipStation = "township_station" // 乡镇综合文化站
	VenueVillageRoom     = "village_room"     // 村（社区）综合性文化服务中心
	VenueReadingRoom     = "reading_room"     // 阅读空间 / 电子阅览室
)

// Kinds lists the venue kinds.
var Kinds = []string{
	VenueLibrary, VenueCultureCentre, VenueMuseum, VenueCinema, VenueSportsGround,
	VenueTownshipStation, VenueVillageRoom, VenueReadingRoom,
}

// Venue is a place where activities happen, on the cultural e-map.
type Venue struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Kind          string   `json:"kind"`
	DistrictID    string   `json:"districtId"`
	DistrictPath  string   `json:"-"` // set by the store from the district
	Address       string   `json:"address"`
	Location      Location `json:"location"`
	OpeningHours  string   `json:"openingHours,omitempty"`
	Facilities    []string `json:"facilities,omitempty"`
	Accessibility string   `json:"accessibility,omitempty"`
	Phone         string   `json:"phone,omitempty"`
}

// Validate reports ErrVenueInvalid unless the venue has an id, a name, a known kind, a
// district and a valid location, and its texts are of reasonable length.
func (v Venue) Validate() error {
	if v.ID == "" || strings.ContainsAny(v.ID, "#/") || len(v.ID) > 64 || v.Name == "" || v.DistrictID == "" ||
		!slices.Contains(Kinds, v.Kind) || !v.Location.Valid() || len(v.Facilities) > 30 {
		return ErrVenueInvalid
	}
	for _, s := range append([]string{v.Name, v.Address, v.OpeningHours, v.Accessibility, v.Phone}, v.Facilities...) {
		if utf8.RuneCountInString(s) > 200 {
			return ErrVenueInvalid
		}
	}
	return nil
}

// Store keeps the district tree and the venues.
type Store interface {
	// Districts returns every district, parents before children.
	Districts(ctx context.Context) ([]District, error)
	// District returns one district, or ErrDistrictUnknown.
	District(ctx context.Context, id string) (District, error)
	// CreateDistrict adds a district; ErrDistrictInvalid, or ErrDistrictExists when the
	// id is taken.
	CreateDistrict(ctx context.Context, d District) error
	// RenameDistrict renames a district, or returns ErrDistrictUnknown.
	RenameDistrict(ctx context.Context, id, name string) error
	// Venue returns one venue, or ErrVenueNotFound.
	Venue(ctx context.Context, id string) (Venue, error)
	// CreateVenue adds a venue; ErrVenueInvalid, ErrDistrictUnknown, or ErrVenueExists.
	CreateVenue(ctx context.Context, v Venue) error
	// UpdateVenue replaces a venue; ErrVenueInvalid, ErrDistrictUnknown, or
	// ErrVenueNotFound.
	UpdateVenue(ctx context.Context, v Venue) error
	// VenuesUnder returns the venues of a district's subtree.
	VenuesUnder(ctx context.Context, d District) ([]Venue, error)
	// VenuesNear answers the e-map's query, nearest first; q's validation error.
	VenuesNear(ctx context.Context, q Near) ([]VenueDistance, error)
}
