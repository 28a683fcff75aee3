package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/fault"
)

// The single-item operations and queries every store uses: one way to read an item or
// not find it, to read a partition to its end, and to write under a condition.

// An Item is one item as the SDK sees it.
type Item = map[string]types.AttributeValue

// GetItem reads the item at pk/sk (strongly consistent when consistent); nil when absent.
func GetItem(ctx context.Context, db *dynamodb.Client, table, op, pk, sk string, consistent bool) (Item, error) {
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: Key(pk, sk), ConsistentRead: aws.Bool(consistent)})
	if err != nil {
		return nil, FormatError(op, err)
	}
	return out.Item, nil
}

// Get reads the item at pk/sk into a T; found is false, and the T zero, when there is none.
func Get[T any](ctx context.Context, db *dynamodb.Client, table, op, pk, sk string, consistent bool) (it T, found bool, err error) {
	raw, err := GetItem(ctx, db, table, op, pk, sk, consistent)
	if err != nil || raw == nil {
		return it, false, err
	}
	if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
		return it, false, fmt.Errorf("%s: %w", op, err)
	}
	return it, true, nil
}

// One reads the item at pk/sk into a T, or returns notFound when there is none.
func One[T any](ctx context.Context, db *dynamodb.Client, table, op, pk, sk string, consistent bool, notFound error) (T, error) {
	it, found, err := Get[T](ctx, db, table, op, pk, sk, consistent)
	if err == nil && !found {
		err = notFound
	}
	return it, err
}

// OneAs reads the item at pk/sk as an I and returns as(item), the domain value it holds,
// or notFound when there is none.
func OneAs[I, T any](ctx context.Context, db *dynamodb.Client, table, op, pk, sk string, consistent bool, notFound error, as func(I) T) (T, error) {
	it, err := One[I](ctx, db, table, op, pk, sk, consistent, notFound)
	if err != nil {
		var zero T
		return zero, err
	}
	return as(it), nil
}

// Put writes item (marshalled with attributevalue), under cond when cond is set; a failed
// condition is ErrConditionFailed.
func Put(ctx context.Context, db *dynamodb.Client, table, op string, item any, cond expression.ConditionBuilder) error {
	p, err := newPut(item, cond)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: p.Item, ConditionExpression: p.ConditionExpression,
		ExpressionAttributeNames: p.ExpressionAttributeNames, ExpressionAttributeValues: p.ExpressionAttributeValues})
	return FormatError(op, err)
}

// Delete deletes the item at pk/sk (there may be none).
func Delete(ctx context.Context, db *dynamodb.Client, table, op, pk, sk string) error {
	_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: Key(pk, sk)})
	return FormatError(op, err)
}

// Update runs one UpdateItem of the item at pk/sk, under cond when cond is set, and
// returns the attributes rv asks for; a failed condition is ErrConditionFailed.
func Update(ctx context.Context, db *dynamodb.Client, table, op, pk, sk string, upd expression.UpdateBuilder, cond expression.ConditionBuilder, rv types.ReturnValue) (Item, error) {
	u, err := newUpdate(pk, sk, upd, cond)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	out, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(table), Key: u.Key, UpdateExpression: u.UpdateExpression, ConditionExpression: u.ConditionExpression,
		ExpressionAttributeNames: u.ExpressionAttributeNames, ExpressionAttributeValues: u.ExpressionAttributeValues, ReturnValues: rv,
	})
	if err != nil {
		return nil, FormatError(op, err)
	}
	return out.Attributes, nil
}

// newPut is the Put of item (marshalled with attributevalue) under cond when cond is set,
// for PutItem or a transaction.
func newPut(item any, cond expression.ConditionBuilder) (*types.Put, error) {
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return nil, err
	}
	expr, err := build(nil, cond)
	return &types.Put{Item: av, ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(),
		ExpressionAttributeValues: expr.Values()}, err
}

// newUpdate is the Update of the item at pk/sk under cond when cond is set, for
// UpdateItem or a transaction.
func newUpdate(pk, sk string, upd expression.UpdateBuilder, cond expression.ConditionBuilder) (*types.Update, error) {
	expr, err := build(&upd, cond)
	return &types.Update{Key: Key(pk, sk), UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}, err
}

// build builds upd, when there is one, and cond, when it is set; with neither, the
// expression is empty.
func build(upd *expression.UpdateBuilder, cond expression.ConditionBuilder) (expression.Expression, error) {
	if upd == nil && !cond.IsSet() {
		return expression.Expression{}, nil
	}
	b := expression.NewBuilder()
	if upd != nil {
		b = b.WithUpdate(*upd)
	}
	if cond.IsSet() {
		b = b.WithCondition(cond)
	}
	return b.Build()
}

// A Query is one Query of the table (Index "") or of an overloaded index (GSI1, GSI2,
// GSI3).
type Query struct {
	Index      string
	Key        expression.KeyConditionBuilder
	Filter     expression.ConditionBuilder // applied when set
	Projection expression.ProjectionBuilder
	Project    bool  // apply Projection
	Consistent bool  // strongly consistent (the table only)
	Backward   bool  // descending sort key
	Count      bool  // Select COUNT
	Limit      int32 // items read per page (0: DynamoDB's page of up to 1 MB)
}

// Partition is the key condition of a partition of the table (index "") or of an index,
// optionally only its sort keys beginning with skPrefix.
func Partition(index, pk, skPrefix string) expression.KeyConditionBuilder {
	pkName, skName := "PK", "SK"
	if index != "" {
		pkName, skName = index+"PK", index+"SK"
	}
	cond := expression.Key(pkName).Equal(expression.Value(pk))
	if skPrefix != "" {
		cond = cond.And(expression.Key(skName).BeginsWith(skPrefix))
	}
	return cond
}

// Input builds the QueryInput of q on table.
func (q Query) Input(table string) (*dynamodb.QueryInput, error) {
	b := expression.NewBuilder().WithKeyCondition(q.Key)
	if q.Filter.IsSet() {
		b = b.WithFilter(q.Filter)
	}
	if q.Project {
		b = b.WithProjection(q.Projection)
	}
	expr, err := b.Build()
	if err != nil {
		return nil, err
	}
	in := &dynamodb.QueryInput{
		TableName: aws.String(table), KeyConditionExpression: expr.KeyCondition(), FilterExpression: expr.Filter(),
		ProjectionExpression: expr.Projection(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}
	if q.Index != "" {
		in.IndexName = aws.String(q.Index)
	} else if q.Consistent {
		in.ConsistentRead = aws.Bool(true)
	}
	if q.Backward {
		in.ScanIndexForward = aws.Bool(false)
	}
	if q.Count {
		in.Select = types.SelectCount
	}
	if q.Limit > 0 {
		in.Limit = aws.Int32(q.Limit)
	}
	return in, nil
}

// QueryPage runs one page of q, at most q.Limit items read, from after (a page's
// LastEvaluatedKey; nil: the start); next is nil on the last page.
func QueryPage(ctx context.Context, db *dynamodb.Client, table, op string, q Query, after Item) (items []Item, next Item, err error) {
	in, err := q.Input(table)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", op, err)
	}
	in.ExclusiveStartKey = after
	out, err := db.Query(ctx, in)
	if err != nil {
		return nil, nil, FormatError(op, err)
	}
	return out.Items, out.LastEvaluatedKey, nil
}

// First runs one page of q (at most q.Limit items read) and returns its items as Ts,
// never nil: the newest few of a partition, with Backward.
func First[T any](ctx context.Context, db *dynamodb.Client, table, op string, q Query) ([]T, error) {
	items, _, err := QueryPage(ctx, db, table, op, q, nil)
	if err != nil {
		return nil, err
	}
	return unmarshalAll[T](op, items)
}

// QueryItems runs q to its last page and returns the items (with Count, none: see
// QueryCount).
func QueryItems(ctx context.Context, db *dynamodb.Client, table, op string, q Query) ([]Item, error) {
	var items []Item
	_, err := paginate(ctx, db, table, op, q, func(page *dynamodb.QueryOutput) { items = append(items, page.Items...) })
	return items, err
}

// QueryAll runs q to its last page and returns its items as Ts, never nil.
func QueryAll[T any](ctx context.Context, db *dynamodb.Client, table, op string, q Query) ([]T, error) {
	items, err := QueryItems(ctx, db, table, op, q)
	if err != nil {
		return nil, err
	}
	return unmarshalAll[T](op, items)
}

// QueryAllAs runs q to its last page and returns as(item) of each of its items, read as
// Is: the domain values they hold, never nil.
func QueryAllAs[I, T any](ctx context.Context, db *dynamodb.Client, table, op string, q Query, as func(I) T) ([]T, error) {
	items, err := QueryAll[I](ctx, db, table, op, q)
	if err != nil {
		return nil, err
	}
	return Convert(items, as), nil
}

// FirstAs runs one page of q, as First, and returns as(item) of each of its items.
func FirstAs[I, T any](ctx context.Context, db *dynamodb.Client, table, op string, q Query, as func(I) T) ([]T, error) {
	items, err := First[I](ctx, db, table, op, q)
	if err != nil {
		return nil, err
	}
	return Convert(items, as), nil
}

// unmarshalAll turns the items a query read into Ts, never nil.
func unmarshalAll[T any](op string, items []Item) ([]T, error) {
	out := []T{}
	if err := attributevalue.UnmarshalListOfMaps(items, &out); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return out, nil
}

// QueryCount runs q to its last page and returns how many items match it.
func QueryCount(ctx context.Context, db *dynamodb.Client, table, op string, q Query) (int, error) {
	q.Count = true
	n := 0
	_, err := paginate(ctx, db, table, op, q, func(page *dynamodb.QueryOutput) { n += int(page.Count) })
	return n, err
}

func paginate(ctx context.Context, db *dynamodb.Client, table, op string, q Query, each func(*dynamodb.QueryOutput)) (int, error) {
	in, err := q.Input(table)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	p := dynamodb.NewQueryPaginator(db, in)
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return pages, FormatError(op, err)
		}
		each(page)
		pages++
	}
	return pages, nil
}

// Convert maps each of items with f: the items a query read to the domain values they
// hold, or ids to the keys a BatchGet reads.
func Convert[I, T any](items []I, f func(I) T) []T {
	out := make([]T, len(items))
	for i, it := range items {
		out[i] = f(it)
	}
	return out
}

// ConvertList turns a list an item holds into the values it stands for, or back, keeping
// an absent (nil) list absent: an item stores it as NULL, not as an empty list.
func ConvertList[I, T any](items []I, f func(I) T) []T {
	if items == nil {
		return nil
	}
	return Convert(items, f)
}

// BatchGet reads any number of keys with BatchGetItem, 100 a call, retrying unprocessed
// keys after a pause (backoff), five attempts in all; the items come in no particular
// order.
func BatchGet(ctx context.Context, db *dynamodb.Client, table, op string, keys []Item, consistent bool) ([]Item, error) {
	var out []Item
	for start := 0; start < len(keys); start += 100 {
		pending := keys[start:min(start+100, len(keys))]
		for attempt := 0; len(pending) > 0; attempt++ {
			if attempt == 5 {
				return nil, fmt.Errorf("%s: unprocessed keys: %w", op, fault.ErrUnavailable)
			}
			if attempt > 0 {
				if err := backoff(ctx, attempt); err != nil {
					return nil, err
				}
			}
			res, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
				table: {Keys: pending, ConsistentRead: aws.Bool(consistent)},
			}})
			if err != nil {
				return nil, FormatError(op, err)
			}
			out = append(out, res.Responses[table]...)
			pending = res.UnprocessedKeys[table].Keys
		}
	}
	return out, nil
}

// BatchGetAll reads the items at keys, as BatchGet, and returns them as Ts.
func BatchGetAll[T any](ctx context.Context, db *dynamodb.Client, table, op string, keys []Item, consistent bool) ([]T, error) {
	items, err := BatchGet(ctx, db, table, op, keys, consistent)
	if err != nil {
		return nil, err
	}
	return unmarshalAll[T](op, items)
}

// StringAttr returns the string attribute name of item, and whether it is one.
func StringAttr(item Item, name string) (string, bool) {
	s, ok := item[name].(*types.AttributeValueMemberS)
	if !ok {
		return "", false
	}
	return s.Value, true
}

// StringAttrs returns the string attribute name of each of items that has one, never nil.
func StringAttrs(items []Item, name string) []string {
	out := []string{}
	for _, it := range items {
		if s, ok := StringAttr(it, name); ok {
			out = append(out, s)
		}
	}
	return out
}

// NilIfEmpty stores an empty list as absent: the embedded engine mangles empty lists.
func NilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// EmptyIfNil reads an absent list as empty, so that answers show [] rather than null.
func EmptyIfNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// RFC3339Nano is how an item stores a time to the nanosecond, in UTC.
func RFC3339Nano(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
