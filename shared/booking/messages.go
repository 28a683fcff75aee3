package booking

import (
	"fmt"
	"strconv"
	"time"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/notify"
)

// The messages written about a booking, by kind (shared/notify renders them). Each has
// the id "<booking id>.<kind>", except reminders, "<booking id>.reminder-<lead>".
const (
	MsgConfirmed  = "booking_confirmed"
	MsgPromoted   = "booking_promoted"
	MsgCancelled  = "booking_cancelled" // released as a no-show
	MsgSlotGone   = "slot_cancelled"
	MsgReminder   = "booking_reminder"
	MsgBallotWon  = "ballot_won"
	MsgBallotLost = "ballot_lost"
	MsgWarning    = "noshow_warning"
	MsgSuspended  = "booking_suspended"
)

// A Reminder is sent Lead before a session's start to its confirmed holders; Name is
// how its message id names it.
type Reminder struct {
	Name string
	Lead time.Duration
}

// Reminders are the reminders of every confirmed booking.
var Reminders = []Reminder{{"24h", 24 * time.Hour}, {"2h", 2 * time.Hour}}

// MessageID is the id of the message of kind about the booking id.
func MessageID(bookingID, kind string) string { return bookingID + "." + kind }

// ReminderID is the id of the reminder lead before the start of the booking id.
func ReminderID(bookingID, lead string) string { return bookingID + ".reminder-" + lead }

// MessageIDs returns the ids of every message that may be written about a booking, so
// that a message can wait for the earlier ones to its holder.
func MessageIDs(bookingID string) []string {
	var out []string
	for _, k := range []string{MsgConfirmed, MsgPromoted, MsgBallotWon, MsgBallotLost, MsgCancelled, MsgSlotGone, MsgWarning, MsgSuspended} {
		out = append(out, MessageID(bookingID, k))
	}
	for _, r := range Reminders {
		out = append(out, ReminderID(bookingID, r.Name))
	}
	return out
}

// Message is the message telling b's holder about kind, due now, with the facts every
// booking text uses; its id is the booking's id and the kind.
func Message(kind string, b Booking, slot Slot, now time.Time) notify.Message {
	return notify.Message{
		ID: MessageID(b.ID, kind), Kind: kind, To: PersonOf(b.OpenID), CreatedAt: now, DueAt: now,
		Data: map[string]string{
			"activity": slot.Title, "venue": slot.VenueName, "seats": strconv.Itoa(b.PartySize),
			"time": beijing.Minute(b.StartsAt), "bookingId": b.ID,
		},
	}
}

// ReminderMessage is the reminder r of b, a confirmed booking of slot.
func ReminderMessage(r Reminder, b Booking, slot Slot, now time.Time) notify.Message {
	m := Message(MsgReminder, b, slot, now)
	m.ID = ReminderID(b.ID, r.Name)
	return m
}

// BallotLostMessage tells b's holder that the draw did not pick them and where they
// wait in line.
func BallotLostMessage(b Booking, slot Slot, position int, now time.Time) notify.Message {
	m := Message(MsgBallotLost, b, slot, now)
	m.Data["position"] = strconv.Itoa(position)
	return m
}

// ReleaseMessages are the messages of a no-show's release: the cancellation with its
// reason, the warning when one more no-show will suspend, and the suspension.
func ReleaseMessages(r Release) []notify.Message {
	m := Message(MsgCancelled, r.Booking, r.Slot, r.Now)
	m.Data["reason"] = "开始后未签到，名额已释放给候补。"
	out := []notify.Message{m}
	if r.Warn {
		m := Message(MsgWarning, r.Booking, r.Slot, r.Now)
		m.Data["count"] = strconv.Itoa(r.Strikes)
		out = append(out, m)
	}
	if !r.Until.IsZero() {
		m := Message(MsgSuspended, r.Booking, r.Slot, r.Now)
		m.Data["time"] = beijing.Minute(r.Until)
		m.Data["reason"] = fmt.Sprintf("近期累计 %d 次预约未到场", r.Strikes)
		out = append(out, m)
	}
	return out
}

// Why a message about a booking is no longer sent (kept on the skipped message).
const (
	NoLongerBooked    = "booking_cancelled"     // it announces places the booking no longer holds
	NoLongerWaiting   = "booking_not_waiting"   // it announces a place in line the booking left
	NoLongerConfirmed = "booking_not_confirmed" // it announces places not (yet) held
)

// StillTrue reports whether a message of kind about the booking id still says what is
// true, given the holder's booking of the slot as it is now (found false: none); when
// not, why. A confirmation, a promotion, a won ballot or a reminder holds while that
// booking is confirmed; a lost ballot while it waits in line. Cancellations, no-show
// warnings and suspensions hold once written: they tell of something that happened.
func StillTrue(kind, id string, now Booking, found bool) (bool, string) {
	same := found && now.ID == id
	switch kind {
	case MsgConfirmed, MsgPromoted, MsgBallotWon, MsgReminder:
		switch {
		case !same || now.Status == StatusCancelled:
			return false, NoLongerBooked
		case now.Status != StatusConfirmed:
			return false, NoLongerConfirmed
		}
	case MsgBallotLost:
		switch {
		case !same || now.Status == StatusCancelled:
			return false, NoLongerBooked
		case now.Status != StatusWaitlisted:
			return false, NoLongerWaiting
		}
	}
	return true, ""
}
