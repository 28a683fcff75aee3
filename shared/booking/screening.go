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

// Screening is the evidence that a film was really shown: where the projectionist stood
// when they scanned the village's code, and how many people watched.
type Screening struct {
	SlotID         string    `json:"slotId"`
	Lat            float64   `json:"lat"`
	Lng            float64   `json:"lng"`
	HeadCount      int       `json:"headCount"`
	DistanceMeters float64   `json:"distanceMeters"`
	By             string    `json:"-"`
	At             time.Time `json:"verifiedAt"`
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
// head-count, between an hour before the start and two hours after the end. Errors:
// ErrSlotNotFound, ErrScreeningInvalid, ErrNotScreening, ErrOutsideGeofence,
// ErrScreeningDone.
func (s *Service) VerifyScreening(ctx context.Context, slotID, by string, lat, lng float64, headCount int) (Screening, error) {
	if !ValidID(slotID) {
		return Screening{}, ErrSlotNotFound
	}
	if lat < -90 || lat > 90 || lng < -180 || lng > 180 || (lat == 0 && lng == 0) || headCount < 0 || headCount > 100000 {
		return Screening{}, ErrScreeningInvalid
	}
	sl, err := s.Catalog.Slot(ctx, slotID)
	if err != nil {
		return Screening{}, err
	}
	now := s.Now()
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
	sc := Screening{SlotID: slotID, Lat: lat, Lng: lng, HeadCount: headCount, DistanceMeters: d, By: by, At: now.UTC()}
	return sc, s.Screenings.RecordScreening(ctx, sc)
}
