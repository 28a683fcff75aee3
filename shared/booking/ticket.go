package booking

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/fault"
)

// Ticket is what a confirmed booking's QR code says: what the door needs and nothing
// about the holder (no openid — a QR code is photographed, shared and screenshotted).
// A door scanner holding the public key checks it offline; the check-in route also
// checks it against the table, where the booking reference leads to the booking.
type Ticket struct {
	BookingID string `json:"b"` // the booking reference (its short code is Code(BookingID))
	SlotID    string `json:"s"`
	PartySize int    `json:"p"`
	NotBefore int64  `json:"f"` // unix seconds: the door opens
	NotAfter  int64  `json:"u"` // unix seconds: the door closes
}

// ticketPrefix names the format: WT1.<base64url(JSON)>.<base64url(Ed25519 signature)>.
const ticketPrefix = "WT1."

// The check-in refusals, each with its stable code.
var (
	ErrTicketInvalid = fault.New(fault.Invalid, "ticket_invalid", "电子票无效")
	ErrTicketUsed    = fault.New(fault.Conflict, "ticket_used", "该电子票已检票")
	ErrTicketRevoked = fault.New(fault.Conflict, "ticket_revoked", "该预约已取消，电子票作废")
	ErrWrongSlot     = fault.New(fault.Conflict, "wrong_slot", "电子票不是本场次的")
	ErrTooEarly      = fault.New(fault.Conflict, "too_early", "尚未到检票时间")
	ErrTooLate       = fault.New(fault.Conflict, "too_late", "已过检票时间")
	ErrNotCheckedIn  = fault.New(fault.Conflict, "not_checked_in", "尚未签到，无法签退")
	ErrCheckedOut    = fault.New(fault.Conflict, "checked_out", "已签退")
	ErrCodeUnknown   = fault.New(fault.NotFound, "booking_code_unknown", "本场次没有这个预约码")
	ErrCodeAmbiguous = fault.New(fault.Conflict, "booking_code_ambiguous", "本场次有两条预约的预约码相同，请扫描电子票二维码")
)

// Door is when a slot's door admits ticket holders: from Opens before the start to
// Closes after it.
type Door struct {
	Opens  time.Duration
	Closes time.Duration
}

// DefaultDoor opens 60 minutes before the start and closes 30 minutes after it.
var DefaultDoor = Door{Opens: 60 * time.Minute, Closes: 30 * time.Minute}

// Window returns when the door of a slot starting at start opens and closes.
func (d Door) Window(start time.Time) (opens, closes time.Time) {
	return start.Add(-d.Opens), start.Add(d.Closes)
}

// Signer signs and verifies tickets with one Ed25519 key; a Signer made by NewVerifier
// holds only the public key, and verifies without being able to sign.
type Signer struct {
	key ed25519.PrivateKey // nil: verifies only
	pub ed25519.PublicKey
}

// NewSigner returns a signer for a base64 (standard or URL, padded or not) 32-byte seed.
func NewSigner(seed string) (*Signer, error) {
	b, err := decodeB64(strings.TrimSpace(seed))
	if err != nil || len(b) != ed25519.SeedSize {
		return nil, errors.New("ticket signing key must be base64 of a 32-byte Ed25519 seed")
	}
	key := ed25519.NewKeyFromSeed(b)
	return &Signer{key: key, pub: key.Public().(ed25519.PublicKey)}, nil
}

// NewVerifier returns a signer that only verifies, for a base64 32-byte Ed25519 public
// key (what PublicKey gives, and GET /api/v1/tickets/public-key says): where tickets
// are checked but never issued, so that the key that signs them is not there.
func NewVerifier(publicKey string) (*Signer, error) {
	b, err := decodeB64(strings.TrimSpace(publicKey))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("ticket public key must be base64 of a 32-byte Ed25519 public key")
	}
	return &Signer{pub: ed25519.PublicKey(b)}, nil
}

// PublicKey is what door scanners need to verify tickets offline.
func (s *Signer) PublicKey() ed25519.PublicKey { return s.pub }

// CanSign reports whether s holds the private key (NewSigner) rather than only the
// public one (NewVerifier).
func (s *Signer) CanSign() bool { return s.key != nil }

// Issue returns the ticket of a confirmed booking of slot s, valid while its door is open.
// Ed25519 is deterministic: the same booking always gets the same ticket. It panics on
// a signer that only verifies: a function given only the public key issues no ticket.
func (s *Signer) Issue(b Booking, slot Slot, door Door) string {
	if !s.CanSign() {
		panic("booking: this signer holds only the public key and cannot issue tickets")
	}
	opens, closes := door.Window(slot.StartsAt)
	payload, _ := json.Marshal(Ticket{BookingID: b.ID, SlotID: b.SlotID, PartySize: b.PartySize,
		NotBefore: opens.Unix(), NotAfter: closes.Unix()}) // a struct of strings and ints always marshals
	p := base64.RawURLEncoding.EncodeToString(payload)
	sig := ed25519.Sign(s.key, []byte(ticketPrefix+p))
	return ticketPrefix + p + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// Verify returns what a ticket says, or ErrTicketInvalid when it is malformed or its
// signature does not verify. It does not look at time, use or revocation.
func (s *Signer) Verify(ticket string) (Ticket, error) {
	return VerifyTicket(s.PublicKey(), ticket)
}

// VerifyTicket is Verify with only the public key, as an offline door scanner has it.
func VerifyTicket(pub ed25519.PublicKey, ticket string) (Ticket, error) {
	rest, ok := strings.CutPrefix(ticket, ticketPrefix)
	if !ok || len(ticket) > 2048 {
		return Ticket{}, ErrTicketInvalid
	}
	p, sig, ok := strings.Cut(rest, ".")
	if !ok {
		return Ticket{}, ErrTicketInvalid
	}
	rawSig, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !ed25519.Verify(pub, []byte(ticketPrefix+p), rawSig) {
		return Ticket{}, ErrTicketInvalid
	}
	payload, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return Ticket{}, ErrTicketInvalid
	}
	var t Ticket
	if err := json.Unmarshal(payload, &t); err != nil || t.BookingID == "" || t.SlotID == "" {
		return Ticket{}, fmt.Errorf("verify ticket: %w", ErrTicketInvalid.Wrap(err))
	}
	return t, nil
}

// Admit decides at a door of slot door (empty: any slot) at now whether the holder of
// ticket t, whose booking in the table is b (zero when there is none) of slot s, may
// enter: ErrTicketRevoked when the booking is gone, cancelled or replaced,
// ErrWrongSlot, ErrTooEarly, ErrTooLate, ErrTicketUsed; nil to admit. The store's
// conditional write still decides a race between two scans of one ticket.
func Admit(t Ticket, b Booking, s Slot, doorSlot string, now time.Time, door Door) error {
	opens, closes := door.Window(s.StartsAt)
	switch {
	case b.ID != t.BookingID || b.Status != StatusConfirmed || s.Status == SlotCancelled:
		return ErrTicketRevoked
	case doorSlot != "" && doorSlot != t.SlotID:
		return ErrWrongSlot
	case now.Before(opens):
		return ErrTooEarly
	case now.After(closes):
		return ErrTooLate
	case !b.CheckedInAt.IsZero():
		return ErrTicketUsed
	}
	return nil
}

func decodeB64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}
