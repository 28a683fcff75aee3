package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/johannesboyne/gofakes3/backend/s3afero"
	"github.com/spf13/afero"

	"github.com/wentitong/wentitong/shared/bucket"
	"github.com/wentitong/wentitong/shared/buckettest"
	"github.com/wentitong/wentitong/shared/library"
)

// objectsDir is the directory under -data that holds the embedded S3 server's objects.
const objectsDir = "objects"

// objects is the embedded S3-compatible server: its objects are files under the data
// directory, so they survive restarts like the table.
type objects struct {
	server *buckettest.Server
	http   *httpServer
	url    string
	// notify hands each created media object to the MediaFunction's handler, as S3's
	// notification would (asynchronously, after the PUT has been answered).
	mu     sync.Mutex
	notify func(ctx context.Context, raw json.RawMessage) error
	wg     sync.WaitGroup
}

// startObjects serves the data directory's objects on loopback.
func startObjects(dataDir string, log *slog.Logger) (*objects, error) {
	dir := filepath.Join(dataDir, objectsDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("objects directory: %w", err)
	}
	backend, err := s3afero.MultiBucket(afero.NewBasePathFs(afero.NewOsFs(), dir))
	if err != nil {
		return nil, fmt.Errorf("embedded S3: %w", err)
	}
	o := &objects{server: buckettest.NewServer(backend)}
	o.server.Created = o.created
	if o.http, err = serveLoopback(o.server, log); err != nil {
		return nil, err
	}
	o.url = o.http.url
	return o, nil
}

// created is S3's "object created" notification for keys under media/ (the filter of
// MediaFunction's Upload event in template.yaml).
func (o *objects) created(bucketName, key string) {
	if !strings.HasPrefix(key, library.MediaPrefix) {
		return
	}
	o.mu.Lock()
	notify := o.notify
	o.mu.Unlock()
	if notify == nil {
		return
	}
	ev := events.S3Event{Records: []events.S3EventRecord{{EventSource: "aws:s3", EventName: "ObjectCreated:Put", EventTime: time.Now(),
		S3: events.S3Entity{Bucket: events.S3Bucket{Name: bucketName}, Object: events.S3Object{Key: url.QueryEscape(key)}}}}}
	raw, err := json.Marshal(ev)
	if err != nil {
		return
	}
	o.wg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // the MediaFunction's Timeout
		defer cancel()
		_ = notify(ctx, raw) // the handler logs its failures
	})
}

// bucket returns the client of the runner's bucket, creating the bucket.
func (o *objects) bucket(ctx context.Context, name string) (*bucket.Bucket, error) {
	b, err := bucket.New(ctx, bucket.Options{Name: name, Endpoint: o.url})
	if err != nil {
		return nil, err
	}
	return b, b.EnsureBucket(ctx)
}

// stop waits for the notifications under way, then stops the server.
func (o *objects) stop() {
	o.wg.Wait()
	_ = o.http.stop(time.Second)
}
