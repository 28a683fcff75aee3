// Package beijing is the platform's one clock zone: every time a person reads is
// China Standard Time (UTC+8; China keeps no daylight saving, so a fixed zone is exact
// and needs no tzdata in the Lambda image).
package beijing

import "time"

// Zone is China Standard Time, UTC+8.
var Zone = time.FixedZone("CST", 8*3600)
