package callback

import (
	"fmt"
	"net/url"
	"strings"
)

// Links builds the URLs of the H5 pages the chat points to.
type Links struct {
	Base string // the H5 site, e.g. https://h5.example.cn (H5_BASE_URL)
}

func (l Links) path(p string) string { return strings.TrimSuffix(l.Base, "/") + p }

// Activities is the list of upcoming activities of a kind.
func (l Links) Activities(kind string) string {
	return l.path("/activities?kind=" + url.QueryEscape(kind))
}

// Activity is one activity's page, where its slots are booked.
func (l Links) Activity(id string) string { return l.path("/activities/" + url.PathEscape(id)) }

// MyBookings is the signed-in person's bookings.
func (l Links) MyBookings() string { return l.path("/me/bookings") }

// Volunteer is the volunteer's page: application, shifts, hours.
func (l Links) Volunteer() string { return l.path("/me/volunteer") }

// Map is the cultural e-map around a point.
func (l Links) Map(lat, lng float64) string {
	return l.path(fmt.Sprintf("/map?near=%.5f,%.5f", lat, lng))
}

// Feedback is the feedback form.
func (l Links) Feedback() string { return l.path("/feedback") }

// Screening is the projectionist's verification page of a screening (location and
// head-count are given there).
func (l Links) Screening(slotID string) string {
	return l.path("/screenings/" + url.PathEscape(slotID) + "/verify")
}
