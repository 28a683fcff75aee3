package accountdb

import (
	"context"
	"crypto/rand"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/wentitong/wentitong/shared/account"
	"github.com/wentitong/wentitong/shared/dynamo"
)

var _ account.Consents = (*People)(nil)

// consentAttr is the profile attribute that holds the current decision on a purpose:
// the uses read it from the profile they read anyway (the notifier's recipient check,
// the location's write condition).
func consentAttr(purpose string) string {
	return "consent" + strings.ToUpper(purpose[:1]) + purpose[1:] // consentMessages, consentLocation
}

// consentState is a current decision, on the profile.
type consentState struct {
	Granted bool   `dynamodbav:"granted"`
	Version string `dynamodbav:"version"`
	At      string `dynamodbav:"at"`
	Channel string `dynamodbav:"channel,omitempty"`
}

// ConsentLine is one decision in a person's consent log, USER#<person> / ConsentSK: on a
// purpose (account.Purposes), or on following a news topic (librarydb.News).
type ConsentLine struct {
	dynamo.Keys
	Purpose string    `dynamodbav:"purpose,omitempty"`
	Topic   string    `dynamodbav:"topic,omitempty"`
	Action  string    `dynamodbav:"action"` // granted or withdrawn
	Version string    `dynamodbav:"version,omitempty"`
	Channel string    `dynamodbav:"channel,omitempty"`
	At      time.Time `dynamodbav:"at"`
}

// ConsentSK is the sort key of a consent log line decided at at: CONSENT#<time>#<random>.
func ConsentSK(at time.Time) string {
	return dynamo.SKConsentPrefx + dynamo.NanoKey(at) + "#" + strings.ToLower(rand.Text()[:6])
}

func action(granted bool) string {
	if granted {
		return "granted"
	}
	return "withdrawn"
}

// SetConsent records c on the profile and in the log in one transaction; a withdrawal
// of the location deletes the location kept (USER#<person> / LOCATION).
func (p *People) SetConsent(ctx context.Context, person string, c account.Consent) error {
	ts := c.At.UTC().Format(time.RFC3339Nano)
	upd := expression.Set(expression.Name(consentAttr(c.Purpose)), expression.Value(consentState{Granted: c.Granted, Version: c.Version, At: ts, Channel: c.Channel})).
		Set(expression.Name("openid"), expression.Value(person)).
		Set(expression.Name("createdAt"), expression.IfNotExists(expression.Name("createdAt"), expression.Value(ts))).
		Set(expression.Name("subscribed"), expression.IfNotExists(expression.Name("subscribed"), expression.Value(false)))
	var tx dynamo.Tx
	tx.Update(dynamo.UserPK(person), dynamo.SKProfile, upd, expression.ConditionBuilder{}, nil)
	if c.Purpose == account.PurposeLocation && !c.Granted {
		tx.Delete(dynamo.UserPK(person), dynamo.SKLocation, expression.ConditionBuilder{}, nil)
	}
	tx.Put(ConsentLine{Keys: dynamo.Keys{PK: dynamo.UserPK(person), SK: ConsentSK(c.At)},
		Purpose: c.Purpose, Action: action(c.Granted), Version: c.Version, Channel: c.Channel, At: c.At.UTC()}, expression.ConditionBuilder{}, nil)
	return dynamo.Transact(ctx, p.DB, p.Table, "set consent", &tx)
}

// Consents reads the current decisions from the profile and the log (its lines with a
// purpose), newest first; the log is empty, not nil, when there is none.
func (p *People) Consents(ctx context.Context, person string) (map[string]account.Consent, []account.Consent, error) {
	current := map[string]account.Consent{}
	raw, err := dynamo.GetItem(ctx, p.DB, p.Table, "get consents", dynamo.UserPK(person), dynamo.SKProfile, true)
	if err != nil {
		return nil, nil, err
	}
	for _, pu := range account.Purposes {
		av, ok := raw[consentAttr(pu.ID)]
		if !ok {
			continue
		}
		var st consentState
		if err := attributevalue.Unmarshal(av, &st); err != nil {
			return nil, nil, fmt.Errorf("get consents: %w", err)
		}
		at, _ := time.Parse(time.RFC3339Nano, st.At)
		current[pu.ID] = account.Consent{Purpose: pu.ID, Granted: st.Granted, Version: st.Version, At: at, Channel: st.Channel}
	}
	items, err := dynamo.QueryAll[ConsentLine](ctx, p.DB, p.Table, "consent log", dynamo.Query{Key: dynamo.Partition("", dynamo.UserPK(person), dynamo.SKConsentPrefx), Consistent: true})
	if err != nil {
		return nil, nil, err
	}
	log := []account.Consent{}
	for _, it := range items {
		if it.Purpose == "" {
			continue // a news subscription's line
		}
		log = append(log, account.Consent{Purpose: it.Purpose, Granted: it.Action == "granted", Version: it.Version, At: it.At, Channel: it.Channel})
	}
	sort.SliceStable(log, func(i, j int) bool { return log[i].At.After(log[j].At) })
	return current, log, nil
}

// notWithdrawn is the condition that the person has not withdrawn consent to purpose.
func notWithdrawn(purpose string) expression.ConditionBuilder {
	granted := expression.Name(consentAttr(purpose) + ".granted")
	return expression.Or(expression.AttributeNotExists(granted), expression.Equal(granted, expression.Value(true)))
}
