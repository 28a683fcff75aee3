package booking

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
)

// Code is the short booking code a resident sees next to the QR ticket and may read out
// at the door: eight digits derived from the booking id (the id itself, a slot id and a
// random suffix, is for machines). It is a reference, not a credential — the signed
// ticket is what admits — so two bookings of a slot sharing a code (about one chance in
// two hundred at a thousand bookings) only means staff look at both in the roster.
func Code(bookingID string) string {
	if bookingID == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(bookingID))
	return fmt.Sprintf("%08d", binary.BigEndian.Uint64(sum[:8])%100_000_000)
}

// MarshalJSON writes the booking with its short code ("code") beside its id, so every
// answer that holds a booking shows it.
func (b Booking) MarshalJSON() ([]byte, error) {
	type plain Booking // without this method
	return json.Marshal(struct {
		plain
		Code string `json:"code,omitempty"`
	}{plain(b), Code(b.ID)})
}
