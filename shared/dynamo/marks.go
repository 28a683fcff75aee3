package dynamo

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
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
	return PutMark(ctx, m.DB, m.Table, "put mark", MarkPK(marker), SKMark, now.Add(keep))
}

// markItem is a mark: its keys and when it expires.
type markItem struct {
	Keys
	ExpiresAt int64 `dynamodbav:"expiresAt"` // epoch seconds: the table's TTL
}

// PutMark writes the item at pk/sk with nothing but its keys and its expiry: a mark that
// something was done, kept until expires.
func PutMark(ctx context.Context, db *dynamodb.Client, table, op, pk, sk string, expires time.Time) error {
	return Put(ctx, db, table, op, markItem{Keys: Keys{PK: pk, SK: sk}, ExpiresAt: expires.Unix()}, expression.ConditionBuilder{})
}
