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
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit <= 0 || limit > 100 {
		limit = 50
	}
	c := web.Caller(r)
	out, err := l.Deliveries(r.Context(), c, st, limit)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	if st == "" {
		st = StatusFailed
	}
	web.JSON(w, http.StatusOK, map[string]any{"status": st, "notifications": out})
}

// Deliveries returns up to limit messages of status st (failed when "") that c may see:
// an admin every one, a staff member those about their district (of the latest 500),
// recipients masked. It returns ErrStatusInvalid, or the scope's refusal.
func (l Log) Deliveries(ctx context.Context, c auth.Claims, st Status, limit int) ([]Message, error) {
	switch st {
	case "":
		st = StatusFailed
	case StatusFailed, StatusPending, StatusSent, StatusSkipped:
	default:
		return nil, ErrStatusInvalid
	}
	scope, everywhere, err := l.Guard.Scope(ctx, c)
	if err != nil {
		return nil, err
	}
	read := limit
	if !everywhere {
		read = scanned
	}
	msgs, err := l.Store.List(ctx, st, read)
	if err != nil {
		return nil, err
	}
	out := []Message{}
	for _, m := range msgs {
		if len(out) == limit {
			break
		}
		if !everywhere {
			path, err := l.Place(ctx, m)
			if err != nil {
				return nil, err
			}
			if path == "" || !access.Within(path, scope) {
				continue
			}
		}
		m.To = privacy.OpenID(m.To)
		out = append(out, m)
	}
	return out, nil
}

// message is the district of the message a retry names (access.Target).
func (l Log) message(r *http.Request) ([]string, error) {
	return l.MessageScope(r.Context(), r.PathValue("id"))
}

// MessageScope returns the district a message is about ("" for none: admins only),
// which staff retrying it must look after. Errors: ErrMessageNotFound.
func (l Log) MessageScope(ctx context.Context, id string) ([]string, error) {
	m, err := l.Store.Message(ctx, id)
	if err != nil {
		return nil, err
	}
	path, err := l.Place(ctx, m)
	return []string{path}, err
}

// Retry queues a failed message for delivery again. Errors: ErrMessageNotFound,
// ErrNotRetryable.
func (l Log) Retry(ctx context.Context, id string) error {
	return l.Store.Retry(ctx, id, l.Now())
}

func (l Log) retry(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := l.Retry(r.Context(), id); err != nil {
		web.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]string{"id": id, "status": string(StatusPending)})
}
