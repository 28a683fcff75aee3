package web

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"time"

	"github.com/google/uuid"

	"github.com/wentitong/wentitong/shared/fault"
)

type ctxKey int

const (
	loggerKey ctxKey = iota
	requestIDKey
)

// RequestIDHeader carries the request id in both directions.
const RequestIDHeader = "X-Request-Id"

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// Logger returns the request's logger (with its request id), or slog.Default().
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// RequestID returns the request's id, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// Wrap gives every request an id (the caller's X-Request-Id when well-formed, else a new
// one), a logger carrying it, recovery from panics as a 500 with the internal error body,
// and one access-log line: method, route pattern, status, bytes and duration. It never
// logs the query string or the body, which carry signatures, codes and openids.
func Wrap(h http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(RequestIDHeader)
		if !validRequestID.MatchString(id) {
			id = uuid.NewString()
		}
		reqLog := log.With("requestId", id)
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		ctx = context.WithValue(ctx, loggerKey, reqLog)
		r = r.WithContext(ctx)
		w.Header().Set(RequestIDHeader, id)
		rec := &recorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				reqLog.Error("panic", "panic", p, "stack", string(debug.Stack()))
				if rec.status == 0 {
					Error(rec, r, ErrPanic)
				}
			}
			reqLog.Info("request", append(logAttrs(r),
				slog.Int("status", rec.status), slog.Int("bytes", rec.bytes),
				slog.Duration("duration", time.Since(start)))...)
		}()
		h.ServeHTTP(rec, r)
	})
}

// ErrPanic is what a client sees when a handler panics.
var ErrPanic = fault.ErrInternal

// recorder remembers the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
