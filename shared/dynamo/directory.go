package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/directory"
)

// Directory stores districts and venues.
type Directory struct {
	DB    *dynamodb.Client
	Table string
}

type districtItem struct {
	PK     string `dynamodbav:"PK"`
	SK     string `dynamodbav:"SK"`
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
	directory.District
}

type venueItem struct {
	PK     string `dynamodbav:"PK"`
	SK     string `dynamodbav:"SK"`
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
	directory.Venue
}

// PutDistrict writes a district after validating it.
func (d *Directory) PutDistrict(ctx context.Context, dist directory.District) error {
	if err := dist.Validate(); err != nil {
		return err
	}
	return d.put(ctx, "put district", districtItem{
		PK: districtPK(dist.ID), SK: skDistrict, GSI1PK: gsiDistricts, GSI1SK: dist.Path, District: dist,
	})
}

// District returns one district, or directory.ErrDistrictUnknown.
func (d *Directory) District(ctx context.Context, id string) (directory.District, error) {
	var it districtItem
	if err := d.get(ctx, "get district", districtPK(id), skDistrict, &it); err != nil {
		return directory.District{}, err
	}
	if it.PK == "" {
		return directory.District{}, directory.ErrDistrictUnknown
	}
	return it.District, nil
}

// Districts returns the whole tree in path order (parents before children) with one
// paginated Query of GSI1.
func (d *Directory) Districts(ctx context.Context) ([]directory.District, error) {
	var items []districtItem
	if err := d.queryGSI1(ctx, "list districts", gsiDistricts, "", &items); err != nil {
		return nil, err
	}
	out := make([]directory.District, len(items))
	for i, it := range items {
		out[i] = it.District
	}
	return out, nil
}

// PutVenue writes a venue after validating it; its district must exist.
func (d *Directory) PutVenue(ctx context.Context, v directory.Venue) error {
	if err := v.Validate(); err != nil {
		return err
	}
	dist, err := d.District(ctx, v.DistrictID)
	if err != nil {
		return fmt.Errorf("put venue %s: %w", v.ID, err)
	}
	v.DistrictPath = dist.Path
	return d.put(ctx, "put venue", venueItem{
		PK: venuePK(v.ID), SK: skVenue, GSI1PK: gsiVenues, GSI1SK: dist.Path + "#" + v.ID, Venue: v,
	})
}

// Venue returns one venue, or directory.ErrVenueNotFound.
func (d *Directory) Venue(ctx context.Context, id string) (directory.Venue, error) {
	var it venueItem
	if err := d.get(ctx, "get venue", venuePK(id), skVenue, &it); err != nil {
		return directory.Venue{}, err
	}
	if it.PK == "" {
		return directory.Venue{}, directory.ErrVenueNotFound
	}
	return it.Venue, nil
}

// VenuesUnder returns the venues of a district's whole subtree (all venues for the city).
func (d *Directory) VenuesUnder(ctx context.Context, dist directory.District) ([]directory.Venue, error) {
	var items []venueItem
	if err := d.queryGSI1(ctx, "list venues", gsiVenues, dist.Path, &items); err != nil {
		return nil, err
	}
	out := make([]directory.Venue, len(items))
	for i, it := range items {
		out[i] = it.Venue
	}
	return out, nil
}

func (d *Directory) put(ctx context.Context, op string, item any) error {
	return putItem(ctx, d.DB, d.Table, op, item)
}

func (d *Directory) get(ctx context.Context, op, pk, sk string, out any) error {
	return getItem(ctx, d.DB, d.Table, op, pk, sk, out)
}

func (d *Directory) queryGSI1(ctx context.Context, op, pk, skPrefix string, out any) error {
	return queryGSI1(ctx, d.DB, d.Table, op, pk, skPrefix, out)
}

// putItem marshals item and writes it unconditionally.
func putItem(ctx context.Context, db *dynamodb.Client, table, op string, item any) error {
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: av})
	return FormatError(op, err)
}

// getItem reads one item into out; out is left zero when there is none.
func getItem(ctx context.Context, db *dynamodb.Client, table, op, pk, sk string, out any) error {
	res, err := db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(table),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: pk},
			"SK": &types.AttributeValueMemberS{Value: sk},
		},
	})
	if err != nil {
		return FormatError(op, err)
	}
	if res.Item == nil {
		return nil
	}
	if err := attributevalue.UnmarshalMap(res.Item, out); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// queryGSI1 reads every item of a GSI1 partition, optionally only sort keys starting with
// skPrefix, into out (a pointer to a slice), following pages.
func queryGSI1(ctx context.Context, db *dynamodb.Client, table, op, pk, skPrefix string, out any) error {
	cond := expression.Key("GSI1PK").Equal(expression.Value(pk))
	if skPrefix != "" {
		cond = cond.And(expression.Key("GSI1SK").BeginsWith(skPrefix))
	}
	expr, err := expression.NewBuilder().WithKeyCondition(cond).Build()
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	p := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		IndexName:                 aws.String("GSI1"),
		KeyConditionExpression:    expr.KeyCondition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	var items []map[string]types.AttributeValue
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return FormatError(op, err)
		}
		items = append(items, page.Items...)
	}
	if err := attributevalue.UnmarshalListOfMaps(items, out); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// DistrictPath returns a district's path in the tree; ok is false when there is none.
func (d *Directory) DistrictPath(ctx context.Context, id string) (string, bool, error) {
	dist, err := d.District(ctx, id)
	if errors.Is(err, directory.ErrDistrictUnknown) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return dist.Path, true, nil
}

// VenueOf returns the name and district of a venue; ok is false when there is none.
func (d *Directory) VenueOf(ctx context.Context, id string) (name, districtID string, ok bool, err error) {
	v, err := d.Venue(ctx, id)
	if errors.Is(err, directory.ErrVenueNotFound) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, err
	}
	return v.Name, v.DistrictID, true, nil
}
