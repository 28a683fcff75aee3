package account

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/privacy"
)

// Summary is what the platform keeps of a person, counted for the confirmation of a
// merge: what will move.
type Summary struct {
	Bookings         int      `json:"bookings"`         // every booking, theirs and their family's
	Upcoming         int      `json:"upcoming"`         // of them, not cancelled and not started
	Volunteer        bool     `json:"volunteer"`        // registered as a volunteer
	VolunteerMinutes int      `json:"volunteerMinutes"` // service and honour hours, in minutes
	Strikes          int      `json:"strikes"`          // no-shows recorded
	Tickets          int      `json:"tickets"`          // feedback tickets
	Dependants       int      `json:"dependants"`
	Identities       int      `json:"identities"`    // channels and numbers linked
	Subscriptions    int      `json:"subscriptions"` // news topics followed
	Slots            []string `json:"-"`             // the sessions booked, to find those both booked
}

// MergeOffer is a merge the caller may confirm: they proved they hold an identity of
// another person (Kind, shown masked), and it says what each holds and who stays.
type MergeOffer struct {
	ID        string    `json:"id"`
	Person    string    `json:"-"`        // the caller, who proved the identity
	Other     string    `json:"-"`        // the person the identity was linked to
	Into      string    `json:"-"`        // who stays: MergeSurvivor
	Kind      string    `json:"kind"`     // auth.IdentPhone or auth.IdentMini
	Identity  string    `json:"identity"` // the identity proved, masked
	YouStay   bool      `json:"youStay"`  // the caller's person id stays
	Yours     Summary   `json:"yours"`
	Theirs    Summary   `json:"theirs"`
	Shared    int       `json:"sharedSessions"` // sessions both booked: both bookings are kept
	Status    string    `json:"status"`         // MergeOffered, MergeRunning, MergeDone
	CreatedAt time.Time `json:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// The statuses of a merge offer.
const (
	MergeOffered = "offered"
	MergeRunning = "running" // confirmed; a run that stopped goes on when confirmed again
	MergeDone    = "done"
)

// MergeOfferTTL is how long an offer waits for its confirmation.
const MergeOfferTTL = 30 * time.Minute

// Merges keeps the offers to merge and finds whose an identity is.
type Merges interface {
	// Owner returns the person an identity is linked to ("" when none).
	Owner(ctx context.Context, kind, value string) (string, error)
	// PutMergeOffer stores o under its person.
	PutMergeOffer(ctx context.Context, o MergeOffer) error
	// MergeOffer returns offer id to the person who asked for it, and once confirmed to
	// the survivor; ErrMergeOfferNotFound to anyone else or when there is none.
	MergeOffer(ctx context.Context, person, id string) (MergeOffer, error)
	// SetMergeStatus moves offer id, of person (who asked, or who stays), to status.
	SetMergeStatus(ctx context.Context, person, id, status string, now time.Time) error
}

// Merger moves a person's records to another (persondb).
type Merger interface {
	// Summary counts what is kept of person.
	Summary(ctx context.Context, person string, now time.Time) (Summary, error)
	// Merge moves everything of from to into; by asked, via is the proof's kind. It
	// can run again after a failure and goes on from where it stopped.
	Merge(ctx context.Context, into, from, by, via string, now time.Time) error
}

// Errors of merging.
var (
	ErrMergeKind          = fault.New(fault.Invalid, "merge_kind_invalid", "请用小程序登录或验证手机号来证明另一个账号是您的")
	ErrMergeOfferNotFound = fault.New(fault.NotFound, "merge_offer_not_found", "合并申请已过期或不存在，请重新验证")
	ErrMergeStaff         = fault.New(fault.Conflict, "merge_staff", "另一个账号是工作人员账号，不能自行合并，请联系管理员")
	ErrMergeTwoOfficial   = fault.New(fault.Conflict, "merge_two_official", "两个账号分别属于两个微信号的公众号身份，不能合并")
	ErrMergeUnconfirmed   = fault.New(fault.Invalid, "merge_unconfirmed", "合并无法撤销：请确认后再提交")
)

// MergeSurvivor returns who stays when person merges with other: the one whose id is
// an official account openid (every record of theirs, and the official account's
// messages and chat, are keyed by it), else person, who asked. Two official account
// people are ErrMergeTwoOfficial: each has a WeChat of their own.
func MergeSurvivor(person, other string) (string, error) {
	po, oo := !strings.HasPrefix(person, "p-"), !strings.HasPrefix(other, "p-")
	switch {
	case po && oo:
		return "", ErrMergeTwoOfficial
	case oo:
		return other, nil
	}
	return person, nil
}

// OfferMerge links the identity kind/value (whose proof the caller just gave) to
// person, or, when it is another person's, offers to merge the two: it returns the
// offer (nil when the identity was linked, or was person's already). Errors:
// ErrMergeStaff (the one who would go holds roles), ErrMergeTwoOfficial.
func OfferMerge(ctx context.Context, people Store, merges Merges, merger Merger, person, kind, value string, now time.Time) (*MergeOffer, error) {
	other, err := merges.Owner(ctx, kind, value)
	switch {
	case err != nil:
		return nil, err
	case other == "":
		return nil, people.Link(ctx, person, kind, value, now)
	case other == person:
		return nil, nil
	}
	into, err := MergeSurvivor(person, other)
	if err != nil {
		return nil, err
	}
	from := other
	if into == other {
		from = person
	}
	if p, err := people.Person(ctx, from); err != nil && !errors.Is(err, ErrPersonNotFound) {
		return nil, err
	} else if len(p.Roles) > 0 {
		return nil, ErrMergeStaff
	}
	o := MergeOffer{ID: "m" + strings.ToLower(rand.Text()[:12]), Person: person, Other: other, Into: into, Kind: kind,
		Identity: privacy.OpenID(value), YouStay: into == person, Status: MergeOffered, CreatedAt: now.UTC(), ExpiresAt: now.Add(MergeOfferTTL).UTC()}
	if o.Yours, err = merger.Summary(ctx, person, now); err != nil {
		return nil, err
	}
	if o.Theirs, err = merger.Summary(ctx, other, now); err != nil {
		return nil, err
	}
	for _, s := range o.Theirs.Slots {
		if slices.Contains(o.Yours.Slots, s) {
			o.Shared++
		}
	}
	if err := merges.PutMergeOffer(ctx, o); err != nil {
		return nil, err
	}
	return &o, nil
}

// ConfirmMerge merges as person's offer id says, when confirm is true: the other
// person's records move to the survivor (a confirmation of a merge that stopped midway
// goes on with it; of one done, answers it again). Errors: ErrMergeUnconfirmed,
// ErrMergeOfferNotFound (none, another's, or expired before its confirmation).
func ConfirmMerge(ctx context.Context, merges Merges, merger Merger, person, id string, confirm bool, now time.Time) (MergeOffer, error) {
	if !confirm {
		return MergeOffer{}, ErrMergeUnconfirmed
	}
	o, err := merges.MergeOffer(ctx, person, id)
	if err != nil {
		return MergeOffer{}, err
	}
	switch {
	case o.Status == MergeDone:
		return o, nil
	case o.Status == MergeOffered && !now.Before(o.ExpiresAt):
		return MergeOffer{}, ErrMergeOfferNotFound
	}
	if err := merges.SetMergeStatus(ctx, person, id, MergeRunning, now); err != nil {
		return MergeOffer{}, err
	}
	if err := merger.Merge(ctx, o.Into, o.MergeFrom(), person, o.Kind, now); err != nil {
		return MergeOffer{}, fmt.Errorf("merge %s: %w", id, err)
	}
	if err := merges.SetMergeStatus(ctx, o.Into, id, MergeDone, now); err != nil {
		return MergeOffer{}, err
	}
	o.Status = MergeDone
	return o, nil
}

// MergeFrom is the person a merge took records from.
func (o MergeOffer) MergeFrom() string {
	if o.Into == o.Other {
		return o.Person
	}
	return o.Other
}

// Prove returns the identity whose proof code is, of kind: a verified phone number
// (the mini program's getPhoneNumber code) or the mini program's openid (a wx.login
// code). Errors: ErrMergeKind, ErrPhoneUnavailable, auth.ErrChannelOff,
// auth.ErrCodeInvalid.
func Prove(ctx context.Context, svc *auth.Service, kind, code string) (string, error) {
	switch kind {
	case auth.IdentPhone:
		phones, _ := svc.Mini.(Phones)
		if phones == nil {
			return "", ErrPhoneUnavailable
		}
		return phones.VerifiedPhone(ctx, code)
	case auth.IdentMini:
		ident, err := svc.IdentifyMini(ctx, code)
		return ident.ID, err
	}
	return "", ErrMergeKind
}
