package gateway

import (
	"context"
	"math"
	"sort"

	"github.com/wentitong/wentitong/shared/directory"
)

// VenueLister lists the venues of a district's subtree (dynamo.Directory).
type VenueLister interface {
	VenuesUnder(ctx context.Context, dist directory.District) ([]directory.Venue, error)
}

// DirectoryVenues finds nearest venues by reading every venue and sorting by distance.
//
// TO BE REPLACED at merge by the directory's Nearest (the e-map issue), which
// implements Venues itself; this stand-in reads the whole VENUES partition per call,
// which is fine for the city's few hundred venues and no more.
type DirectoryVenues struct {
	Directory VenueLister
}

var _ Venues = DirectoryVenues{}

// Nearest returns at most n venues, nearest first.
func (d DirectoryVenues) Nearest(ctx context.Context, lat, lng float64, n int) ([]VenueHit, error) {
	venues, err := d.Directory.VenuesUnder(ctx, directory.District{}) // the empty path: every venue
	if err != nil {
		return nil, err
	}
	hits := make([]VenueHit, 0, len(venues))
	for _, v := range venues {
		hits = append(hits, VenueHit{ID: v.ID, Name: v.Name, Address: v.Address,
			DistanceMeters: Haversine(lat, lng, v.Location.Lat, v.Location.Lng)})
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].DistanceMeters < hits[j].DistanceMeters })
	if len(hits) > n {
		hits = hits[:n]
	}
	return hits, nil
}

// Haversine returns the great-circle distance in metres between two WGS-84 points.
func Haversine(lat1, lng1, lat2, lng2 float64) float64 {
	const r = 6371000.0
	rad := math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLng := (lng2 - lng1) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(a)))
}
