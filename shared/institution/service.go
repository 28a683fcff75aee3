package institution

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/web"
)

// Service manages institutions and their staff.
type Service struct {
	Store  Store
	Places interface {
		District(ctx context.Context, id string) (directory.District, error)
		Venue(ctx context.Context, id string) (directory.Venue, error)
	}
}

// List returns every institution with the venues it owns.
func (s *Service) List(ctx context.Context) ([]Institution, error) {
	all, err := s.Store.Institutions(ctx)
	if err != nil {
		return nil, err
	}
	owned, err := s.Store.Owned(ctx)
	if err != nil {
		return nil, err
	}
	for i := range all {
		all[i].Venues = owned[all[i].ID]
		if all[i].Venues == nil {
			all[i].Venues = []string{}
		}
	}
	return all, nil
}

// Own makes the institution id the owner of a venue (admins), in place of its previous
// owner: the venue's figures, past and future, count for its owner now (decision 45).
// An empty id releases the venue. It returns ErrNotFound or directory.ErrVenueNotFound.
func (s *Service) Own(ctx context.Context, id, venueID string) error {
	if _, err := s.Places.Venue(ctx, venueID); err != nil {
		return err
	}
	if id != "" {
		if _, err := s.Store.Institution(ctx, id); err != nil {
			return err
		}
	}
	return s.Store.SetOwner(ctx, venueID, id)
}

// Create records an institution in a district (admins only). It returns ErrInvalid,
// directory.ErrDistrictUnknown or ErrExists.
func (s *Service) Create(ctx context.Context, c auth.Claims, i Institution) (Institution, error) {
	if !c.Has(auth.RoleAdmin) {
		return Institution{}, auth.ErrForbidden
	}
	i.Name = strings.TrimSpace(i.Name)
	if err := i.Validate(); err != nil {
		return Institution{}, err
	}
	d, err := s.Places.District(ctx, i.DistrictID)
	if err != nil {
		return Institution{}, err
	}
	i.DistrictPath = d.Path
	if err := s.Store.CreateInstitution(ctx, i); err != nil {
		return Institution{}, fmt.Errorf("create institution: %w", err)
	}
	return i, nil
}

// Assign makes openid work for the institution id (admins only): its staff catalogue its
// collections and write its news.
func (s *Service) Assign(ctx context.Context, c auth.Claims, id, openid string) error {
	if !c.Has(auth.RoleAdmin) {
		return auth.ErrForbidden
	}
	if openid = strings.TrimSpace(openid); openid == "" || len(openid) > 64 {
		return ErrInvalid
	}
	if _, err := s.Store.Institution(ctx, id); err != nil {
		return err
	}
	return s.Store.SetEmployer(ctx, openid, id)
}

// Routes adds the institutions' routes to rt (docs/api.md):
//
//	GET  /api/v1/institutions                        every institution
//	POST /api/v1/admin/institutions                  create one (admin)
//	PUT  /api/v1/admin/institutions/{id}/staff/{openid}  make a person its staff (admin)
//	GET  /api/v1/admin/institutions/{id}/staff       who works for it (admin)
//	PUT  /api/v1/admin/institutions/{id}/venues/{venueId}    make it the venue's owner (admin)
//	DELETE /api/v1/admin/institutions/{id}/venues/{venueId}  release the venue (admin)
func Routes(rt *web.Router, s *Service) {
	rt.Handle("GET /api/v1/admin/institutions/{id}/staff", access.Admin, func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.Store.Institution(r.Context(), r.PathValue("id")); err != nil {
			web.Error(w, r, err)
			return
		}
		staff, err := s.Store.Staff(r.Context(), r.PathValue("id"))
		if err != nil {
			web.Error(w, r, err)
			return
		}
		web.JSON(w, http.StatusOK, map[string]any{"institutionId": r.PathValue("id"), "staff": staff})
	})
	rt.Handle("PUT /api/v1/admin/institutions/{id}/venues/{venueId}", access.Admin, func(w http.ResponseWriter, r *http.Request) {
		if err := s.Own(r.Context(), r.PathValue("id"), r.PathValue("venueId")); err != nil {
			web.Error(w, r, err)
			return
		}
		web.JSON(w, http.StatusOK, map[string]string{"institutionId": r.PathValue("id"), "venueId": r.PathValue("venueId"), "status": "owned"})
	})
	rt.Handle("DELETE /api/v1/admin/institutions/{id}/venues/{venueId}", access.Admin, func(w http.ResponseWriter, r *http.Request) {
		owned, err := s.Store.Owned(r.Context())
		if err != nil {
			web.Error(w, r, err)
			return
		}
		if !slices.Contains(owned[r.PathValue("id")], r.PathValue("venueId")) {
			web.Error(w, r, ErrNotOwner)
			return
		}
		if err := s.Own(r.Context(), "", r.PathValue("venueId")); err != nil {
			web.Error(w, r, err)
			return
		}
		web.JSON(w, http.StatusOK, map[string]string{"institutionId": r.PathValue("id"), "venueId": r.PathValue("venueId"), "status": "released"})
	})
	rt.Handle("GET /api/v1/institutions", access.Public, func(w http.ResponseWriter, r *http.Request) {
		all, err := s.List(r.Context())
		if err != nil {
			web.Error(w, r, err)
			return
		}
		web.JSON(w, http.StatusOK, map[string][]Institution{"institutions": all})
	})
	rt.Handle("POST /api/v1/admin/institutions", access.Admin, func(w http.ResponseWriter, r *http.Request) {
		var req Institution
		if !web.Read(w, r, &req) {
			return
		}
		c := web.Caller(r)
		i, err := s.Create(r.Context(), c, req)
		if err != nil {
			web.Error(w, r, err)
			return
		}
		web.JSON(w, http.StatusCreated, i)
	})
	rt.Handle("PUT /api/v1/admin/institutions/{id}/staff/{openid}", access.Admin, func(w http.ResponseWriter, r *http.Request) {
		c := web.Caller(r)
		if err := s.Assign(r.Context(), c, r.PathValue("id"), r.PathValue("openid")); err != nil {
			web.Error(w, r, err)
			return
		}
		web.JSON(w, http.StatusOK, map[string]string{"institutionId": r.PathValue("id"), "status": "assigned"})
	})
}

// Member is the access rule of an institution's own routes: admins, and the staff of
// the institution the request acts on (which of returns; ErrOutOfScope for others).
func Member(g Guard, of func(r *http.Request) (string, error)) access.Rule {
	return access.Member(func(r *http.Request, c auth.Claims) error {
		id, err := of(r)
		if err != nil {
			return err
		}
		return g.Permit(r.Context(), c, id)
	})
}

// Employee is the access rule of routes for any institution's staff (and admins); the
// handler narrows to the caller's own.
func Employee(g Guard) access.Rule {
	return access.Member(func(r *http.Request, c auth.Claims) error {
		emp, err := g.Store.Employer(r.Context(), c.OpenID)
		if err != nil {
			return err
		}
		if emp == "" {
			return ErrOutOfScope
		}
		return nil
	})
}
