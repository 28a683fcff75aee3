package booking

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

var start = time.Date(2026, 12, 5, 19, 30, 0, 0, time.UTC)

func testSlot() Slot {
	return Slot{ID: "s1", ActivityID: "a1", Kind: KindFilm, StartsAt: start, EndsAt: start.Add(2 * time.Hour),
		Capacity: 10, Booked: 7, BookingOpensAt: start.Add(-48 * time.Hour), BookingClosesAt: start,
		PerPersonLimit: 1, MaxPartySize: 3, Mode: ModeFirstCome, Status: SlotScheduled, CancelCutoffMinutes: 120}
}

func TestCheckRequest(t *testing.T) {
	tests := []struct {
		name   string
		now    time.Time
		req    Request
		change func(*Slot)
		want   error
	}{
		{"open", start.Add(-time.Hour), Request{PartySize: 2}, nil, nil},
		{"party omitted is one", start.Add(-time.Hour), Request{}, nil, nil},
		{"the moment it opens", start.Add(-48 * time.Hour), Request{}, nil, nil},
		{"a second before it opens", start.Add(-48*time.Hour - time.Second), Request{}, nil, ErrWindowClosed},
		{"the moment it closes", start, Request{}, nil, ErrWindowClosed},
		{"party over the slot's maximum", start.Add(-time.Hour), Request{PartySize: 4}, nil, ErrPartyInvalid},
		{"negative party", start.Add(-time.Hour), Request{PartySize: -1}, nil, ErrPartyInvalid},
		{"cancelled slot", start.Add(-time.Hour), Request{}, func(s *Slot) { s.Status = SlotCancelled }, ErrSlotCancelled},
		// Capacity is the store's to decide: a full slot passes the request checks.
		{"full slot", start.Add(-time.Hour), Request{}, func(s *Slot) { s.Booked = 10 }, nil},
	}
	for _, tt := range tests {
		s := testSlot()
		if tt.change != nil {
			tt.change(&s)
		}
		if got := s.CheckRequest(tt.now, tt.req); !errors.Is(got, tt.want) {
			t.Errorf("%s: CheckRequest(%v, %+v) = %v, want %v", tt.name, tt.now, tt.req, got, tt.want)
		}
	}
}

func TestCheckCancel(t *testing.T) {
	s := testSlot() // cut-off 120 minutes before the start
	tests := []struct {
		name   string
		status Status
		now    time.Time
		want   error
	}{
		{"well before", StatusConfirmed, start.Add(-3 * time.Hour), nil},
		{"a second before the cut-off", StatusConfirmed, start.Add(-2*time.Hour - time.Second), nil},
		{"at the cut-off", StatusConfirmed, start.Add(-2 * time.Hour), ErrCancelClosed},
		{"after the start", StatusConfirmed, start.Add(time.Minute), ErrCancelClosed},
		{"waiting may always leave", StatusWaitlisted, start.Add(-time.Minute), nil},
		{"ballot entry may always leave", StatusBalloted, start.Add(-time.Minute), nil},
	}
	for _, tt := range tests {
		b := Booking{Status: tt.status}
		if got := b.CheckCancel(s, tt.now); !errors.Is(got, tt.want) {
			t.Errorf("%s: CheckCancel at %v = %v, want %v", tt.name, tt.now, got, tt.want)
		}
	}
}

func TestPromotedParty(t *testing.T) {
	tests := []struct {
		party, free int
		fewer       bool
		want        int
	}{
		{1, 1, false, 1},
		{3, 5, false, 3},
		{3, 2, false, 0}, // a party of 3 waits for 3 places
		{3, 2, true, 2},  // unless it said it takes fewer
		{2, 0, true, 0},
	}
	for _, tt := range tests {
		b := Booking{PartySize: tt.party, AcceptFewer: tt.fewer}
		if got := b.PromotedParty(tt.free); got != tt.want {
			t.Errorf("PromotedParty(party %d, acceptFewer %t, free %d) = %d, want %d", tt.party, tt.fewer, tt.free, got, tt.want)
		}
	}
}

func TestInDistrict(t *testing.T) {
	tests := []struct {
		path, root string
		want       bool
	}{
		{"430200/430211/430211100", "430200/430211", true},
		{"430200/430211", "430200/430211", true},
		{"430200/4302111", "430200/430211", false}, // a prefix of the id is not a parent
		{"430200/430202", "430200/430211", false},
	}
	for _, tt := range tests {
		if got := InDistrict(tt.path, tt.root); got != tt.want {
			t.Errorf("InDistrict(%q, %q) = %t, want %t", tt.path, tt.root, got, tt.want)
		}
	}
}

func TestBookingID(t *testing.T) {
	id := BookingID("slot-1", "abc")
	if got, ok := SlotOfBooking(id); !ok || got != "slot-1" {
		t.Errorf("SlotOfBooking(%q) = %q, %t; want slot-1, true", id, got, ok)
	}
	for _, bad := range []string{"", "slot-1", "slot-1.", ".abc", "a/b.c", strings.Repeat("x", 70) + ".a"} {
		if _, ok := SlotOfBooking(bad); ok {
			t.Errorf("SlotOfBooking(%q) ok, want refused", bad)
		}
	}
}

func mustSigner(t *testing.T) *Signer {
	t.Helper()
	s, err := NewSigner(base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef")))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTicketSignAndVerify(t *testing.T) {
	s := mustSigner(t)
	slot := testSlot()
	b := Booking{ID: "s1.abc", SlotID: "s1", OpenID: "o-1", PartySize: 2, Status: StatusConfirmed}
	ticket := s.Issue(b, slot, DefaultDoor)
	if again := s.Issue(b, slot, DefaultDoor); again != ticket {
		t.Errorf("Issue is not deterministic: %q then %q", ticket, again)
	}
	got, err := VerifyTicket(s.PublicKey(), ticket)
	if err != nil {
		t.Fatalf("VerifyTicket(own ticket) = %v", err)
	}
	want := Ticket{BookingID: "s1.abc", SlotID: "s1", PartySize: 2,
		NotBefore: start.Add(-time.Hour).Unix(), NotAfter: start.Add(30 * time.Minute).Unix()}
	if got != want {
		t.Errorf("VerifyTicket = %+v, want %+v", got, want)
	}
	// The QR code says nothing of its holder: no openid, in any spelling.
	payload, _, _ := strings.Cut(strings.TrimPrefix(ticket, "WT1."), ".")
	raw, _ := base64.RawURLEncoding.DecodeString(payload)
	if strings.Contains(string(raw), "o-1") || strings.Contains(ticket, "o-1") || strings.Contains(string(raw), `"o"`) {
		t.Errorf("ticket payload %s carries the holder", raw)
	}
	other, _ := NewSigner(base64.StdEncoding.EncodeToString(make([]byte, ed25519.SeedSize)))
	p, sig, _ := strings.Cut(strings.TrimPrefix(ticket, "WT1."), ".")
	forged := "WT1." + base64.RawURLEncoding.EncodeToString([]byte(`{"b":"s1.abc","s":"s1","p":9}`)) + "." + sig
	for name, bad := range map[string]string{
		"other key":       other.Issue(b, slot, DefaultDoor),
		"payload changed": forged,
		"no signature":    "WT1." + p,
		"other format":    "WT2." + p + "." + sig,
		"garbage":         "not a ticket",
		"empty":           "",
	} {
		if _, err := s.Verify(bad); !errors.Is(err, ErrTicketInvalid) {
			t.Errorf("%s: Verify = %v, want ErrTicketInvalid", name, err)
		}
	}
	if _, err := NewSigner("c2hvcnQ="); err == nil {
		t.Error("NewSigner(a 5-byte seed) = nil error, want one")
	}
}

func TestAdmit(t *testing.T) {
	slot := testSlot()
	tk := Ticket{BookingID: "s1.abc", SlotID: "s1", PartySize: 1}
	ok := Booking{ID: "s1.abc", SlotID: "s1", OpenID: "o-1", Status: StatusConfirmed}
	tests := []struct {
		name   string
		b      func(Booking) Booking
		door   string
		now    time.Time
		cancel bool
		want   error
	}{
		{"at the start", nil, "s1", start, false, nil},
		{"any door", nil, "", start, false, nil},
		{"door opens 60 min before", nil, "s1", start.Add(-time.Hour), false, nil},
		{"61 min before", nil, "s1", start.Add(-61 * time.Minute), false, ErrTooEarly},
		{"30 min after", nil, "s1", start.Add(30 * time.Minute), false, nil},
		{"31 min after", nil, "s1", start.Add(31 * time.Minute), false, ErrTooLate},
		{"other slot's door", nil, "s2", start, false, ErrWrongSlot},
		{"used", func(b Booking) Booking { b.CheckedInAt = start; return b }, "s1", start, false, ErrTicketUsed},
		{"cancelled booking", func(b Booking) Booking { b.Status = StatusCancelled; return b }, "s1", start, false, ErrTicketRevoked},
		{"booked again since", func(b Booking) Booking { b.ID = "s1.new"; return b }, "s1", start, false, ErrTicketRevoked},
		{"no booking", func(Booking) Booking { return Booking{} }, "s1", start, false, ErrTicketRevoked},
		{"slot cancelled", nil, "s1", start, true, ErrTicketRevoked},
	}
	for _, tt := range tests {
		b, s := ok, slot
		if tt.b != nil {
			b = tt.b(b)
		}
		if tt.cancel {
			s.Status = SlotCancelled
		}
		if got := Admit(tk, b, s, tt.door, tt.now, DefaultDoor); !errors.Is(got, tt.want) {
			t.Errorf("%s: Admit at %v = %v, want %v", tt.name, tt.now, got, tt.want)
		}
	}
}

// Whatever a scanner reads, Verify answers a ticket or ErrTicketInvalid, and never panics.
func FuzzVerifyTicket(f *testing.F) {
	s, err := NewSigner(base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef")))
	if err != nil {
		f.Fatal(err)
	}
	good := s.Issue(Booking{ID: "s1.a", SlotID: "s1", OpenID: "o-1", PartySize: 1}, testSlot(), DefaultDoor)
	for _, seed := range []string{good, "", "WT1.", "WT1.e30.", good[:len(good)-3], strings.Replace(good, "WT1.", "WT1..", 1)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, ticket string) {
		tk, err := s.Verify(ticket)
		if err != nil && !errors.Is(err, ErrTicketInvalid) {
			t.Errorf("Verify(%q) = %v, want nil or ErrTicketInvalid", ticket, err)
		}
		if err == nil && ticket != good {
			t.Errorf("Verify(%q) accepted %+v: only the signed ticket verifies", ticket, tk)
		}
	})
}
