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
	p, err := t.districtPath(r.Context(), v.DistrictID)
	return []string{p}, err
}

// venue is where a venue is and where the replacement puts it.
func (t targets) venue(r *http.Request) ([]string, error) {
	old, err := t.store.Venue(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	var v Venue
	access.Body(r, &v)
	p, err := t.districtPath(r.Context(), v.DistrictID)
	return []string{old.DistrictPath, p}, err
}
