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

// The items below name their attributes here, not by the domain types, so that renaming
// a field there changes no stored data.

// grantItem is an evaluator.Grant in the table, with its Paths and Secret, which the API
// never answers.
type grantItem struct {
	dynamo.Keys
	dynamo.GSI1
	dynamo.GSI2
	ID           string    `dynamodbav:"ID"`
	OpenID       string    `dynamodbav:"OpenID"`
	Name         string    `dynamodbav:"Name"`
	Organisation string    `dynamodbav:"Organisation"`
	Districts    []string  `dynamodbav:"Districts"`
	Paths        []string  `dynamodbav:"Paths"`
	From         time.Time `dynamodbav:"From"`
	Until        time.Time `dynamodbav:"Until"`
	By           string    `dynamodbav:"By"`
	CreatedAt    time.Time `dynamodbav:"CreatedAt"`
	RevokedAt    time.Time `dynamodbav:"RevokedAt"`
	RevokedBy    string    `dynamodbav:"RevokedBy"`
	Secret       string    `dynamodbav:"Secret"`
}

func newGrantItem(g evaluator.Grant) grantItem {
	return grantItem{Keys: dynamo.Keys{PK: dynamo.GrantPK(g.ID), SK: dynamo.SKGrant}, GSI1: dynamo.GSI1{PK: dynamo.GSIGrants, SK: dynamo.NanoKey(g.CreatedAt) + "#" + g.ID},
		GSI2: dynamo.GSI2{PK: dynamo.GrantsOfPK(g.OpenID), SK: g.ID},
		ID:   g.ID, OpenID: g.OpenID, Name: g.Name, Organisation: g.Organisation, Districts: g.Districts, Paths: g.Paths, From: g.From,
		Until: g.Until, By: g.By, CreatedAt: g.CreatedAt, RevokedAt: g.RevokedAt, RevokedBy: g.RevokedBy, Secret: g.Secret}
}

func (it grantItem) grant() evaluator.Grant {
	return evaluator.Grant{ID: it.ID, OpenID: it.OpenID, Name: it.Name, Organisation: it.Organisation, Districts: it.Districts,
		Paths: it.Paths, From: it.From, Until: it.Until, By: it.By, CreatedAt: it.CreatedAt, RevokedAt: it.RevokedAt,
		RevokedBy: it.RevokedBy, Secret: it.Secret}
}

// accessItem is an evaluator.Access in the table.
type accessItem struct {
	dynamo.Keys
	dynamo.GSI1
	ID           string    `dynamodbav:"ID"`
	At           time.Time `dynamodbav:"At"`
	GrantID      string    `dynamodbav:"GrantID"`
	OpenID       string    `dynamodbav:"OpenID"`
	Name         string    `dynamodbav:"Name"`
	Organisation string    `dynamodbav:"Organisation"`
	Dataset      string    `dynamodbav:"Dataset"`
	DistrictID   string    `dynamodbav:"DistrictID"`
	From         string    `dynamodbav:"From"`
	To           string    `dynamodbav:"To"`
	Format       string    `dynamodbav:"Format"`
	Rows         int       `dynamodbav:"Rows"`
}

func (it accessItem) access() evaluator.Access {
	return evaluator.Access{ID: it.ID, At: it.At, GrantID: it.GrantID, OpenID: it.OpenID, Name: it.Name, Organisation: it.Organisation,
		Dataset: it.Dataset, DistrictID: it.DistrictID, From: it.From, To: it.To, Format: it.Format, Rows: it.Rows}
}

// AddGrant writes the grant (IF new) and adds the evaluator role to its holder's
// profile, raising their session version as every change of roles does, in one
// transaction.
func (e *Evaluators) AddGrant(ctx context.Context, g evaluator.Grant) error {
	var tx dynamo.Tx
	tx.Put(newGrantItem(g),
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
	return dynamo.QueryAllAs(ctx, e.DB, e.Table, "list own evaluation grants", dynamo.Query{Index: "GSI2", Key: dynamo.Partition("GSI2", dynamo.GrantsOfPK(openid), "")}, grantItem.grant)
}

// Grants returns every grant, the newest first (Query GSI1).
func (e *Evaluators) Grants(ctx context.Context) ([]evaluator.Grant, error) {
	return dynamo.QueryAllAs(ctx, e.DB, e.Table, "list evaluation grants", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.GSIGrants, ""), Backward: true}, grantItem.grant)
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
	return dynamo.Put(ctx, e.DB, e.Table, "log evaluator access", accessItem{Keys: dynamo.Keys{PK: dynamo.AccessPK(a.ID), SK: dynamo.SKAccess},
		GSI1: dynamo.GSI1{PK: dynamo.AccessesPK(evaluation.Period(a.At)), SK: dynamo.AccessSK(a.At, a.ID)},
		ID:   a.ID, At: a.At, GrantID: a.GrantID, OpenID: a.OpenID, Name: a.Name, Organisation: a.Organisation, Dataset: a.Dataset,
		DistrictID: a.DistrictID, From: a.From, To: a.To, Format: a.Format, Rows: a.Rows},
		expression.AttributeNotExists(expression.Name("PK")))
}

// Accesses returns a month's accesses, the newest first (Query GSI1).
func (e *Evaluators) Accesses(ctx context.Context, month string) ([]evaluator.Access, error) {
	return dynamo.QueryAllAs(ctx, e.DB, e.Table, "list evaluator accesses", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.AccessesPK(month), ""), Backward: true}, accessItem.access)
}
