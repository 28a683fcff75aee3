package accountdb

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/shared/account"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/privacy"
)

var _ auth.Linker = (*People)(nil)

// identityItem is the global entry of one identity (IDENT#<kind>#<value> / IDENT) and,
// with the person's key, its copy in the person's partition.
type identityItem struct {
	dynamo.Keys
	Kind     string `dynamodbav:"kind"`
	Value    string `dynamodbav:"value"`
	Person   string `dynamodbav:"person"`
	LinkedAt string `dynamodbav:"linkedAt"`
}

// linkItem audits one link: what was linked (masked), how, and when.
type linkItem struct {
	dynamo.Keys
	Kind   string `dynamodbav:"kind"`
	Masked string `dynamodbav:"masked"`
	Via    string `dynamodbav:"via"`
	At     string `dynamodbav:"at"`
}

// errLinkRace is a lost race with another first sign-in of the same identity.
var errLinkRace = errors.New("identity linked meanwhile")

// Resolve returns the person id of ident: the person its openid is linked to, else the
// person its unionid is linked to (then the openid is linked to them too), else a new
// person. A newcomer through the official account keeps their openid as person id (what
// every record was keyed by before identities existed); one through another channel
// gets an opaque id. Each link is one transaction with its audit record; a lost race
// with a concurrent first sign-in reads again.
func (p *People) Resolve(ctx context.Context, ident auth.Identity, t time.Time) (string, error) {
	if ident.ID == "" || (ident.Kind != auth.IdentOfficial && ident.Kind != auth.IdentMini) {
		return "", fmt.Errorf("resolve identity: unknown kind %q", ident.Kind)
	}
	for attempt := 0; ; attempt++ {
		person, err := p.resolve(ctx, ident, t)
		if errors.Is(err, errLinkRace) && attempt < 3 {
			continue
		}
		return person, err
	}
}

func (p *People) resolve(ctx context.Context, ident auth.Identity, t time.Time) (string, error) {
	own, err := p.owner(ctx, ident.Kind, ident.ID)
	if err != nil {
		return "", err
	}
	union := ""
	if ident.UnionID != "" {
		if union, err = p.owner(ctx, auth.IdentUnion, ident.UnionID); err != nil {
			return "", err
		}
	}
	var tx dynamo.Tx
	person := own
	switch {
	case own != "":
	case union != "":
		person = union
	case ident.Kind == auth.IdentOfficial:
		person = ident.ID
	default:
		person = "p-" + strings.ToLower(rand.Text()[:20])
	}
	if own == "" {
		link(&tx, person, ident.Kind, ident.ID, "sign-in", t)
	}
	if ident.UnionID != "" && union == "" {
		link(&tx, person, auth.IdentUnion, ident.UnionID, "sign-in", t)
	}
	if union != "" && union != person {
		// The unionid names another person than the openid does: two people to merge,
		// which a sign-in does not do on its own. The openid's person signs in.
		return person, nil
	}
	if err := dynamo.Transact(ctx, p.DB, p.Table, "link identity", &tx); err != nil {
		if errors.Is(err, dynamo.ErrConditionFailed) {
			return "", errLinkRace
		}
		return "", err
	}
	return person, nil
}

// owner returns the person an identity is linked to ("" when none).
func (p *People) owner(ctx context.Context, kind, value string) (string, error) {
	it, found, err := dynamo.Get[identityItem](ctx, p.DB, p.Table, "read identity", dynamo.IdentityPK(kind, value), dynamo.SKIdentity, true)
	if err != nil || !found {
		return "", err
	}
	return it.Person, nil
}

// link adds to tx the link of an identity to person: its global entry (only if the
// identity is not linked yet), the person's copy and the audit record.
func link(tx *dynamo.Tx, person, kind, value, via string, t time.Time) {
	at := dynamo.RFC3339Nano(t)
	tx.Put(identityItem{Keys: dynamo.Keys{PK: dynamo.IdentityPK(kind, value), SK: dynamo.SKIdentity}, Kind: kind, Value: value, Person: person, LinkedAt: at},
		expression.AttributeNotExists(expression.Name("PK")), nil)
	tx.Put(identityItem{Keys: dynamo.Keys{PK: dynamo.UserPK(person), SK: dynamo.IdentitySK(kind, value)}, Kind: kind, Value: value, Person: person, LinkedAt: at},
		expression.ConditionBuilder{}, nil)
	tx.Put(linkItem{Keys: dynamo.Keys{PK: dynamo.UserPK(person), SK: dynamo.LinkSK(t, kind)}, Kind: kind, Masked: privacy.OpenID(value), Via: via, At: at},
		expression.ConditionBuilder{}, nil)
}

// Link links one more identity (a verified phone) to person: account.ErrIdentityTaken
// when it belongs to someone else; linking it again to the same person changes nothing.
func (p *People) Link(ctx context.Context, person, kind, value string, t time.Time) error {
	own, err := p.owner(ctx, kind, value)
	switch {
	case err != nil:
		return err
	case own == person:
		return nil
	case own != "":
		return account.ErrIdentityTaken
	}
	var tx dynamo.Tx
	link(&tx, person, kind, value, "verified", t)
	if err := dynamo.Transact(ctx, p.DB, p.Table, "link identity", &tx); errors.Is(err, dynamo.ErrConditionFailed) {
		return account.ErrIdentityTaken
	} else if err != nil {
		return err
	}
	return nil
}

// Identities lists the identities linked to person, by kind.
func (p *People) Identities(ctx context.Context, person string) ([]account.Identity, error) {
	items, err := dynamo.QueryItems(ctx, p.DB, p.Table, "list identities", dynamo.Query{
		Key: dynamo.Partition("", dynamo.UserPK(person), dynamo.SKIdentityPrefix), Consistent: true})
	if err != nil {
		return nil, err
	}
	out := make([]account.Identity, 0, len(items))
	for _, raw := range items {
		var it identityItem
		if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
			return nil, fmt.Errorf("list identities: %w", err)
		}
		at, _ := time.Parse(time.RFC3339Nano, it.LinkedAt)
		out = append(out, account.Identity{Kind: it.Kind, Value: it.Value, LinkedAt: at})
	}
	return out, nil
}

// Migration is the report of one run of MigrateIdentities.
type Migration struct {
	Profiles int // profiles read
	Linked   int // people whose openid (and unionid) were linked, or would be in a dry run
	Already  int // people linked before
	Skipped  int // profiles of people who came through another channel first
	Pages    int // pages of the Scan done in this run
	Done     bool
}

// MigrationMarker names the item that remembers where an interrupted migration stopped.
const MigrationMarker = "migrate-identities"

type cursorItem struct {
	dynamo.Keys
	After   string `dynamodbav:"after"`   // the key of the last item the last page done read
	AfterSK string `dynamodbav:"afterSk"` //
	Done    bool   `dynamodbav:"done"`
}

// MigrateIdentities links every person known before identities existed (a profile
// USER#<openid> with no IDENT#oa#<openid>) to their official-account openid, and to the
// unionid their profile holds: their person id stays their openid, so nothing else
// moves. It reads the profiles page by page (pageSize each; a consistent Scan of SK =
// PROFILE) and, unless dryRun, records after each page where it got to, so a run
// interrupted (by ctx or a failure) goes on from there and a finished one does
// nothing; restart forgets the record. maxPages > 0 stops after that many pages (a
// bounded run; the next goes on). Linking twice is impossible (the link is
// conditional), so overlapping runs are safe.
func (p *People) MigrateIdentities(ctx context.Context, dryRun, restart bool, pageSize int32, maxPages int, t time.Time) (Migration, error) {
	var m Migration
	cur, _, err := dynamo.Get[cursorItem](ctx, p.DB, p.Table, "read migration cursor", dynamo.MarkPK(MigrationMarker), dynamo.SKMark, true)
	if err != nil {
		return m, err
	}
	if restart {
		cur = cursorItem{}
	}
	if cur.Done {
		m.Done = true
		return m, nil
	}
	after := [2]string{cur.After, cur.AfterSK}
	for {
		page, last, more, err := p.profiles(ctx, after, pageSize)
		if err != nil {
			return m, err
		}
		m.Pages++
		for _, pr := range page {
			m.Profiles++
			if err := p.migrateOne(ctx, pr, dryRun, t, &m); err != nil {
				return m, err
			}
		}
		if last[0] != "" {
			after = last
		}
		m.Done = !more
		if !dryRun {
			c := cursorItem{Keys: dynamo.Keys{PK: dynamo.MarkPK(MigrationMarker), SK: dynamo.SKMark}, After: after[0], AfterSK: after[1], Done: m.Done}
			if err := dynamo.Put(ctx, p.DB, p.Table, "record migration cursor", c, expression.ConditionBuilder{}); err != nil {
				return m, err
			}
		}
		if m.Done || m.Pages == maxPages {
			return m, nil
		}
		if err := ctx.Err(); err != nil {
			return m, err
		}
	}
}

func (p *People) migrateOne(ctx context.Context, pr personItem, dryRun bool, t time.Time, m *Migration) error {
	openid := strings.TrimPrefix(pr.PK, "USER#")
	if IsPersonID(openid) || strings.Contains(openid, "~") { // a dependant's strikes: booking.Holder
		m.Skipped++
		return nil
	}
	own, err := p.owner(ctx, auth.IdentOfficial, openid)
	if err != nil {
		return err
	}
	if own != "" {
		m.Already++
		return nil
	}
	m.Linked++
	if dryRun {
		return nil
	}
	var tx dynamo.Tx
	link(&tx, openid, auth.IdentOfficial, openid, "migration", t)
	if pr.UnionID != "" {
		if u, err := p.owner(ctx, auth.IdentUnion, pr.UnionID); err != nil {
			return err
		} else if u == "" {
			link(&tx, openid, auth.IdentUnion, pr.UnionID, "migration", t)
		}
	}
	err = dynamo.Transact(ctx, p.DB, p.Table, "migrate identity", &tx)
	if errors.Is(err, dynamo.ErrConditionFailed) {
		// Signed in meanwhile, which linked them.
		m.Linked--
		m.Already++
		return nil
	}
	return err
}

// profiles reads one page of the Scan for profiles after the key after (empty: from the
// start): the profiles, the key of the last item read and whether more may follow.
func (p *People) profiles(ctx context.Context, after [2]string, pageSize int32) ([]personItem, [2]string, bool, error) {
	var last [2]string
	filter := expression.Name("SK").Equal(expression.Value(dynamo.SKProfile)).
		And(expression.Name("PK").BeginsWith("USER#"))
	expr, err := expression.NewBuilder().WithFilter(filter).Build()
	if err != nil {
		return nil, last, false, err
	}
	in := &dynamodb.ScanInput{
		TableName: aws.String(p.Table), FilterExpression: expr.Filter(), ConsistentRead: aws.Bool(true),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(), Limit: aws.Int32(pageSize),
	}
	if after[0] != "" {
		in.ExclusiveStartKey = dynamo.Key(after[0], after[1])
	}
	out, err := p.DB.Scan(ctx, in)
	if err != nil {
		return nil, last, false, dynamo.FormatError("scan profiles", err)
	}
	var page []personItem
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &page); err != nil {
		return nil, last, false, fmt.Errorf("scan profiles: %w", err)
	}
	last[0], _ = dynamo.StringAttr(out.LastEvaluatedKey, "PK")
	last[1], _ = dynamo.StringAttr(out.LastEvaluatedKey, "SK")
	return page, last, len(out.LastEvaluatedKey) > 0, nil
}
