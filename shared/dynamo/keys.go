package dynamo

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
