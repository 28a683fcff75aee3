package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/input"
)

// MaxBodyBytes is the default limit of a JSON request body.
const MaxBodyBytes = 64 << 10

// JSON writes v as the JSON body of a response with the given status, every time in it
// in Beijing time with its offset (beijing.InZone).
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(beijing.InZone(v)) // the status is sent; a failed write has no one left to tell
}

// CSV sends body as a CSV file to download under filename: never cached, never sniffed
// as anything else.
func CSV(w http.ResponseWriter, filename string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(body) // the status is sent; a failed write has no one left to tell
}

// Decode reads a JSON request body of at most MaxBodyBytes into v. Malformed JSON, a
// second value after the first, or a wrong type is ErrInvalidJSON (with the field named
// in the message when known); a body over the limit is ErrBodyTooLarge; a body declared
// as another format (multipart, XML, …) is ErrUnsupportedMedia. A JSON body sent with
// curl's default form content type or as text/plain is read as JSON: the routes take
// bearer tokens, not cookies, so no cross-site form can act for anyone. Unknown fields
// are ignored, so clients may send more than a route reads. Every field read is then
// checked by input.Check: control characters, line breaks in one-line fields, lengths
// and dates outside the horizon are refused with input's errors.
func Decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !jsonish(mt) {
			return ErrUnsupportedMedia
		}
	}
	body := http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	dec := json.NewDecoder(body)
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return decodeError(err)
		}
		return ErrInvalidJSON
	}
	return input.Check(v, time.Now())
}

// Read decodes the body into v as Decode does; when it cannot, it answers with the error
// and reports false.
func Read(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := Decode(w, r, v); err != nil {
		Error(w, r, err)
		return false
	}
	return true
}

// Answer answers v as JSON with status, or err when it is not nil: the end of a handler
// that calls its service.
func Answer(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		Error(w, r, err)
		return
	}
	JSON(w, status, v)
}

func decodeError(err error) error {
	var (
		tooLarge  *http.MaxBytesError
		typeError *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooLarge):
		return ErrBodyTooLarge
	case errors.As(err, &typeError) && typeError.Field != "":
		e := *ErrInvalidJSON
		e.Message = "字段 " + typeError.Field + " 的类型不正确"
		e.Err = err
		return &e
	default:
		return ErrInvalidJSON.Wrap(err)
	}
}

// jsonish reports whether a body of media type mt may hold JSON.
func jsonish(mt string) bool {
	switch mt {
	case "application/json", "application/x-www-form-urlencoded", "text/plain":
		return true
	}
	return strings.HasSuffix(mt, "+json")
}
