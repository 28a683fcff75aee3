package booking

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

// ReminderLeads are the reminders' leads before the start, as their ids name them.
var ReminderLeads = []string{"24h", "2h"}

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
	for _, lead := range ReminderLeads {
		out = append(out, ReminderID(bookingID, lead))
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
