package volunteer

import (
	"context"
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
	return t.svc.VolunteerScope(r.Context(), r.PathValue("id"))
}

// shift is the district of a shift's venue.
func (t targets) shift(r *http.Request) ([]string, error) {
	return t.svc.ShiftScope(r.Context(), r.PathValue("id"))
}

// newShift is the district of the venue a new shift is at.
func (t targets) newShift(r *http.Request) ([]string, error) {
	var body struct {
		VenueID string `json:"venueId"`
	}
	access.Body(r, &body)
	return t.svc.VenueScope(r.Context(), body.VenueID)
}

// VolunteerScope returns the district of a volunteer, which staff acting on them must
// look after. Errors: ErrNotFound.
func (s *Service) VolunteerScope(ctx context.Context, id string) ([]string, error) {
	v, err := s.Store.Volunteer(ctx, id)
	if err != nil {
		return nil, err
	}
	return []string{v.DistrictPath}, nil
}

// ShiftScope returns the district of a shift's venue. Errors: ErrShiftNotFound.
func (s *Service) ShiftScope(ctx context.Context, id string) ([]string, error) {
	sh, err := s.Store.Shift(ctx, id)
	if err != nil {
		return nil, err
	}
	return []string{sh.DistrictPath}, nil
}

// VenueScope returns the district of the venue a new shift would be at. Errors: ErrVenue.
func (s *Service) VenueScope(ctx context.Context, venueID string) ([]string, error) {
	v, err := s.Directory.Venue(ctx, venueID)
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
	d, err := directory.NamedDistrict(r.Context(), t.svc.Directory, id)
	if err != nil {
		return nil, err
	}
	return []string{d.Path}, nil
}
