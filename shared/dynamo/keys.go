package dynamo

import "time"

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

// The WeChat callback's dedup records: one item per delivery key (gateway.DeliveryKey:
// msg:<MsgId>, or evt:<from>:<CreateTime>:<event>), with a TTL.
const skDelivery = "DELIVERY"

func deliveryPK(key string) string { return "WXMSG#" + key }

// Feedback from the chat: PK FEEDBACK#<id>, SK FEEDBACK; open ones on GSI1 by time.
const (
	skFeedback      = "FEEDBACK"
	gsiFeedbackOpen = "FEEDBACK#OPEN"
)

func feedbackPK(id string) string { return "FEEDBACK#" + id }

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

// personBookingsPK lists a person's bookings on GSI2, by slot start (GSI2SK
// <startsAt>#<slot id>).
func personBookingsPK(openid string) string { return "BOOKINGS#" + openid }

// limitSK is a person's counter of confirmed bookings of one activity's slots, in the
// person's partition (PK USER#<openid>).
func limitSK(activityID string) string { return "LIMIT#" + activityID }

// idempotencyPK is the record of a booking request's Idempotency-Key, per person.
func idempotencyPK(openid, key string) string { return "IDEMPOTENCY#" + openid + "#" + key }

const skIdempotency = "IDEMPOTENCY"
