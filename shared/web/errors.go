package web

import (
	"log/slog"
	"net/http"

	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/privacy"
)

// Status is the one place where kinds of error become HTTP statuses.
func Status(k fault.Kind) int {
	switch k {
	case fault.Invalid:
		return http.StatusBadRequest
	case fault.Unauthorized:
		return http.StatusUnauthorized
	case fault.Forbidden:
		return http.StatusForbidden
	case fault.NotFound:
		return http.StatusNotFound
	case fault.Conflict:
		return http.StatusConflict
	case fault.TooLarge:
		return http.StatusRequestEntityTooLarge
	case fault.Unavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// ErrorBody is the body of every error answer.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is a stable machine-readable code and a message for people.
type ErrorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Details map[string]string `json:"details,omitempty"`
}

// Error answers err: its kind's status and {"error":{"code","message"}}. Internal and
// unavailable errors are logged with their cause; the client sees only the code and the
// generic message, never err.Error().
func Error(w http.ResponseWriter, r *http.Request, err error) {
	fe := fault.As(err)
	status := Status(fe.Kind)
	if status >= 500 {
		Logger(r.Context()).Error("request failed", "code", fe.Code, "err", privacy.Redact(err.Error()))
	} else {
		Logger(r.Context()).Info("request refused", "code", fe.Code)
	}
	JSON(w, status, ErrorBody{Error: ErrorDetail{Code: fe.Code, Message: fe.Message, Details: fe.Details}})
}

// The errors of the HTTP layer itself.
var (
	ErrInvalidJSON      = fault.New(fault.Invalid, "invalid_json", "请求内容的格式不正确")
	ErrBodyTooLarge     = fault.New(fault.TooLarge, "body_too_large", "请求内容过大")
	ErrRouteNotFound    = fault.New(fault.NotFound, "route_not_found", "请求的地址不存在")
	ErrMethodNotAllowed = &fault.Error{Kind: fault.Invalid, Code: "method_not_allowed", Message: "不支持该请求方法"}
	ErrUnsupportedMedia = fault.New(fault.Invalid, "unsupported_media_type", "请求内容的格式不受支持")
)

// logAttrs is a small helper for handlers that log.
func logAttrs(r *http.Request) []any {
	return []any{slog.String("method", r.Method), slog.String("route", r.Pattern)}
}
