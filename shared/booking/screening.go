package booking

import (
	"context"
	"time"

	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/geo"
)

// ScreeningRadius is the geofence of a screening's verification: the projectionist's
// location must be this close to the venue (the village's screening ground).
const ScreeningRadius = 500.0 // metres

// ScreeningFixAge is how recent the location WeChat reported for the projectionist must
// be to place them at a screening.
const ScreeningFixAge = 10 * time.Minute

// Where a screening's location came from, which says what it proves.
const (
	// LocationWeChat: WeChat reported it (the LOCATION event the projectionist's WeChat
	// sends on entering the account's chat, within ScreeningFixAge): the phone's own
	// positioning, as trustworthy as the phone.
	LocationWeChat = "wechat"
	// LocationPage: the verification page sent it (the JS-SDK's getLocation): whatever
	// the client says, recorded as such for whoever audits the screening.
	LocationPage = "page"
)

// Screening is the evidence that a film was really shown: where the projectionist stood
// when they scanned the village's code, where that location came from, and how many
// people watched.
type Screening struct {
	SlotID         string    `json:"slotId"`
	Lat            float64   `json:"lat"`
	Lng            float64   `json:"lng"`
	LocationSource string    `json:"locationSource"` // LocationWeChat or LocationPage
	HeadCount      int       `json:"headCount"`
	DistanceMeters float64   `json:"distanceMeters"`
	By             string    `json:"-"`
	At             time.Time `json:"verifiedAt"`
}

// Position is a point in WGS-84 degrees.
type Position struct{ Lat, Lng float64 }

// Locations says where WeChat last reported a person to be.
type Locations interface {
	// ReportedLocation returns the last location WeChat reported for openid (a LOCATION
	// event, never a location message); ok is false when there is none.
	ReportedLocation(ctx context.Context, openid string) (lat, lng float64, at time.Time, ok bool, err error)
}

// Errors of screenings.
var (
	ErrOutsideGeofence  = fault.New(fault.Forbidden, "outside_geofence", "不在放映点附近，无法核验")
	ErrScreeningInvalid = fault.New(fault.Invalid, "screening_invalid", "请提供有效的位置和观众人数")
	ErrNotScreening     = fault.New(fault.Conflict, "not_a_screening", "该场次不是电影放映，或不在放映时间")
	ErrScreeningDone    = fault.New(fault.Conflict, "screening_verified", "该场放映已核验")
)

// Screenings records verified screenings.
type Screenings interface {
	// RecordScreening writes the verification once; ErrScreeningDone when there is one.
	RecordScreening(ctx context.Context, s Screening) error
}

// Places says where venues are.
type Places interface {
	// VenueAt returns a venue's location; ok is false when there is none.
	VenueAt(ctx context.Context, id string) (lat, lng float64, ok bool, err error)
}

// VerifyScreening records that the film slot was shown, from the projectionist's scan
// of the village's code: their location (within ScreeningRadius of the venue) and the
// head-count, between an hour before the start and two hours after the end. The
// location is the one WeChat reported for them in the last ScreeningFixAge when there is
// one, else the one the page sent (nil: none), and the record says which. Errors:
// ErrSlotNotFound, ErrScreeningInvalid, ErrNotScreening, ErrOutsideGeofence,
// ErrScreeningDone.
func (s *Service) VerifyScreening(ctx context.Context, slotID, by string, page *Position, headCount int) (Screening, error) {
	if !ValidID(slotID) {
		return Screening{}, ErrSlotNotFound
	}
	now := s.Now()
	var at Position
	source := ""
	if s.Locations != nil {
		lat, lng, when, ok, err := s.Locations.ReportedLocation(ctx, by)
		if err != nil {
			return Screening{}, err
		}
		if ok && !when.Before(now.Add(-ScreeningFixAge)) && !when.After(now.Add(time.Minute)) {
			at, source = Position{lat, lng}, LocationWeChat
		}
	}
	if source == "" && page != nil {
		at, source = *page, LocationPage
	}
	lat, lng := at.Lat, at.Lng
	if source == "" || lat < -90 || lat > 90 || lng < -180 || lng > 180 || (lat == 0 && lng == 0) || headCount < 0 || headCount > 100000 {
		return Screening{}, ErrScreeningInvalid
	}
	sl, err := s.Catalog.Slot(ctx, slotID)
	if err != nil {
		return Screening{}, err
	}
	if sl.Kind != KindFilm || sl.Status == SlotCancelled || now.Before(sl.StartsAt.Add(-time.Hour)) || now.After(sl.EndsAt.Add(2*time.Hour)) {
		return Screening{}, ErrNotScreening
	}
	a, ok, err := s.Catalog.Activity(ctx, sl.ActivityID)
	if err != nil {
		return Screening{}, err
	}
	if !ok || s.Places == nil {
		return Screening{}, ErrOutsideGeofence
	}
	vlat, vlng, ok, err := s.Places.VenueAt(ctx, a.VenueID)
	if err != nil {
		return Screening{}, err
	}
	d := geo.Distance(lat, lng, vlat, vlng)
	if !ok || d > ScreeningRadius {
		return Screening{}, ErrOutsideGeofence
	}
	sc := Screening{SlotID: slotID, Lat: lat, Lng: lng, LocationSource: source, HeadCount: headCount, DistanceMeters: d, By: by, At: now.UTC()}
	return sc, s.Screenings.RecordScreening(ctx, sc)
}
