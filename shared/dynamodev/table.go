package dynamodev

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/sam"
)

// TableLogicalID is the table's logical id in template.yaml.
const TableLogicalID = "Table"

// CreateTableInput turns the template's table definition into the CreateTable call that
// makes the same table under the given name: keys, attribute definitions, indexes and
// projections, billing mode and stream. (TTL, PITR, SSE and deletion protection are table
// settings CloudFormation applies; the embedded engine has none of them.)
func CreateTableInput(def *sam.Table, name string) *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingMode(def.BillingMode),
		KeySchema:   keySchema(def.KeySchema),
	}
	for _, a := range def.AttributeDefinitions {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(a.AttributeName),
			AttributeType: types.ScalarAttributeType(a.AttributeType),
		})
	}
	for _, g := range def.GlobalSecondaryIndexes {
		gsi := types.GlobalSecondaryIndex{
			IndexName: aws.String(g.IndexName),
			KeySchema: keySchema(g.KeySchema),
			Projection: &types.Projection{
				ProjectionType: types.ProjectionType(g.Projection.ProjectionType),
			},
		}
		if len(g.Projection.NonKeyAttributes) > 0 {
			gsi.Projection.NonKeyAttributes = g.Projection.NonKeyAttributes
		}
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, gsi)
	}
	if v := def.StreamSpecification.StreamViewType; v != "" {
		in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewType(v)}
	}
	return in
}

func keySchema(ks []sam.KeyElement) []types.KeySchemaElement {
	out := make([]types.KeySchemaElement, 0, len(ks))
	for _, k := range ks {
		out = append(out, types.KeySchemaElement{AttributeName: aws.String(k.AttributeName), KeyType: types.KeyType(k.KeyType)})
	}
	return out
}

// EnsureTable creates the table as the project's template.yaml defines it, unless a table
// of that name exists already.
func EnsureTable(ctx context.Context, db *dynamodb.Client, name string) error {
	tmpl, err := sam.LoadDefault()
	if err != nil {
		return err
	}
	def, err := tmpl.Table(TableLogicalID)
	if err != nil {
		return err
	}
	_, err = db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err == nil {
		return nil
	}
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		return fmt.Errorf("describe table %s: %w", name, err)
	}
	if _, err := db.CreateTable(ctx, CreateTableInput(def, name)); err != nil {
		return fmt.Errorf("create table %s: %w", name, err)
	}
	return nil
}
