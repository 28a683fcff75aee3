package booking

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/fault"
)

// NoShowRules are an activity's rules for bookings nobody claims at the door. Zero
// fields take DefaultNoShowRules' values.
type NoShowRules struct {
	// ReleaseAfterMinutes after the start, a confirmed booking not checked in is released
	// to the waiting list and counts as a no-show; -1 never releases.
	ReleaseAfterMinutes int `json:"releaseAfterMinutes,omitempty"`
	// Strikes no-shows within WindowDays suspend booking for SuspendDays; the person is
	// warned at one strike fewer.
	Strikes     int `json:"strikes,omitempty"`
	WindowDays  int `json:"windowDays,omitempty"`
	SuspendDays int `json:"suspendDays,omitempty"`
}

// DefaultNoShowRules: released 15 minutes after the start; 3 no-shows in 90 days
// suspend booking for 30 days.
var DefaultNoShowRules = NoShowRules{ReleaseAfterMinutes: 15, Strikes: 3, WindowDays: 90, SuspendDays: 30}

// Effective returns r with DefaultNoShowRules in its zero fields (r may be nil).
func (r *NoShowRules) Effective() NoShowRules {
	out := DefaultNoShowRules
	if r == nil {
		return out
	}
	if r.ReleaseAfterMinutes != 0 {
		out.ReleaseAfterMinutes = r.ReleaseAfterMinutes
	}
	if r.Strikes > 0 {
		out.Strikes = r.Strikes
	}
	if r.WindowDays > 0 {
		out.WindowDays = r.WindowDays
	}
	if r.SuspendDays > 0 {
		out.SuspendDays = r.SuspendDays
	}
	return out
}

// Validate reports ErrActivityInvalid for negative rules (other than a release of -1).
func (r *NoShowRules) Validate() error {
	if r != nil && (r.ReleaseAfterMinutes < -1 || r.Strikes < 0 || r.WindowDays < 0 || r.SuspendDays < 0) {
		return ErrActivityInvalid
	}
	return nil
}

// ReleaseAt is when a slot's unclaimed bookings go; ok is false when they never do.
func (r NoShowRules) ReleaseAt(s Slot) (time.Time, bool) {
	if r.ReleaseAfterMinutes < 0 {
		return time.Time{}, false
	}
	return s.StartsAt.Add(time.Duration(r.ReleaseAfterMinutes) * time.Minute), true
}

// Outcome of one more no-show for a person who has had prior ones within the window:
// warn when it leaves one strike before suspension, suspend when it reaches the strikes.
func (r NoShowRules) judge(prior int, now time.Time) (strikes int, warn bool, until time.Time) {
	strikes = prior + 1
	switch {
	case strikes >= r.Strikes:
		return strikes, false, now.AddDate(0, 0, r.SuspendDays)
	case strikes == r.Strikes-1:
		return strikes, true, time.Time{}
	}
	return strikes, false, time.Time{}
}

// Release is one no-show written by NoShows.Release.
type Release struct {
	Booking Booking
	Slot    Slot
	Now     time.Time
	Strikes int       // the person's no-shows within the window, this one included
	Warn    bool      // one more will suspend: a noshow_warning goes with it
	Until   time.Time // non-zero: booking is suspended until then, with a booking_suspended message
}

// Lift is staff lifting a suspension.
type Lift struct {
	OpenID string    `json:"-"`
	Reason string    `json:"reason" input:"long"`
	By     string    `json:"-"`
	At     time.Time `json:"liftedAt"`
	Was    time.Time `json:"suspendedUntil"` // the end the suspension had
}

// NoShows records no-shows and suspensions.
type NoShows interface {
	// Strikes counts a person's no-shows since since.
	Strikes(ctx context.Context, openid string, since time.Time) (int, error)
	// Release cancels r.Booking (still confirmed and not checked in), gives its places and
	// limit back, records the no-show and, in the same transaction, the warning or the
	// suspension r says. It returns ErrBookingNotFound when the booking changed.
	Release(ctx context.Context, r Release) error
	// Released reports whether a slot's unclaimed bookings were released already;
	// MarkReleased records it.
	Released(ctx context.Context, slotID string) (bool, error)
	MarkReleased(ctx context.Context, slotID string, now time.Time) error
	// Suspension returns the end of a person's suspension (zero: none) and the slot
	// whose no-show suspended them ("" when not recorded).
	Suspension(ctx context.Context, openid string) (until time.Time, slotID string, err error)
	// Lift ends a person's suspension at l.At and records who lifted it and why.
	Lift(ctx context.Context, l Lift) error
}

// Errors of suspensions.
var (
	ErrReasonRequired = fault.New(fault.Invalid, "reason_required", "请填写原因（1-200 字）")
	ErrNotSuspended   = fault.New(fault.Conflict, "not_suspended", "该用户未被暂停预约")
)

// Suspended is the 403 answered to a suspended person: ErrSuspended with the end date in
// its message and details.
func Suspended(until time.Time) error {
	e := ErrSuspended.Wrap(fmt.Errorf("suspended until %s", until.UTC().Format(time.RFC3339)))
	e.Message = "因多次爽约，预约功能暂停至 " + beijing.Minute(until)
	e.Details = map[string]string{"suspendedUntil": beijing.RFC3339(until)}
	return e
}

// ByNoShow marks a booking released because nobody claimed it at the door.
const ByNoShow = "no_show"

// releaseHorizon is how far back the release job looks for started slots.
const releaseHorizon = 24 * time.Hour

// ReleaseNoShows is the scheduler's job: for each slot that started within the last day
// and whose activity's release time has passed, every confirmed booking not checked in
// is released (places to the waiting list, which is promoted at once while the slot
// runs) and counted as a no-show, with a warning or a suspension as the activity's
// rules say. A slot where nobody at all was checked in is left alone: its door did not
// scan, and nobody is blamed for that. Each slot is done once (a mark).
func (s *Service) ReleaseNoShows(ctx context.Context) error {
	if s.NoShows == nil {
		return nil
	}
	now := s.Now()
	slots, _, err := s.Catalog.Upcoming(ctx, Query{Kinds: Kinds, From: now.Add(-releaseHorizon), To: now, Limit: 1000})
	if err != nil {
		return fmt.Errorf("release no-shows: %w", err)
	}
	var errs []error
	for _, sl := range slots {
		if err := s.releaseSlot(ctx, sl, now); err != nil {
			errs = append(errs, fmt.Errorf("release slot %s: %w", sl.ID, err))
		}
	}
	return errors.Join(errs...)
}

func (s *Service) releaseSlot(ctx context.Context, sl Slot, now time.Time) error {
	if sl.Status == SlotCancelled {
		return nil
	}
	a, ok, err := s.Catalog.Activity(ctx, sl.ActivityID)
	if err != nil {
		return err
	}
	var rules NoShowRules
	if ok {
		rules = a.NoShow.Effective()
	} else {
		rules = DefaultNoShowRules
	}
	at, release := rules.ReleaseAt(sl)
	if !release || now.Before(at) {
		return nil
	}
	if done, err := s.NoShows.Released(ctx, sl.ID); err != nil || done {
		return err
	}
	held, err := s.Store.OfSlot(ctx, sl.ID)
	if err != nil {
		return err
	}
	var unclaimed []Booking
	scanned := false
	for _, b := range held {
		if b.Status != StatusConfirmed {
			continue
		}
		if b.CheckedInAt.IsZero() {
			unclaimed = append(unclaimed, b)
		} else {
			scanned = true
		}
	}
	if scanned {
		for _, b := range unclaimed {
			prior, err := s.NoShows.Strikes(ctx, b.OpenID, now.AddDate(0, 0, -rules.WindowDays))
			if err != nil {
				return err
			}
			strikes, warn, until := rules.judge(prior, now)
			err = s.NoShows.Release(ctx, Release{Booking: b, Slot: sl, Now: now, Strikes: strikes, Warn: warn, Until: until})
			if err != nil && !errors.Is(err, ErrBookingNotFound) {
				return err
			}
		}
		if len(unclaimed) > 0 && now.Before(sl.EndsAt) {
			if _, err := s.promote(ctx, sl.ID, true); err != nil {
				s.logError(ctx, "promote after a release", fmt.Errorf("release %s: %w", sl.ID, err))
			}
		}
	}
	return s.NoShows.MarkReleased(ctx, sl.ID, now)
}

// LiftSuspension ends a person's suspension now, recording the staff member and the
// reason. Errors: ErrReasonRequired, ErrNotSuspended.
func (s *Service) LiftSuspension(ctx context.Context, openid, by, reason string) (Lift, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 200 {
		return Lift{}, ErrReasonRequired
	}
	now := s.Now()
	until, _, err := s.NoShows.Suspension(ctx, openid)
	if err != nil {
		return Lift{}, err
	}
	if !now.Before(until) {
		return Lift{}, ErrNotSuspended
	}
	l := Lift{OpenID: openid, Reason: reason, By: by, At: now.UTC(), Was: until}
	return l, s.NoShows.Lift(ctx, l)
}

// Attended reports whether openid came to a slot of the activity that has ended: a
// confirmed booking checked in at the door. It is the ratings' attendance check (only
// attendees rate, once the slot is over). It reads the person's bookings and the
// slots of those of the activity that were checked in.
func (s *Service) Attended(ctx context.Context, openid, activityID string) (bool, error) {
	bs, err := s.Store.OfPerson(ctx, openid)
	if err != nil {
		return false, fmt.Errorf("attended %s: %w", activityID, err)
	}
	now := s.Now()
	for _, b := range bs {
		if b.ActivityID != activityID || b.Status != StatusConfirmed || b.CheckedInAt.IsZero() || now.Before(b.StartsAt) {
			continue
		}
		slot, err := s.Catalog.Slot(ctx, b.SlotID)
		if errors.Is(err, ErrSlotNotFound) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("attended %s: %w", activityID, err)
		}
		if !now.Before(slot.EndsAt) {
			return true, nil
		}
	}
	return false, nil
}
