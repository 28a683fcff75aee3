// Package account is the signed-in person: their profile and the sign-in route.
package account

import (
	"context"
	"time"

	"github.com/wentitong/wentitong/shared/fault"
)

// Person is one resident, volunteer or staff member, identified by the official
// account's openid.
type Person struct {
	OpenID       string    `json:"openid"`
	UnionID      string    `json:"unionid,omitempty"`
	Roles        []string  `json:"roles"`
	Subscribed   bool      `json:"subscribed"`
	CreatedAt    time.Time `json:"createdAt"`
	LastSignInAt time.Time `json:"lastSignInAt,omitzero"`
}

// ErrPersonNotFound is returned for an openid the platform has never seen.
var ErrPersonNotFound = fault.New(fault.NotFound, "person_not_found", "找不到该用户")

// Store keeps people.
type Store interface {
	// SignedIn records a sign-in at t, creating the person when new, and returns the
	// roles granted to them.
	SignedIn(ctx context.Context, openid string, t time.Time) ([]string, error)
	// Person returns the person, or ErrPersonNotFound.
	Person(ctx context.Context, openid string) (Person, error)
}
