package booking_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/booking"
)

func TestCode(t *testing.T) {
	a, b := booking.Code("a-film-1.k3j4h5"), booking.Code("a-film-1.k3j4h6")
	if !regexp.MustCompile(`^\d{8}$`).MatchString(a) || a == b || a != booking.Code("a-film-1.k3j4h5") {
		t.Errorf("Code = %q, %q; want eight digits, stable per id, different for another id", a, b)
	}
	if booking.Code("") != "" {
		t.Errorf("Code(\"\") = %q, want empty", booking.Code(""))
	}
	out, err := json.Marshal(booking.Booking{ID: "a-film-1.k3j4h5", Status: booking.StatusConfirmed, StartsAt: time.Date(2026, 11, 29, 11, 0, 0, 0, time.UTC)})
	if err != nil || !strings.Contains(string(out), `"code":"`+a+`"`) || !strings.Contains(string(out), `"id":"a-film-1.k3j4h5"`) {
		t.Errorf("booking JSON = %s, %v; want its id and code %s", out, err, a)
	}
}
