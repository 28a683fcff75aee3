package assessmentdb

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/accountdb"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/evaluator"
)

// Evaluators stores third-party evaluators' grants and the log of their reads.
type Evaluators struct {
	DB    *dynamodb.Client
	Table string
}

var _ evaluator.Store = (*Evaluators)(nil)

type grantItem struct {
	PK              string `dynamodbav:"PK"`
	SK              string `dynamodbav:"SK"`
	GSI1PK          string `dynamodbav:"GSI1PK"`
	GSI1SK          string `dynamodbav:"GSI1SK"`
	GSI2PK          string `dynamodbav:"GSI2PK"`
	GSI2SK          string `dynamodbav:"GSI2SK"`
	evaluator.Grant        // with its Paths and Secret, which the API never answers
}

func (it grantItem) grant() evaluator.Grant { return it.Grant }

type accessItem struct {
	PK     string `dynamodbav:"PK"`
	SK     string `dynamodbav:"SK"`
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
	evaluator.Access
}

// AddGrant writes the grant (IF new) and adds the evaluator role to its holder's
// profile, raising their session version as every change of roles does, in one
// transaction.
func (e *Evaluators) AddGrant(ctx context.Context, g evaluator.Grant) error {
	var tx dynamo.Tx
	tx.Put(grantItem{PK: dynamo.GrantPK(g.ID), SK: dynamo.SKGrant, GSI1PK: dynamo.GSIGrants, GSI1SK: dynamo.NanoKey(g.CreatedAt) + "#" + g.ID,
		GSI2PK: dynamo.GrantsOfPK(g.OpenID), GSI2SK: g.ID, Grant: g},
		expression.AttributeNotExists(expression.Name("PK")), nil)
	tx.Update(dynamo.UserPK(g.OpenID), dynamo.SKProfile,
		accountdb.BumpSession(expression.Add(expression.Name("roles"), expression.Value(&types.AttributeValueMemberSS{Value: []string{auth.RoleEvaluator}}))).
			Set(expression.Name("openid"), expression.Value(g.OpenID)).
			Set(expression.Name("createdAt"), expression.IfNotExists(expression.Name("createdAt"), expression.Value(dynamo.TimeKey(g.CreatedAt)))).
			Set(expression.Name("subscribed"), expression.IfNotExists(expression.Name("subscribed"), expression.Value(false))),
		expression.ConditionBuilder{}, nil)
	return dynamo.Transact(ctx, e.DB, e.Table, "add evaluation grant", &tx)
}

// Grant returns one grant (consistent), or evaluator.ErrGrantNotFound.
func (e *Evaluators) Grant(ctx context.Context, id string) (evaluator.Grant, error) {
	return dynamo.OneAs(ctx, e.DB, e.Table, "get evaluation grant", dynamo.GrantPK(id), dynamo.SKGrant, true, evaluator.ErrGrantNotFound, grantItem.grant)
}

// GrantsOf returns a person's grants (Query GSI2).
func (e *Evaluators) GrantsOf(ctx context.Context, openid string) ([]evaluator.Grant, error) {
	items, err := dynamo.QueryAll[grantItem](ctx, e.DB, e.Table, "list own evaluation grants", dynamo.Query{Index: "GSI2", Key: dynamo.Partition("GSI2", dynamo.GrantsOfPK(openid), "")})
	if err != nil {
		return nil, err
	}
	return dynamo.Convert(items, grantItem.grant), nil
}

// Grants returns every grant, the newest first (Query GSI1).
func (e *Evaluators) Grants(ctx context.Context) ([]evaluator.Grant, error) {
	items, err := dynamo.QueryAll[grantItem](ctx, e.DB, e.Table, "list evaluation grants", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.GSIGrants, ""), Backward: true})
	if err != nil {
		return nil, err
	}
	return dynamo.Convert(items, grantItem.grant), nil
}

// Revoke sets the grant's revocation IF it exists and is not revoked.
func (e *Evaluators) Revoke(ctx context.Context, id string, at time.Time, by string) error {
	cond := expression.AttributeExists(expression.Name("PK")).And(expression.Name("RevokedAt").Equal(expression.Value(time.Time{})))
	_, err := dynamo.Update(ctx, e.DB, e.Table, "revoke evaluation grant", dynamo.GrantPK(id), dynamo.SKGrant,
		expression.Set(expression.Name("RevokedAt"), expression.Value(at.UTC())).Set(expression.Name("RevokedBy"), expression.Value(by)),
		cond, types.ReturnValueNone)
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return evaluator.ErrGrantRevoked
	}
	return err
}

// LogAccess writes an access (IF new), listed on GSI1 under its month.
func (e *Evaluators) LogAccess(ctx context.Context, a evaluator.Access) error {
	return dynamo.Put(ctx, e.DB, e.Table, "log evaluator access", accessItem{PK: dynamo.AccessPK(a.ID), SK: dynamo.SKAccess,
		GSI1PK: dynamo.AccessesPK(evaluation.Period(a.At)), GSI1SK: dynamo.AccessSK(a.At, a.ID), Access: a},
		expression.AttributeNotExists(expression.Name("PK")))
}

// Accesses returns a month's accesses, the newest first (Query GSI1).
func (e *Evaluators) Accesses(ctx context.Context, month string) ([]evaluator.Access, error) {
	items, err := dynamo.QueryAll[accessItem](ctx, e.DB, e.Table, "list evaluator accesses", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.AccessesPK(month), ""), Backward: true})
	if err != nil {
		return nil, err
	}
	return dynamo.Convert(items, func(it accessItem) evaluator.Access { return it.Access }), nil
}
