package booking

import (
	"encoding/base64"
	"errors"
	"testing"
)

// A verifier made from the public key alone checks what the signer issued, refuses a
// ticket of another key, and cannot issue one.
func TestVerifierChecksButCannotSign(t *testing.T) {
	signer, err := NewSigner("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(base64.StdEncoding.EncodeToString(signer.PublicKey()))
	if err != nil {
		t.Fatal(err)
	}
	b := Booking{ID: "s1.abc", SlotID: "s1", PartySize: 2}
	ticket := signer.Issue(b, testSlot(), Door{})
	if got, err := v.Verify(ticket); err != nil || got.BookingID != b.ID {
		t.Errorf("Verify = %+v, %v; want the booking's ticket", got, err)
	}
	other, _ := NewSigner("ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=")
	if _, err := v.Verify(other.Issue(b, testSlot(), Door{})); !errors.Is(err, ErrTicketInvalid) {
		t.Errorf("Verify(another key's ticket) = %v, want ErrTicketInvalid", err)
	}
	if v.CanSign() || !signer.CanSign() {
		t.Errorf("CanSign: verifier %v, signer %v; want false, true", v.CanSign(), signer.CanSign())
	}
	defer func() {
		if recover() == nil {
			t.Error("a verifier issued a ticket")
		}
	}()
	v.Issue(b, testSlot(), Door{})
}

func TestNewVerifierRefusesBadKeys(t *testing.T) {
	for _, k := range []string{"", "not base64!", base64.StdEncoding.EncodeToString(make([]byte, 31))} {
		if _, err := NewVerifier(k); err == nil {
			t.Errorf("NewVerifier(%q) = nil error", k)
		}
	}
}
