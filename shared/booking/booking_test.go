package booking

import (
	"testing"
	"time"
)

func TestSlotValidate(t *testing.T) {
	at := time.Date(2026, 12, 5, 19, 30, 0, 0, time.UTC)
	good := Slot{ID: "s", ActivityID: "a", Kind: KindFilm, StartsAt: at, EndsAt: at.Add(2 * time.Hour), Capacity: 100,
		BookingOpensAt: at.Add(-48 * time.Hour), BookingClosesAt: at, PerPersonLimit: 1, MaxPartySize: 2, Mode: ModeFirstCome}
	tests := []struct {
		name   string
		change func(*Slot)
		ok     bool
	}{
		{"good", func(*Slot) {}, true},
		{"ballot", func(s *Slot) { s.Mode = ModeBallot }, true},
		{"ends before start", func(s *Slot) { s.EndsAt = s.StartsAt }, false},
		{"no capacity", func(s *Slot) { s.Capacity = 0 }, false},
		{"window closes before it opens", func(s *Slot) { s.BookingClosesAt = s.BookingOpensAt }, false},
		{"window closes after the end", func(s *Slot) { s.BookingClosesAt = s.EndsAt.Add(time.Minute) }, false},
		{"no party size", func(s *Slot) { s.MaxPartySize = 0 }, false},
		{"unknown mode", func(s *Slot) { s.Mode = "lottery" }, false},
		{"unknown kind", func(s *Slot) { s.Kind = "concert" }, false},
	}
	for _, tt := range tests {
		s := good
		tt.change(&s)
		if err := s.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
	full := good
	full.Booked = 130
	if got := full.Remaining(); got != 0 {
		t.Errorf("Remaining() of an overbooked slot = %d, want 0", got)
	}
}
