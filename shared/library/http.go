package library

import (
	"net/http"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/input"
	"github.com/wentitong/wentitong/shared/institution"
	"github.com/wentitong/wentitong/shared/web"
)

// ErrLimitInvalid is a bad limit parameter.
var ErrLimitInvalid = fault.New(fault.Invalid, "limit_invalid", "条数应为 1 到 500 的整数")

// Routes adds the library's routes to rt (docs/api.md). The staff routes admit admins
// and the staff of the institution the request acts on:
//
//	GET    /api/v1/collections                      every collection
//	GET    /api/v1/collections/{id}/items           a collection's published items
//	GET    /api/v1/items/{id}                       a published item with its media's URLs
//	POST   /api/v1/admin/collections                create a collection (staff of its institution)
//	GET    /api/v1/admin/collections/{id}/items     every item of a collection (its staff)
//	POST   /api/v1/admin/collections/{id}/items     catalogue a draft item
//	GET    /api/v1/admin/items/{id}                 an item in any status, every upload
//	PUT    /api/v1/admin/items/{id}                 replace its metadata {"version", …}
//	POST   /api/v1/admin/items/{id}/publish         publish
//	POST   /api/v1/admin/items/{id}/unpublish       back to draft
//	DELETE /api/v1/admin/items/{id}                 delete it and its files
//	POST   /api/v1/admin/items/{id}/uploads         announce a file; answers a presigned PUT
//	GET    /api/v1/admin/library/audit              an institution's audit trail (?institution=&limit=)
//	GET    /api/v1/admin/library/storage            storage used against the targets
func Routes(rt *web.Router, s *Service) {
	h := &handler{s: s}
	g := s.guard()
	ofCollection := institution.Member(g, func(r *http.Request) (string, error) {
		col, err := s.Store.Collection(r.Context(), r.PathValue("id"))
		return col.InstitutionID, err
	})
	ofItem := institution.Member(g, func(r *http.Request) (string, error) {
		it, err := s.Store.Item(r.Context(), r.PathValue("id"))
		return it.InstitutionID, err
	})
	ofBody := institution.Member(g, func(r *http.Request) (string, error) {
		var req struct {
			InstitutionID string `json:"institutionId"`
		}
		access.Body(r, &req)
		return req.InstitutionID, nil
	})
	ofQuery := institution.Member(g, func(r *http.Request) (string, error) { return r.URL.Query().Get("institution"), nil })
	rt.Handle("GET /api/v1/collections", access.Public, h.collections)
	rt.Handle("GET /api/v1/collections/{id}/items", access.Public, h.publicItems)
	rt.Handle("GET /api/v1/items/{id}", access.Public, h.publicItem)
	rt.Handle("POST /api/v1/admin/collections", ofBody, h.createCollection)
	rt.Handle("GET /api/v1/admin/collections/{id}/items", ofCollection, h.staffItems)
	rt.Handle("POST /api/v1/admin/collections/{id}/items", ofCollection, h.createItem)
	rt.Handle("GET /api/v1/admin/items/{id}", ofItem, h.staffItem)
	rt.Handle("PUT /api/v1/admin/items/{id}", ofItem, h.updateItem)
	rt.Handle("POST /api/v1/admin/items/{id}/publish", ofItem, h.publish)
	rt.Handle("POST /api/v1/admin/items/{id}/unpublish", ofItem, h.unpublish)
	rt.Handle("DELETE /api/v1/admin/items/{id}", ofItem, h.delete)
	rt.Handle("POST /api/v1/admin/items/{id}/uploads", ofItem, h.upload)
	rt.Handle("GET /api/v1/admin/library/audit", ofQuery, h.audit)
	rt.Handle("GET /api/v1/admin/library/storage", institution.Employee(g), h.storage)
}

type handler struct{ s *Service }

func (h *handler) collections(w http.ResponseWriter, r *http.Request) {
	cs, err := h.s.Collections(r.Context())
	web.Answer(w, r, http.StatusOK, map[string][]Collection{"collections": cs}, err)
}

func (h *handler) publicItems(w http.ResponseWriter, r *http.Request) {
	col, items, err := h.s.PublicItems(r.Context(), r.PathValue("id"))
	web.Answer(w, r, http.StatusOK, map[string]any{"collection": col, "items": items}, err)
}

func (h *handler) publicItem(w http.ResponseWriter, r *http.Request) {
	v, err := h.s.PublicItem(r.Context(), r.PathValue("id"))
	web.Answer(w, r, http.StatusOK, v, err)
}

func (h *handler) createCollection(w http.ResponseWriter, r *http.Request) {
	var req Collection
	if !web.Read(w, r, &req) {
		return
	}
	col, err := h.s.CreateCollection(r.Context(), web.Caller(r), Collection{InstitutionID: req.InstitutionID, Name: req.Name, Description: req.Description})
	web.Answer(w, r, http.StatusCreated, col, err)
}

func (h *handler) staffItems(w http.ResponseWriter, r *http.Request) {
	items, err := h.s.StaffItems(r.Context(), web.Caller(r), r.PathValue("id"))
	web.Answer(w, r, http.StatusOK, map[string][]Item{"items": items}, err)
}

func (h *handler) createItem(w http.ResponseWriter, r *http.Request) {
	var e Edit
	if !web.Read(w, r, &e) {
		return
	}
	it, err := h.s.CreateItem(r.Context(), web.Caller(r), r.PathValue("id"), e)
	web.Answer(w, r, http.StatusCreated, it, err)
}

func (h *handler) staffItem(w http.ResponseWriter, r *http.Request) {
	v, err := h.s.StaffItem(r.Context(), web.Caller(r), r.PathValue("id"))
	web.Answer(w, r, http.StatusOK, v, err)
}

func (h *handler) updateItem(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Version int `json:"version"`
		Edit
	}
	if !web.Read(w, r, &req) {
		return
	}
	it, err := h.s.UpdateItem(r.Context(), web.Caller(r), r.PathValue("id"), req.Version, req.Edit)
	web.Answer(w, r, http.StatusOK, it, err)
}

func (h *handler) publish(w http.ResponseWriter, r *http.Request) {
	it, err := h.s.Publish(r.Context(), web.Caller(r), r.PathValue("id"))
	web.Answer(w, r, http.StatusOK, it, err)
}

func (h *handler) unpublish(w http.ResponseWriter, r *http.Request) {
	it, err := h.s.Unpublish(r.Context(), web.Caller(r), r.PathValue("id"))
	web.Answer(w, r, http.StatusOK, it, err)
}

func (h *handler) delete(w http.ResponseWriter, r *http.Request) {
	if err := h.s.Delete(r.Context(), web.Caller(r), r.PathValue("id")); err != nil {
		web.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) upload(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Filename    string `json:"filename"`
		ContentType string `json:"contentType"`
		Size        int64  `json:"size"`
	}
	if !web.Read(w, r, &req) {
		return
	}
	up, err := h.s.StartUpload(r.Context(), web.Caller(r), r.PathValue("id"), req.Filename, req.ContentType, req.Size)
	web.Answer(w, r, http.StatusCreated, up, err)
}

func (h *handler) audit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := input.Int(q.Get("limit"), 100, 1, 500, ErrLimitInvalid)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	as, err := h.s.AuditTrail(r.Context(), web.Caller(r), q.Get("institution"), limit)
	web.Answer(w, r, http.StatusOK, map[string][]Audit{"audit": as}, err)
}

func (h *handler) storage(w http.ResponseWriter, r *http.Request) {
	rep, err := h.s.Storage(r.Context(), web.Caller(r))
	web.Answer(w, r, http.StatusOK, rep, err)
}
