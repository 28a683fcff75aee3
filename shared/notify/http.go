package notify

import (
	"net/http"
	"strconv"
	"time"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/web"
)

// ErrStatusInvalid is a listing of a status that is not one.
var ErrStatusInvalid = fault.New(fault.Invalid, "status_invalid", "状态参数无效：可选 failed、pending、sent、skipped")

// Handler serves the staff's view of deliveries:
//
//	GET  /api/v1/admin/notifications?status=failed|pending|sent|skipped&limit=N
//	POST /api/v1/admin/notifications/{id}/retry
func Handler(v web.Verifier, store Store, now func() time.Time) *web.Router {
	rt := web.NewRouter()
	staff := []string{auth.RoleStaff, auth.RoleAdmin}
	rt.Handle("GET /api/v1/admin/notifications", web.RequireAuth(v, func(w http.ResponseWriter, r *http.Request) {
		st := Status(r.URL.Query().Get("status"))
		switch st {
		case "":
			st = StatusFailed
		case StatusFailed, StatusPending, StatusSent, StatusSkipped:
		default:
			web.Error(w, r, ErrStatusInvalid)
			return
		}
		limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
		if err != nil || limit <= 0 || limit > 100 {
			limit = 50
		}
		msgs, err := store.List(r.Context(), st, limit)
		if err != nil {
			web.Error(w, r, err)
			return
		}
		web.JSON(w, http.StatusOK, map[string]any{"status": st, "notifications": msgs})
	}, staff...))
	rt.Handle("POST /api/v1/admin/notifications/{id}/retry", web.RequireAuth(v, func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if err := store.Retry(r.Context(), id, now()); err != nil {
			web.Error(w, r, err)
			return
		}
		web.JSON(w, http.StatusOK, map[string]string{"id": id, "status": string(StatusPending)})
	}, staff...))
	return rt
}
