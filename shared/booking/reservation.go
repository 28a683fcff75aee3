package booking

import (
	"regexp"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/fault"
)

// Status is where a booking stands.
type Status string

// The states of a booking. A waitlisted booking becomes confirmed when promoted; a
// balloted one waits for the draw (the ballot issue's); any of them may be cancelled.
const (
	StatusConfirmed  Status = "confirmed"
	StatusWaitlisted Status = "waitlisted"
	StatusBalloted   Status = "balloted"
	StatusCancelled  Status = "cancelled"
)

// StatusTexts is the one Chinese word for each booking status, wherever a person reads
// it (docs/glossary.md).
var StatusTexts = map[Status]string{
	StatusConfirmed: "已预约", StatusWaitlisted: "候补中", StatusBalloted: "待抽签", StatusCancelled: "已取消",
}

// Text is the status as a person reads it.
func (s Status) Text() string { return StatusTexts[s] }

// Booking is one person's places at one slot: there is at most one per person per slot.
type Booking struct {
	ID          string    `json:"id"`
	SlotID      string    `json:"slotId"`
	ActivityID  string    `json:"activityId"`
	OpenID      string    `json:"-"`
	PartySize   int       `json:"partySize"`
	Status      Status    `json:"status"`
	AcceptFewer bool      `json:"acceptFewer,omitempty"` // a waiting party takes fewer places when that is all there is
	StartsAt    time.Time `json:"startsAt"`
	CreatedAt   time.Time `json:"createdAt"`
	// JoinedAt orders the waiting list (first in, first promoted).
	JoinedAt    time.Time `json:"-"`
	CheckedInAt time.Time `json:"checkedInAt,omitzero"`
	// CheckInKey is the key of the scan that checked the booking in: a retry of that scan
	// (a door whose connection dropped before the answer came) is answered as admitted
	// again, any other scan as used.
	CheckInKey string `json:"-"`
	// CheckedOutAt is when a reading-room seat was given back.
	CheckedOutAt time.Time `json:"checkedOutAt,omitzero"`
	CancelledAt  time.Time `json:"cancelledAt,omitzero"`
	CancelledBy  string    `json:"cancelledBy,omitempty"` // ByResident, ByOrganiser or ByNoShow
	// Seats are the seats held, at a seated slot.
	Seats []string `json:"seats,omitempty"`
	// For is the dependant the booking was made for ("" for the holder themselves) and
	// Name how the ticket and the door name them (account.Dependant.Label).
	For  string `json:"for,omitempty"`
	Name string `json:"name,omitempty"`
	// IDNumberMasked is the masked ID number of whom a real-name session's booking is
	// for, the resident or their family member (43**************12), for the door to
	// compare with the card.
	IDNumberMasked string `json:"idNumberMasked,omitempty"`
	// IDGuard is the keyed hash of that ID number (privacy.HashIDNumber), which names the
	// session's guard of it: taken with the booking, given back when it is cancelled.
	IDGuard string `json:"-"`
	// idRecord is what the booking's write records and guards (Service.idRecord).
	idRecord *IDRecord
	// seen is the instance's read of the session the booking's write began after
	// (SoldOut.mark): only places written after a read are added to it (SoldOut.took).
	seen uint64
	// LimitHeld records that the booking counts against the person's per-activity limit,
	// so that cancelling it gives the place in the limit back.
	LimitHeld bool `json:"-"`

	// Filled in for answers only (never stored).
	Ticket   string `json:"ticket,omitempty"`
	Position int    `json:"position,omitempty"`
	Holder   string `json:"holder,omitempty"` // the masked openid, for staff
}

// The reasons a booking is refused, each with its stable code.
var (
	ErrFull          = fault.New(fault.Conflict, "slot_full", "名额已满")
	ErrAlreadyBooked = fault.New(fault.Conflict, "already_booked", "您已预约过该场次")
	ErrWindowClosed  = fault.New(fault.Conflict, "window_closed", "不在预约时间内")
	ErrLimitReached  = fault.New(fault.Conflict, "limit_reached", "已达到该活动的每人预约上限")
	ErrNotEligible   = fault.New(fault.Forbidden, "not_eligible", "该场次仅限指定地区的居民预约")
	ErrHomeMissing   = fault.New(fault.Forbidden, "home_district_missing", "该场次仅限指定地区的居民预约：请先在“我的”中设置您所在的村（社区）")
	ErrSuspended     = fault.New(fault.Forbidden, "suspended", "因多次爽约，预约功能暂停使用")
	ErrSlotCancelled = fault.New(fault.Conflict, "slot_cancelled", "该场次已取消")
	ErrPartyInvalid  = fault.New(fault.Invalid, "party_size_invalid", "预约人数无效或超过该场次的上限")
	ErrRealNameParty = fault.New(fault.Invalid, "real_name_one_person", "实名制场次每次只能预约一人，凭各自的身份证入场：请为家人分别预约")

	ErrVenueUnknown     = fault.New(fault.Invalid, "venue_unknown", "找不到该场馆")
	ErrDistrictUnknown  = fault.New(fault.Invalid, "district_unknown", "找不到该行政区划")
	ErrSlotNotFound     = fault.New(fault.NotFound, "slot_not_found", "找不到该场次")
	ErrActivityNotFound = fault.New(fault.NotFound, "activity_not_found", "找不到该活动")
	ErrBookingNotFound  = fault.New(fault.NotFound, "booking_not_found", "找不到该预约")
	ErrCancelClosed     = fault.New(fault.Conflict, "cancellation_closed", "已过取消截止时间")
	ErrCapacityBelow    = fault.New(fault.Conflict, "capacity_below_booked", "名额不能少于已预约人数")
	ErrKeyInvalid       = fault.New(fault.Invalid, "idempotency_key_invalid", "请求标识的格式无效（1 到 64 个字母、数字或 -_.:）")
	ErrKeyReused        = fault.New(fault.Conflict, "idempotency_key_reused", "该请求标识已用于另一个请求")
	ErrQueryInvalid     = fault.New(fault.Invalid, "query_invalid", "查询参数无效")
)

var validKey = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// ValidKey reports whether an Idempotency-Key is acceptable ("" is: no key).
func ValidKey(key string) bool { return key == "" || validKey.MatchString(key) }

// validID is the shape of slot and activity ids: they appear in keys and booking ids.
var validID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ValidID reports whether id can name a slot or an activity.
func ValidID(id string) bool { return validID.MatchString(id) }

// BookingID returns the id of a booking of slotID: the slot's id, a dot and a random
// suffix, so that the slot (and with the caller's openid, the item) is found without an
// index.
func BookingID(slotID, suffix string) string { return slotID + "." + suffix }

// SlotOfBooking returns the slot id inside a booking id.
func SlotOfBooking(id string) (string, bool) {
	slot, suffix, ok := strings.Cut(id, ".")
	return slot, ok && ValidID(slot) && suffix != "" && len(suffix) <= 32
}

// Request is what a resident asks for: places for a party, and whether to wait when full.
type Request struct {
	PartySize   int  `json:"partySize"`
	Waitlist    bool `json:"waitlist"`
	AcceptFewer bool `json:"acceptFewer"`
	// Seats names the seats wanted at a seated slot, one per person of the party; empty:
	// the best available.
	Seats []string `json:"seats"`
	// For is the id of the dependant the booking is for; empty: the caller.
	For string `json:"for"`
	// IDNumber is the ID number of whom the booking is for (the caller, or the
	// dependant), which a real-name session asks for unless one is on file for them; it
	// is checked, kept as a keyed hash and never returned.
	IDNumber string `json:"idNumber" input:"max=18"`
}

// Party returns the requested party size, 1 when omitted.
func (r Request) Party() int { return max(r.PartySize, 1) }

// MaxParty is the largest party one booking of s may hold: 1 at a real-name session,
// where each person is booked on their own with their own ID number, else the
// session's MaxPartySize.
func (s Slot) MaxParty() int {
	if s.RealName {
		return min(1, s.MaxPartySize)
	}
	return s.MaxPartySize
}

// CheckRequest reports why a request cannot be made at slot s at now: ErrSlotCancelled,
// ErrWindowClosed, ErrRealNameParty or ErrPartyInvalid; nil when only capacity remains
// to be seen. It does not look at capacity, which the store's conditional write decides.
func (s Slot) CheckRequest(now time.Time, r Request) error {
	switch {
	case s.Status == SlotCancelled:
		return ErrSlotCancelled
	case s.RealName && r.Party() > 1 && r.Party() <= s.MaxPartySize:
		return ErrRealNameParty
	case r.PartySize < 0 || r.Party() > s.MaxParty():
		return ErrPartyInvalid
	case now.Before(s.BookingOpensAt) || !now.Before(s.BookingClosesAt):
		return ErrWindowClosed
	}
	return nil
}

// Fits reports whether party places are left.
func (s Slot) Fits(party int) bool { return s.Remaining() >= party }

// CancelClosesAt is the last moment a resident may cancel a confirmed booking.
func (s Slot) CancelClosesAt() time.Time {
	return s.StartsAt.Add(-time.Duration(s.CancelCutoffMinutes) * time.Minute)
}

// CheckCancel reports ErrCancelClosed when a confirmed booking of slot s can no longer
// be cancelled at now; waiting-list and ballot entries may always leave.
func (b Booking) CheckCancel(s Slot, now time.Time) error {
	if b.Status == StatusConfirmed && !now.Before(s.CancelClosesAt()) {
		return ErrCancelClosed
	}
	return nil
}

// PromotedParty returns the places a waiting booking takes when free places are free:
// its whole party when it fits, all that is left when it accepts fewer, else 0 (it keeps
// waiting, and the next in line that fits goes first).
func (b Booking) PromotedParty(free int) int {
	switch {
	case free <= 0:
		return 0
	case b.PartySize <= free:
		return b.PartySize
	case b.AcceptFewer:
		return free
	}
	return 0
}

// InDistrict reports whether the district with path lives under (or is) the district
// with id root, given the path of root.
func InDistrict(path, rootPath string) bool {
	return path == rootPath || strings.HasPrefix(path, rootPath+"/")
}
