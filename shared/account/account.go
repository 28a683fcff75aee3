// Package account is the signed-in person: their profile and the sign-in route.
package account

import (
	"context"
	"fmt"
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
	// HomeDistrictID is the district (村/社区, or higher) the person says they live in:
	// what district-limited sessions and village film polls go by. HomeChangedAt is when
	// they last set it.
	HomeDistrictID string    `json:"homeDistrictId,omitempty"`
	HomeChangedAt  time.Time `json:"homeChangedAt,omitzero"`
}

// ErrPersonNotFound is returned for an openid the platform has never seen.
var ErrPersonNotFound = fault.New(fault.NotFound, "person_not_found", "找不到该用户")

// Store keeps people.
type Store interface {
	// Person returns the person, or ErrPersonNotFound.
	Person(ctx context.Context, openid string) (Person, error)
	// SetHome moves openid's home from the district from ("" when none) to to at at, and
	// records the change (from, to, when) beside the profile, in one transaction. It
	// returns ErrHomeChanged when the home is no longer from.
	SetHome(ctx context.Context, openid, from, to string, at time.Time) error
	// Identities lists the identities linked to a person.
	Identities(ctx context.Context, person string) ([]Identity, error)
	Family
	Consents
	Linker
	MiniAccepted
	Merges
}

// HomeMoveEvery is how often a person may change their home district once it is set:
// it decides which district-limited sessions and polls are theirs, so it is not a
// field to flip before each booking. Every change is recorded.
const HomeMoveEvery = 30 * 24 * time.Hour

// Errors of the home district.
var (
	ErrHomeUnknown = fault.New(fault.Invalid, "district_unknown", "找不到该行政区划，请从列表中选择您所在的村（社区）")
	ErrHomeTooSoon = fault.New(fault.Conflict, "home_change_too_soon", "所在村（社区）每 30 天只能修改一次")
	ErrHomeChanged = fault.New(fault.Conflict, "home_changed", "所在村（社区）刚被修改，请刷新后重试")
)

// Districts tells whether a district exists.
type Districts interface {
	// DistrictPath returns a district's path; ok is false when there is none.
	DistrictPath(ctx context.Context, id string) (path string, ok bool, err error)
}

// SetHome sets the district a person lives in: freely the first time, then at most once
// every HomeMoveEvery. Setting the home they have changes nothing. Errors:
// ErrHomeUnknown, ErrHomeTooSoon (its details say from when), ErrHomeChanged,
// ErrPersonNotFound.
func SetHome(ctx context.Context, people Store, districts Districts, openid, districtID string, now time.Time) (Person, error) {
	if _, ok, err := districts.DistrictPath(ctx, districtID); err != nil {
		return Person{}, err
	} else if !ok {
		return Person{}, ErrHomeUnknown
	}
	p, err := people.Person(ctx, openid)
	if err != nil {
		return Person{}, err
	}
	if p.HomeDistrictID == districtID {
		return p, nil
	}
	if p.HomeDistrictID != "" {
		if next := p.HomeChangedAt.Add(HomeMoveEvery); now.Before(next) {
			e := ErrHomeTooSoon.Wrap(fmt.Errorf("home set at %s", p.HomeChangedAt.Format(time.RFC3339)))
			e.Details = map[string]string{"nextChangeAt": next.UTC().Format(time.RFC3339)}
			return Person{}, e
		}
	}
	if err := people.SetHome(ctx, openid, p.HomeDistrictID, districtID, now); err != nil {
		return Person{}, fmt.Errorf("set home: %w", err)
	}
	p.HomeDistrictID, p.HomeChangedAt = districtID, now.UTC()
	return p, nil
}

// Identity is one way a person reaches the platform, linked to them (auth.IdentOfficial,
// auth.IdentMini, auth.IdentUnion, auth.IdentPhone).
type Identity struct {
	Kind     string    `json:"kind"`
	Value    string    `json:"value"`
	LinkedAt time.Time `json:"linkedAt"`
}

// ErrIdentityTaken refuses to link an identity that belongs to another person.
var ErrIdentityTaken = fault.New(fault.Conflict, "identity_taken", "该微信或手机号已绑定另一个账号")
