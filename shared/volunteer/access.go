package volunteer

import (
	"errors"
	"net/http"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/directory"
)

// targets resolves what a staff route of the volunteer context acts on to district
// paths (access.Target).
type targets struct{ svc *Service }

// volunteer is a volunteer's district.
func (t targets) volunteer(r *http.Request) ([]string, error) {
	v, err := t.svc.Store.Volunteer(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return []string{v.DistrictPath}, nil
}

// shift is the district of a shift's venue.
func (t targets) shift(r *http.Request) ([]string, error) {
	sh, err := t.svc.Store.Shift(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return []string{sh.DistrictPath}, nil
}

// newShift is the district of the venue a new shift is at.
func (t targets) newShift(r *http.Request) ([]string, error) {
	var body struct {
		VenueID string `json:"venueId"`
	}
	access.Body(r, &body)
	v, err := t.svc.Directory.Venue(r.Context(), body.VenueID)
	if errors.Is(err, directory.ErrVenueNotFound) {
		return nil, ErrVenue
	}
	if err != nil {
		return nil, err
	}
	return []string{v.DistrictPath}, nil
}

// district is the district a listing asks for with ?districtId= (none: the caller's).
func (t targets) district(r *http.Request) ([]string, error) {
	id := r.URL.Query().Get("districtId")
	if id == "" {
		return nil, nil
	}
	d, err := t.svc.Directory.District(r.Context(), id)
	if errors.Is(err, directory.ErrDistrictUnknown) {
		return nil, ErrDistrict
	}
	if err != nil {
		return nil, err
	}
	return []string{d.Path}, nil
}
