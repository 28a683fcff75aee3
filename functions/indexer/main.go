// Command indexer is the IndexerFunction Lambda: it keeps the search index in step with
// the table's stream and publishes its snapshot to the media bucket.
package main

import (
	"context"
	"os"
	"path/filepath"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/libraryapp"
	"github.com/wentitong/wentitong/shared/config"
)

func main() {
	ctx := context.Background()
	b := boot.Must(boot.New(ctx, config.FromEnv(), boot.Options{}))
	ix, publish, err := libraryapp.NewIndexer(ctx, b, filepath.Join(os.TempDir(), "search-index"))
	ix = boot.Must(ix, err)
	lambda.Start(libraryapp.IndexerHandler(ix, publish, b.Log))
}
