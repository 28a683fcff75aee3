package main

import (
	"encoding/base64"
	"testing"

	"github.com/wentitong/wentitong/shared/booking"
)

// The runner's dev ticket keys are one pair: what the bookings sign, the door's scans
// (which get only the public key) verify.
func TestDevTicketKeysArePair(t *testing.T) {
	s, err := booking.NewSigner(devDefaults["TICKET_SIGNING_KEY"])
	if err != nil {
		t.Fatal(err)
	}
	if got, want := devDefaults["TICKET_PUBLIC_KEY"], base64.StdEncoding.EncodeToString(s.PublicKey()); got != want {
		t.Errorf("TICKET_PUBLIC_KEY = %s, want the signing key's public key %s", got, want)
	}
}
