package dynamo

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Every key string of the table is built here; the private item structs that use them own
// the prefixes, and domain types never see PK or SK. docs/data-model.md lists the access
// patterns these keys serve.

const (
	SKProfile = "PROFILE"
	SKCache   = "CACHE"
)

// userPK is a person's partition: PK USER#<openid>.
func UserPK(openid string) string { return "USER#" + openid }

// A person's linked identities (the official account's openid, the mini program's,
// the unionid, a verified phone): IDENT#<kind>#<value> / IDENT names the person id it
// belongs to, so a sign-in finds its person with one read; the person's own copy,
// USER#<person> / IDENT#<kind>#<value>, lists them with one Query; each link is audited
// as USER#<person> / LINK#<time>#<kind>.
const (
	SKIdentity       = "IDENT"
	SKIdentityPrefix = "IDENT#"
	SKLinkPrefix     = "LINK#"
)

func IdentityPK(kind, value string) string    { return "IDENT#" + kind + "#" + value }
func IdentitySK(kind, value string) string    { return SKIdentityPrefix + kind + "#" + value }
func LinkSK(at time.Time, kind string) string { return SKLinkPrefix + NanoKey(at) + "#" + kind }

// The mark of an erased person, ERASED#<hex SHA-256 of the person id> / ERASED, kept
// with a TTL for as long as a session token lives: their sessions are refused.
const SKErased = "ERASED"

func ErasedPK(person string) string {
	h := sha256.Sum256([]byte(person))
	return "ERASED#" + hex.EncodeToString(h[:])
}

// A person's last location as WeChat reported it, USER#<person> / LOCATION, kept with a
// TTL (accountdb.LocationTTL) and not at all once they withdraw their consent to it.
const SKLocation = "LOCATION"

// A merge of two people (docs/decisions.md, "Merging two people"): its record, the
// audit of who merged whom and how, and the progress a resumed run goes on from, is
// USER#<survivor> / MERGE#<merged person>; an offer to merge, made when the caller
// proved they hold an identity of another person and kept until they confirm it or it
// expires, is MERGEOFFER#<id> / MERGEOFFER, in no one's partition: a merge moves the
// caller's partition, and the offer must be found by the caller before and by the
// survivor after. A second volunteer record the merge brought is named in the
// survivor's partition by USER#<person> / VOLUNTEER#<id>. The merged person's forward,
// MERGED#<merged person> / MERGED, names the survivor from the merge's start until the
// survivor's erasure, so a message queued for the merged person reaches the survivor.
const (
	SKMergePrefix          = "MERGE#"
	SKMergeOffer           = "MERGEOFFER"
	SKOtherVolunteerPrefix = "VOLUNTEER#"
	SKMerged               = "MERGED"
)

func MergeOfferPK(id string) string { return "MERGEOFFER#" + id }
func MergedPK(from string) string   { return "MERGED#" + from }

func MergeSK(from string) string        { return SKMergePrefix + from }
func OtherVolunteerSK(id string) string { return SKOtherVolunteerPrefix + id }

// The one-time acceptances of a mini program subscribe message a person gave in the mini
// program (wx.requestSubscribeMessage), one item per template: USER#<person> /
// MPSUB#<template id>#<person> (`n` acceptances left; the person in the key keeps a
// merged person's apart from the survivor's).
const SKMiniSubPrefix = "MPSUB#"

func MiniSubSK(templateID, person string) string { return SKMiniSubPrefix + templateID + "#" + person }

// A dependant taking over their own account: the one-time code their guardian made is
// TAKEOVER#<hex SHA-256 of the code> / TAKEOVER (with a TTL); once taken over, the
// guardian's partition says so (USER#<guardian> / TAKENOVER#<dependant id>) and the
// new person's records where their bookings came from (USER#<person> /
// TOOKOVER#<guardian>~<dependant id>).
const (
	SKTakeover        = "TAKEOVER"
	SKTakenOverPrefix = "TAKENOVER#"
	SKTookOverPrefix  = "TOOKOVER#"
)

func TakeoverPK(code string) string {
	h := sha256.Sum256([]byte(code))
	return "TAKEOVER#" + hex.EncodeToString(h[:])
}
func TakenOverSK(dependant string) string { return SKTakenOverPrefix + dependant }
func TookOverSK(holder string) string     { return SKTookOverPrefix + holder }

// A resident's dependant: USER#<person> / DEP#<id>.
const SKDependantPrefix = "DEP#"

func DependantSK(id string) string { return SKDependantPrefix + id }

// cachePK is a shared cache entry (the WeChat access token): PK CACHE#<key>.
func CachePK(key string) string { return "CACHE#" + key }

// OutboxPrefix starts the partition key of every outbox item (OUTBOX#<id>, SK OUTBOX);
// the notifier's stream filter in template.yaml selects inserts by it.
const OutboxPrefix = "OUTBOX#"

const SKOutbox = "OUTBOX"

func OutboxPK(id string) string { return OutboxPrefix + id }

// SKMessagePrefix starts the pointer, in its recipient's partition, to a message queued
// for them: USER#<recipient> / MSG#<message id>, by which an erasure finds the messages
// (no index finds them by recipient); written with the message, expiring after it.
const SKMessagePrefix = "MSG#"

func MessageSK(id string) string { return SKMessagePrefix + id }

// OutboxShards is how many GSI1 partitions the outbox's pending messages, and those of
// each final status, are split over (Sharded): every notification of the platform is
// written there, four index writes each while pending.
const OutboxShards = 8

// OutboxPending is the GSI1 partition key of every outbox item not yet delivered.
//
// While an outbox item (PK OUTBOX#<id>) is pending it carries
//
//	GSI1PK = OUTBOX#PENDING#<shard of id>
//	GSI1SK = <due time, RFC 3339 in UTC, whole seconds>#<id>
//
// so GSI1 lists the pending items in the order they fall due, over the shards. When the
// notifier has delivered the item (or given up on it) it moves it to OutboxDone's
// OUTBOX#SENT#<shard>, OUTBOX#SKIPPED#<shard> or OUTBOX#FAILED#<shard>; a failed attempt
// moves GSI1SK's due time to the next try, and a claim moves it to the claim's lease so
// that a claim whose notifier died is taken up again. Locally, the runner's stream
// poller reads this index in place of DynamoDB Streams.
var OutboxPending = Sharded{Base: "OUTBOX#PENDING", N: OutboxShards}

// OutboxDone is the GSI1 partition of messages in a final status (sent, skipped,
// failed), GSI1SK = <finished at>#<id>: the failed ones are the staff's list of
// undelivered messages. Moving an item to another partition rather than removing its
// index keys also keeps the embedded engine right: minidyn v0.8.2 ignores REMOVE.
func OutboxDone(status string) Sharded {
	return Sharded{Base: OutboxPrefix + strings.ToUpper(status), N: OutboxShards}
}

// The directory: districts and venues.
const (
	SKDistrict = "DISTRICT"
	SKVenue    = "VENUE"
	// gsiDistricts holds every district on GSI1, sorted by path (the tree in order).
	GSIDistricts = "DISTRICTS"
	// gsiVenues holds every venue on GSI1, sorted by district path then id, so a
	// begins_with on a district's path finds the venues of its whole subtree.
	GSIVenues = "VENUES"
)

// skScope is the item under a person's partition naming the district a staff member or
// coordinator looks after (PK USER#<openid>); on GSI1 it is listed under the district
// (scopedPK / openid), so the staff of a district are one Query.
const SKScope = "SCOPE"

func ScopedPK(districtID string) string { return "SCOPED#" + districtID }

func DistrictPK(id string) string { return "DISTRICT#" + id }
func VenuePK(id string) string    { return "VENUE#" + id }

// The e-map's index. A venue carries its geohash on GSI2:
//
//	GSI2PK = GEO#<geohash of geoPartitionPrecision characters>
//	GSI2SK = <geohash of geoSortPrecision characters>#<venue id>
//
// so the venues of any cell at least as fine as a partition are one Query: the
// partition of the cell's first four characters, begins_with the cell on GSI2SK.
const (
	GeoPartitionPrecision = 4 // cells of about 35 × 20 km at Zhuzhou's latitude
	GeoSortPrecision      = 9 // about 4 × 5 m
)

func GeoPK(hash string) string          { return "GEO#" + hash[:GeoPartitionPrecision] }
func GeoSK(hash, venueID string) string { return hash + "#" + venueID }

// The catalogue: activities and their slots. A slot's item (SLOT#<id> / SLOT) holds its
// settings and its counter; a scheduled slot's listing entry (SLOT#<id> / LISTING) is
// what GSI1 lists under SLOTS#<kind>, so that bookings, which write the counter, write
// no index.
const (
	SKActivity = "ACTIVITY"
	SKSlot     = "SLOT"
	SKListing  = "LISTING"
)

func ActivityPK(id string) string { return "ACTIVITY#" + id }
func SlotPK(id string) string     { return "SLOT#" + id }

// A hot session's counter shards (booking.Slot.HotShards): SLOT#<id>#SHARD#<i> / SHARD,
// i from 0, each an item of its own partition with its part of the free places (Free)
// and the revision of the session's settings (Rev); no index keys.
const SKSlotShard = "SHARD"

func SlotShardPK(id string, i int) string { return SlotPK(id) + "#SHARD#" + strconv.Itoa(i) }

// SlotsByKindPK groups the listing entries of scheduled slots of a kind on GSI1, sorted
// by start time.
func SlotsByKindPK(kind string) string { return "SLOTS#" + kind }

// timeKey is the sortable form of a time in sort keys.
func TimeKey(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// The WeChat callback's dedup records: one item per delivery key (callback.DeliveryKey:
// msg:<MsgId>, or evt:<from>:<CreateTime>:<event>), with a TTL.
const SKDelivery = "DELIVERY"

func DeliveryPK(key string) string { return "WXMSG#" + key }

// Platform-wide counters: PK COUNTER#<name>, SK COUNTER, attribute n.
const (
	SKCounter          = "COUNTER"
	CounterQRPermanent = "QR_PERMANENT" // permanent QR codes created (WeChat allows 100,000)
)

func CounterPK(name string) string { return "COUNTER#" + name }

// Bookings. A booking lives in its slot's partition, one item per person (SK
// BOOKING#<openid>), so "one booking per person per slot" is a condition on one item and
// a cancellation or check-in finds it from the slot id and the openid.
const SKBookingPrefix = "BOOKING#"

func BookingSK(openid string) string { return SKBookingPrefix + openid }

// A booking is also listed by its reference (its id, which a ticket carries instead of
// the holder's openid) on GSI3: GSI3PK BOOKINGREF#<id>, GSI3SK BOOKING, so a door scan
// finds it with one index read rather than by reading the slot's every booking.
const GSI3SKBookingRef = "BOOKING"

func BookingRefPK(id string) string { return "BOOKINGREF#" + id }

// waitlistPK lists a slot's waiting bookings on GSI1, first in line first (GSI1SK is
// waitKey); ballotPK its ballot entries, the same way. Both are sparse: the attributes
// go when the booking is promoted, drawn or cancelled.
func WaitlistPK(slotID string) string { return "WAITLIST#" + slotID }
func BallotPK(slotID string) string   { return "BALLOT#" + slotID }

// waitKey orders a queue by the time of joining (fixed-width nanoseconds), then openid.
func WaitKey(joined time.Time, openid string) string {
	return joined.UTC().Format("2006-01-02T15:04:05.000000000Z") + "#" + openid
}

// gsiWaitlists lists on GSI2 the slots that have (or had, until the sweep clears them)
// a waiting list, GSI2SK <startsAt>#<slot id>, so the scheduler can promote without a
// Scan. The mark is its own item in the slot's partition, SK WAITING.
const (
	GSIWaitlists = "WAITLISTS"
	SKWaiting    = "WAITING"
)

// gsiBallots lists on GSI2 every ballot slot's ballot item (SLOT#<id> / BALLOT, with the
// draw's secret and, once drawn, the published draw), GSI2SK <slot id>; the scheduler
// draws those still active.
const (
	GSIBallots = "BALLOTS"
	SKBallot   = "BALLOT"
)

// No-shows: a person's record of each (USER#<openid> / NOSHOW#<slot id>, counted over
// the rules' window), the lifts of their suspensions (LIFT#<time>), and the mark that a
// slot's unclaimed bookings were released (SLOT#<id> / RELEASED).
const (
	SKNoShowPrefix = "NOSHOW#"
	SKReleased     = "RELEASED"
)

func NoShowSK(slotID string) string { return SKNoShowPrefix + slotID }
func LiftSK(at time.Time) string    { return "LIFT#" + NanoKey(at) }

// homeLogSK records a change of a person's home district, in their partition.
func HomeLogSK(at time.Time, to string) string { return "HOME#" + NanoKey(at) + "#" + to }

// Weekly class schedules: SCHEDULE#<id> / SCHEDULE, all of them on GSI2 SCHEDULES / <id>.
const (
	GSISchedules = "SCHEDULES"
	SKSchedule   = "SCHEDULE"
)

func SchedulePK(id string) string { return "SCHEDULE#" + id }

// Seats of a seated slot: SLOT#<id> / SEAT#<seat>.
const SKSeatPrefix = "SEAT#"

func SeatSK(seat string) string { return SKSeatPrefix + seat }

// The guard of an ID number booked at a real-name slot: SLOT#<id> / IDNO#<keyed hash>,
// held while the booking that took it stands.
const SKIDGuardPrefix = "IDNO#"

func IDGuardSK(hash string) string { return SKIDGuardPrefix + hash }

// personBookingsPK lists a person's bookings on GSI2, by slot start (GSI2SK
// <startsAt>#<slot id>).
func PersonBookingsPK(openid string) string { return "BOOKINGS#" + openid }

// SKHolds is a person's booking standing (PK USER#<openid>): the confirmed bookings
// held of each activity with a per-person limit (HeldAttr) and, mirrored from the
// profile, the end of a no-show suspension (suspendedUntil), so that one conditional
// write of a booking checks both (docs/decisions.md, "One write per booking").
const SKHolds = "HOLDS"

// HeldAttr is the attribute of the holds item counting the person's confirmed bookings
// of an activity's slots.
func HeldAttr(activityID string) string { return "held#" + activityID }

// Evaluation: ratings, satisfaction tallies and feedback tickets.
const SKTicket = "FEEDBACK"

// OpenTickets lists open tickets on GSI2 by due time (GSI2SK <due>#<id>), sharded by
// ticket id; an answered ticket moves to AnsweredTickets (GSI2SK <replied at>#<id>).
// Moved, not removed: the embedded engine ignores REMOVE (docs/decisions.md).
var (
	OpenTickets     = Sharded{Base: "FEEDBACK#OPEN", N: 4}
	AnsweredTickets = Sharded{Base: "FEEDBACK#ANSWERED", N: 4}
)

// ratingSK is a person's rating under its activity's partition (PK ACTIVITY#<id>), so
// a second rating by the same person is a failed attribute_not_exists.
func RatingSK(openid string) string { return "RATING#" + openid }

// tallyPK is a subject's satisfaction tally ("venue:<id>"); its SK is the period.
func TallyPK(subject string) string { return "SAT#" + subject }

func TicketPK(id string) string { return "FEEDBACK#" + id }

// ticketsByPK lists a person's tickets on GSI1, by creation time.
func TicketsByPK(openid string) string { return "FEEDBACKBY#" + openid }

// The amateur team directory.
const (
	SKTeam      = "TEAM"
	SKTeamCount = "TEAMCOUNT"
	// gsiTeams holds every team on GSI1, sorted by district path then id, so a
	// begins_with on a district's path finds the teams of its subtree.
	GSITeams = "TEAMS"
)

func TeamPK(id string) string { return "TEAM#" + id }

// teamCountPK is the maintained count of approved teams of a district's subtree, by
// stars.
func TeamCountPK(districtID string) string { return "TEAMCOUNT#" + districtID }

// Cultural figures: yearly calls, applications, panel scores and the selected figures.
const (
	SKCall        = "FIGCALL"
	SKApplication = "FIGAPP"
	SKFigure      = "FIGURE"
	// gsiFigures holds every figure on GSI1 by district path then id.
	GSIFigures = "FIGURES"
)

func CallPK(year int) string { return fmt.Sprintf("FIGCALL#%d", year) }

// applicantSK guards one application per person and year, under the call's partition.
const SKApplicantPrefix = "APPLICANT#"

func ApplicantSK(openid string) string   { return SKApplicantPrefix + openid }
func ApplicationPK(id string) string     { return "FIGAPP#" + id }
func ApplicationsPK(year int) string     { return fmt.Sprintf("FIGAPPS#%d", year) }
func FigureScoreSK(openid string) string { return "SCORE#" + openid }
func FigurePK(id string) string          { return "FIGURE#" + id }

// Report counters: PK METRIC#<district id>, SK <period> ("YYYY-MM" or "all"), one
// numeric attribute per metric, ADDed for the district and each ancestor by the
// counters' stream consumer (Counters) and the notifier. The consumer keeps, per
// counted item, the facts it applied (PK COUNTED#<item's PK>#<item's SK>, SK COUNTED),
// and per member of a distinct metric its total in each district and period
// (PK DISTINCT#<metric>#<member>, SK <district id>#<period>: one partition per resident
// or village, so a busy month spreads over many partitions). A marker (PK MARK#<what>,
// SK MARK) makes a thing happen once.
const (
	SKMark    = "MARK"
	SKCounted = "COUNTED"
)

func MetricPK(districtID string) string           { return "METRIC#" + districtID }
func MarkPK(marker string) string                 { return "MARK#" + marker }
func CountedPK(pk, sk string) string              { return "COUNTED#" + pk + "#" + sk }
func DistinctPK(metric, member string) string     { return "DISTINCT#" + metric + "#" + member }
func DistinctSK(districtID, period string) string { return districtID + "#" + period }

// Volunteers. A volunteer's record is VOLUNTEER#<id> / VOLUNTEER, listed on GSI1 by
// status under VOLUNTEERS#<status> / <district path>#<id> (begins_with a path is a
// coordinator's subtree). Its history (HISTORY#<time>#<id>) and ledger (LEDGER#<time>#<id>)
// are items of the same partition. Two guards keep one registration per person and per
// ID number: USER#<openid> / VOLUNTEER and IDNUMBER#<keyed hash> / IDNUMBER.
const (
	SKVolunteer = "VOLUNTEER"
	SKIDNumber  = "IDNUMBER"
	SKHistory   = "HISTORY#"
	SKLedger    = "LEDGER#"
)

// ReviewQueue lists volunteers on GSI2 by their next yearly review (GSI2SK
// <time>#<id>), sharded by volunteer id, so the scheduler finds those due with one
// Query of each shard.
var ReviewQueue = Sharded{Base: "VOLUNTEERS#REVIEW", N: 4}

func ReviewSK(at time.Time, id string) string { return TimeKey(at) + "#" + id }

func VolunteerPK(id string) string              { return "VOLUNTEER#" + id }
func IDNumberPK(hash string) string             { return "IDNUMBER#" + hash }
func VolunteersByStatusPK(status string) string { return "VOLUNTEERS#" + status }

// nanoKey is the sortable form of a time with nanoseconds (fixed width).
func NanoKey(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

func HistorySK(at time.Time, id string) string { return SKHistory + NanoKey(at) + "#" + id }
func LedgerSK(at time.Time, id string) string  { return SKLedger + NanoKey(at) + "#" + id }

// Shifts: SHIFT#<id> / SHIFT is the shift and its sign-up counter, listed on GSI1 under
// SHIFTS by start and on GSI2 under VENUESHIFTS#<venue id> by start. Its sign-ups are
// SIGNUP#<volunteer id> in the same partition, each on GSI1 under VSIGNUPS#<volunteer
// id> by shift start and, while checked in and not out, on GSI3 under OpenCheckIns
// (CHECKIN#OPEN#<shard of shift and volunteer>) by shift end. Scans that changed
// something are SCAN#<volunteer id>#<unix seconds>.
const (
	SKSignup  = "SIGNUP#"
	SKShift   = "SHIFT"
	GSIShifts = "SHIFTS"
)

var OpenCheckIns = Sharded{Base: "CHECKIN#OPEN", N: 4}

func ShiftPK(id string) string                     { return "SHIFT#" + id }
func SignupSK(volunteerID string) string           { return SKSignup + volunteerID }
func VenueShiftsPK(venueID string) string          { return "VENUESHIFTS#" + venueID }
func VolunteerSignupsPK(volunteerID string) string { return "VSIGNUPS#" + volunteerID }
func ScanSK(volunteerID string, at time.Time) string {
	return "SCAN#" + volunteerID + "#" + strconv.FormatInt(at.Unix(), 10)
}

// gsiScopes lists every scope item (skScope) on GSI3 by <district path>#<openid>:
// begins_with "<path>#" is a district's own appointees, "<path>/" its descendants'.
const GSIScopes = "SCOPES"

func ScopeSK(path, openid string) string { return path + "#" + openid }

// Training: a course is TRAINING#<id> / TRAINING, listed on GSI1 under TRAININGS by
// date; an attendance is ATTENDEE#<openid> in the course's partition, listed on GSI1
// under TRAINED#<openid> by date; a person's totals of a year are USER#<openid> /
// TRAINING#<year>.
const (
	SKTraining    = "TRAINING"
	GSITrainings  = "TRAININGS"
	SKTrainingSum = "TRAINING#"
)

func TrainingPK(id string) string      { return "TRAINING#" + id }
func AttendeeSK(openid string) string  { return "ATTENDEE#" + openid }
func TrainedPK(openid string) string   { return "TRAINED#" + openid }
func TrainingTotalsSK(year int) string { return SKTrainingSum + strconv.Itoa(year) }

// A film poll lives in one partition: POLL#<id> / POLL (the poll as JSON), TALLY#<i>
// (votes for film i, ADDed), VOTE#<openid> (one per voter). Each vote has a pointer in
// its voter's partition, USER#<person> / VOTED#<poll id>#<voter>, by which an export and
// an erasure find it (no index finds a poll's votes by voter); a merge moves the pointer
// to the survivor's partition, and the voter in its key keeps it apart from theirs.
const (
	SKPoll        = "POLL"
	SKTallyPrefix = "TALLY#"
	SKVotedPrefix = "VOTED#"
)

func PollPK(id string) string           { return "POLL#" + id }
func VoteSK(openid string) string       { return "VOTE#" + openid }
func VotedSK(poll, voter string) string { return SKVotedPrefix + poll + "#" + voter }

// Third-party evaluation: grants (GSI1 every grant by creation, GSI2 a person's) and the
// access log (GSI1 by month, newest last).
const (
	SKGrant   = "EVALGRANT"
	GSIGrants = "EVALGRANTS"
	SKAccess  = "EVALACCESS"
)

func GrantPK(id string) string                { return "EVALGRANT#" + id }
func GrantsOfPK(openid string) string         { return "EVALGRANTS#" + openid }
func AccessPK(id string) string               { return "EVALACCESS#" + id }
func AccessesPK(month string) string          { return "EVALACCESS#" + month }
func AccessSK(at time.Time, id string) string { return NanoKey(at) + "#" + id }

// Satisfaction surveys: a survey is one partition, SURVEY#<id>: the survey (SURVEY,
// listed on GSI1 under SURVEYS by creation), its invitations (INVITE#<openid>, listed
// on GSI2 under SURVEYED#<openid> by time: whom not to invite again soon) and its
// answers (ANSWER#<openid>).
const (
	SKSurvey    = "SURVEY"
	GSISurveys  = "SURVEYS"
	SKInvitePfx = "INVITE#"
	SKAnswerPfx = "ANSWER#"
)

func SurveyPK(id string) string       { return "SURVEY#" + id }
func InviteSK(openid string) string   { return SKInvitePfx + openid }
func AnswerSK(openid string) string   { return SKAnswerPfx + openid }
func SurveyedPK(openid string) string { return "SURVEYED#" + openid }

// The digital resource library. An institution is INST#<id> / INST, listed on GSI1
// under INSTS by district path; the institution a person works for is USER#<openid> /
// EMPLOYER, listed on GSI1 under STAFF#<institution> by openid; the institution owning a
// venue is VENUE#<id> / OWNER, listed on GSI1 under OWNERS by <institution>#<venue>. A
// collection is COLL#<id> / COLL, listed on GSI1 under COLLS. An item is
// ITEM#<id> / ITEM, listed on GSI1 under COLLITEMS#<collection> by creation time and,
// while published, on GSI2 under PUBITEMS#<collection> by publication time; its media
// records are MEDIA#<media id> in its partition. Audit records are AUDIT#<institution> /
// <time>#<id>; stored bytes per scope USAGE#<scope> / USAGE; objects still to delete
// PURGE#<id> / PURGE on GSI1 under PURGES; the digest's feed FEED#<day> /
// <topic>#<kind>#<id>.
const (
	SKInstitution = "INST"
	GSIInsts      = "INSTS"
	SKEmployer    = "EMPLOYER"
	SKOwner       = "OWNER"
	GSIOwners     = "OWNERS"
	SKCollection  = "COLL"
	GSIColls      = "COLLS"
	SKItem        = "ITEM"
	SKMediaPrefix = "MEDIA#"
	SKUsage       = "USAGE"
	SKPurge       = "PURGE"
	GSIPurges     = "PURGES"
)

func InstitutionPK(id string) string       { return "INST#" + id }
func StaffPK(institution string) string    { return "STAFF#" + institution }
func CollectionPK(id string) string        { return "COLL#" + id }
func ItemPK(id string) string              { return "ITEM#" + id }
func MediaSK(id string) string             { return SKMediaPrefix + id }
func CollItemsPK(collection string) string { return "COLLITEMS#" + collection }
func PubItemsPK(collection string) string  { return "PUBITEMS#" + collection }
func AuditPK(institution string) string    { return "AUDIT#" + institution }
func UsagePK(scope string) string          { return "USAGE#" + scope }
func PurgePK(id string) string             { return "PURGE#" + id }
func FeedPK(day string) string             { return "FEED#" + day }
func FeedSK(topic, kind, id string) string { return topic + "#" + kind + "#" + id }

// The news centre. An article is NEWS#<id> / NEWS, listed on GSI3 under
// NEWSBY#<institution> by creation time and, while published, on GSI1 under NEWSALL and
// on GSI2 under NEWSCAT#<category>, by publication time. A subscription is
// USER#<openid> / TOPIC#<topic>, listed on GSI1 under TOPICSUBS#<topic>; the person's
// consent log is USER#<openid> / CONSENT#<time>#<id>.
const (
	SKNews         = "NEWS"
	GSINewsAll     = "NEWSALL"
	SKTopicPrefix  = "TOPIC#"
	SKConsentPrefx = "CONSENT#"
)

func NewsPK(id string) string                { return "NEWS#" + id }
func NewsByPK(institution string) string     { return "NEWSBY#" + institution }
func NewsCategoryPK(category string) string  { return "NEWSCAT#" + category }
func TopicSK(topic string) string            { return SKTopicPrefix + topic }
func TopicSubscribersPK(topic string) string { return "TOPICSUBS#" + topic }
func DigestMarker(day string) string         { return "digest:" + day }

// Assessment: a year's assessment of a level is one partition, ASSESS#<year>#<level>:
// its scheme (SCHEME), the units' self-reports (REPORT#<unit>#<indicator>), their
// evidence files (EVIDENCE#<unit>#<id>), and once published the result's header
// (RESULT, naming the batch its units were written in) and its units
// (RESULT#<batch>#<unit>). The year's reviewers are ASSESS#<year> / REVIEWER#<openid>.
const (
	SKScheme      = "SCHEME"
	SKResult      = "RESULT"
	SKReportPfx   = "REPORT#"
	SKEvidencePfx = "EVIDENCE#"
)

func AssessYearPK(year int) string           { return "ASSESS#" + strconv.Itoa(year) }
func ReviewerSK(openid string) string        { return "REVIEWER#" + openid }
func AssessPK(year int, level string) string { return "ASSESS#" + strconv.Itoa(year) + "#" + level }
func ReportSK(unit, indicator string) string { return SKReportPfx + unit + "#" + indicator }
func EvidenceSK(unit, id string) string      { return SKEvidencePfx + unit + "#" + id }
func ResultUnitSK(batch, unit string) string { return SKResult + "#" + batch + "#" + unit }
