package dynamo

import (
	"context"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Marks records that a piece of scheduled work was done, so that later runs skip it:
// one item per marker, PK MARK#<marker>, SK MARK, expiring after a while (TTL).
type Marks struct {
	DB    *dynamodb.Client
	Table string
}

// Done reports whether the marker was set (consistent read).
func (m *Marks) Done(ctx context.Context, marker string) (bool, error) {
	it, err := GetItem(ctx, m.DB, m.Table, "get mark", MarkPK(marker), SKMark, true)
	return it != nil, err
}

// Set records the marker until keep from now.
func (m *Marks) Set(ctx context.Context, marker string, now time.Time, keep time.Duration) error {
	_, err := m.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(m.Table), Item: Item{
		"PK":        &types.AttributeValueMemberS{Value: MarkPK(marker)},
		"SK":        &types.AttributeValueMemberS{Value: SKMark},
		"expiresAt": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(keep).Unix(), 10)},
	}})
	return FormatError("put mark", err)
}
