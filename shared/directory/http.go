package directory

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/wentitong/wentitong/shared/access"

	"github.com/google/uuid"

	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/web"
)

// Scopes knows which district a staff member or coordinator looks after.
type Scopes interface {
	// Scope returns the id of the district whose subtree openid may edit, or "" when
	// none is assigned.
	Scope(ctx context.Context, openid string) (string, error)
	// SetScope assigns openid a district.
	SetScope(ctx context.Context, openid, districtID string) error
}

// Routes adds the directory's routes to rt (docs/api.md):
//
//	GET   /api/v1/districts                     the tree (public)
//	GET   /api/v1/venues?near=LAT,LNG           the e-map, nearest first (public)
//	GET   /api/v1/venues/{id}                   one venue (public)
//	POST  /api/v1/admin/districts               add a district (admin)
//	PATCH /api/v1/admin/districts/{id}          rename a district (admin)
//	POST  /api/v1/admin/venues                  add a venue (admin; staff and coordinators in their district)
//	PUT   /api/v1/admin/venues/{id}             replace a venue (same, where it is and where it goes)
//	PUT   /api/v1/admin/scopes/{openid}         assign a staff member's district (admin)
func Routes(rt *web.Router, store Store, scopes Scopes) {
	h := &handler{store: store, scopes: scopes}
	t := targets{store}
	rt.Handle("GET /api/v1/districts", access.Public, h.districts)
	rt.Handle("GET /api/v1/venues", access.Public, h.venues)
	rt.Handle("GET /api/v1/venues/{id}", access.Public, h.venue)
	rt.Handle("POST /api/v1/admin/districts", access.Admin, h.createDistrict)
	rt.Handle("PATCH /api/v1/admin/districts/{id}", access.Admin, h.renameDistrict)
	rt.Handle("POST /api/v1/admin/venues", access.Staff(t.newVenue), h.createVenue)
	rt.Handle("PUT /api/v1/admin/venues/{id}", access.Staff(t.venue), h.updateVenue)
	rt.Handle("PUT /api/v1/admin/scopes/{openid}", access.Admin, h.setScope)
}

type handler struct {
	store  Store
	scopes Scopes
}

// districts answers {"districts": [tree]}: the whole tree, or with ?root=<id> the
// subtree under that district.
func (h *handler) districts(w http.ResponseWriter, r *http.Request) {
	all, err := h.store.Districts(r.Context())
	if err != nil {
		web.Error(w, r, err)
		return
	}
	if id := r.URL.Query().Get("root"); id != "" {
		root, ok := find(all, id)
		if !ok {
			web.Error(w, r, ErrDistrictUnknown)
			return
		}
		var sub []District
		for _, d := range all {
			if d.Within(root) {
				sub = append(sub, d)
			}
		}
		all = sub
	}
	web.JSON(w, http.StatusOK, map[string]any{"districts": Tree(all)})
}

func find(ds []District, id string) (District, bool) {
	for _, d := range ds {
		if d.ID == id {
			return d, true
		}
	}
	return District{}, false
}

// venues answers the e-map with ?near=, else the venues of ?district= (default all).
func (h *handler) venues(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	kind := q.Get("kind")
	if kind != "" && !slices.Contains(Kinds, kind) {
		web.Error(w, r, ErrKindInvalid)
		return
	}
	if !q.Has("near") {
		h.venuesOfDistrict(w, r, q.Get("district"), kind)
		return
	}
	near, err := ParseNear(q.Get("near"), q.Get("radius"), kind, q.Get("limit"))
	if err != nil {
		web.Error(w, r, err)
		return
	}
	found, err := h.store.VenuesNear(r.Context(), near)
	web.Answer(w, r, http.StatusOK, map[string]any{"near": near.At, "radiusMeters": near.RadiusMeters, "venues": found}, err)
}

func (h *handler) venuesOfDistrict(w http.ResponseWriter, r *http.Request, id, kind string) {
	var root District
	if id == "" {
		all, err := h.store.Districts(r.Context())
		if err != nil {
			web.Error(w, r, err)
			return
		}
		if len(all) > 0 {
			root = all[0]
		}
	} else {
		var err error
		if root, err = h.store.District(r.Context(), id); err != nil {
			web.Error(w, r, err)
			return
		}
	}
	out := []Venue{}
	if root.ID != "" {
		vs, err := h.store.VenuesUnder(r.Context(), root)
		if err != nil {
			web.Error(w, r, err)
			return
		}
		for _, v := range vs {
			if kind == "" || v.Kind == kind {
				out = append(out, v)
			}
		}
	}
	web.JSON(w, http.StatusOK, map[string]any{"venues": out})
}

// ParseNear reads the e-map's query parameters: near "LAT,LNG", and the optional radius
// in metres (DefaultRadius), kind and limit (DefaultLimit). It returns ErrNearInvalid,
// ErrRadiusInvalid, ErrKindInvalid or ErrLimitInvalid.
func ParseNear(near, radius, kind, limit string) (Near, error) {
	q := Near{RadiusMeters: DefaultRadius, Kind: kind, Limit: DefaultLimit}
	lat, lng, ok := strings.Cut(near, ",")
	if !ok {
		return Near{}, ErrNearInvalid
	}
	var err1, err2 error
	q.At.Lat, err1 = strconv.ParseFloat(strings.TrimSpace(lat), 64)
	q.At.Lng, err2 = strconv.ParseFloat(strings.TrimSpace(lng), 64)
	if err1 != nil || err2 != nil || !q.At.Valid() { // NaN fails Valid's comparisons
		return Near{}, ErrNearInvalid
	}
	if radius != "" {
		n, err := strconv.Atoi(radius)
		if err != nil {
			return Near{}, ErrRadiusInvalid
		}
		q.RadiusMeters = n
	}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil {
			return Near{}, ErrLimitInvalid
		}
		q.Limit = n
	}
	return q, q.Validate()
}

func (h *handler) venue(w http.ResponseWriter, r *http.Request) {
	v, err := h.store.Venue(r.Context(), r.PathValue("id"))
	web.Answer(w, r, http.StatusOK, v, err)
}

func (h *handler) createDistrict(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ID       string `json:"id"`
		ParentID string `json:"parentId"`
		Name     string `json:"name"`
		Level    Level  `json:"level"`
	}
	if !web.Read(w, r, &req) {
		return
	}
	d, err := CreateDistrict(r.Context(), h.store, req.ID, req.ParentID, req.Name, req.Level)
	web.Answer(w, r, http.StatusCreated, d, err)
}

// CreateDistrict adds a district under parentID ("" for the city) at the level below
// its parent's. Errors: ErrDistrictUnknown (the parent), ErrDistrictInvalid,
// ErrDistrictExists.
func CreateDistrict(ctx context.Context, store Store, id, parentID, name string, level Level) (District, error) {
	d := Root(id, strings.TrimSpace(name))
	if parentID != "" {
		parent, err := store.District(ctx, parentID)
		if err != nil {
			return District{}, err
		}
		if level.Parent() != parent.Level {
			return District{}, ErrDistrictInvalid
		}
		d = parent.Child(id, strings.TrimSpace(name), level)
	} else if level != LevelCity {
		return District{}, ErrDistrictInvalid
	}
	if err := store.CreateDistrict(ctx, d); err != nil {
		return District{}, err
	}
	return d, nil
}

func (h *handler) renameDistrict(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name string `json:"name"`
	}
	if !web.Read(w, r, &req) {
		return
	}
	d, err := RenameDistrict(r.Context(), h.store, r.PathValue("id"), req.Name)
	web.Answer(w, r, http.StatusOK, d, err)
}

// RenameDistrict renames a district. Errors: ErrDistrictUnknown, ErrDistrictInvalid.
func RenameDistrict(ctx context.Context, store Store, id, name string) (District, error) {
	d, err := store.District(ctx, id)
	if err != nil {
		return District{}, err
	}
	d.Name = strings.TrimSpace(name)
	if err := d.Validate(); err != nil {
		return District{}, err
	}
	if err := store.RenameDistrict(ctx, d.ID, d.Name); err != nil {
		return District{}, err
	}
	return d, nil
}

func (h *handler) createVenue(w http.ResponseWriter, r *http.Request) {
	var v Venue
	if !web.Read(w, r, &v) {
		return
	}
	v, err := CreateVenue(r.Context(), h.store, v)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	h.answerVenue(w, r, http.StatusCreated, v.ID)
}

// CreateVenue adds a venue under a new id, which it returns. Errors: ErrVenueInvalid,
// ErrDistrictUnknown.
func CreateVenue(ctx context.Context, store Store, v Venue) (Venue, error) {
	v.ID = "v-" + uuid.NewString()
	return v, store.CreateVenue(ctx, v)
}

func (h *handler) updateVenue(w http.ResponseWriter, r *http.Request) {
	var v Venue
	if !web.Read(w, r, &v) {
		return
	}
	v.ID = r.PathValue("id")
	if err := h.store.UpdateVenue(r.Context(), v); err != nil {
		web.Error(w, r, err)
		return
	}
	h.answerVenue(w, r, http.StatusOK, v.ID)
}

func (h *handler) answerVenue(w http.ResponseWriter, r *http.Request, status int, id string) {
	v, err := h.store.Venue(r.Context(), id)
	web.Answer(w, r, status, v, err)
}

func (h *handler) setScope(w http.ResponseWriter, r *http.Request) {
	var req struct {
		DistrictID string `json:"districtId"`
	}
	if !web.Read(w, r, &req) {
		return
	}
	openid := r.PathValue("openid")
	if openid == "" || len(openid) > 128 {
		web.Error(w, r, fault.ErrNotFound)
		return
	}
	if _, err := h.store.District(r.Context(), req.DistrictID); err != nil {
		web.Error(w, r, err)
		return
	}
	if err := h.scopes.SetScope(r.Context(), openid, req.DistrictID); err != nil {
		web.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]string{"openid": openid, "districtId": req.DistrictID})
}
