// Package buckettest gives tests and the local runner an embedded S3-compatible server
// (gofakes3) reached through the real aws-sdk-go-v2 client, with a stand-in for the
// bucket's "object created" notifications.
package buckettest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/wentitong/wentitong/shared/bucket"
)

// BucketName is the bucket of tests and the local runner.
const BucketName = "wentitong-media-local"

// Server is an S3-compatible handler that calls Created after each object a client
// PUTs (or completes as a multipart upload), as S3's event notification would.
type Server struct {
	S3 http.Handler
	// Created is called with the bucket and key of each object created, after the
	// response is written; nil calls nothing.
	Created func(bucket, key string)
}

// NewServer wraps an S3 backend's handler.
func NewServer(backend gofakes3.Backend) *Server {
	return &Server{S3: gofakes3.New(backend, gofakes3.WithAutoBucket(true)).Server()}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	s.S3.ServeHTTP(rec, r)
	if rec.status/100 != 2 || !creates(r) || s.Created == nil { // Created is read only for a creation: tests set it while reads are served
		return
	}
	bucketName, key, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if !ok || key == "" {
		return
	}
	if k, err := url.PathUnescape(key); err == nil {
		key = k
	}
	s.Created(bucketName, key)
}

// creates reports whether r creates an object: a PUT that is not a part or a copy, or
// the completion of a multipart upload.
func creates(r *http.Request) bool {
	q := r.URL.Query()
	switch r.Method {
	case http.MethodPut:
		return !q.Has("partNumber") && r.Header.Get("X-Amz-Copy-Source") == ""
	case http.MethodPost:
		return q.Has("uploadId")
	}
	return false
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// Kit is a test's bucket on its own embedded server.
type Kit struct {
	Bucket *bucket.Bucket
	Server *Server
	URL    string
}

// New starts an in-memory S3 server for the test with the bucket created; it stops when
// the test ends.
func New(tb testing.TB) *Kit {
	tb.Helper()
	s := NewServer(s3mem.New())
	srv := httptest.NewServer(s)
	tb.Cleanup(srv.Close)
	b, err := bucket.New(context.Background(), bucket.Options{Name: BucketName, Endpoint: srv.URL})
	if err != nil {
		tb.Fatalf("buckettest: %v", err)
	}
	if err := b.EnsureBucket(context.Background()); err != nil {
		tb.Fatalf("buckettest: %v", err)
	}
	return &Kit{Bucket: b, Server: s, URL: srv.URL}
}
