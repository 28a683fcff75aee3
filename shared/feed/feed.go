// Package feed is what is new in each topic residents may follow (a collection's items,
// a news category's articles), written when a thing is first published, for the daily
// digest.
package feed

import (
	"time"

	"github.com/wentitong/wentitong/shared/beijing"
)

// Entry is one new thing in a topic, written when it is first published, in the same
// transaction: the daily digest reads the entries of its day.
type Entry struct {
	Day   string    `json:"day"`   // the digest day it belongs to (DigestDay)
	Topic string    `json:"topic"` // e.g. collection:<id>, category:<key>
	Kind  string    `json:"kind"`  // item or news
	ID    string    `json:"id"`
	Title string    `json:"title"`
	At    time.Time `json:"at"`
}

// DigestHour is the hour of the day (Beijing time) at which the daily digest goes out.
// What is published before it is in that day's digest; what is published later, in the
// next day's.
const DigestHour = 18

// DigestDay returns the digest day (YYYY-MM-DD, Beijing time) a thing published at t
// belongs to.
func DigestDay(t time.Time) string {
	return t.In(beijing.Zone).Add((24 - DigestHour) * time.Hour).Format(time.DateOnly)
}

// CollectionTopic is the topic of a collection's new items.
func CollectionTopic(collectionID string) string { return "collection:" + collectionID }

// CategoryTopic is the topic of a news category's new articles.
func CategoryTopic(category string) string { return "category:" + category }

// Entries returns the feed entries of one published thing in each of its topics.
func Entries(kind, id, title string, topics []string, at time.Time) []Entry {
	out := make([]Entry, 0, len(topics))
	day := DigestDay(at)
	for _, t := range topics {
		out = append(out, Entry{Day: day, Topic: t, Kind: kind, ID: id, Title: title, At: at})
	}
	return out
}
