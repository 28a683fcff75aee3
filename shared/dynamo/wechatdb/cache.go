package wechatdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/shared/dynamo"
)

// Cache is a string cache in the table, shared by every instance of every function. The
// WeChat SDK keeps its access token in it (it implements the SDK's cache.ContextCache), so
// the token is fetched once for the platform, not once per Lambda instance.
// Entries expire by their expiresAt attribute, checked on read: DynamoDB's TTL deletion
// is lazy (and the embedded engine has none). An instance also remembers what it read
// until it expires, so a warm instance does not read the token for every send; Delete
// (after WeChat reported the token invalid) forgets it.
type Cache struct {
	DB    *dynamodb.Client
	Table string
	Now   func() time.Time
	Log   *slog.Logger

	mu   sync.Mutex
	memo map[string]cacheItem
}

type cacheItem struct {
	dynamo.Keys
	Value     string `dynamodbav:"value"`
	ExpiresAt int64  `dynamodbav:"expiresAt"`
}

const cacheTimeout = 3 * time.Second

func (c *Cache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// GetContext returns the cached string, or nil when there is none, it has expired, or the
// table cannot be read (the caller then fetches a fresh value).
func (c *Cache) GetContext(ctx context.Context, key string) any {
	v, err := c.get(ctx, key)
	if err != nil {
		c.logError("cache get", err)
		return nil
	}
	if v == "" {
		return nil
	}
	return v
}

func (c *Cache) get(ctx context.Context, key string) (string, error) {
	c.mu.Lock()
	it, ok := c.memo[key]
	c.mu.Unlock()
	if ok && it.ExpiresAt > c.now().Unix() {
		return it.Value, nil
	}
	it, found, err := dynamo.Get[cacheItem](ctx, c.DB, c.Table, "cache get", dynamo.CachePK(key), dynamo.SKCache, true)
	if err != nil || !found || it.ExpiresAt <= c.now().Unix() {
		return "", err
	}
	c.remember(key, it)
	return it.Value, nil
}

// SetContext stores a string for timeout.
func (c *Cache) SetContext(ctx context.Context, key string, val any, timeout time.Duration) error {
	var s string
	switch v := val.(type) {
	case string:
		s = v
	case fmt.Stringer:
		s = v.String()
	case int:
		s = strconv.Itoa(v)
	default:
		return fmt.Errorf("cache set %s: unsupported value type %T", key, val)
	}
	it := cacheItem{Keys: dynamo.Keys{PK: dynamo.CachePK(key), SK: dynamo.SKCache}, Value: s, ExpiresAt: c.now().Add(timeout).Unix()}
	if err := dynamo.Put(ctx, c.DB, c.Table, "cache set", it, expression.ConditionBuilder{}); err != nil {
		return err
	}
	c.remember(key, it)
	return nil
}

// IsExistContext reports whether an unexpired entry exists.
func (c *Cache) IsExistContext(ctx context.Context, key string) bool {
	return c.GetContext(ctx, key) != nil
}

// DeleteContext removes an entry (used to drop a token WeChat reported invalid).
func (c *Cache) DeleteContext(ctx context.Context, key string) error {
	c.mu.Lock()
	delete(c.memo, key)
	c.mu.Unlock()
	return dynamo.Delete(ctx, c.DB, c.Table, "cache delete", dynamo.CachePK(key), dynamo.SKCache)
}

// The context-free methods complete the SDK's cache.Cache interface, which calls them
// without a context; each gets its own short deadline.

func (c *Cache) Get(key string) any {
	ctx, cancel := context.WithTimeout(context.Background(), cacheTimeout)
	defer cancel()
	return c.GetContext(ctx, key)
}

func (c *Cache) Set(key string, val any, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), cacheTimeout)
	defer cancel()
	return c.SetContext(ctx, key, val, timeout)
}

func (c *Cache) IsExist(key string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), cacheTimeout)
	defer cancel()
	return c.IsExistContext(ctx, key)
}

func (c *Cache) Delete(key string) error {
	ctx, cancel := context.WithTimeout(context.Background(), cacheTimeout)
	defer cancel()
	return c.DeleteContext(ctx, key)
}

func (c *Cache) remember(key string, it cacheItem) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.memo == nil {
		c.memo = map[string]cacheItem{}
	}
	c.memo[key] = it
}

func (c *Cache) logError(op string, err error) {
	if c.Log != nil && !errors.Is(err, context.Canceled) {
		c.Log.Error(op, "err", err)
	}
}
