// Package fault is the platform's one error vocabulary: a kind, a stable code and a message for people.
package fault

import (
	"errors"
	"fmt"
)

// Kind classifies an error. One place (web.Status) turns kinds into HTTP statuses.
type Kind uint8

// The kinds of error. The zero value is Internal so that an unclassified error is never
// mistaken for the caller's fault.
const (
	Internal     Kind = iota // a bug or an unexpected failure; logged with detail
	Invalid                  // the request is malformed or breaks a rule
	Unauthorized             // no valid credentials
	Forbidden                // valid credentials, not permitted
	NotFound                 // the thing does not exist (or is not visible to the caller)
	Conflict                 // the request conflicts with the current state
	TooLarge                 // the request body is over the limit
	Unavailable              // a dependency is failing or throttling; retrying later may work
)

var kindNames = [...]string{"internal", "invalid", "unauthorized", "forbidden", "not_found", "conflict", "too_large", "unavailable"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Error is an error a client may see: Code is stable and machine-readable (English
// snake_case), Message is for people (Simplified Chinese). Err, the cause, is never shown.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	// Details are machine-readable facts a client may show (e.g. the end of a
	// suspension); nil for most errors.
	Details map[string]string
	Err     error
}

// New returns an error of the given kind, code and message. Declare domain errors with it
// once, as package variables (booking.ErrFull), and compare them with errors.Is.
func New(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// Wrap returns a copy of e that carries cause; errors.Is(result, e) still holds.
func (e *Error) Wrap(cause error) *Error {
	return &Error{Kind: e.Kind, Code: e.Code, Message: e.Message, Details: e.Details, Err: &wrapped{sentinel: e, cause: cause}}
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Code + ": " + e.Err.Error()
	}
	return e.Code
}

func (e *Error) Unwrap() error { return e.Err }

// wrapped keeps both the sentinel (for errors.Is) and the cause (for logs).
type wrapped struct {
	sentinel *Error
	cause    error
}

func (w *wrapped) Error() string   { return w.cause.Error() }
func (w *wrapped) Unwrap() []error { return []error{w.sentinel, w.cause} }

// The generic errors, used where no domain-specific code says more.
var (
	ErrInternal     = New(Internal, "internal", "系统繁忙，请稍后再试")
	ErrUnavailable  = New(Unavailable, "unavailable", "服务暂时不可用，请稍后再试")
	ErrNotFound     = New(NotFound, "not_found", "找不到请求的内容")
	ErrConflict     = New(Conflict, "conflict", "操作与当前状态冲突，请刷新后重试")
	ErrForbidden    = New(Forbidden, "forbidden", "没有权限执行此操作")
	ErrUnauthorized = New(Unauthorized, "unauthorized", "请先登录")
)

// As returns the first *Error in err's chain, or ErrInternal when there is none: an
// error nobody classified is internal.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return ErrInternal
}

// KindOf returns the kind of err (Internal when unclassified).
func KindOf(err error) Kind { return As(err).Kind }

// CodeOf returns the stable code of err ("internal" when unclassified).
func CodeOf(err error) string { return As(err).Code }

// Invalidf returns an Invalid error with the given code and a formatted message.
func Invalidf(code, format string, args ...any) *Error {
	return New(Invalid, code, fmt.Sprintf(format, args...))
}
