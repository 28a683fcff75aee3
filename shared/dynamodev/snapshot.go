package dynamodev

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wentitong/wentitong/shared/dynamo"
)

// snapshot is the file format of Export and Import: the items in DynamoDB JSON.
type snapshot struct {
	Table      string    `json:"table"`
	ExportedAt time.Time `json:"exportedAt"`
	SnapshotInfo
	Items []map[string]events.DynamoDBAttributeValue `json:"items"`
}

// SnapshotInfo is what a snapshot says about itself besides its items.
type SnapshotInfo struct {
	// Journal is, in a snapshot the local runner keeps beside its journal, the generation
	// of the first journal file whose writes the snapshot does not hold (0: none kept).
	Journal uint64 `json:"journal,omitempty"`
}

// Export writes every item of the table to w, through the DynamoDB API (a paginated Scan:
// this is an operator's tool, never a request path). It returns the number of items.
func Export(ctx context.Context, db *dynamodb.Client, table string, w io.Writer) (int, error) {
	return ExportSnapshot(ctx, db, table, w, SnapshotInfo{})
}

// ExportSnapshot is Export with info written beside the items.
func ExportSnapshot(ctx context.Context, db *dynamodb.Client, table string, w io.Writer, info SnapshotInfo) (int, error) {
	snap := snapshot{Table: table, ExportedAt: time.Now().UTC(), SnapshotInfo: info, Items: []map[string]events.DynamoDBAttributeValue{}}
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(table)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, dynamo.FormatError("export scan", err)
		}
		for _, it := range page.Items {
			img, err := ToImage(it)
			if err != nil {
				return 0, fmt.Errorf("export: %w", err)
			}
			snap.Items = append(snap.Items, img)
		}
	}
	enc := json.NewEncoder(w)
	if err := enc.Encode(snap); err != nil {
		return 0, fmt.Errorf("export encode: %w", err)
	}
	return len(snap.Items), nil
}

// Import writes the items of a snapshot made by Export into the table, in batches of 25,
// retrying unprocessed items. It returns the number of items written.
func Import(ctx context.Context, db *dynamodb.Client, table string, r io.Reader) (int, error) {
	n, _, err := ImportSnapshot(ctx, db, table, r)
	return n, err
}

// ImportSnapshot is Import that also returns what the snapshot says about itself.
func ImportSnapshot(ctx context.Context, db *dynamodb.Client, table string, r io.Reader) (int, SnapshotInfo, error) {
	var snap snapshot
	if err := json.NewDecoder(r).Decode(&snap); err != nil {
		return 0, SnapshotInfo{}, fmt.Errorf("import decode: %w", err)
	}
	var batch []types.WriteRequest
	flush := func() error {
		pending := map[string][]types.WriteRequest{table: batch}
		for attempt := 0; len(pending[table]) > 0; attempt++ {
			if attempt == 5 {
				return fmt.Errorf("import: %d items still unprocessed after %d attempts", len(pending[table]), attempt)
			}
			out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return dynamo.FormatError("import batch write", err)
			}
			pending = out.UnprocessedItems
			time.Sleep(time.Duration(attempt) * 50 * time.Millisecond)
		}
		batch = batch[:0]
		return nil
	}
	for _, img := range snap.Items {
		item, err := FromImage(img)
		if err != nil {
			return 0, SnapshotInfo{}, fmt.Errorf("import: %w", err)
		}
		batch = append(batch, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
		if len(batch) == 25 {
			if err := flush(); err != nil {
				return 0, SnapshotInfo{}, err
			}
		}
	}
	if len(batch) > 0 {
		if err := flush(); err != nil {
			return 0, SnapshotInfo{}, err
		}
	}
	return len(snap.Items), snap.SnapshotInfo, nil
}
