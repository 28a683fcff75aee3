// Package secrets reads the platform's secrets from AWS Secrets Manager at run time,
// cached per instance and read again once the cache is older than its TTL, so that a
// rotated secret reaches running functions without a deploy.
package secrets

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// DefaultTTL is how long a value read is used before it is read again.
const DefaultTTL = 5 * time.Minute

// API is the part of the Secrets Manager client the cache uses.
type API interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Cache reads secrets by id (a name or an ARN), each at most once per TTL.
type Cache struct {
	API API
	TTL time.Duration    // default DefaultTTL
	Now func() time.Time // default time.Now

	mu   sync.Mutex
	read map[string]entry
}

type entry struct {
	value string
	at    time.Time
}

// New returns a cache over the Secrets Manager client the environment configures, or,
// with endpoint, over the one at endpoint (the local runner's fake) with static
// credentials.
func New(ctx context.Context, endpoint string) (*Cache, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if endpoint != "" {
		opts = append(opts, awsconfig.WithDefaultRegion("us-east-1"),
			awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load aws config: %w", err)
	}
	client := secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
	return &Cache{API: client}, nil
}

// Get returns the current value of the secret id: from the cache while it is younger
// than the TTL, else read again. A failed read is returned, never a stale value, so
// that a cold start without its secrets fails loudly.
func (c *Cache) Get(ctx context.Context, id string) (string, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.read[id]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.ttl() {
		return e.value, nil
	}
	out, err := c.API.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
	if err != nil {
		return "", fmt.Errorf("read secret %s: %w", id, err)
	}
	if out.SecretString == nil {
		return "", fmt.Errorf("read secret %s: it has no string value", id)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.read == nil {
		c.read = map[string]entry{}
	}
	c.read[id] = entry{value: *out.SecretString, at: now}
	return *out.SecretString, nil
}

// Fresh reports whether every value read is younger than the TTL: while it is, Get
// answers from memory.
func (c *Cache) Fresh() bool {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.read {
		if now.Sub(e.at) >= c.ttl() {
			return false
		}
	}
	return true
}

func (c *Cache) ttl() time.Duration {
	if c.TTL > 0 {
		return c.TTL
	}
	return DefaultTTL
}

func (c *Cache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
