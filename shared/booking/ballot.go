package booking

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/wentitong/wentitong/shared/fault"
)

// DrawAlgorithm names the draw specified in docs/api.md: SHA-256 seed over the secret and
// the sorted entry list, a SHA-256 counter stream, rejection sampling and a Fisher–Yates
// shuffle. A change to any of these needs a new name.
const DrawAlgorithm = "wentitong-draw-v1"

// DrawGrace is how long after a ballot's window closes the draw waits, so that entries
// whose write was under way at the close are in the list.
const DrawGrace = time.Minute

// Errors of ballots.
var (
	ErrBallotNotFound = fault.New(fault.NotFound, "ballot_not_found", "该场次不是抽签场次")
	// ErrDrawn is Ballots.PublishDraw's answer when the slot's draw was published already.
	ErrDrawn = errors.New("draw published already")
)

// Entry is one ballot entry as the draw sees it: a booking id (not the person) and the
// places it asks for.
type Entry struct {
	BookingID string `json:"bookingId"`
	PartySize int    `json:"partySize"`
}

// Ballot is a ballot slot's commitment, its secret and, once drawn, the draw.
type Ballot struct {
	SlotID     string
	Commitment string // hex SHA-256 of the secret, published on the slot when it is created
	Secret     []byte // kept from everyone until the draw publishes it
	Draw       *Draw  // nil until drawn
}

// Draw is a ballot's published result: everything needed to re-run it.
type Draw struct {
	SlotID      string    `json:"slotId"`
	Algorithm   string    `json:"algorithm"`
	Commitment  string    `json:"commitment"`  // hex SHA-256(secret), published before any entry
	Secret      string    `json:"secret"`      // hex of the 32-byte secret
	EntriesHash string    `json:"entriesHash"` // hex SHA-256 of the entry list
	Seed        string    `json:"seed"`        // hex SHA-256(secret || entry list)
	Places      int       `json:"places"`      // the free places given out
	Entries     []Entry   `json:"entries"`     // sorted by booking id
	Order       []string  `json:"order"`       // booking ids in drawn order
	Winners     []string  `json:"winners"`     // confirmed, in drawn order; the rest wait in drawn order
	DrawnAt     time.Time `json:"drawnAt"`
}

// Ballots keeps the secrets and the published draws of ballot slots.
type Ballots interface {
	// OpenBallot keeps the secret of a slot's draw (before the slot is written).
	OpenBallot(ctx context.Context, slotID string, secret []byte, commitment string) error
	// Ballot returns a slot's ballot with its secret, or ErrBallotNotFound.
	Ballot(ctx context.Context, slotID string) (Ballot, error)
	// PendingBallots returns the slots whose ballot is not settled yet.
	PendingBallots(ctx context.Context) ([]string, error)
	// PublishDraw records d once; it returns ErrDrawn when a draw is recorded already.
	PublishDraw(ctx context.Context, d Draw) error
	// SettleBallot takes a slot out of PendingBallots.
	SettleBallot(ctx context.Context, slotID string) error
	// Win confirms the balloted booking b with its slot counter, the person's limit and a
	// ballot_won outbox item, in one transaction. It returns ErrFull, ErrLimitReached, or
	// ErrBookingNotFound when b is no longer balloted.
	Win(ctx context.Context, b Booking, slot Slot, now time.Time) error
	// Lose puts the balloted booking b on the slot's waiting list at joinedAt, with a
	// ballot_lost outbox item saying position, in one transaction. It returns
	// ErrBookingNotFound when b is no longer balloted.
	Lose(ctx context.Context, b Booking, slot Slot, joinedAt time.Time, position int, now time.Time) error
}

// EntryList is the byte string the draw hashes: the entries sorted by booking id, each
// as "<bookingId> <partySize>\n".
func EntryList(entries []Entry) []byte {
	sorted := slices.Clone(entries)
	slices.SortFunc(sorted, func(a, b Entry) int { return bytes.Compare([]byte(a.BookingID), []byte(b.BookingID)) })
	var buf bytes.Buffer
	for _, e := range sorted {
		buf.WriteString(e.BookingID + " " + strconv.Itoa(e.PartySize) + "\n")
	}
	return buf.Bytes()
}

// Commit returns the hex SHA-256 of a secret: the commitment published before the entries.
func Commit(secret []byte) string {
	sum := sha256.Sum256(secret)
	return hex.EncodeToString(sum[:])
}

// stream is the draw's random stream: block k is SHA-256(seed || uint64be(k)), read eight
// bytes at a time as big-endian integers.
type stream struct {
	seed [32]byte
	k    uint64
	buf  []byte
}

func (s *stream) next() uint64 {
	if len(s.buf) < 8 {
		var in [40]byte
		copy(in[:], s.seed[:])
		binary.BigEndian.PutUint64(in[32:], s.k)
		s.k++
		block := sha256.Sum256(in[:])
		s.buf = append(s.buf, block[:]...)
	}
	x := binary.BigEndian.Uint64(s.buf)
	s.buf = s.buf[8:]
	return x
}

// uniform returns an integer in [0, n) without bias: x is drawn again while it is at or
// above 2^64 − (2^64 mod n), then reduced mod n.
func (s *stream) uniform(n uint64) uint64 {
	rem := -n % n // 2^64 mod n
	for {
		x := s.next()
		if rem == 0 || x < -rem { // -rem is 2^64 − rem
			return x % n
		}
	}
}

// RunDraw draws a ballot: seed = SHA-256(secret || EntryList(entries)); the entries, sorted
// by booking id, are shuffled by Fisher–Yates (for i = n−1 down to 1, swap i with
// uniform(i+1)); walking that order, an entry whose party fits the places still free
// wins. The same secret and entries always give the same draw.
func RunDraw(secret []byte, entries []Entry, places int) Draw {
	list := EntryList(entries)
	listSum := sha256.Sum256(list)
	st := stream{seed: sha256.Sum256(append(slices.Clone(secret), list...))}
	sorted := slices.Clone(entries)
	slices.SortFunc(sorted, func(a, b Entry) int { return bytes.Compare([]byte(a.BookingID), []byte(b.BookingID)) })
	order := make([]Entry, len(sorted))
	copy(order, sorted)
	for i := len(order) - 1; i >= 1; i-- {
		j := st.uniform(uint64(i + 1))
		order[i], order[j] = order[j], order[i]
	}
	d := Draw{
		Algorithm: DrawAlgorithm, Commitment: Commit(secret), Secret: hex.EncodeToString(secret),
		EntriesHash: hex.EncodeToString(listSum[:]), Seed: hex.EncodeToString(st.seed[:]),
		Places: places, Entries: sorted, Order: []string{}, Winners: []string{},
	}
	free := places
	for _, e := range order {
		d.Order = append(d.Order, e.BookingID)
		if e.PartySize <= free {
			d.Winners = append(d.Winners, e.BookingID)
			free -= e.PartySize
		}
	}
	return d
}

// ErrDrawMismatch is VerifyDraw's answer when a published draw does not re-run.
var ErrDrawMismatch = errors.New("draw does not match its published data")

// VerifyDraw re-runs a published draw from its secret, entries and places and reports
// ErrDrawMismatch unless the commitment, hashes, order and winners are the same.
func VerifyDraw(d Draw) error {
	secret, err := hex.DecodeString(d.Secret)
	if err != nil {
		return fmt.Errorf("verify draw: secret: %w", ErrDrawMismatch)
	}
	re := RunDraw(secret, d.Entries, d.Places)
	switch {
	case d.Algorithm != DrawAlgorithm, re.Commitment != d.Commitment, re.EntriesHash != d.EntriesHash, re.Seed != d.Seed:
	case !slices.Equal(re.Order, d.Order), !slices.Equal(re.Winners, d.Winners):
	default:
		return nil
	}
	return ErrDrawMismatch
}

// OpenBallot gives a new ballot slot its secret (kept by Ballots) and sets the
// commitment on sl, to be written with it; other slots, and slots that have one, are left
// as they are. CreateSlot and EditSlot call it; seeders that write slots directly do too.
func (s *Service) OpenBallot(ctx context.Context, sl *Slot) error {
	if s.Ballots == nil || sl.Mode != ModeBallot || sl.BallotCommitment != "" {
		return nil
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return fmt.Errorf("open ballot: %w", err)
	}
	sl.BallotCommitment = Commit(secret)
	return s.Ballots.OpenBallot(ctx, sl.ID, secret, sl.BallotCommitment)
}

// DrawView is a ballot as anyone may see it: the commitment while entries are open, the
// whole draw afterwards.
type DrawView struct {
	SlotID     string    `json:"slotId"`
	Status     string    `json:"status"` // "open" until drawn, then "drawn"
	Commitment string    `json:"commitment"`
	ClosesAt   time.Time `json:"bookingClosesAt"`
	*Draw
}

// PublishedDraw returns a slot's ballot: its commitment, and once drawn the secret,
// entries, order and winners. Errors: ErrSlotNotFound, ErrBallotNotFound.
func (s *Service) PublishedDraw(ctx context.Context, slotID string) (DrawView, error) {
	if !ValidID(slotID) {
		return DrawView{}, ErrSlotNotFound
	}
	if s.Ballots == nil {
		return DrawView{}, ErrBallotNotFound
	}
	slot, err := s.Catalog.Slot(ctx, slotID)
	if err != nil {
		return DrawView{}, err
	}
	b, err := s.Ballots.Ballot(ctx, slotID)
	if err != nil {
		return DrawView{}, err
	}
	v := DrawView{SlotID: slotID, Status: "open", Commitment: b.Commitment, ClosesAt: slot.BookingClosesAt, Draw: b.Draw}
	if b.Draw != nil {
		v.Status = "drawn"
	}
	return v, nil
}

// DrawBallots is the scheduler's job: every ballot whose window closed DrawGrace ago is
// drawn (once: the draw is published before anyone is told) and settled — winners
// confirmed up to the places, the rest wait-listed in drawn order, each told once. A run
// that stopped half-way is finished by the next. It goes on past a failing slot and
// returns every failure.
func (s *Service) DrawBallots(ctx context.Context) error {
	if s.Ballots == nil {
		return nil
	}
	ids, err := s.Ballots.PendingBallots(ctx)
	if err != nil {
		return fmt.Errorf("draw ballots: %w", err)
	}
	var errs []error
	for _, id := range ids {
		if err := s.drawSlot(ctx, id); err != nil {
			errs = append(errs, fmt.Errorf("draw slot %s: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

func (s *Service) drawSlot(ctx context.Context, id string) error {
	now := s.Now()
	slot, err := s.Catalog.Slot(ctx, id)
	switch {
	case errors.Is(err, ErrSlotNotFound):
		return s.Ballots.SettleBallot(ctx, id) // the slot's creation failed after its ballot
	case err != nil:
		return err
	case slot.Status == SlotCancelled:
		return s.Ballots.SettleBallot(ctx, id) // CancelSlot cancelled the entries
	case now.Before(slot.BookingClosesAt.Add(DrawGrace)):
		return nil
	}
	ballot, err := s.Ballots.Ballot(ctx, id)
	if err != nil {
		return err
	}
	held, err := s.Store.OfSlot(ctx, id)
	if err != nil {
		return err
	}
	if ballot.Draw == nil {
		var entries []Entry
		for _, b := range held {
			if b.Status == StatusBalloted {
				entries = append(entries, Entry{BookingID: b.ID, PartySize: b.PartySize})
			}
		}
		d := RunDraw(ballot.Secret, entries, slot.Remaining())
		d.SlotID, d.DrawnAt = id, now.UTC()
		switch err := s.Ballots.PublishDraw(ctx, d); {
		case errors.Is(err, ErrDrawn):
			if ballot, err = s.Ballots.Ballot(ctx, id); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			ballot.Draw = &d
		}
	}
	if err := s.settle(ctx, slot, *ballot.Draw, held, now); err != nil {
		return err
	}
	return s.Ballots.SettleBallot(ctx, id)
}

// settle applies a published draw to the entries still balloted: winners confirmed, the
// rest wait-listed in drawn order (JoinedAt one microsecond apart from the draw's time),
// then any entry the draw did not see (a write that outlasted the grace) after them.
func (s *Service) settle(ctx context.Context, slot Slot, d Draw, held []Booking, now time.Time) error {
	byID := map[string]Booking{}
	for _, b := range held {
		byID[b.ID] = b
	}
	won := map[string]bool{}
	for _, id := range d.Winners {
		won[id] = true
	}
	order := slices.Clone(d.Order)
	drawn := map[string]bool{}
	for _, id := range order {
		drawn[id] = true
	}
	for _, b := range held { // OfSlot is by openid; late entries go by the time they joined
		if b.Status == StatusBalloted && !drawn[b.ID] {
			order = append(order, b.ID)
		}
	}
	lateFrom := len(d.Order)
	slices.SortStableFunc(order[lateFrom:], func(a, b string) int { return byID[a].JoinedAt.Compare(byID[b].JoinedAt) })
	position := 0
	for i, id := range order {
		b, ok := byID[id]
		if !won[id] {
			position++
		}
		if !ok || b.Status != StatusBalloted {
			continue // cancelled before the draw, or settled by an earlier run
		}
		if won[id] {
			err := s.Ballots.Win(ctx, b, slot, now)
			if err == nil || errors.Is(err, ErrBookingNotFound) {
				continue
			}
			if !errors.Is(err, ErrFull) && !errors.Is(err, ErrLimitReached) {
				return err
			}
			position++ // holds another booking of the activity: waits
		}
		joined := d.DrawnAt.Add(time.Duration(i) * time.Microsecond)
		if err := s.Ballots.Lose(ctx, b, slot, joined, position, now); err != nil && !errors.Is(err, ErrBookingNotFound) {
			return err
		}
	}
	// Places a winner could not take (another booking of the activity, or cancelled
	// between the draw and the settling) go down the drawn waiting list at once.
	if _, err := s.Promote(ctx, slot.ID); err != nil {
		s.logError(ctx, "promote after a draw", fmt.Errorf("settle %s: %w", slot.ID, err))
	}
	return nil
}
