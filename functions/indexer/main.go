// Command indexer is the IndexerFunction Lambda: it keeps the search index in step with
// the table's stream and publishes its snapshot to the media bucket.
package main

import (
	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/libraryapp"
)

func main() { boot.Start(libraryapp.DeployedIndexer) }
