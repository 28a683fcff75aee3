package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/shared/dynamo"
)

// snapshotFile is the file in the data directory that holds the table between runs.
const snapshotFile = "table.json"

// writeOps are the DynamoDB operations that may change the table.
var writeOps = []string{"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}

// snapshot saves the embedded table to a file and loads it back.
type snapshot struct {
	db      *dynamodb.Client
	table   string
	path    string
	counter *dynamo.Counter // counts the client's calls, to skip saves when nothing was written
	saved   int64           // the write calls counted at the last save
}

func newSnapshot(db *dynamodb.Client, table, dir string, counter *dynamo.Counter) *snapshot {
	return &snapshot{db: db, table: table, path: filepath.Join(dir, snapshotFile), counter: counter}
}

// load imports the snapshot into the table and returns the number of items; when there
// is no snapshot yet it returns 0 and no error.
func (s *snapshot) load(ctx context.Context) (int, error) {
	f, err := os.Open(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n, err := dynamo.Import(ctx, s.db, s.table, f)
	if err != nil {
		return 0, fmt.Errorf("load %s: %w", s.path, err)
	}
	s.saved = s.writes()
	return n, nil
}

// saveIfChanged saves the table when a write call was made since the last save. It
// returns the number of items saved, or -1 when it skipped.
func (s *snapshot) saveIfChanged(ctx context.Context) (int, error) {
	if s.writes() == s.saved {
		return -1, nil
	}
	return s.save(ctx)
}

// save writes every item to a temporary file and renames it over the snapshot, so a
// crash leaves either the old snapshot or the new one, never half of one.
func (s *snapshot) save(ctx context.Context) (int, error) {
	w := s.writes()
	tmp, err := os.CreateTemp(filepath.Dir(s.path), snapshotFile+".*.tmp")
	if err != nil {
		return 0, fmt.Errorf("save snapshot: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	n, err := dynamo.Export(ctx, s.db, s.table, tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), s.path)
	}
	if err != nil {
		return 0, fmt.Errorf("save snapshot: %w", err)
	}
	s.saved = w
	return n, nil
}

func (s *snapshot) writes() int64 {
	calls := s.counter.Snapshot()
	var n int64
	for _, op := range writeOps {
		n += calls[op]
	}
	return n
}
