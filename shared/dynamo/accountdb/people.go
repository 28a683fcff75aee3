package accountdb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/account"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/dynamo"
)

// People stores people: one profile item per openid, PK USER#<openid>, SK PROFILE.
type People struct {
	DB    *dynamodb.Client
	Table string
}

var _ account.Store = (*People)(nil)

type personItem struct {
	dynamo.Keys
	OpenID       string   `dynamodbav:"openid"`
	UnionID      string   `dynamodbav:"unionid,omitempty"`
	Roles        []string `dynamodbav:"roles,stringset,omitempty"`
	Subscribed   bool     `dynamodbav:"subscribed"`
	CreatedAt    string   `dynamodbav:"createdAt"`
	LastSignInAt string   `dynamodbav:"lastSignInAt,omitempty"`
	Home         string   `dynamodbav:"homeDistrictId,omitempty"`
	HomeAt       string   `dynamodbav:"homeChangedAt,omitempty"`
	// SessionVersion ends the sessions issued before it: raised by a sign-out and by
	// every change of the roles (BumpSession).
	SessionVersion int64 `dynamodbav:"sessionVersion,omitempty"`
}

var _ auth.People = (*People)(nil)

// BumpSession adds to upd the raise of the profile's session version, which ends the
// person's sessions: every change of roles goes with it, so that a token never carries
// roles the table no longer grants.
func BumpSession(upd expression.UpdateBuilder) expression.UpdateBuilder {
	return upd.Add(expression.Name("sessionVersion"), expression.Value(1))
}

// SignedIn upserts the profile in one UpdateItem and returns the roles and session
// version stored on it.
func (p *People) SignedIn(ctx context.Context, openid string, t time.Time) (auth.Standing, error) {
	ts := t.UTC().Format(time.RFC3339)
	upd := expression.Set(expression.Name("lastSignInAt"), expression.Value(ts)).
		Set(expression.Name("openid"), expression.Value(openid)).
		Set(expression.Name("createdAt"), expression.IfNotExists(expression.Name("createdAt"), expression.Value(ts))).
		Set(expression.Name("subscribed"), expression.IfNotExists(expression.Name("subscribed"), expression.Value(false)))
	out, err := dynamo.Update(ctx, p.DB, p.Table, "record sign-in", dynamo.UserPK(openid), dynamo.SKProfile, upd, expression.ConditionBuilder{}, types.ReturnValueAllNew)
	if err != nil {
		return auth.Standing{}, err
	}
	var it personItem
	if err := attributevalue.UnmarshalMap(out, &it); err != nil {
		return auth.Standing{}, fmt.Errorf("record sign-in: %w", err)
	}
	return auth.Standing{Roles: it.Roles, Version: it.SessionVersion}, nil
}

// Standing reads the profile's roles and session version (consistently: a sign-out
// must be seen at once by the next read). Roles that are not a string set are ignored.
func (p *People) Standing(ctx context.Context, openid string) (auth.Standing, error) {
	raw, err := dynamo.GetItem(ctx, p.DB, p.Table, "get standing", dynamo.UserPK(openid), dynamo.SKProfile, true)
	if err != nil {
		return auth.Standing{}, err
	}
	if raw == nil {
		// No profile: someone who never signed in, or erased their account (then every
		// session issued before is refused).
		mark, err := dynamo.GetItem(ctx, p.DB, p.Table, "get erasure mark", dynamo.ErasedPK(openid), dynamo.SKErased, true)
		if err != nil || mark == nil {
			return auth.Standing{}, err
		}
		return auth.Standing{Version: -1}, nil
	}
	var st auth.Standing
	if ss, ok := raw["roles"].(*types.AttributeValueMemberSS); ok {
		st.Roles = ss.Value
	}
	if n, ok := raw["sessionVersion"].(*types.AttributeValueMemberN); ok {
		if st.Version, err = strconv.ParseInt(n.Value, 10, 64); err != nil {
			return auth.Standing{}, fmt.Errorf("get standing: session version %q: %w", n.Value, err)
		}
	}
	return st, nil
}

// SignOut raises the profile's session version and records when.
func (p *People) SignOut(ctx context.Context, openid string, t time.Time) error {
	var tx dynamo.Tx
	tx.Update(dynamo.UserPK(openid), dynamo.SKProfile, BumpSession(expression.Set(expression.Name("signedOutAt"), expression.Value(dynamo.TimeKey(t))).
		Set(expression.Name("openid"), expression.Value(openid))), expression.ConditionBuilder{}, nil)
	return dynamo.Transact(ctx, p.DB, p.Table, "sign out", &tx)
}

// Person returns the profile, or account.ErrPersonNotFound.
func (p *People) Person(ctx context.Context, openid string) (account.Person, error) {
	it, err := dynamo.One[personItem](ctx, p.DB, p.Table, "get person", dynamo.UserPK(openid), dynamo.SKProfile, false, account.ErrPersonNotFound)
	if err != nil {
		return account.Person{}, err
	}
	person := account.Person{OpenID: it.OpenID, UnionID: it.UnionID, Roles: it.Roles, Subscribed: it.Subscribed}
	person.CreatedAt, _ = time.Parse(time.RFC3339, it.CreatedAt)
	person.LastSignInAt, _ = time.Parse(time.RFC3339, it.LastSignInAt)
	person.HomeDistrictID = it.Home
	person.HomeChangedAt, _ = time.Parse(time.RFC3339, it.HomeAt)
	if person.Roles == nil {
		person.Roles = []string{}
	}
	return person, nil
}

// GrantRoles adds roles to a person's profile, creating it when new (used by admins and
// by the local runner's demo data).
func (p *People) GrantRoles(ctx context.Context, openid string, roles []string, t time.Time) error {
	upd := BumpSession(expression.Add(expression.Name("roles"), expression.Value(&types.AttributeValueMemberSS{Value: roles}))).
		Set(expression.Name("openid"), expression.Value(openid)).
		Set(expression.Name("createdAt"), expression.IfNotExists(expression.Name("createdAt"), expression.Value(t.UTC().Format(time.RFC3339)))).
		Set(expression.Name("subscribed"), expression.IfNotExists(expression.Name("subscribed"), expression.Value(false)))
	return p.update(ctx, "grant roles", openid, upd)
}

// Suspend stops a person booking until until (no-show strikes) because of a no-show at
// slotID (the suspension's district, for who may lift it); the zero time lifts it. The
// end is set on the profile, which Bookings.Prepare reads with the slot, and on the
// person's holds item, which a booking's write checks, in one transaction.
func (p *People) Suspend(ctx context.Context, openid string, until time.Time, slotID string) error {
	upd := expression.Set(expression.Name("suspendedUntil"), expression.Value(until.UTC().Format(time.RFC3339))).
		Set(expression.Name("suspendedBy"), expression.Value(slotID))
	holds := expression.Set(expression.Name("suspendedUntil"), expression.Value(until.UTC().Format(time.RFC3339)))
	if until.IsZero() {
		upd = expression.Remove(expression.Name("suspendedUntil"))
		holds = upd
	}
	var tx dynamo.Tx
	tx.Update(dynamo.UserPK(openid), dynamo.SKProfile, upd, expression.ConditionBuilder{}, nil)
	tx.Update(dynamo.UserPK(openid), dynamo.SKHolds, holds, expression.ConditionBuilder{}, nil)
	return dynamo.Transact(ctx, p.DB, p.Table, "suspend", &tx)
}

// SetSubscribed records that a person followed (true) or unfollowed (false) the account
// at t, creating the profile when new. A change older than the opposite one recorded
// (a retried delivery handled after a later event) changes nothing, so applying one
// event twice, in any order with others, leaves what the latest event says.
func (p *People) SetSubscribed(ctx context.Context, openid string, subscribed bool, t time.Time) error {
	ts := t.UTC().Format(time.RFC3339)
	upd := expression.Set(expression.Name("subscribed"), expression.Value(subscribed)).
		Set(expression.Name("openid"), expression.Value(openid)).
		Set(expression.Name("createdAt"), expression.IfNotExists(expression.Name("createdAt"), expression.Value(ts)))
	opposite := "unsubscribedAt"
	if subscribed {
		upd = upd.Set(expression.Name("subscribedAt"), expression.Value(ts))
	} else {
		upd = upd.Set(expression.Name("unsubscribedAt"), expression.Value(ts))
		opposite = "subscribedAt"
	}
	cond := expression.AttributeNotExists(expression.Name(opposite)).
		Or(expression.Name(opposite).LessThanEqual(expression.Value(ts)))
	_, err := dynamo.Update(ctx, p.DB, p.Table, "set subscribed", dynamo.UserPK(openid), dynamo.SKProfile, upd, cond, types.ReturnValueNone)
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return nil // a later change stands
	}
	return err
}

// Unsubscribed reports whether the person unfollowed the account and has not followed it
// again (both times are kept; nothing is removed, see outbox.go on REMOVE). People who never followed (they signed in from a shared H5 link) are not
// unsubscribed: template messages to them fail with 43004 and are skipped then.
func (p *People) Unsubscribed(ctx context.Context, openid string) (bool, error) {
	it, err := p.reach(ctx, openid)
	return it.unsubscribed() != "", err
}

// Recipient returns where person's messages go (notify.People): their official account
// openid, or why nowhere. A person id that is not an official account openid (p-…, a
// newcomer through the mini program) is sent to through the official account identity
// linked to it, whose own profile holds whether it follows the account.
func (p *People) Recipient(ctx context.Context, person string) (string, string, error) {
	it, err := p.reach(ctx, person)
	switch {
	case err != nil:
		return "", "", err
	case it.Messages != nil && !it.Messages.Granted:
		return "", "consent_withdrawn", nil
	case !IsPersonID(person):
		return person, it.unsubscribed(), nil
	}
	ids, err := dynamo.QueryItems(ctx, p.DB, p.Table, "official account identity", dynamo.Query{
		Key: dynamo.Partition("", dynamo.UserPK(person), dynamo.SKIdentityPrefix+auth.IdentOfficial+"#"), Consistent: true})
	if err != nil || len(ids) == 0 {
		return "", "no_official_account", err
	}
	oa, _ := dynamo.StringAttr(ids[0], "value")
	follows, err := p.reach(ctx, oa)
	if err != nil {
		return "", "", err
	}
	return oa, follows.unsubscribed(), nil
}

// mergeHops bounds the merges Survivor follows (a person merged into one merged later).
const mergeHops = 8

// Survivor returns the person a message queued for person reaches: person, or the
// survivor of the merge person went into (their forward, MERGED#<person>), and of each merge after it.
// Only a p-… person is ever merged into another (the survivor of a merge with an
// official account person is that person), so an openid costs no read.
func (p *People) Survivor(ctx context.Context, person string) (string, error) {
	for range mergeHops {
		if !IsPersonID(person) {
			return person, nil
		}
		fwd, _, err := dynamo.Get[struct {
			Into string `dynamodbav:"into"`
		}](ctx, p.DB, p.Table, "merged person's forward", dynamo.MergedPK(person), dynamo.SKMerged, false)
		if err != nil || fwd.Into == "" {
			return person, err
		}
		person = fwd.Into
	}
	return person, nil
}

// IsPersonID reports whether person is an opaque person id (p-…) rather than the
// official account's openid of someone who first came that way.
func IsPersonID(person string) bool { return strings.HasPrefix(person, "p-") }

// reachItem is what a profile says of sending to its person.
type reachItem struct {
	SubscribedAt   string        `dynamodbav:"subscribedAt"`
	UnsubscribedAt string        `dynamodbav:"unsubscribedAt"`
	Messages       *consentState `dynamodbav:"consentMessages"`
}

// unsubscribed is "unsubscribed" when the person unfollowed the account and has not
// followed it again (RFC 3339 UTC times compare as strings), else "".
func (it reachItem) unsubscribed() string {
	if it.UnsubscribedAt != "" && it.UnsubscribedAt > it.SubscribedAt {
		return "unsubscribed"
	}
	return ""
}

func (p *People) reach(ctx context.Context, id string) (reachItem, error) {
	it, _, err := dynamo.Get[reachItem](ctx, p.DB, p.Table, "get reach", dynamo.UserPK(id), dynamo.SKProfile, false)
	return it, err
}

// ElderMode reports whether the person chose 长辈版 on the H5 pages (false for someone
// unknown).
func (p *People) ElderMode(ctx context.Context, openid string) (bool, error) {
	it, _, err := dynamo.Get[struct {
		ElderMode bool `dynamodbav:"elderMode"`
	}](ctx, p.DB, p.Table, "get elder mode", dynamo.UserPK(openid), dynamo.SKProfile, false)
	return it.ElderMode, err
}

// SetElderMode records the person's choice of 长辈版 (on) or the standard pages, on
// their profile (created when new).
func (p *People) SetElderMode(ctx context.Context, openid string, on bool) error {
	upd := expression.Set(expression.Name("elderMode"), expression.Value(on)).
		Set(expression.Name("openid"), expression.Value(openid))
	return p.update(ctx, "set elder mode", openid, upd)
}

// homeLogItem records one change of a person's home district (PK USER#<openid>, SK
// HOME#<time>), written with the change.
type homeLogItem struct {
	dynamo.Keys
	From string `dynamodbav:"from"`
	To   string `dynamodbav:"to"`
	At   string `dynamodbav:"at"`
}

// SetHome sets the profile's homeDistrictId from from to to, IF it is still from, and
// puts the record of the change, in one transaction.
func (p *People) SetHome(ctx context.Context, openid, from, to string, at time.Time) error {
	cond := expression.Name("homeDistrictId").Equal(expression.Value(from))
	if from == "" {
		cond = expression.AttributeExists(expression.Name("PK")).And(expression.AttributeNotExists(expression.Name("homeDistrictId")))
	}
	var tx dynamo.Tx
	tx.Update(dynamo.UserPK(openid), dynamo.SKProfile, expression.Set(expression.Name("homeDistrictId"), expression.Value(to)).
		Set(expression.Name("homeChangedAt"), expression.Value(dynamo.TimeKey(at))), cond, account.ErrHomeChanged)
	tx.Put(homeLogItem{Keys: dynamo.Keys{PK: dynamo.UserPK(openid), SK: dynamo.HomeLogSK(at, to)}, From: from, To: to, At: dynamo.TimeKey(at)},
		expression.AttributeNotExists(expression.Name("PK")), account.ErrHomeChanged)
	return dynamo.Transact(ctx, p.DB, p.Table, "set home", &tx)
}

// Home returns the district the person set as their home, or "" (booking.Homes).
func (p *People) Home(ctx context.Context, openid string) (string, error) {
	raw, err := dynamo.GetItem(ctx, p.DB, p.Table, "get home", dynamo.UserPK(openid), dynamo.SKProfile, true)
	if err != nil || raw == nil {
		return "", err
	}
	home, _ := dynamo.StringAttr(raw, "homeDistrictId")
	return home, nil
}
