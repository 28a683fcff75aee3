// Package beijing is the platform's one clock zone: every time a person reads is
// China Standard Time (UTC+8; China keeps no daylight saving, so a fixed zone is exact
// and needs no tzdata in the Lambda image).
package beijing

import "time"

// Zone is China Standard Time, UTC+8.
var Zone = time.FixedZone("CST", 8*3600)

// RFC3339 is t as the API writes every time: RFC 3339 in Beijing time with its offset
// ("2026-11-29T19:30:00+08:00"). For times that travel as strings; time.Time values in
// answers are converted by InZone.
func RFC3339(t time.Time) string { return t.In(Zone).Format(time.RFC3339) }

// Minute is t as messages and pages write a moment: "2026年11月29日 19:30", Beijing time.
func Minute(t time.Time) string { return t.In(Zone).Format("2006年1月2日 15:04") }

// Day is t's date as messages and pages write it: "2026年11月29日", Beijing time.
func Day(t time.Time) string { return t.In(Zone).Format("2006年1月2日") }

// Short is t as the chat lists moments in the coming days: "11月29日 19:30", Beijing time.
func Short(t time.Time) string { return t.In(Zone).Format("1月2日 15:04") }
