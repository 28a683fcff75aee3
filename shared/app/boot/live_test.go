package boot_test

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/secrets"
	"github.com/wentitong/wentitong/shared/secrets/secretstest"
)

// A function reads its secrets at its cold start through their references, and picks up
// a rotated one without a deploy: after the cache's TTL the next call rebuilds its
// handler with the new value; an unreadable secret fails the cold start but never a
// running function.
func TestLiveRebuildsOnRotation(t *testing.T) {
	ctx := context.Background()
	const name = "wentitong/test/SESSION_SECRET"
	fake := secretstest.NewServer(t, map[string]string{name: "first-session-secret-of-32-bytes!!"})
	cache, err := secrets.New(ctx, fake.URL)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	cache.Now, cache.TTL = func() time.Time { return now }, time.Minute
	env := map[string]string{"TABLE_NAME": "t", config.SecretRef("SESSION_SECRET"): secretstest.ARN(name)}
	cfg := config.From(func(k string) string { return env[k] })
	o := boot.Options{LogOutput: io.Discard, Secrets: cache}
	builds := 0
	live, err := boot.NewLive(ctx, cfg, o, func(b *boot.Base) (string, error) {
		builds++
		if b.Config.SessionSecret != "" {
			t.Error("the base's Config holds a secret's value; want it read through Secret only")
		}
		return b.Secret("SESSION_SECRET")
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := live.Current(ctx); got != "first-session-secret-of-32-bytes!!" || builds != 1 {
		t.Fatalf("Current = %q after %d builds, want the secret's value after 1", got, builds)
	}
	fake.Put(name, "second-session-secret-of-32-bytes!")
	if got := live.Current(ctx); got != "first-session-secret-of-32-bytes!!" {
		t.Errorf("within the TTL: Current = %q, want the first value", got)
	}
	now = now.Add(time.Minute)
	if got := live.Current(ctx); got != "second-session-secret-of-32-bytes!" || builds != 2 {
		t.Errorf("after the TTL: Current = %q after %d builds, want the rotated value after 2", got, builds)
	}
	now = now.Add(time.Minute) // read again, unchanged: no rebuild
	if live.Current(ctx); builds != 2 {
		t.Errorf("%d builds after an unchanged read, want 2", builds)
	}
	if n := fake.Reads(name); n != 3 {
		t.Errorf("the secret was read %d times, want 3 (cold start, two TTLs)", n)
	}

	// Secrets Manager refusing: the running function keeps its handler…
	fake.Allow("local") // the SDK client's access key may now read nothing
	now = now.Add(time.Minute)
	if got := live.Current(ctx); got != "second-session-secret-of-32-bytes!" || builds != 2 {
		t.Errorf("with the secret unreadable: Current = %q after %d builds, want the last good one after 2", got, builds)
	}
	// …but a cold start fails loudly.
	_, err = boot.NewLive(ctx, cfg, o, func(b *boot.Base) (string, error) { return b.Secret("SESSION_SECRET") })
	if err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("NewLive with an unreadable secret = %v, want the cold start to fail with AccessDenied", err)
	}
}

// A function reads only the secrets its code asks for, whatever else its configuration
// names; one it asks for but is not given fails with the variable's name.
func TestBaseReadsOnlyTheSecretsAskedFor(t *testing.T) {
	ctx := context.Background()
	fake := secretstest.NewServer(t, map[string]string{"s": "session-secret-of-at-least-32-bytes", "t": "token"})
	cache, err := secrets.New(ctx, fake.URL)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TABLE_NAME": "t", "SESSION_SECRET_ARN": "s", "WECHAT_TOKEN_ARN": "t"}
	b, err := boot.New(ctx, config.From(func(k string) string { return env[k] }), boot.Options{LogOutput: io.Discard, Secrets: cache})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Sessions(); err != nil {
		t.Fatal(err)
	}
	if got := b.SecretsRead(); !slices.Equal(got, []string{"SESSION_SECRET"}) {
		t.Errorf("SecretsRead = %v, want [SESSION_SECRET]", got)
	}
	if got := fake.ReadBy("local"); !slices.Equal(got, []string{"s"}) {
		t.Errorf("Secrets Manager served %v, want [s]", got)
	}
	if _, err := b.Secret("TICKET_SIGNING_KEY"); err == nil || !strings.Contains(err.Error(), "missing TICKET_SIGNING_KEY") {
		t.Errorf("Secret(TICKET_SIGNING_KEY) = %v, want missing TICKET_SIGNING_KEY", err)
	}
	if v, err := b.OptionalSecret("WECHAT_ENCODING_AES_KEY"); v != "" || err != nil {
		t.Errorf("OptionalSecret(unset) = %q, %v; want \"\", nil", v, err)
	}
}
