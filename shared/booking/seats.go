package booking

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/wentitong/wentitong/shared/fault"
)

// Errors of seats.
var (
	ErrSeatTaken   = fault.New(fault.Conflict, "seat_taken", "所选座位已被预订，请另选")
	ErrSeatInvalid = fault.New(fault.Invalid, "seat_invalid", "座位号无效，或数量与人数不符")
)

// Seated reports whether the slot's places are named seats.
func (s Slot) Seated() bool { return s.SeatRows > 0 && s.SeatsPerRow > 0 }

// SeatName is the seat in row r (0: A) at number n (1-based).
func SeatName(r, n int) string { return string(rune('A'+r)) + strconv.Itoa(n) }

// AllSeats lists the slot's seats, row by row.
func (s Slot) AllSeats() []string {
	var out []string
	for r := range s.SeatRows {
		for n := 1; n <= s.SeatsPerRow; n++ {
			out = append(out, SeatName(r, n))
		}
	}
	return out
}

// checkSeats reports ErrSeatInvalid unless want names party distinct seats of the slot.
func (s Slot) checkSeats(want []string, party int) error {
	all := s.AllSeats()
	if len(want) != party {
		return ErrSeatInvalid
	}
	for i, w := range want {
		if !slices.Contains(all, w) || slices.Contains(want[:i], w) {
			return ErrSeatInvalid
		}
	}
	return nil
}

// BestSeats picks party free seats: side by side in one row when a row has room, rows
// nearest the middle first and, in a row, the block nearest its centre; otherwise the
// free seats nearest the middle. It returns nil when fewer are free.
func (s Slot) BestSeats(taken []string, party int) []string {
	mid := float64(s.SeatRows-1) / 2
	centre := float64(s.SeatsPerRow+1) / 2
	rows := make([]int, s.SeatRows)
	for i := range rows {
		rows[i] = i
	}
	dist := func(x, m float64) float64 {
		if x > m {
			return x - m
		}
		return m - x
	}
	slices.SortStableFunc(rows, func(a, b int) int {
		da, db := dist(float64(a), mid), dist(float64(b), mid)
		switch {
		case da < db:
			return -1
		case da > db:
			return 1
		}
		return 0
	})
	for _, r := range rows {
		best, bestD := -1, 0.0
		for n := 1; n+party-1 <= s.SeatsPerRow; n++ {
			free := true
			for k := range party {
				if slices.Contains(taken, SeatName(r, n+k)) {
					free = false
					break
				}
			}
			if d := dist(float64(n)+float64(party-1)/2, centre); free && (best < 0 || d < bestD) {
				best, bestD = n, d
			}
		}
		if best > 0 {
			var out []string
			for k := range party {
				out = append(out, SeatName(r, best+k))
			}
			return out
		}
	}
	var out []string
	for _, r := range rows {
		for n := 1; n <= s.SeatsPerRow && len(out) < party; n++ {
			if !slices.Contains(taken, SeatName(r, n)) {
				out = append(out, SeatName(r, n))
			}
		}
	}
	if len(out) < party {
		return nil
	}
	return out
}

// SeatMap is a seated slot's seats, free and taken.
type SeatMap struct {
	SlotID      string   `json:"slotId"`
	SeatRows    int      `json:"seatRows"`
	SeatsPerRow int      `json:"seatsPerRow"`
	Free        []string `json:"free"`
	Taken       []string `json:"taken"`
}

// Seats returns a seated slot's map. Errors: ErrSlotNotFound, ErrSeatInvalid (not seated).
func (s *Service) Seats(ctx context.Context, slotID string) (SeatMap, error) {
	if !ValidID(slotID) {
		return SeatMap{}, ErrSlotNotFound
	}
	sl, err := s.Catalog.Slot(ctx, slotID)
	if err != nil {
		return SeatMap{}, err
	}
	if !sl.Seated() {
		return SeatMap{}, ErrSeatInvalid
	}
	taken, err := s.Store.TakenSeats(ctx, slotID)
	if err != nil {
		return SeatMap{}, fmt.Errorf("seats %s: %w", slotID, err)
	}
	m := SeatMap{SlotID: slotID, SeatRows: sl.SeatRows, SeatsPerRow: sl.SeatsPerRow, Free: []string{}, Taken: []string{}}
	for _, seat := range sl.AllSeats() {
		if slices.Contains(taken, seat) {
			m.Taken = append(m.Taken, seat)
		} else {
			m.Free = append(m.Free, seat)
		}
	}
	return m, nil
}
