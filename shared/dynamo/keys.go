package dynamo

import (
	"strconv"
	"time"
)

// Every key string of the table is built here; the private item structs that use them own
// the prefixes, and domain types never see PK or SK. docs/data-model.md lists the access
// patterns these keys serve.

const (
	skProfile = "PROFILE"
	skCache   = "CACHE"
)

// userPK is a person's partition: PK USER#<openid>.
func userPK(openid string) string { return "USER#" + openid }

// cachePK is a shared cache entry (the WeChat access token): PK CACHE#<key>.
func cachePK(key string) string { return "CACHE#" + key }

// OutboxPrefix starts the partition key of every outbox item (OUTBOX#<id>); the
// notifier's stream filter in template.yaml selects inserts by it.
const OutboxPrefix = "OUTBOX#"

// The directory: districts and venues.
const (
	skDistrict = "DISTRICT"
	skVenue    = "VENUE"
	// gsiDistricts holds every district on GSI1, sorted by path (the tree in order).
	gsiDistricts = "DISTRICTS"
	// gsiVenues holds every venue on GSI1, sorted by district path then id, so a
	// begins_with on a district's path finds the venues of its whole subtree.
	gsiVenues = "VENUES"
)

func districtPK(id string) string { return "DISTRICT#" + id }
func venuePK(id string) string    { return "VENUE#" + id }

// The catalogue: activities and their slots.
const (
	skActivity = "ACTIVITY"
	skSlot     = "SLOT"
)

func activityPK(id string) string { return "ACTIVITY#" + id }
func slotPK(id string) string     { return "SLOT#" + id }

// slotsByKindPK groups upcoming slots of a kind on GSI1, sorted by start time.
func slotsByKindPK(kind string) string { return "SLOTS#" + kind }

// timeKey is the sortable form of a time in sort keys.
func timeKey(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Volunteers. A volunteer's record is VOLUNTEER#<id> / VOLUNTEER, listed on GSI1 by
// status under VOLUNTEERS#<status> / <district path>#<id> (begins_with a path is a
// coordinator's subtree). Its history (HISTORY#<time>#<id>) and ledger (LEDGER#<time>#<id>)
// are items of the same partition. Two guards keep one registration per person and per
// ID number: USER#<openid> / VOLUNTEER and IDNUMBER#<keyed hash> / IDNUMBER.
const (
	skVolunteer = "VOLUNTEER"
	skIDNumber  = "IDNUMBER"
	skHistory   = "HISTORY#"
	skLedger    = "LEDGER#"
)

// gsiReview lists volunteers on GSI2 by their next yearly review (GSI2SK
// <time>#<id>), so the scheduler finds those due with one Query.
const gsiReview = "VOLUNTEERS#REVIEW"

func reviewSK(at time.Time, id string) string { return timeKey(at) + "#" + id }

func volunteerPK(id string) string              { return "VOLUNTEER#" + id }
func idNumberPK(hash string) string             { return "IDNUMBER#" + hash }
func volunteersByStatusPK(status string) string { return "VOLUNTEERS#" + status }

// nanoKey is the sortable form of a time with nanoseconds (fixed width).
func nanoKey(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

func historySK(at time.Time, id string) string { return skHistory + nanoKey(at) + "#" + id }
func ledgerSK(at time.Time, id string) string  { return skLedger + nanoKey(at) + "#" + id }

// Shifts: SHIFT#<id> / SHIFT is the shift and its sign-up counter, listed on GSI1 under
// SHIFTS by start and on GSI2 under VENUESHIFTS#<venue id> by start. Its sign-ups are
// SIGNUP#<volunteer id> in the same partition, each on GSI1 under VSIGNUPS#<volunteer
// id> by shift start and, while checked in and not out, on GSI3 under CHECKIN#OPEN by
// shift end. Scans that changed something are SCAN#<volunteer id>#<unix seconds>.
const (
	skSignup        = "SIGNUP#"
	skShift         = "SHIFT"
	gsiShifts       = "SHIFTS"
	gsiOpenCheckIns = "CHECKIN#OPEN"
)

func shiftPK(id string) string                     { return "SHIFT#" + id }
func signupSK(volunteerID string) string           { return skSignup + volunteerID }
func venueShiftsPK(venueID string) string          { return "VENUESHIFTS#" + venueID }
func volunteerSignupsPK(volunteerID string) string { return "VSIGNUPS#" + volunteerID }
func scanSK(volunteerID string, at time.Time) string {
	return "SCAN#" + volunteerID + "#" + strconv.FormatInt(at.Unix(), 10)
}

// skPersonScope is the item in a person's partition naming the district a staff member
// or coordinator looks after (USER#<openid> / SCOPE, attribute DistrictID; the directory
// reads the same item). Appointed through the volunteers' route, it carries GSI3 SCOPES
// / <district path>#<openid>: begins_with "<path>#" is a district's own appointees,
// "<path>/" its descendants'.
const (
	skPersonScope = "SCOPE"
	gsiScopes     = "SCOPES"
)

func scopeSK(path, openid string) string { return path + "#" + openid }

// volunteerOutboxPK is an outbox item written by the volunteer domain: OUTBOX#<id> /
// OUTBOX (the same shape as every outbox item; see outbox.go).
func volunteerOutboxPK(id string) string { return OutboxPrefix + id }

const skVolunteerOutbox = "OUTBOX"

// Training: a course is TRAINING#<id> / TRAINING, listed on GSI1 under TRAININGS by
// date; an attendance is ATTENDEE#<openid> in the course's partition, listed on GSI1
// under TRAINED#<openid> by date; a person's totals of a year are USER#<openid> /
// TRAINING#<year>.
const (
	skTraining    = "TRAINING"
	gsiTrainings  = "TRAININGS"
	skTrainingSum = "TRAINING#"
)

func trainingPK(id string) string      { return "TRAINING#" + id }
func attendeeSK(openid string) string  { return "ATTENDEE#" + openid }
func trainedPK(openid string) string   { return "TRAINED#" + openid }
func trainingTotalsSK(year int) string { return skTrainingSum + strconv.Itoa(year) }
