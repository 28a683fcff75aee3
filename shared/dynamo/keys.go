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
