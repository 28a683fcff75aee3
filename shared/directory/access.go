package directory

import (
	"context"
	"net/http"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/fault"
)

// ErrOutOfScope is the refusal of a staff member acting outside their district.
var ErrOutOfScope = access.ErrOutOfScope

// targets resolves what a staff route of the directory acts on to district paths
// (access.Target); an unknown district resolves to "" (no district: admins only).
type targets struct{ store Store }

func (t targets) districtPath(ctx context.Context, id string) (string, error) {
	d, err := t.store.District(ctx, id)
	if fault.KindOf(err) == fault.NotFound {
		return "", nil
	}
	return d.Path, err
}

// newVenue is the district a new venue is in.
func (t targets) newVenue(r *http.Request) ([]string, error) {
	var v Venue
	access.Body(r, &v)
	return NewVenueScope(r.Context(), t.store, v.DistrictID)
}

// venue is where a venue is and where the replacement puts it.
func (t targets) venue(r *http.Request) ([]string, error) {
	var v Venue
	access.Body(r, &v)
	return VenueScope(r.Context(), t.store, r.PathValue("id"), v.DistrictID)
}

// NewVenueScope returns the district a new venue in districtID would be in, which staff
// creating it must look after ("" for an unknown district: admins only).
func NewVenueScope(ctx context.Context, store Store, districtID string) ([]string, error) {
	p, err := targets{store}.districtPath(ctx, districtID)
	return []string{p}, err
}

// VenueScope returns where a venue is and where a replacement in districtID would put
// it: staff must look after both. Errors: ErrVenueNotFound.
func VenueScope(ctx context.Context, store Store, id, districtID string) ([]string, error) {
	old, err := store.Venue(ctx, id)
	if err != nil {
		return nil, err
	}
	p, err := targets{store}.districtPath(ctx, districtID)
	return []string{old.DistrictPath, p}, err
}
