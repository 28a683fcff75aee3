package dynamo

import (
	"fmt"
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

// skScope is the item under a person's partition naming the district a staff member or
// coordinator looks after (PK USER#<openid>); on GSI1 it is listed under the district
// (scopedPK / openid), so the staff of a district are one Query.
const skScope = "SCOPE"

func scopedPK(districtID string) string { return "SCOPED#" + districtID }

func districtPK(id string) string { return "DISTRICT#" + id }
func venuePK(id string) string    { return "VENUE#" + id }

// The e-map's index. A venue carries its geohash on GSI2:
//
//	GSI2PK = GEO#<geohash of geoPartitionPrecision characters>
//	GSI2SK = <geohash of geoSortPrecision characters>#<venue id>
//
// so the venues of any cell at least as fine as a partition are one Query: the
// partition of the cell's first four characters, begins_with the cell on GSI2SK.
const (
	geoPartitionPrecision = 4 // cells of about 35 × 20 km at Zhuzhou's latitude
	geoSortPrecision      = 9 // about 4 × 5 m
)

func geoPK(hash string) string          { return "GEO#" + hash[:geoPartitionPrecision] }
func geoSK(hash, venueID string) string { return hash + "#" + venueID }

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

// The WeChat callback's dedup records: one item per delivery key (callback.DeliveryKey:
// msg:<MsgId>, or evt:<from>:<CreateTime>:<event>), with a TTL.
const skDelivery = "DELIVERY"

func deliveryPK(key string) string { return "WXMSG#" + key }

// Platform-wide counters: PK COUNTER#<name>, SK COUNTER, attribute n.
const (
	skCounter          = "COUNTER"
	counterQRPermanent = "QR_PERMANENT" // permanent QR codes created (WeChat allows 100,000)
)

func counterPK(name string) string { return "COUNTER#" + name }

// Bookings. A booking lives in its slot's partition, one item per person (SK
// BOOKING#<openid>), so "one booking per person per slot" is a condition on one item and
// a cancellation or check-in finds it from the slot id and the openid.
const skBookingPrefix = "BOOKING#"

func bookingSK(openid string) string { return skBookingPrefix + openid }

// waitlistPK lists a slot's waiting bookings on GSI1, first in line first (GSI1SK is
// waitKey); ballotPK its ballot entries, the same way. Both are sparse: the attributes
// go when the booking is promoted, drawn or cancelled.
func waitlistPK(slotID string) string { return "WAITLIST#" + slotID }
func ballotPK(slotID string) string   { return "BALLOT#" + slotID }

// waitKey orders a queue by the time of joining (fixed-width nanoseconds), then openid.
func waitKey(joined time.Time, openid string) string {
	return joined.UTC().Format("2006-01-02T15:04:05.000000000Z") + "#" + openid
}

// gsiWaitlists lists on GSI2 the slots that have (or had, until the sweep clears them)
// a waiting list, GSI2SK <startsAt>#<slot id>, so the scheduler can promote without a
// Scan. The mark is its own item in the slot's partition, SK WAITING.
const (
	gsiWaitlists = "WAITLISTS"
	skWaiting    = "WAITING"
)

// gsiBallots lists on GSI2 every ballot slot's ballot item (SLOT#<id> / BALLOT, with the
// draw's secret and, once drawn, the published draw), GSI2SK <slot id>; the scheduler
// draws those still active.
const (
	gsiBallots = "BALLOTS"
	skBallot   = "BALLOT"
)

// No-shows: a person's record of each (USER#<openid> / NOSHOW#<slot id>, counted over
// the rules' window), the lifts of their suspensions (LIFT#<time>), and the mark that a
// slot's unclaimed bookings were released (SLOT#<id> / RELEASED).
const (
	skNoShowPrefix = "NOSHOW#"
	skReleased     = "RELEASED"
)

func noShowSK(slotID string) string { return skNoShowPrefix + slotID }
func liftSK(at time.Time) string    { return "LIFT#" + nanoKey(at) }

// homeLogSK records a change of a person's home district, in their partition.
func homeLogSK(at time.Time, to string) string { return "HOME#" + nanoKey(at) + "#" + to }

// Weekly class schedules: SCHEDULE#<id> / SCHEDULE, all of them on GSI2 SCHEDULES / <id>.
const (
	gsiSchedules = "SCHEDULES"
	skSchedule   = "SCHEDULE"
)

func schedulePK(id string) string { return "SCHEDULE#" + id }

// Seats of a seated slot: SLOT#<id> / SEAT#<seat>.
const skSeatPrefix = "SEAT#"

func seatSK(seat string) string { return skSeatPrefix + seat }

// personBookingsPK lists a person's bookings on GSI2, by slot start (GSI2SK
// <startsAt>#<slot id>).
func personBookingsPK(openid string) string { return "BOOKINGS#" + openid }

// limitSK is a person's counter of confirmed bookings of one activity's slots, in the
// person's partition (PK USER#<openid>).
func limitSK(activityID string) string { return "LIMIT#" + activityID }

// idempotencyPK is the record of a booking request's Idempotency-Key, per person.
func idempotencyPK(openid, key string) string { return "IDEMPOTENCY#" + openid + "#" + key }

const skIdempotency = "IDEMPOTENCY"

// Evaluation: ratings, satisfaction tallies and feedback tickets.
const (
	skTicket = "FEEDBACK"
	// gsiOpenTickets lists open tickets on GSI2 by due time (GSI2SK <due>#<id>); an
	// answered ticket moves to gsiAnsweredTickets (GSI2SK <replied at>#<id>). Moved, not
	// removed: the embedded engine ignores REMOVE (docs/decisions.md).
	gsiOpenTickets     = "FEEDBACK#OPEN"
	gsiAnsweredTickets = "FEEDBACK#ANSWERED"
)

// ratingSK is a person's rating under its activity's partition (PK ACTIVITY#<id>), so
// a second rating by the same person is a failed attribute_not_exists.
func ratingSK(openid string) string { return "RATING#" + openid }

// tallyPK is a subject's satisfaction tally ("venue:<id>"); its SK is the period.
func tallyPK(subject string) string { return "SAT#" + subject }

func ticketPK(id string) string { return "FEEDBACK#" + id }

// ticketsByPK lists a person's tickets on GSI1, by creation time.
func ticketsByPK(openid string) string { return "FEEDBACKBY#" + openid }

// The amateur team directory.
const (
	skTeam      = "TEAM"
	skTeamCount = "TEAMCOUNT"
	// gsiTeams holds every team on GSI1, sorted by district path then id, so a
	// begins_with on a district's path finds the teams of its subtree.
	gsiTeams = "TEAMS"
)

func teamPK(id string) string { return "TEAM#" + id }

// teamCountPK is the maintained count of approved teams of a district's subtree, by
// stars.
func teamCountPK(districtID string) string { return "TEAMCOUNT#" + districtID }

// Cultural figures: yearly calls, applications, panel scores and the selected figures.
const (
	skCall        = "FIGCALL"
	skApplication = "FIGAPP"
	skFigure      = "FIGURE"
	// gsiFigures holds every figure on GSI1 by district path then id.
	gsiFigures = "FIGURES"
)

func callPK(year int) string { return fmt.Sprintf("FIGCALL#%d", year) }

// applicantSK guards one application per person and year, under the call's partition.
func applicantSK(openid string) string   { return "APPLICANT#" + openid }
func applicationPK(id string) string     { return "FIGAPP#" + id }
func applicationsPK(year int) string     { return fmt.Sprintf("FIGAPPS#%d", year) }
func figureScoreSK(openid string) string { return "SCORE#" + openid }
func figurePK(id string) string          { return "FIGURE#" + id }

// Report counters: PK METRIC#<district id>, SK <period> ("YYYY-MM" or "all"), one
// numeric attribute per metric, ADDed for the district and each ancestor by the
// counters' stream consumer (Counters) and the notifier. The consumer keeps, per
// counted item, the facts it applied (PK COUNTED#<item's PK>#<item's SK>, SK COUNTED),
// and per member of a distinct metric its total in each district and period
// (PK DISTINCT#<metric>#<member>, SK <district id>#<period>: one partition per resident
// or village, so a busy month spreads over many partitions). A marker (PK MARK#<what>,
// SK MARK) makes a thing happen once.
const (
	skMark    = "MARK"
	skCounted = "COUNTED"
)

func metricPK(districtID string) string           { return "METRIC#" + districtID }
func markPK(marker string) string                 { return "MARK#" + marker }
func countedPK(s Subject) string                  { return "COUNTED#" + s.PK + "#" + s.SK }
func distinctPK(metric, member string) string     { return "DISTINCT#" + metric + "#" + member }
func distinctSK(districtID, period string) string { return districtID + "#" + period }

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

// gsiScopes lists every scope item (skScope) on GSI3 by <district path>#<openid>:
// begins_with "<path>#" is a district's own appointees, "<path>/" its descendants'.
const gsiScopes = "SCOPES"

func scopeSK(path, openid string) string { return path + "#" + openid }

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

// Third-party evaluation: grants (GSI1 every grant by creation, GSI2 a person's) and the
// access log (GSI1 by month, newest last).
const (
	skGrant   = "EVALGRANT"
	gsiGrants = "EVALGRANTS"
	skAccess  = "EVALACCESS"
)

func grantPK(id string) string                { return "EVALGRANT#" + id }
func grantsOfPK(openid string) string         { return "EVALGRANTS#" + openid }
func accessPK(id string) string               { return "EVALACCESS#" + id }
func accessesPK(month string) string          { return "EVALACCESS#" + month }
func accessSK(at time.Time, id string) string { return nanoKey(at) + "#" + id }

// The digital resource library. An institution is INST#<id> / INST, listed on GSI1
// under INSTS by district path; the institution a person works for is USER#<openid> /
// EMPLOYER. A collection is COLL#<id> / COLL, listed on GSI1 under COLLS. An item is
// ITEM#<id> / ITEM, listed on GSI1 under COLLITEMS#<collection> by creation time and,
// while published, on GSI2 under PUBITEMS#<collection> by publication time; its media
// records are MEDIA#<media id> in its partition. Audit records are AUDIT#<institution> /
// <time>#<id>; stored bytes per scope USAGE#<scope> / USAGE; objects still to delete
// PURGE#<id> / PURGE on GSI1 under PURGES; the digest's feed FEED#<day> /
// <topic>#<kind>#<id>.
const (
	skInstitution = "INST"
	gsiInsts      = "INSTS"
	skEmployer    = "EMPLOYER"
	skCollection  = "COLL"
	gsiColls      = "COLLS"
	skItem        = "ITEM"
	skMediaPrefix = "MEDIA#"
	skUsage       = "USAGE"
	skPurge       = "PURGE"
	gsiPurges     = "PURGES"
)

func institutionPK(id string) string       { return "INST#" + id }
func collectionPK(id string) string        { return "COLL#" + id }
func itemPK(id string) string              { return "ITEM#" + id }
func mediaSK(id string) string             { return skMediaPrefix + id }
func collItemsPK(collection string) string { return "COLLITEMS#" + collection }
func pubItemsPK(collection string) string  { return "PUBITEMS#" + collection }
func auditPK(institution string) string    { return "AUDIT#" + institution }
func usagePK(scope string) string          { return "USAGE#" + scope }
func purgePK(id string) string             { return "PURGE#" + id }
func feedPK(day string) string             { return "FEED#" + day }
func feedSK(topic, kind, id string) string { return topic + "#" + kind + "#" + id }

// The news centre. An article is NEWS#<id> / NEWS, listed on GSI3 under
// NEWSBY#<institution> by creation time and, while published, on GSI1 under NEWSALL and
// on GSI2 under NEWSCAT#<category>, by publication time. A subscription is
// USER#<openid> / TOPIC#<topic>, listed on GSI1 under TOPICSUBS#<topic>; the person's
// consent log is USER#<openid> / CONSENT#<time>#<id>.
const (
	skNews         = "NEWS"
	gsiNewsAll     = "NEWSALL"
	skTopicPrefix  = "TOPIC#"
	skConsentPrefx = "CONSENT#"
)

func newsPK(id string) string                { return "NEWS#" + id }
func newsByPK(institution string) string     { return "NEWSBY#" + institution }
func newsCategoryPK(category string) string  { return "NEWSCAT#" + category }
func topicSK(topic string) string            { return skTopicPrefix + topic }
func topicSubscribersPK(topic string) string { return "TOPICSUBS#" + topic }
func digestMarker(day string) string         { return "digest:" + day }
