package directory

import (
	"cmp"
	"context"
	"math"
	"slices"

	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/geo"
)

// The e-map's limits.
const (
	DefaultRadius = 10_000 // metres searched when the caller gives no radius
	MaxRadius     = 50_000 // the widest search: the whole urban area and its nearest counties
	DefaultLimit  = 20
	MaxLimit      = 100
)

// Errors of the e-map's query.
var (
	ErrNearInvalid   = fault.New(fault.Invalid, "near_invalid", "位置参数无效：应为“纬度,经度”，例如 27.83,113.13")
	ErrKindInvalid   = fault.New(fault.Invalid, "kind_invalid", "未知的场馆类型")
	ErrRadiusInvalid = fault.New(fault.Invalid, "radius_invalid", "搜索半径应为 1 到 50000 米")
	ErrLimitInvalid  = fault.New(fault.Invalid, "limit_invalid", "返回数量应为 1 到 100")
)

// Near asks for the venues within RadiusMeters of At, optionally of one Kind, nearest
// first, at most Limit of them.
type Near struct {
	At           Location
	RadiusMeters int
	Kind         string
	Limit        int
}

// Validate reports ErrNearInvalid, ErrRadiusInvalid, ErrKindInvalid or ErrLimitInvalid.
func (q Near) Validate() error {
	switch {
	case !q.At.Valid():
		return ErrNearInvalid
	case q.RadiusMeters < 1 || q.RadiusMeters > MaxRadius:
		return ErrRadiusInvalid
	case q.Kind != "" && !slices.Contains(Kinds, q.Kind):
		return ErrKindInvalid
	case q.Limit < 1 || q.Limit > MaxLimit:
		return ErrLimitInvalid
	}
	return nil
}

// VenueDistance is a venue and its distance from the point asked about.
type VenueDistance struct {
	Venue
	DistanceMeters int `json:"distanceMeters"`
}

// DistanceTo returns the great-circle distance in metres from l to m.
func (l Location) DistanceTo(m Location) float64 {
	return geo.Distance(l.Lat, l.Lng, m.Lat, m.Lng)
}

// Select keeps the venues that answer q, with their distances, nearest first (ties by
// id, so the order is stable), at most q.Limit of them.
func (q Near) Select(venues []Venue) []VenueDistance {
	out := []VenueDistance{}
	for _, v := range venues {
		d := q.At.DistanceTo(v.Location)
		if d > float64(q.RadiusMeters) || (q.Kind != "" && v.Kind != q.Kind) {
			continue
		}
		out = append(out, VenueDistance{Venue: v, DistanceMeters: int(math.Round(d))})
	}
	slices.SortFunc(out, func(a, b VenueDistance) int {
		return cmp.Or(cmp.Compare(a.DistanceMeters, b.DistanceMeters), cmp.Compare(a.ID, b.ID))
	})
	return out[:min(len(out), q.Limit)]
}

// Locator finds the venues nearest a point: the WeChat callback's answer to a LOCATION
// message.
type Locator interface {
	// Nearest returns the n venues nearest at (fewer when fewer lie within MaxRadius),
	// nearest first. It returns ErrNearInvalid for a point off the globe and an
	// unavailable error when the store is failing.
	Nearest(ctx context.Context, at Location, n int) ([]VenueDistance, error)
}
