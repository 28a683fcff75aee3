package dynamodev_test

import (
	"bytes"
	"context"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/dynamodev"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/sam"
)

// The table the tests (and the local runner) create must be the one template.yaml defines.
func TestTableMatchesTemplate(t *testing.T) {
	tbl := dynamotest.New(t)
	tmpl, err := sam.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	def, err := tmpl.Table(dynamodev.TableLogicalID)
	if err != nil {
		t.Fatal(err)
	}
	out, err := tbl.DB.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(tbl.Name)})
	if err != nil {
		t.Fatal(err)
	}
	got := out.Table

	if g, w := keys(got.KeySchema), templateKeys(def.KeySchema); !reflect.DeepEqual(g, w) {
		t.Errorf("key schema = %v, want %v", g, w)
	}
	// The embedded engine's DescribeTable leaves AttributeDefinitions out, so check the
	// CreateTable call the adapter makes from the template instead.
	var gotAttrs, wantAttrs []string
	for _, a := range dynamodev.CreateTableInput(def, tbl.Name).AttributeDefinitions {
		gotAttrs = append(gotAttrs, aws.ToString(a.AttributeName)+":"+string(a.AttributeType))
	}
	for _, a := range def.AttributeDefinitions {
		wantAttrs = append(wantAttrs, a.AttributeName+":"+a.AttributeType)
	}
	slices.Sort(gotAttrs)
	slices.Sort(wantAttrs)
	if !reflect.DeepEqual(gotAttrs, wantAttrs) {
		t.Errorf("attribute definitions = %v, want %v", gotAttrs, wantAttrs)
	}
	gotIdx := map[string][]string{}
	for _, g := range got.GlobalSecondaryIndexes {
		gotIdx[aws.ToString(g.IndexName)] = append(keys(g.KeySchema), string(g.Projection.ProjectionType))
	}
	wantIdx := map[string][]string{}
	for _, g := range def.GlobalSecondaryIndexes {
		wantIdx[g.IndexName] = append(templateKeys(g.KeySchema), g.Projection.ProjectionType)
	}
	if len(wantIdx) == 0 || !reflect.DeepEqual(gotIdx, wantIdx) {
		t.Errorf("global secondary indexes = %v, want %v", gotIdx, wantIdx)
	}
}

func TestCounterCountsCallsPerOperation(t *testing.T) {
	tbl := dynamotest.New(t)
	for _, pk := range []string{"A", "B", "C"} {
		if err := tbl.PutKey(t, pk, nil); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = tbl.DB.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(tbl.Name),
		Key:       map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "A"}, "SK": &types.AttributeValueMemberS{Value: "X"}},
	})
	got := tbl.Counter.Snapshot()
	if got["PutItem"] != 3 || got["GetItem"] != 1 || tbl.Counter.Total() != 4 {
		t.Errorf("counter = %v, want PutItem 3, GetItem 1, total 4", got)
	}
	// A retried call is one logical call.
	tbl.Counter.Reset()
	restore := tbl.FailAll(t)
	_ = tbl.PutKey(t, "D", nil)
	restore()
	if got := tbl.Counter.Snapshot()["PutItem"]; got != 1 {
		t.Errorf("counter after a retried, failed put = %d PutItem, want 1", got)
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	src := dynamotest.New(t)
	ctx := context.Background()
	item := map[string]types.AttributeValue{
		"PK":   &types.AttributeValueMemberS{Value: "VENUE#1"},
		"SK":   &types.AttributeValueMemberS{Value: "VENUE"},
		"name": &types.AttributeValueMemberS{Value: "株洲市图书馆"},
		"n":    &types.AttributeValueMemberN{Value: "12345678901234567890"},
		"ok":   &types.AttributeValueMemberBOOL{Value: true},
		"b":    &types.AttributeValueMemberB{Value: []byte{0, 1, 2}},
		"ss":   &types.AttributeValueMemberSS{Value: []string{"a", "b"}},
		"ns":   &types.AttributeValueMemberNS{Value: []string{"1", "2"}},
		"l":    &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "x"}, &types.AttributeValueMemberNULL{Value: true}}},
		"m":    &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"lat": &types.AttributeValueMemberN{Value: "27.83"}}},
	}
	if _, err := src.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(src.Name), Item: item}); err != nil {
		t.Fatal(err)
	}
	for i := range 30 { // more than one BatchWriteItem of 25
		if err := src.PutKey(t, "P"+string(rune('A'+i)), nil); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	n, err := dynamodev.Export(ctx, src.DB, src.Name, &buf)
	if err != nil || n != 31 {
		t.Fatalf("Export = %d, %v; want 31 items", n, err)
	}
	dst := dynamotest.New(t)
	if n, err := dynamodev.Import(ctx, dst.DB, dst.Name, &buf); err != nil || n != 31 {
		t.Fatalf("Import = %d, %v; want 31 items", n, err)
	}
	out, err := dst.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(dst.Name), Key: map[string]types.AttributeValue{"PK": item["PK"], "SK": item["SK"]}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out.Item, item) {
		t.Errorf("imported item = %#v, want %#v", out.Item, item)
	}
}

func keys(ks []types.KeySchemaElement) []string {
	var out []string
	for _, k := range ks {
		out = append(out, aws.ToString(k.AttributeName)+":"+string(k.KeyType))
	}
	return out
}

func templateKeys(ks []sam.KeyElement) []string {
	var out []string
	for _, k := range ks {
		out = append(out, k.AttributeName+":"+k.KeyType)
	}
	return out
}

// The local runner's stand-in for DynamoDB's TTL process deletes what expired, and
// nothing else: not an item expiring later, not one without the attribute.
func TestSweepDeletesOnlyExpiredItems(t *testing.T) {
	tbl := dynamotest.New(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	put := func(pk string, expires *time.Time) {
		t.Helper()
		it := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: "X"}}
		if expires != nil {
			it["expiresAt"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)}
		}
		if _, err := tbl.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(tbl.Name), Item: it}); err != nil {
			t.Fatal(err)
		}
	}
	past, due, later := now.Add(-time.Hour), now, now.Add(time.Second)
	put("gone-1", &past)
	put("gone-2", &due)
	put("kept-later", &later)
	put("kept-forever", nil)
	n, err := dynamodev.SweepExpired(ctx, tbl.DB, tbl.Name, "expiresAt", now)
	if err != nil || n != 2 {
		t.Fatalf("SweepExpired = %d, %v; want 2", n, err)
	}
	out, err := tbl.DB.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(tbl.Name)})
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, it := range out.Items {
		left = append(left, it["PK"].(*types.AttributeValueMemberS).Value)
	}
	slices.Sort(left)
	if !slices.Equal(left, []string{"kept-forever", "kept-later"}) {
		t.Errorf("left after the sweep: %v", left)
	}
}
