package notify

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/privacy"
	"github.com/wentitong/wentitong/shared/web"
)

// ErrStatusInvalid is a listing of a status that is not one.
var ErrStatusInvalid = fault.New(fault.Invalid, "status_invalid", "状态参数无效：可选发送失败、待发送、已发送或未发送")

// Log is the delivery log as staff read it.
type Log struct {
	Store interface {
		List(ctx context.Context, st Status, limit int) ([]Message, error)
		Retry(ctx context.Context, id string, now time.Time) error
		Message(ctx context.Context, id string) (Message, error)
	}
	// Place returns the path of the district a message is about (the activity, shift,
	// volunteer or ticket it tells of), "" when it is about none: only admins see those.
	Place func(ctx context.Context, m Message) (string, error)
	Guard access.Guard
	Now   func() time.Time
}

// scanned is how many messages a staff member's listing reads to find theirs.
const scanned = 500

// Handler serves the staff's view of deliveries, each staff member the messages of
// their district, recipients masked:
//
//	GET  /api/v1/admin/notifications?status=failed|pending|sent|skipped&limit=N
//	POST /api/v1/admin/notifications/{id}/retry
func Handler(p *access.Policy, l Log) *web.Router {
	rt := web.NewRouter(p)
	rt.Handle("GET /api/v1/admin/notifications", access.OwnScope, l.list)
	rt.Handle("POST /api/v1/admin/notifications/{id}/retry", access.Staff(l.message), l.retry)
	return rt
}

func (l Log) list(w http.ResponseWriter, r *http.Request) {
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
	ctx := r.Context()
	c, _ := auth.FromContext(ctx)
	scope, everywhere, err := l.Guard.Scope(ctx, c)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	read := limit
	if !everywhere {
		read = scanned
	}
	msgs, err := l.Store.List(ctx, st, read)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	out := []Message{}
	for _, m := range msgs {
		if len(out) == limit {
			break
		}
		if !everywhere {
			path, err := l.Place(ctx, m)
			if err != nil {
				web.Error(w, r, err)
				return
			}
			if path == "" || !access.Within(path, scope) {
				continue
			}
		}
		m.To = privacy.OpenID(m.To)
		out = append(out, m)
	}
	web.JSON(w, http.StatusOK, map[string]any{"status": st, "notifications": out})
}

// message is the district of the message a retry names (access.Target).
func (l Log) message(r *http.Request) ([]string, error) {
	m, err := l.Store.Message(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	path, err := l.Place(r.Context(), m)
	return []string{path}, err
}

func (l Log) retry(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := l.Store.Retry(r.Context(), id, l.Now()); err != nil {
		web.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]string{"id": id, "status": string(StatusPending)})
}
