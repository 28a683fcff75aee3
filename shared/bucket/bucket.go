// Package bucket is the media bucket in Amazon S3 (or, locally and in tests, an embedded
// S3-compatible server reached through the same client): presigned uploads and reads,
// and the few object operations the library needs.
package bucket

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/wentitong/wentitong/shared/library"
)

// Bucket is one S3 bucket.
type Bucket struct {
	S3      *s3.Client
	Presign *s3.PresignClient
	Name    string
}

var _ library.Objects = (*Bucket)(nil)

// Options configures New.
type Options struct {
	Name string // the bucket (MEDIA_BUCKET)
	// Endpoint overrides the S3 endpoint (S3_ENDPOINT: the embedded server). With it,
	// requests use path-style addresses and fixed dev credentials, and checksums only
	// where S3 requires them.
	Endpoint string
}

// New builds the S3 client of a process from the environment's AWS configuration.
func New(ctx context.Context, o Options) (*Bucket, error) {
	if o.Name == "" {
		return nil, errors.New("bucket: no bucket name (MEDIA_BUCKET)")
	}
	var loadOpts []func(*config.LoadOptions) error
	if o.Endpoint != "" {
		loadOpts = append(loadOpts, config.WithDefaultRegion("us-east-1"),
			config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("load aws config: %w", err)
	}
	client := s3.NewFromConfig(cfg, func(opts *s3.Options) {
		if o.Endpoint != "" {
			opts.BaseEndpoint = aws.String(o.Endpoint)
			opts.UsePathStyle = true
			opts.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			opts.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		}
	})
	return &Bucket{S3: client, Presign: s3.NewPresignClient(client), Name: o.Name}, nil
}

// PresignPut returns a URL that accepts one PUT of the object until ttl passes. The
// content type and length are signed: S3 refuses a PUT whose headers differ.
func (b *Bucket) PresignPut(ctx context.Context, key, contentType string, size int64, ttl time.Duration) (string, map[string]string, error) {
	req, err := b.Presign.PresignPutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(b.Name), Key: aws.String(key), ContentType: aws.String(contentType), ContentLength: aws.Int64(size),
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", nil, fmt.Errorf("presign put %s: %w", key, err)
	}
	headers := map[string]string{}
	for k, v := range req.SignedHeader {
		if strings.EqualFold(k, "Host") || len(v) == 0 {
			continue
		}
		headers[http.CanonicalHeaderKey(k)] = v[0]
	}
	headers["Content-Type"] = contentType
	return req.URL, headers, nil
}

// PresignGet returns a URL that reads the object, range requests included, until ttl
// passes.
func (b *Bucket) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	req, err := b.Presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.Name), Key: aws.String(key)},
		s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("presign get %s: %w", key, err)
	}
	return req.URL, nil
}

// Head returns the object's size, or library.ErrObjectMissing.
func (b *Bucket) Head(ctx context.Context, key string) (int64, error) {
	out, err := b.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b.Name), Key: aws.String(key)})
	if missing(err) {
		return 0, library.ErrObjectMissing
	}
	if err != nil {
		return 0, fmt.Errorf("head %s: %w", key, err)
	}
	return aws.ToInt64(out.ContentLength), nil
}

// ReadRange returns up to n bytes from off (a ranged GET).
func (b *Bucket) ReadRange(ctx context.Context, key string, off, n int64) ([]byte, error) {
	out, err := b.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.Name), Key: aws.String(key),
		Range: aws.String(fmt.Sprintf("bytes=%d-%d", off, off+n-1))})
	if missing(err) {
		return nil, library.ErrObjectMissing
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	defer out.Body.Close()
	return io.ReadAll(io.LimitReader(out.Body, n))
}

// Open reads a whole object.
func (b *Bucket) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	out, err := b.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.Name), Key: aws.String(key)})
	if missing(err) {
		return nil, library.ErrObjectMissing
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", key, err)
	}
	return out.Body, nil
}

// Put stores an object.
func (b *Bucket) Put(ctx context.Context, key, contentType string, body []byte) error {
	_, err := b.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b.Name), Key: aws.String(key),
		ContentType: aws.String(contentType), Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body)))})
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// Delete removes objects (DeleteObjects, 1,000 keys a call); keys already gone are not
// an error. In the versioned bucket this leaves delete markers; the lifecycle rule
// removes the old versions after 30 days.
func (b *Bucket) Delete(ctx context.Context, keys ...string) error {
	for len(keys) > 0 {
		n := min(len(keys), 1000)
		objs := make([]types.ObjectIdentifier, n)
		for i, k := range keys[:n] {
			objs[i] = types.ObjectIdentifier{Key: aws.String(k)}
		}
		out, err := b.S3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(b.Name),
			Delete: &types.Delete{Objects: objs, Quiet: aws.Bool(true)}})
		if err != nil {
			return fmt.Errorf("delete %d objects: %w", n, err)
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return fmt.Errorf("delete %s: %s %s", aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message))
		}
		keys = keys[n:]
	}
	return nil
}

// EnsureBucket creates the bucket when it does not exist (the embedded server; in AWS
// the template creates it).
func (b *Bucket) EnsureBucket(ctx context.Context) error {
	if _, err := b.S3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(b.Name)}); err == nil {
		return nil
	}
	if _, err := b.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b.Name)}); err != nil {
		return fmt.Errorf("create bucket %s: %w", b.Name, err)
	}
	return nil
}

// missing reports whether err says the object does not exist.
func missing(err error) bool {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	var api smithy.APIError
	return errors.As(err, &nsk) || errors.As(err, &nf) || errors.As(err, &api) && (api.ErrorCode() == "NoSuchKey" || api.ErrorCode() == "NotFound")
}

// SearchKey is where the search index's snapshot is kept in the bucket.
const SearchKey = "search/index.tar"

// SearchSnapshots is the search index's snapshot in the bucket (search.Snapshots): the
// indexer publishes it, the search function fetches it when its ETag changed.
type SearchSnapshots struct{ Bucket *Bucket }

// Fetch returns the snapshot unless its ETag is have.
func (s SearchSnapshots) Fetch(ctx context.Context, have string) (io.ReadCloser, string, bool, bool, error) {
	b := s.Bucket
	head, err := b.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b.Name), Key: aws.String(SearchKey)})
	if missing(err) {
		return nil, "", false, false, nil
	}
	if err != nil {
		return nil, "", false, false, fmt.Errorf("head search snapshot: %w", err)
	}
	etag := aws.ToString(head.ETag)
	if etag == have {
		return nil, etag, false, true, nil
	}
	out, err := b.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.Name), Key: aws.String(SearchKey)})
	if err != nil {
		return nil, "", false, false, fmt.Errorf("get search snapshot: %w", err)
	}
	return out.Body, aws.ToString(out.ETag), true, true, nil
}

// Publish stores a new snapshot.
func (s SearchSnapshots) Publish(ctx context.Context, snapshot []byte) error {
	return s.Bucket.Put(ctx, SearchKey, "application/x-tar", snapshot)
}

// Origin is the scheme and host presigned URLs of the bucket point to, for a page's
// Content-Security-Policy.
func (b *Bucket) Origin(ctx context.Context) (string, error) {
	u, err := b.PresignGet(ctx, "origin", time.Minute)
	if err != nil {
		return "", err
	}
	parsed, err := url.Parse(u)
	if err != nil {
		return "", err
	}
	return parsed.Scheme + "://" + parsed.Host, nil
}
