// Package booking is the reservation of places at the platform's activities: cultural
// events, film screenings, fitness classes and reading sessions, each held in slots.
package booking

import (
	"time"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/fault"
)

// Kind is the kind of an activity.
type Kind string

// The kinds of activity.
const (
	KindEvent   Kind = "event"   // 文化活动
	KindFilm    Kind = "film"    // 电影放映
	KindFitness Kind = "fitness" // 健身课程
	KindReading Kind = "reading" // 阅读活动、电子阅览室座位
)

// Kinds lists every kind, in the order the menu shows them.
var Kinds = []Kind{KindEvent, KindFilm, KindFitness, KindReading}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	switch k {
	case KindEvent, KindFilm, KindFitness, KindReading:
		return true
	}
	return false
}

// Mode is how a slot's places are given out.
type Mode string

// The modes.
const (
	ModeFirstCome Mode = "first_come" // 先到先得
	ModeBallot    Mode = "ballot"     // 抽签
)

// Activity is something residents can attend, at a venue, in one or more slots.
type Activity struct {
	ID          string    `json:"id"`
	Kind        Kind      `json:"kind"`
	Title       string    `json:"title"`
	Description string    `json:"description" input:"long"`
	VenueID     string    `json:"venueId"`
	DistrictID  string    `json:"districtId,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
	// NoShow is the activity's no-show rules; nil: DefaultNoShowRules.
	NoShow *NoShowRules `json:"noShow,omitempty"`
}

// Slot is one dated occurrence of an activity with its own capacity and rules.
type Slot struct {
	ID              string    `json:"id"`
	ActivityID      string    `json:"activityId"`
	Kind            Kind      `json:"kind"`
	StartsAt        time.Time `json:"startsAt"`
	EndsAt          time.Time `json:"endsAt"`
	Capacity        int       `json:"capacity"`
	Booked          int       `json:"booked"`
	BookingOpensAt  time.Time `json:"bookingOpensAt"`
	BookingClosesAt time.Time `json:"bookingClosesAt"`
	PerPersonLimit  int       `json:"perPersonLimit"`
	MaxPartySize    int       `json:"maxPartySize"`
	Mode            Mode      `json:"mode"`
	// EligibleDistrictID, when set, limits booking to residents of that district's subtree.
	EligibleDistrictID string `json:"eligibleDistrictId,omitempty"`
	// RealName marks a real-name session (实名制): a booking for a family member carries
	// their ID number, checked and kept as a keyed hash on the family member, and the
	// door sees its masked form.
	RealName bool `json:"realName,omitempty"`
	// CancelCutoffMinutes is how long before the start residents may still cancel
	// (0: until the start).
	CancelCutoffMinutes int `json:"cancelCutoffMinutes"`
	// Status is SlotScheduled or SlotCancelled (by the organiser).
	Status SlotStatus `json:"status"`
	// Title and VenueName are the activity's, copied when the slot is created so that a
	// booking's notification is written from the one read of the slot.
	Title     string `json:"title,omitempty"`
	VenueName string `json:"venueName,omitempty"`
	// BallotCommitment is, for a ballot slot, the hex SHA-256 of the secret that seeds its
	// draw, published when the slot is created (GET /api/v1/slots/{id}/draw).
	BallotCommitment string `json:"ballotCommitment,omitempty"`
	// SeatRows and SeatsPerRow make a seated slot (a hall): seats A1… by row letter and
	// number, Capacity = SeatRows × SeatsPerRow, first come only. Zero: not seated.
	SeatRows    int `json:"seatRows,omitempty"`
	SeatsPerRow int `json:"seatsPerRow,omitempty"`
	// Instructor leads a class generated from a weekly schedule.
	Instructor string `json:"instructor,omitempty"`
	// Rev is the revision of the slot's settings, raised by every edit: a booking checked
	// against settings remembered from an earlier read is written only while the slot
	// still has that revision (docs/decisions.md, "One write per booking").
	Rev int64 `json:"-"`
	// HotShards, 2 or more, marks a session a whole city wants (docs/decisions.md, "Hot
	// sessions over counter shards"): its free places are split over that many counters,
	// which its bookings pick from, so that they are not held to one item's write limit.
	// First come, without seats; set when the session is created, or once on a session
	// still on sale, and not changed after. Zero: one counter, the session's own.
	HotShards int `json:"hotShards,omitempty"`
}

// MaxHotShards bounds HotShards: each shard takes about 500 bookings a second (1,000
// write units of its item, 2 a transactional write), so 50 take 25,000 a second.
const MaxHotShards = 50

// Hot reports whether the slot's places are split over counter shards.
func (s Slot) Hot() bool { return s.HotShards > 1 }

// SlotStatus is whether a slot still takes place.
type SlotStatus string

// The states of a slot.
const (
	SlotScheduled SlotStatus = "scheduled"
	SlotCancelled SlotStatus = "cancelled"
)

// SlotStatusTexts is the one Chinese word for each slot status (docs/glossary.md).
var SlotStatusTexts = map[SlotStatus]string{SlotScheduled: "已排期", SlotCancelled: "已取消"}

// Errors of activities and slots.
var (
	ErrActivityInvalid = fault.New(fault.Invalid, "activity_invalid", "活动信息不完整：请填写类型、标题和场馆")
	ErrSlotInvalid     = fault.New(fault.Invalid, "slot_invalid", "场次信息无效：请检查时间、名额和预约窗口")
	ErrHotUnsupported  = fault.New(fault.Invalid, "hot_unsupported", "热门场次只能是先到先得、不选座位的场次，分片数为 2 到 50")
	ErrHotFixed        = fault.New(fault.Conflict, "hot_shards_fixed", "热门场次的分片数设定后不能更改")
)

// Validate reports ErrActivityInvalid unless the activity has an id, a known kind, a
// title of at most 100 characters and a venue.
func (a Activity) Validate() error {
	if a.ID == "" || !a.Kind.Valid() || a.Title == "" || utf8.RuneCountInString(a.Title) > 100 || a.VenueID == "" {
		return ErrActivityInvalid
	}
	return a.NoShow.Validate()
}

// Remaining is the number of places not yet booked.
func (s Slot) Remaining() int { return max(0, s.Capacity-s.Booked) }

// Validate reports ErrSlotInvalid unless the slot ends after it starts, has a positive
// capacity, a booking window that opens before it closes and closes no later than the
// end, a positive party size, non-negative limits and cut-off, and a known mode.
func (s Slot) Validate() error {
	switch {
	case s.ID == "" || s.ActivityID == "" || !s.Kind.Valid():
	case !s.EndsAt.After(s.StartsAt), s.Capacity <= 0, s.Booked < 0:
	case !s.BookingClosesAt.After(s.BookingOpensAt), s.BookingClosesAt.After(s.EndsAt):
	case s.PerPersonLimit < 0, s.MaxPartySize <= 0, s.CancelCutoffMinutes < 0:
	case s.Status != "" && s.Status != SlotScheduled && s.Status != SlotCancelled:
	case s.Mode != ModeFirstCome && s.Mode != ModeBallot:
	case s.SeatRows < 0 || s.SeatRows > 26 || s.SeatsPerRow < 0 || s.SeatsPerRow > 99 || (s.SeatRows > 0) != (s.SeatsPerRow > 0):
	case s.Seated() && (s.Capacity != s.SeatRows*s.SeatsPerRow || s.Mode != ModeFirstCome):
	case s.HotShards == 0:
		return nil
	case s.HotShards < 2 || s.HotShards > MaxHotShards || s.Mode != ModeFirstCome || s.Seated():
		// A ballot is drawn after its window, with no rush to spread; a hall's seats are
		// items of their own, taken one by one whatever the counter.
		return ErrHotUnsupported
	default:
		return nil
	}
	return ErrSlotInvalid
}
