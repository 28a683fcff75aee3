package booking

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/input"
)

// Store keeps bookings, their counters and the idempotency records of requests.
type Store interface {
	// Prepare reads, in one call, the slot, the person's standing and the outcome of an
	// earlier request of the person with key at the slot (none when key is ""). It
	// returns ErrSlotNotFound.
	Prepare(ctx context.Context, slotID, openid, key string, now time.Time) (Prepared, error)
	// Reserve writes r.Booking in one transaction, only while the slot still has the
	// settings of r.Slot (its revision: r.Slot may be remembered from an earlier read). A
	// confirmed booking goes with the slot counter (free places ≥ party), the person's
	// standing (not suspended; the per-activity counter when the slot has a limit) and its
	// confirmation message; a waiting or balloted one only with its queue entry. With a
	// key, the outcome is recorded on the booking for replays. It returns ErrFull (no
	// room, or the slot's settings changed), ErrAlreadyBooked, ErrLimitReached (the
	// limit, or a suspension), ErrSlotCancelled (changed settings of a waiting or
	// balloted request), or ErrReplayed when the key was used for another write.
	Reserve(ctx context.Context, r Reservation) error
	// Replay returns the outcome recorded for the person's key at the slot; ok is false
	// when there is none or it expired.
	Replay(ctx context.Context, slotID, openid, key string, now time.Time) (o Outcome, ok bool, err error)
	// Recorded is Replay with one eventually consistent read (half the cost): for the
	// answers of a sold-out session (Service.SoldOut).
	Recorded(ctx context.Context, slotID, openid, key string, now time.Time) (o Outcome, ok bool, err error)
	// Booking returns the person's booking of a slot, or ErrBookingNotFound.
	Booking(ctx context.Context, slotID, openid string) (Booking, error)
	// Cancel marks b cancelled by who ("resident" or "organiser"). A confirmed booking
	// gives its places back to the slot and its place in the person's limit back, in the
	// same transaction; with notify, an outbox item tells the holder. It returns
	// ErrBookingNotFound when b is no longer as it was read.
	Cancel(ctx context.Context, b Booking, slot Slot, who string, notify bool, now time.Time) error
	// Waiting returns the slot's waiting list, first in line first.
	Waiting(ctx context.Context, slotID string) ([]Booking, error)
	// WaitingSlots returns the slots marked as having a waiting list (Reserve marks a
	// slot when someone joins its line).
	WaitingSlots(ctx context.Context) ([]string, error)
	// ClearWaiting removes a slot's mark.
	ClearWaiting(ctx context.Context, slotID string) error
	// Position returns the 1-based place of a waiting booking in its slot's line.
	Position(ctx context.Context, b Booking) (int, error)
	// Promote confirms the waiting booking b with party places of slot, with its outbox
	// item, in one transaction. It returns ErrFull, ErrLimitReached, or
	// ErrBookingNotFound when b is no longer waiting.
	Promote(ctx context.Context, b Booking, party int, slot Slot, now time.Time) error
	// OfPerson returns a person's bookings, soonest slot first.
	OfPerson(ctx context.Context, openid string) ([]Booking, error)
	// OfSlot returns every booking of a slot.
	OfSlot(ctx context.Context, slotID string) ([]Booking, error)
	// ByRef returns the booking of slotID whose id is id (the reference a ticket
	// carries), or ErrBookingNotFound, reading about one item rather than the slot's.
	ByRef(ctx context.Context, slotID, id string) (Booking, error)
	// CheckIn records that b's holder came in at now. It returns ErrTicketUsed when the
	// booking was checked in already, ErrTicketRevoked when it is no longer confirmed.
	CheckIn(ctx context.Context, b Booking, now time.Time) error
	// CheckOut records that b's holder left at now. It returns ErrNotCheckedIn,
	// ErrCheckedOut, or ErrTicketRevoked when the booking is no longer confirmed.
	CheckOut(ctx context.Context, b Booking, now time.Time) error
	// TakenSeats returns the seats of a slot held by bookings (consistent read). Reserve
	// holds a confirmed booking's Seats in its transaction (ErrSeatTaken), Cancel frees them.
	TakenSeats(ctx context.Context, slotID string) ([]string, error)
}

// Catalog keeps activities and slots.
type Catalog interface {
	PutActivity(ctx context.Context, a Activity) error
	// Activity returns an activity; ok is false when there is none.
	Activity(ctx context.Context, id string) (a Activity, ok bool, err error)
	// Activities returns the activities with the given ids that exist, by id.
	Activities(ctx context.Context, ids []string) (map[string]Activity, error)
	// CreateSlot writes a new slot; its counter starts at Capacity-Booked free places.
	CreateSlot(ctx context.Context, s Slot) error
	// Slot returns a slot, or ErrSlotNotFound.
	Slot(ctx context.Context, id string) (Slot, error)
	// UpdateSlot replaces old's settings by s's, moving the free places by the change of
	// capacity. It returns ErrCapacityBelow when fewer places than are booked would
	// remain, and a conflict when the slot changed since old was read.
	UpdateSlot(ctx context.Context, old, s Slot) error
	// Upcoming returns at most q.Limit scheduled slots starting at or after q.From (and
	// before q.To when set), of q.Kinds, by start time, and the cursor of the next page
	// ("" when there is none).
	Upcoming(ctx context.Context, q Query) (slots []Slot, next string, err error)
}

// Districts resolves district ids to their paths in the tree.
type Districts interface {
	// DistrictPath returns the path of a district; ok is false when there is none.
	DistrictPath(ctx context.Context, id string) (path string, ok bool, err error)
}

// Venues names venues and says where they are.
type Venues interface {
	// VenueOf returns the name and district of a venue; ok is false when there is none.
	VenueOf(ctx context.Context, id string) (name, districtID string, ok bool, err error)
}

// Prepared is what Store.Prepare read.
type Prepared struct {
	Slot           Slot
	SuspendedUntil time.Time // booking is suspended until then (no-show strikes)
	Home           string    // the district the person set as where they live ("": none)
	Replay         *Outcome  // the earlier outcome of the same key, when there is one
}

// Outcome is the answer to a booking request, kept under its idempotency key so that a
// retry gets the same answer.
type Outcome struct {
	Fingerprint string  `json:"fingerprint"` // what was asked: a reused key asking more is refused
	Booking     Booking `json:"booking"`
}

// Reservation is one write of Store.Reserve.
type Reservation struct {
	Booking Booking
	Slot    Slot
	Key     string // the client's Idempotency-Key, or ""
	Outcome Outcome
	Now     time.Time
	// ID is the ID number a real-name booking carries: the write takes the session's
	// guard of it (ErrIDNumberTaken) and, when ID.Record, records it on its owner's item
	// (ErrIDNumberMismatch when another number was recorded meanwhile); nil: none.
	ID *IDRecord
}

// ErrReplayed is Store.Reserve's answer when the idempotency record of its key exists.
var ErrReplayed = errors.New("idempotency key used already")

// Query selects upcoming slots.
type Query struct {
	Kinds    []Kind
	From, To time.Time // To zero: no end
	Limit    int
	Cursor   string
}

// Service books places: the rules are here, the atomicity is the store's.
type Service struct {
	Store      Store
	Catalog    Catalog
	Districts  Districts
	Venues     Venues     // nil: venues are not checked
	Ballots    Ballots    // nil: ballot slots get no commitment and are never drawn
	NoShows    NoShows    // nil: unclaimed bookings are never released
	Schedules  Schedules  // nil: no weekly classes
	Polls      FilmPolls  // villages' film polls
	Screenings Screenings // projectionists' verifications
	Places     Places     // where venues are, for the verifications' geofence
	Locations  Locations  // where WeChat reported projectionists to be; nil: only the page's location
	Homes      Homes      // where residents live, for village polls
	Family     Family     // residents' dependants, for bookings made for them; nil: none
	IDKey      []byte     // key of ID numbers' hashes (ID_HASH_KEY), for real-name sessions; nil: they take no dependants
	Signer     *Signer
	Door       Door // zero: DefaultDoor
	// SoldOut is the instance's memory of sold-out sessions (NewSoldOut(SoldOutMemory)),
	// shared by its requests; nil: every request reads the session.
	SoldOut *SoldOut
	Now     func() time.Time
	NewID   func() string // ids of activities and slots
	// Log receives failures that do not fail the request (a promotion after a
	// cancellation that stands); nil discards them.
	Log *slog.Logger
}

func (s *Service) logError(ctx context.Context, msg string, err error) {
	if s.Log != nil {
		s.Log.ErrorContext(ctx, msg, "err", err)
	}
}

func (s *Service) door() Door {
	if s.Door == (Door{}) {
		return DefaultDoor
	}
	return s.Door
}

// DoorWindow returns when the door of a slot starting at start opens and closes: what
// a scanner says to a ticket too early or too late.
func (s *Service) DoorWindow(start time.Time) (opens, closes time.Time) {
	return s.door().Window(start)
}

// Who cancelled.
const (
	ByResident  = "resident"
	ByOrganiser = "organiser"
)

// Homes knows where residents live: the district they set on their profile (changes
// limited and recorded by the account), never one a request declares.
type Homes interface {
	// Home returns the district openid set as where they live, or "".
	Home(ctx context.Context, openid string) (string, error)
}

// Book asks for places at a slot for openid. It returns the confirmed booking with its
// ticket, or a waiting (or balloted) one with its position; a retry with the same key
// returns the first answer. Errors: ErrKeyInvalid, ErrKeyReused, ErrSlotNotFound,
// ErrSuspended, ErrSlotCancelled, ErrPartyInvalid, ErrWindowClosed, ErrNotEligible,
// ErrFull (only when r.Waitlist is false), ErrAlreadyBooked, ErrLimitReached.
func (s *Service) Book(ctx context.Context, openid, slotID, key string, r Request) (Booking, error) {
	if !ValidKey(key) {
		return Booking{}, ErrKeyInvalid
	}
	if !ValidID(slotID) {
		return Booking{}, ErrSlotNotFound
	}
	person, name := openid, ""
	if r.For != "" {
		if s.Family == nil || strings.Contains(r.For, holderSep) {
			return Booking{}, ErrNoFamily
		}
		var err error
		if name, err = s.Family.DependantLabel(ctx, person, r.For); err != nil {
			return Booking{}, err
		}
		openid = Holder(person, r.For)
	}
	now := s.Now()
	fp := fmt.Sprintf("%s|%d|%t|%t", slotID, r.Party(), r.Waitlist, r.AcceptFewer)
	if len(r.Seats) > 0 {
		fp += "|" + strings.Join(r.Seats, ",")
	}
	if slot, ok := s.SoldOut.recall(slotID); ok && soldOutFor(slot, r) {
		return s.soldOut(ctx, slot, openid, key, fp, r, now)
	}
	var refused error // what the write without a read was refused for
	if slot, ok := s.SoldOut.known(slotID); ok && blind(slot, r, now) {
		// The session's settings are known from an earlier read: the write alone checks
		// the rest (places, revision, the person's standing), and only a refusal reads.
		b, err := s.reserve(ctx, newBooking(openid, name, slot, r, now, StatusConfirmed), slot, key, fp, now)
		if !errors.Is(err, ErrFull) && !errors.Is(err, ErrLimitReached) {
			return s.written(ctx, b, key, fp, now, err)
		}
		refused = err // no room or other settings, the limit or a suspension: the read says which
	}
	p, err := s.Store.Prepare(ctx, slotID, openid, key, now)
	if err != nil {
		return Booking{}, fmt.Errorf("book %s: %w", slotID, err)
	}
	if p.Replay != nil {
		return s.replayed(ctx, *p.Replay, fp)
	}
	slot := p.Slot
	s.SoldOut.remember(slot)
	if now.Before(p.SuspendedUntil) {
		return Booking{}, Suspended(p.SuspendedUntil)
	}
	if err := slot.CheckRequest(now, r); err != nil {
		return Booking{}, err
	}
	home := p.Home
	if r.For != "" && slot.EligibleDistrictID != "" && s.Homes != nil {
		// A dependant lives where the resident who books for them does.
		if home, err = s.Homes.Home(ctx, person); err != nil {
			return Booking{}, err
		}
	}
	if err := s.checkEligible(ctx, slot, home); err != nil {
		return Booking{}, err
	}
	if errors.Is(refused, ErrLimitReached) {
		return Booking{}, ErrLimitReached // not suspended: the limit it is
	}
	b := newBooking(openid, name, slot, r, now, "")
	if slot.RealName {
		rec, err := s.idRecord(ctx, person, r)
		if err != nil {
			return Booking{}, err
		}
		b.IDNumberMasked, b.IDGuard, b.idRecord = rec.Number.Masked, rec.Number.Hash, &rec
	}
	switch {
	case slot.Mode == ModeBallot:
		b.Status = StatusBalloted
	case slot.Fits(b.PartySize):
		b.Status = StatusConfirmed
	case r.Waitlist && !slot.Seated(): // a hall's seats are not promised from a line
		b.Status = StatusWaitlisted
	default:
		return Booking{}, ErrFull // answered from the one read, without a write
	}
	if slot.Seated() {
		return s.bookSeats(ctx, b, slot, r, key, fp, now)
	}
	b, err = s.reserve(ctx, b, slot, key, fp, now)
	if errors.Is(err, ErrFull) && b.PartySize == 1 {
		full := slot // the last place went while we asked
		full.Booked = full.Capacity
		s.SoldOut.remember(full)
	}
	if errors.Is(err, ErrFull) && r.Waitlist && b.Status == StatusConfirmed {
		b.Status = StatusWaitlisted // the last places went while we asked
		b, err = s.reserve(ctx, b, slot, key, fp, now)
	}
	return s.written(ctx, b, key, fp, now, err)
}

// newBooking is holder's booking of slot as r asks it, made at now, in status; for a
// dependant (r.For) named name, whose id ends the booking's id.
func newBooking(holder, name string, slot Slot, r Request, now time.Time, status Status) Booking {
	suffix := strings.ToLower(rand.Text()[:16])
	if r.For != "" {
		suffix += holderSep + r.For
	}
	return Booking{
		ID: BookingID(slot.ID, suffix), SlotID: slot.ID, ActivityID: slot.ActivityID,
		OpenID: holder, PartySize: r.Party(), AcceptFewer: r.AcceptFewer, StartsAt: slot.StartsAt,
		CreatedAt: now, JoinedAt: now, Status: status, For: r.For, Name: name,
	}
}

// blind reports whether r at a slot whose settings are remembered is written without
// reading first: a first-come session without seats, district or real names, open to r
// at now, that had room for r when last read.
func blind(slot Slot, r Request, now time.Time) bool {
	return slot.Mode == ModeFirstCome && !slot.Seated() && slot.EligibleDistrictID == "" && !slot.RealName && slot.CheckRequest(now, r) == nil &&
		slot.Fits(r.Party()) // as last read: a party that did not fit then is read for again
}

// written answers the write of b with err: an already booked slot or a used key answer
// what the key's first request was answered, when there was one.
func (s *Service) written(ctx context.Context, b Booking, key, fp string, now time.Time, err error) (Booking, error) {
	if key == "" && errors.Is(err, ErrAlreadyBooked) {
		// Without a key, a write the SDK retried after it was applied comes back as a
		// duplicate of itself: the booking is ours when it carries our id.
		if cur, rerr := s.Store.Booking(ctx, b.SlotID, b.OpenID); rerr == nil && cur.ID == b.ID {
			return b, nil
		}
	}
	if errors.Is(err, ErrReplayed) || (key != "" && errors.Is(err, ErrAlreadyBooked)) {
		// An earlier request with this key got there first (or a retry of our own write
		// was applied): answer what it was answered.
		if o, ok, rerr := s.Store.Replay(ctx, b.SlotID, b.OpenID, key, now); rerr != nil {
			return Booking{}, fmt.Errorf("book %s: %w", b.SlotID, rerr)
		} else if ok {
			return s.replayed(ctx, o, fp)
		}
		if errors.Is(err, ErrReplayed) {
			return Booking{}, fmt.Errorf("book %s: replay record vanished: %w", b.SlotID, err)
		}
	}
	if err != nil {
		return Booking{}, err
	}
	if b.Status == StatusConfirmed {
		s.SoldOut.took(b.SlotID, b.PartySize, b.seen)
	}
	return b, nil
}

// soldOutFor reports whether a request for slot, seen with no place left, is answered
// "sold out" whatever else is true: not a ballot (which takes entries regardless of
// places) and not a request that would join the waiting list.
func soldOutFor(slot Slot, r Request) bool {
	return slot.Mode != ModeBallot && !slot.Fits(r.Party()) && !(r.Waitlist && !slot.Seated())
}

// soldOut answers a request for a session the instance remembers as sold out: the
// request's own checks, then the earlier answer to its key (one eventually consistent
// read of the record, none without a key), else ErrFull; no read of the session and no
// write. The person's suspension and eligibility are not read: a sold-out session is
// refused to everyone alike.
func (s *Service) soldOut(ctx context.Context, slot Slot, openid, key, fp string, r Request, now time.Time) (Booking, error) {
	if key != "" {
		o, ok, err := s.Store.Recorded(ctx, slot.ID, openid, key, now)
		if err != nil {
			return Booking{}, fmt.Errorf("book %s: %w", slot.ID, err)
		}
		if ok {
			return s.replayed(ctx, o, fp)
		}
	}
	if err := slot.CheckRequest(now, r); err != nil {
		return Booking{}, err
	}
	return Booking{}, ErrFull
}

// bookSeats books the seats asked for, or the best available (looked for again once when
// another booking took one meanwhile). Errors: those of Book, ErrSeatInvalid, ErrSeatTaken.
func (s *Service) bookSeats(ctx context.Context, b Booking, slot Slot, r Request, key, fp string, now time.Time) (Booking, error) {
	for attempt := 0; ; attempt++ {
		if len(r.Seats) > 0 {
			if err := slot.checkSeats(r.Seats, b.PartySize); err != nil {
				return Booking{}, err
			}
			b.Seats = slices.Clone(r.Seats)
		} else {
			taken, err := s.Store.TakenSeats(ctx, slot.ID)
			if err != nil {
				return Booking{}, fmt.Errorf("book %s: %w", slot.ID, err)
			}
			if b.Seats = slot.BestSeats(taken, b.PartySize); b.Seats == nil {
				return Booking{}, ErrFull
			}
		}
		got, err := s.reserve(ctx, b, slot, key, fp, now)
		if errors.Is(err, ErrSeatTaken) && len(r.Seats) == 0 && attempt < 2 {
			continue
		}
		return s.written(ctx, got, key, fp, now, err)
	}
}

func (s *Service) reserve(ctx context.Context, b Booking, slot Slot, key, fp string, now time.Time) (Booking, error) {
	b.LimitHeld = b.Status == StatusConfirmed && slot.PerPersonLimit > 0
	b.seen = s.SoldOut.mark(b.SlotID)
	b.Ticket = ""
	if b.Status == StatusConfirmed {
		b.Ticket = s.Signer.Issue(b, slot, s.door())
	}
	err := s.Store.Reserve(ctx, Reservation{Booking: b, Slot: slot, Key: key, Outcome: Outcome{Fingerprint: fp, Booking: b}, Now: now, ID: b.idRecord})
	if err != nil {
		return b, err
	}
	if b.Status != StatusConfirmed {
		if b.Position, err = s.Store.Position(ctx, b); err != nil {
			return b, fmt.Errorf("book %s: %w", b.SlotID, err)
		}
	}
	return b, nil
}

// replayed answers a retry with the outcome of the first request.
func (s *Service) replayed(ctx context.Context, o Outcome, fp string) (Booking, error) {
	if o.Fingerprint != fp {
		return Booking{}, ErrKeyReused
	}
	b := o.Booking
	if b.Status == StatusConfirmed && b.Ticket == "" {
		b.Ticket = s.Signer.Issue(b, Slot{StartsAt: b.StartsAt}, s.door()) // the same ticket: signed alike
	}
	if b.Status != StatusConfirmed {
		cur, err := s.Store.Booking(ctx, b.SlotID, b.OpenID)
		if err == nil && cur.ID == b.ID && cur.Status == b.Status {
			if b.Position, err = s.Store.Position(ctx, cur); err != nil {
				return Booking{}, err
			}
		}
	}
	return b, nil
}

// checkEligible decides whether someone living in districtID (their home, from their
// profile) may book a slot limited to a district: ErrHomeMissing, ErrNotEligible.
func (s *Service) checkEligible(ctx context.Context, slot Slot, districtID string) error {
	if slot.EligibleDistrictID == "" {
		return nil
	}
	if districtID == "" {
		return ErrHomeMissing
	}
	if s.Districts == nil {
		return ErrNotEligible
	}
	root, ok, err := s.Districts.DistrictPath(ctx, slot.EligibleDistrictID)
	if err != nil {
		return err
	}
	path, ok2, err := s.Districts.DistrictPath(ctx, districtID)
	if err != nil {
		return err
	}
	if !ok || !ok2 || !InDistrict(path, root) {
		return ErrNotEligible
	}
	return nil
}

// Cancel cancels the caller's booking (or leaves the waiting list) and promotes whoever
// is next in line. Cancelling a cancelled booking answers it again. Errors:
// ErrBookingNotFound, ErrCancelClosed.
func (s *Service) Cancel(ctx context.Context, openid, bookingID string) (Booking, error) {
	b, slotID, err := s.own(ctx, openid, bookingID)
	if err != nil {
		return Booking{}, err
	}
	if b.Status == StatusCancelled {
		return b, nil
	}
	slot, err := s.Catalog.Slot(ctx, slotID)
	if err != nil {
		return Booking{}, err
	}
	now := s.Now()
	if err := b.CheckCancel(slot, now); err != nil {
		return Booking{}, err
	}
	if err := s.Store.Cancel(ctx, b, slot, ByResident, false, now); err != nil {
		if errors.Is(err, ErrBookingNotFound) {
			// Changed under us (promoted, checked in, cancelled twice): read it again and say
			// what it is now.
			return s.Store.Booking(ctx, slotID, openid)
		}
		return Booking{}, err
	}
	freed := b.Status == StatusConfirmed
	b.Status, b.CancelledAt, b.CancelledBy = StatusCancelled, now, ByResident
	if freed {
		s.SoldOut.forget(slotID)
		if _, err := s.Promote(ctx, slotID); err != nil {
			// The cancellation stands; the next freeing of places promotes again.
			s.logError(ctx, "promote after cancellation", fmt.Errorf("cancel %s: %w", bookingID, err))
		}
	}
	return b, nil
}

// Promote fills the free places of a slot from its waiting list, first in line first,
// skipping parties that do not fit (unless they accept fewer places), and returns the
// bookings it confirmed.
func (s *Service) Promote(ctx context.Context, slotID string) ([]Booking, error) {
	return s.promote(ctx, slotID, false)
}

// promote is Promote; running also promotes after the start, until the end (places
// released from no-shows).
func (s *Service) promote(ctx context.Context, slotID string, running bool) ([]Booking, error) {
	slot, err := s.Catalog.Slot(ctx, slotID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	last := slot.StartsAt
	if running {
		last = slot.EndsAt
	}
	if slot.Status == SlotCancelled || slot.Remaining() == 0 || !now.Before(last) {
		return nil, nil
	}
	waiting, err := s.Store.Waiting(ctx, slotID)
	if err != nil {
		return nil, err
	}
	if len(waiting) == 0 {
		return nil, s.Store.ClearWaiting(ctx, slotID)
	}
	var promoted []Booking
	for i, retried := 0, false; i < len(waiting) && slot.Remaining() > 0; i++ {
		w := waiting[i]
		party := w.PromotedParty(slot.Remaining())
		if party == 0 {
			continue // does not fit: keeps its place, the next that fits goes
		}
		err := s.Store.Promote(ctx, w, party, slot, now)
		switch {
		case err == nil:
			slot.Booked += party
			w.Status, w.PartySize = StatusConfirmed, party
			promoted = append(promoted, w)
			retried = false
		case errors.Is(err, ErrFull) && !retried:
			// Someone else took places meanwhile: look again, and try the same one once more.
			if slot, err = s.Catalog.Slot(ctx, slotID); err != nil {
				return promoted, err
			}
			i, retried = i-1, true
		case errors.Is(err, ErrFull), errors.Is(err, ErrLimitReached), errors.Is(err, ErrBookingNotFound):
			// Still no room, holds another booking of the activity, or left the line: next.
			retried = false
		default:
			return promoted, err
		}
	}
	return promoted, nil
}

// PromoteWaiting is the scheduler's safety net: for every slot with a waiting list it
// promotes whoever fits the free places, in case a promotion failed after the
// cancellation that freed them committed. Slots that started, were cancelled or whose line
// is empty leave the sweep. It goes on past a failing slot and returns every failure.
func (s *Service) PromoteWaiting(ctx context.Context) error {
	ids, err := s.Store.WaitingSlots(ctx)
	if err != nil {
		return fmt.Errorf("promote waiting lists: %w", err)
	}
	now := s.Now()
	var errs []error
	for _, id := range ids {
		slot, err := s.Catalog.Slot(ctx, id)
		switch {
		case errors.Is(err, ErrSlotNotFound):
			err = s.Store.ClearWaiting(ctx, id)
		case err != nil:
		case slot.Status == SlotCancelled || !now.Before(slot.StartsAt):
			err = s.Store.ClearWaiting(ctx, id)
		default:
			_, err = s.Promote(ctx, id)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("slot %s: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// Mine returns the person's bookings with tickets for the confirmed ones and positions
// for the waiting ones.
func (s *Service) Mine(ctx context.Context, openid string) ([]Booking, error) {
	bs, err := s.Store.OfPerson(ctx, openid)
	if err != nil {
		return nil, err
	}
	for i, b := range bs {
		switch b.Status {
		case StatusConfirmed:
			bs[i].Ticket = s.Signer.Issue(b, Slot{StartsAt: b.StartsAt}, s.door())
		case StatusWaitlisted:
			if bs[i].Position, err = s.Store.Position(ctx, b); err != nil {
				return nil, err
			}
		}
	}
	return bs, nil
}

// own returns person's booking bookingID and the slot it is of (which the id names), or
// ErrBookingNotFound. Its holder is the person, or their family member the id ends
// with; a booking a merge kept beside the person's own of the same session, or one a
// family member took over, is held otherwise, and found by its reference
// (docs/decisions.md, "Merging two people").
func (s *Service) own(ctx context.Context, person, bookingID string) (b Booking, slotID string, err error) {
	slotID, ok := SlotOfBooking(bookingID)
	if !ok {
		return Booking{}, "", ErrBookingNotFound
	}
	b, err = s.Store.Booking(ctx, slotID, Holder(person, dependantOfBooking(bookingID)))
	if err == nil && b.ID == bookingID {
		return b, slotID, nil
	}
	if err != nil && !errors.Is(err, ErrBookingNotFound) {
		return Booking{}, "", err
	}
	b, err = s.Store.ByRef(ctx, slotID, bookingID)
	if err != nil {
		return Booking{}, "", err
	}
	if b.ID != bookingID || PersonOf(b.OpenID) != person {
		return Booking{}, "", ErrBookingNotFound
	}
	return b, slotID, nil
}

// MyBooking returns one of the caller's bookings, with its ticket when confirmed and
// its place in the line when waiting, as Mine does; ErrBookingNotFound for another
// person's booking or none.
func (s *Service) MyBooking(ctx context.Context, openid, bookingID string) (Booking, error) {
	b, _, err := s.own(ctx, openid, bookingID)
	if err != nil {
		return Booking{}, err
	}
	switch b.Status {
	case StatusConfirmed:
		b.Ticket = s.Signer.Issue(b, Slot{StartsAt: b.StartsAt}, s.door())
	case StatusWaitlisted:
		if b.Position, err = s.Store.Position(ctx, b); err != nil {
			return Booking{}, err
		}
	}
	return b, nil
}

// CheckIn admits the holder of a ticket at the door of doorSlot (empty: any slot), or
// says why not: ErrTicketInvalid, ErrTicketRevoked, ErrWrongSlot, ErrTooEarly,
// ErrTooLate, ErrTicketUsed (with the booking, whose CheckedInAt says when). key, when
// not empty, names the scan: the same scan sent again (a retry after a dropped
// connection) is answered as admitted again, never twice in the table, while any other
// scan of the ticket is ErrTicketUsed.
func (s *Service) CheckIn(ctx context.Context, ticket, doorSlot, key string) (Booking, error) {
	t, err := s.Signer.Verify(ticket)
	if err != nil {
		return Booking{}, err
	}
	return s.admit(ctx, t, doorSlot, key)
}

// CheckInCode admits the holder of the booking whose short code (Code) was typed at the
// door of slotID, as CheckIn does for a ticket: for a resident whose phone cannot show
// the QR code, or a camera that cannot read it. Errors: ErrCodeUnknown when no booking
// of the slot has the code, ErrCodeAmbiguous when two have it (the QR code decides),
// and CheckIn's.
func (s *Service) CheckInCode(ctx context.Context, slotID, code, key string) (Booking, error) {
	if len(code) != 8 || strings.Trim(code, "0123456789") != "" {
		return Booking{}, ErrCodeUnknown
	}
	bs, err := s.Store.OfSlot(ctx, slotID)
	if err != nil {
		return Booking{}, err
	}
	var found []Booking
	for _, b := range bs {
		if Code(b.ID) == code && (b.Status == StatusConfirmed || b.Status == StatusCancelled) {
			found = append(found, b)
		}
	}
	switch {
	case len(found) == 0:
		return Booking{}, ErrCodeUnknown
	case len(found) > 1:
		return Booking{}, ErrCodeAmbiguous
	}
	b := found[0]
	return s.admit(ctx, Ticket{BookingID: b.ID, SlotID: b.SlotID, PartySize: b.PartySize}, slotID, key)
}

// ticketBooking returns the booking a ticket names by its reference, or
// ErrBookingNotFound. The ticket holds no openid, so the booking is found by its
// reference (Store.ByRef: an index entry and the booking, not the slot's every one).
func (s *Service) ticketBooking(ctx context.Context, t Ticket) (Booking, error) {
	if slot, ok := SlotOfBooking(t.BookingID); !ok || slot != t.SlotID {
		return Booking{}, ErrBookingNotFound
	}
	return s.Store.ByRef(ctx, t.SlotID, t.BookingID)
}

// admit checks in the booking ticket t names, at the door of doorSlot, for the scan key.
func (s *Service) admit(ctx context.Context, t Ticket, doorSlot, key string) (Booking, error) {
	b, err := s.ticketBooking(ctx, t)
	if errors.Is(err, ErrBookingNotFound) {
		return Booking{}, ErrTicketRevoked
	}
	if err != nil {
		return Booking{}, err
	}
	slot, err := s.Catalog.Slot(ctx, t.SlotID)
	if errors.Is(err, ErrSlotNotFound) {
		return Booking{}, ErrTicketRevoked
	}
	if err != nil {
		return Booking{}, err
	}
	now := s.Now()
	if err := Admit(t, b, slot, doorSlot, now, s.door()); err != nil {
		if errors.Is(err, ErrTicketUsed) && key != "" && b.CheckInKey == key {
			return b, nil // the same scan again: it was admitted
		}
		return b, err
	}
	b.CheckInKey = key
	if err := s.Store.CheckIn(ctx, b, now); err != nil {
		if !errors.Is(err, ErrTicketUsed) {
			return b, err
		}
		// Another scan won the race, or this one did and its answer was lost: say which.
		cur, rerr := s.Store.Booking(ctx, b.SlotID, b.OpenID)
		if rerr != nil {
			return b, err
		}
		if key != "" && cur.CheckInKey == key {
			return cur, nil
		}
		return cur, err
	}
	b.CheckedInAt = now
	return b, nil
}

// CheckOut records that the holder of a ticket left (reading-room seats). Errors:
// ErrTicketInvalid, ErrTicketRevoked, ErrNotCheckedIn, ErrCheckedOut.
func (s *Service) CheckOut(ctx context.Context, ticket string) (Booking, error) {
	t, err := s.Signer.Verify(ticket)
	if err != nil {
		return Booking{}, err
	}
	b, err := s.ticketBooking(ctx, t)
	switch {
	case errors.Is(err, ErrBookingNotFound):
		return Booking{}, ErrTicketRevoked
	case err != nil:
		return Booking{}, err
	case b.ID != t.BookingID || b.Status != StatusConfirmed:
		return Booking{}, ErrTicketRevoked
	case b.CheckedInAt.IsZero():
		return b, ErrNotCheckedIn
	case !b.CheckedOutAt.IsZero():
		return b, ErrCheckedOut
	}
	now := s.Now()
	if err := s.Store.CheckOut(ctx, b, now); err != nil {
		return b, err
	}
	b.CheckedOutAt = now
	return b, nil
}

// CreateActivity publishes an activity at a known venue; its district is the venue's
// unless given. Errors: ErrActivityInvalid, ErrVenueUnknown, ErrDistrictUnknown.
func (s *Service) CreateActivity(ctx context.Context, a Activity) (Activity, error) {
	a.ID, a.CreatedAt = s.NewID(), s.Now()
	if err := a.Validate(); err != nil {
		return Activity{}, err
	}
	if err := s.placeActivity(ctx, &a); err != nil {
		return Activity{}, err
	}
	return a, s.Catalog.PutActivity(ctx, a)
}

func (s *Service) placeActivity(ctx context.Context, a *Activity) error {
	if s.Venues == nil {
		return nil
	}
	_, district, ok, err := s.Venues.VenueOf(ctx, a.VenueID)
	if err != nil {
		return err
	}
	if !ok {
		return ErrVenueUnknown
	}
	if a.DistrictID == "" {
		a.DistrictID = district
	} else if s.Districts != nil {
		if _, ok, err := s.Districts.DistrictPath(ctx, a.DistrictID); err != nil {
			return err
		} else if !ok {
			return ErrDistrictUnknown
		}
	}
	return nil
}

// ActivityPatch is what staff may change of an activity; nil fields stay.
type ActivityPatch struct {
	Title       *string `json:"title"`
	Description *string `json:"description" input:"long"`
	VenueID     *string `json:"venueId"`
	DistrictID  *string `json:"districtId"`
	// NoShow replaces the activity's no-show rules (zero fields: the defaults).
	NoShow *NoShowRules `json:"noShow"`
}

// Activity returns an activity of the catalog, or ErrActivityNotFound.
func (s *Service) Activity(ctx context.Context, id string) (Activity, error) {
	a, ok, err := s.Catalog.Activity(ctx, id)
	if err != nil {
		return Activity{}, err
	}
	if !ok {
		return Activity{}, ErrActivityNotFound
	}
	return a, nil
}

// EditActivity changes an activity. Errors: ErrActivityNotFound, ErrActivityInvalid,
// ErrVenueUnknown, ErrDistrictUnknown.
func (s *Service) EditActivity(ctx context.Context, id string, p ActivityPatch) (Activity, error) {
	a, err := s.Activity(ctx, id)
	if err != nil {
		return Activity{}, err
	}
	set(&a.Title, p.Title)
	set(&a.Description, p.Description)
	set(&a.VenueID, p.VenueID)
	set(&a.DistrictID, p.DistrictID)
	if p.NoShow != nil {
		a.NoShow = p.NoShow
	}
	if err := a.Validate(); err != nil {
		return Activity{}, err
	}
	if p.VenueID != nil || p.DistrictID != nil {
		if p.DistrictID == nil {
			a.DistrictID = "" // moved: the new venue's district, unless labelled
		}
		if err := s.placeActivity(ctx, &a); err != nil {
			return Activity{}, err
		}
	}
	return a, s.Catalog.PutActivity(ctx, a)
}

// SlotPatch is a slot as staff send it; nil fields take their defaults when creating
// and stay when editing.
type SlotPatch struct {
	StartsAt            *time.Time `json:"startsAt"`
	EndsAt              *time.Time `json:"endsAt"`
	Capacity            *int       `json:"capacity"`
	BookingOpensAt      *time.Time `json:"bookingOpensAt"`
	BookingClosesAt     *time.Time `json:"bookingClosesAt"`
	PerPersonLimit      *int       `json:"perPersonLimit"`
	MaxPartySize        *int       `json:"maxPartySize"`
	Mode                *Mode      `json:"mode"`
	EligibleDistrictID  *string    `json:"eligibleDistrictId"`
	RealName            *bool      `json:"realName"`
	CancelCutoffMinutes *int       `json:"cancelCutoffMinutes"`
	SeatRows            *int       `json:"seatRows"`
	SeatsPerRow         *int       `json:"seatsPerRow"`
	HotShards           *int       `json:"hotShards"`
}

func (p SlotPatch) apply(sl *Slot) {
	set(&sl.StartsAt, p.StartsAt)
	set(&sl.EndsAt, p.EndsAt)
	set(&sl.Capacity, p.Capacity)
	set(&sl.BookingOpensAt, p.BookingOpensAt)
	set(&sl.BookingClosesAt, p.BookingClosesAt)
	set(&sl.PerPersonLimit, p.PerPersonLimit)
	set(&sl.MaxPartySize, p.MaxPartySize)
	set(&sl.Mode, p.Mode)
	set(&sl.EligibleDistrictID, p.EligibleDistrictID)
	set(&sl.RealName, p.RealName)
	set(&sl.CancelCutoffMinutes, p.CancelCutoffMinutes)
	set(&sl.SeatRows, p.SeatRows)
	set(&sl.SeatsPerRow, p.SeatsPerRow)
	set(&sl.HotShards, p.HotShards)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// CreateSlot adds a slot to an activity. Omitted fields: booking opens now and closes at
// the start, one booking per person per activity, parties of one, first come first
// served. Errors: ErrActivityNotFound, ErrSlotInvalid.
func (s *Service) CreateSlot(ctx context.Context, activityID string, p SlotPatch) (Slot, error) {
	a, err := s.Activity(ctx, activityID)
	if err != nil {
		return Slot{}, err
	}
	now := s.Now()
	sl := Slot{ID: s.NewID(), ActivityID: a.ID, Kind: a.Kind, PerPersonLimit: 1, MaxPartySize: 1,
		Mode: ModeFirstCome, Status: SlotScheduled, BookingOpensAt: now.UTC().Truncate(time.Second)}
	p.apply(&sl)
	if p.BookingClosesAt == nil {
		sl.BookingClosesAt = sl.StartsAt
	}
	sl.Title = a.Title
	if s.Venues != nil {
		if name, _, ok, err := s.Venues.VenueOf(ctx, a.VenueID); err != nil {
			return Slot{}, err
		} else if ok {
			sl.VenueName = name
		}
	}
	if err := sl.Validate(); err != nil {
		return Slot{}, err
	}
	if err := s.OpenBallot(ctx, &sl); err != nil {
		return Slot{}, err
	}
	return sl, s.Catalog.CreateSlot(ctx, sl)
}

// EditSlot changes a slot and, when places were added, promotes from the waiting list.
// Errors: ErrSlotNotFound, ErrSlotInvalid, ErrHotUnsupported, ErrHotFixed,
// ErrSlotCancelled, ErrCapacityBelow.
func (s *Service) EditSlot(ctx context.Context, id string, p SlotPatch) (Slot, error) {
	old, err := s.Catalog.Slot(ctx, id)
	if err != nil {
		return Slot{}, err
	}
	if old.Status == SlotCancelled {
		return Slot{}, ErrSlotCancelled
	}
	sl := old
	p.apply(&sl)
	if err := sl.Validate(); err != nil {
		return Slot{}, err
	}
	if old.Hot() && sl.HotShards != old.HotShards {
		return Slot{}, ErrHotFixed
	}
	if sl.Capacity < old.Booked {
		return Slot{}, ErrCapacityBelow
	}
	if err := s.OpenBallot(ctx, &sl); err != nil {
		return Slot{}, err
	}
	if err := s.Catalog.UpdateSlot(ctx, old, sl); err != nil {
		return Slot{}, err
	}
	s.SoldOut.forget(id)
	if sl.Capacity > old.Capacity {
		promoted, err := s.Promote(ctx, id)
		if err != nil {
			s.logError(ctx, "promote after a capacity rise", fmt.Errorf("edit slot %s: %w", id, err))
		}
		for _, b := range promoted {
			sl.Booked += b.PartySize
		}
	}
	return sl, nil
}

// CancelSlot cancels a slot and every booking of it, telling each holder. It may be
// called again after a failure: it finishes what is left.
func (s *Service) CancelSlot(ctx context.Context, id string) (Slot, int, error) {
	old, err := s.Catalog.Slot(ctx, id)
	if err != nil {
		return Slot{}, 0, err
	}
	sl := old
	sl.Status = SlotCancelled
	if old.Status != SlotCancelled {
		if err := s.Catalog.UpdateSlot(ctx, old, sl); err != nil {
			return Slot{}, 0, err
		}
	}
	s.SoldOut.forget(id)
	bs, err := s.Store.OfSlot(ctx, id)
	if err != nil {
		return sl, 0, err
	}
	now, n := s.Now(), 0
	for _, b := range bs {
		if b.Status == StatusCancelled {
			continue
		}
		err := s.Store.Cancel(ctx, b, sl, ByOrganiser, true, now)
		if err != nil && !errors.Is(err, ErrBookingNotFound) {
			return sl, n, fmt.Errorf("cancel slot %s: %w", id, err)
		}
		if err == nil {
			n++
		}
	}
	return sl, n, nil
}

// Listing is one activity with its upcoming slots.
type Listing struct {
	Activity
	Slots []SlotView `json:"slots"`
}

// SlotView is a slot as residents see it.
type SlotView struct {
	Slot
	Remaining int `json:"remaining"`
}

// ListQuery is what residents filter the listing by.
type ListQuery struct {
	Kind       string // "" for every kind
	DistrictID string // the activity's district lies in this district's subtree
	Date       string // YYYY-MM-DD in China Standard Time
	Limit      string
	Cursor     string
}

// List returns upcoming activities with their slots and remaining places, a page of
// slots at a time, and the cursor of the next page. Errors: ErrQueryInvalid.
func (s *Service) List(ctx context.Context, lq ListQuery) ([]Listing, string, error) {
	q := Query{From: s.Now(), Limit: 20, Cursor: lq.Cursor}
	switch k := Kind(lq.Kind); {
	case k == "":
		q.Kinds = Kinds
	case k.Valid():
		q.Kinds = []Kind{k}
	default:
		return nil, "", ErrQueryInvalid
	}
	if lq.Limit != "" {
		n, err := strconv.Atoi(lq.Limit)
		if err != nil || n < 1 || n > 100 {
			return nil, "", ErrQueryInvalid
		}
		q.Limit = n
	}
	if lq.Date != "" {
		d, err := time.ParseInLocation(time.DateOnly, lq.Date, beijing.Zone)
		if err != nil || input.Day("date", lq.Date, q.From) != nil {
			return nil, "", ErrQueryInvalid
		}
		q.From, q.To = later(q.From, d), d.AddDate(0, 0, 1)
	}
	slots, next, err := s.Catalog.Upcoming(ctx, q)
	if err != nil {
		return nil, "", err
	}
	var ids []string
	for _, sl := range slots {
		ids = append(ids, sl.ActivityID)
	}
	acts, err := s.Catalog.Activities(ctx, ids)
	if err != nil {
		return nil, "", err
	}
	var root string
	if lq.DistrictID != "" {
		var ok bool
		if root, ok, err = s.Districts.DistrictPath(ctx, lq.DistrictID); err != nil {
			return nil, "", err
		} else if !ok {
			return nil, "", ErrQueryInvalid
		}
	}
	paths := map[string]string{}
	out := []Listing{}
	index := map[string]int{}
	for _, sl := range slots {
		a, ok := acts[sl.ActivityID]
		if !ok {
			continue
		}
		if root != "" {
			p, seen := paths[a.DistrictID]
			if !seen && a.DistrictID != "" {
				if p, _, err = s.Districts.DistrictPath(ctx, a.DistrictID); err != nil {
					return nil, "", err
				}
				paths[a.DistrictID] = p
			}
			if p == "" || !InDistrict(p, root) {
				continue
			}
		}
		i, ok := index[a.ID]
		if !ok {
			i = len(out)
			index[a.ID] = i
			out = append(out, Listing{Activity: a})
		}
		out[i].Slots = append(out[i].Slots, SlotView{Slot: sl, Remaining: sl.Remaining()})
	}
	return out, next, nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
