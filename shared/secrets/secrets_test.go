package secrets_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/secrets"
	"github.com/wentitong/wentitong/shared/secrets/secretstest"
)

// Through the SDK's client against the fake: a value is read once per TTL, a rotation
// reaches the reader once the TTL has passed, and a missing secret is an error.
func TestCacheReadsOncePerTTLAndSeesRotation(t *testing.T) {
	ctx := context.Background()
	fake := secretstest.NewServer(t, map[string]string{"wentitong/test/SESSION_SECRET": "first"})
	c, err := secrets.New(ctx, fake.URL)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	c.Now, c.TTL = func() time.Time { return now }, time.Minute
	for range 3 {
		if v, err := c.Get(ctx, "wentitong/test/SESSION_SECRET"); err != nil || v != "first" {
			t.Fatalf("Get = %q, %v; want first", v, err)
		}
	}
	if n := fake.Reads("wentitong/test/SESSION_SECRET"); n != 1 {
		t.Errorf("read %d times within the TTL, want 1", n)
	}
	fake.Put("wentitong/test/SESSION_SECRET", "second") // rotated
	if v, _ := c.Get(ctx, "wentitong/test/SESSION_SECRET"); v != "first" || !c.Fresh() {
		t.Errorf("within the TTL: Get = %q, Fresh = %v; want the cached first", v, c.Fresh())
	}
	now = now.Add(time.Minute)
	if c.Fresh() {
		t.Error("Fresh after the TTL, want stale")
	}
	if v, err := c.Get(ctx, "wentitong/test/SESSION_SECRET"); err != nil || v != "second" {
		t.Errorf("after the TTL: Get = %q, %v; want the rotated second", v, err)
	}
	// By ARN too, as the template gives it.
	if v, err := c.Get(ctx, secretstest.ARN("wentitong/test/SESSION_SECRET")); err != nil || v != "second" {
		t.Errorf("Get(ARN) = %q, %v", v, err)
	}
	if _, err := c.Get(ctx, "wentitong/test/NOPE"); err == nil || !strings.Contains(err.Error(), "ResourceNotFound") {
		t.Errorf("Get(missing) = %v, want ResourceNotFoundException", err)
	}
}
