package accountdb

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/account"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/notify"
)

var (
	_ notify.Mini          = (*People)(nil)
	_ account.MiniAccepted = (*People)(nil)
)

// AcceptMiniSubscriptions adds one acceptance for each template id (account.MiniAccepted),
// each under the condition that the person holds fewer than account.MaxAcceptances of
// it, and returns how many each holds now.
func (p *People) AcceptMiniSubscriptions(ctx context.Context, person string, templateIDs []string, at string) (map[string]int, error) {
	out := map[string]int{}
	for _, id := range templateIDs {
		n := expression.Name("n")
		res, err := dynamo.Update(ctx, p.DB, p.Table, "accept mini subscription", dynamo.UserPK(person), dynamo.MiniSubSK(id, person),
			expression.Add(n, expression.Value(1)).Set(expression.Name("templateId"), expression.Value(id)).Set(expression.Name("at"), expression.Value(at)),
			expression.AttributeNotExists(n).Or(n.LessThan(expression.Value(account.MaxAcceptances))), types.ReturnValueAllNew)
		if errors.Is(err, dynamo.ErrConditionFailed) {
			out[id] = account.MaxAcceptances
			continue
		}
		if err != nil {
			return nil, err
		}
		var it struct {
			N int `dynamodbav:"n"`
		}
		if err := attributevalue.UnmarshalMap(res, &it); err != nil {
			return nil, err
		}
		out[id] = it.N
	}
	return out, nil
}

// MiniOpenID returns the mini program openid linked to person (IDENT#mp#…), or "".
func (p *People) MiniOpenID(ctx context.Context, person string) (string, error) {
	ids, err := dynamo.QueryItems(ctx, p.DB, p.Table, "mini program identity", dynamo.Query{
		Key: dynamo.Partition("", dynamo.UserPK(person), dynamo.SKIdentityPrefix+auth.IdentMini+"#"), Consistent: true})
	if err != nil || len(ids) == 0 {
		return "", err
	}
	v, _ := dynamo.StringAttr(ids[0], "value")
	return v, nil
}

// UseAcceptance takes one of person's acceptances of templateID (notify.Mini): a
// decrement under the condition that one is left, of the first of their items (their
// own, or a merged person's) that has one. It reports false when none is left.
func (p *People) UseAcceptance(ctx context.Context, person, templateID string) (bool, error) {
	items, err := dynamo.QueryItems(ctx, p.DB, p.Table, "mini subscriptions", dynamo.Query{
		Key: dynamo.Partition("", dynamo.UserPK(person), dynamo.SKMiniSubPrefix+templateID+"#"), Consistent: true})
	if err != nil {
		return false, err
	}
	for _, it := range items {
		sk, _ := dynamo.StringAttr(it, "SK")
		n := expression.Name("n")
		_, err := dynamo.Update(ctx, p.DB, p.Table, "use mini subscription", dynamo.UserPK(person), sk,
			expression.Add(n, expression.Value(-1)), n.GreaterThan(expression.Value(0)), types.ReturnValueNone)
		if errors.Is(err, dynamo.ErrConditionFailed) {
			continue // none left there (or taken meanwhile)
		}
		return err == nil, err
	}
	return false, nil
}

// ReturnAcceptance gives back an acceptance UseAcceptance took, when the message it was
// taken for was not sent and will be tried again.
func (p *People) ReturnAcceptance(ctx context.Context, person, templateID string) error {
	_, err := dynamo.Update(ctx, p.DB, p.Table, "return mini subscription", dynamo.UserPK(person), dynamo.MiniSubSK(templateID, person),
		expression.Add(expression.Name("n"), expression.Value(1)).Set(expression.Name("templateId"), expression.Value(templateID)),
		expression.ConditionBuilder{}, types.ReturnValueNone)
	return err
}
