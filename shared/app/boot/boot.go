// Package boot builds what every function needs at its cold start: its configuration,
// the DynamoDB client, the logger and the clock. Each function's own package (bookingsapp,
// wechatapp, …) builds the rest of its graph on a Base, and declares in its Needs the
// configuration it reads.
package boot

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/accountdb"
	"github.com/wentitong/wentitong/shared/dynamo/directorydb"
	"github.com/wentitong/wentitong/shared/secrets"
)

// Needs is the configuration every function reads.
var Needs = config.Needs{Required: []string{"TABLE_NAME"}, Optional: []string{"DYNAMODB_ENDPOINT", "LOG_LEVEL"}}

// SessionNeeds is the configuration a function that verifies session tokens reads.
var SessionNeeds = config.Needs{Required: []string{"SESSION_SECRET"}, Optional: []string{"ADMIN_OPENIDS"}}

// IDKeyNeeds is the configuration of a function that keeps ID numbers (volunteers',
// dependants' on real-name sessions): the key of their hashes.
var IDKeyNeeds = config.Needs{Required: []string{"ID_HASH_KEY"}}

// WeChatAPINeeds is the configuration a function that calls WeChat's API reads
// (shared/app/wechatapi builds its client).
var WeChatAPINeeds = config.Needs{Required: []string{"WECHAT_APP_ID", "WECHAT_APP_SECRET"}, Optional: []string{"WECHAT_API_BASE"}}

// Options are the parts a caller may supply instead of having them built from config.
type Options struct {
	DB        *dynamodb.Client // default: built from config (DYNAMODB_ENDPOINT)
	Now       func() time.Time // default: time.Now
	LogOutput io.Writer        // default: os.Stderr
	// Secrets reads the secrets the configuration gives by reference (config.Refs);
	// nil when it gives none (the local runner's and the tests' plain values).
	Secrets *secrets.Cache
}

// Base is what every function shares, built once per cold start.
type Base struct {
	// Config is the configuration without the secrets' values: a function reads each
	// secret it uses through Secret, which records it.
	Config config.Config
	Table  string
	DB     *dynamodb.Client
	Log    *slog.Logger
	Now    func() time.Time

	plain   config.Config
	secrets *secrets.Cache
	mu      sync.Mutex
	read    map[string]string // secret variable → the value read
}

// New builds the base of a function. It needs TABLE_NAME; each function's constructor
// checks the rest of what it needs.
func New(ctx context.Context, cfg config.Config, o Options) (*Base, error) {
	if err := cfg.Check(Needs); err != nil {
		return nil, err
	}
	b := &Base{Config: cfg.WithoutSecrets(), plain: cfg, secrets: o.Secrets, Table: cfg.TableName, DB: o.DB, Now: o.Now}
	if b.Now == nil {
		b.Now = time.Now
	}
	out := o.LogOutput
	if out == nil {
		out = os.Stderr
	}
	b.Log = slog.New(slog.NewJSONHandler(out, &slog.HandlerOptions{Level: logLevel(cfg.LogLevel)}))
	if b.DB == nil {
		db, err := dynamo.NewClient(ctx, dynamo.ClientOptions{Endpoint: cfg.DynamoEndpoint})
		if err != nil {
			return nil, err
		}
		b.DB = db
	}
	return b, nil
}

// Check returns an error naming every variable n requires that the configuration
// leaves unset (a secret is set by its value or its reference).
func (b *Base) Check(n config.Needs) error { return b.plain.Check(n) }

// Secret returns the value of the secret variable v (one of config.Secrets): the plain
// value the configuration holds, else the current value of the Secrets Manager secret
// its reference names. It records every secret read (SecretsRead), so that what a
// function reads is what its code asks for, and a rotation can be noticed (Live).
func (b *Base) Secret(v string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	val, err := ReadSecret(ctx, b.plain, b.secrets, v)
	if err != nil {
		return "", err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.read == nil {
		b.read = map[string]string{}
	}
	b.read[v] = val
	return val, nil
}

// ReadSecret returns the value of the secret variable v (one of config.Secrets) of cfg:
// its plain value, else the current value of the Secrets Manager secret its reference
// names, read through c. Functions read theirs through Base.Secret; the operators'
// commands (infra/menu) through this.
func ReadSecret(ctx context.Context, cfg config.Config, c *secrets.Cache, v string) (string, error) {
	if !slices.Contains(config.Secrets, v) {
		return "", fmt.Errorf("config: %s is not a secret", v)
	}
	val := cfg.Secret(v)
	if ref := cfg.Refs[v]; val == "" && ref != "" {
		if c == nil {
			return "", fmt.Errorf("config: %s: no Secrets Manager client to read %s", v, ref)
		}
		var err error
		if val, err = c.Get(ctx, ref); err != nil {
			return "", fmt.Errorf("config: %s: %w", v, err)
		}
	}
	if val == "" {
		return "", fmt.Errorf("config: missing %s", v)
	}
	return val, nil
}

// OptionalSecret is Secret for a secret a function can go without: "" when the
// configuration gives neither its value nor its reference.
func (b *Base) OptionalSecret(v string) (string, error) {
	if b.plain.Secret(v) == "" && b.plain.Refs[v] == "" {
		return "", nil
	}
	return b.Secret(v)
}

// SecretsRead returns the secret variables read through Secret, sorted.
func (b *Base) SecretsRead() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Sorted(maps.Keys(b.read))
}

// IDHashKey returns the key of ID numbers' hashes (ID_HASH_KEY, at least 32 bytes).
func (b *Base) IDHashKey() ([]byte, error) {
	if err := b.Check(IDKeyNeeds); err != nil {
		return nil, err
	}
	key, err := b.Secret("ID_HASH_KEY")
	if err != nil {
		return nil, err
	}
	if len(key) < auth.MinSecretLen {
		return nil, fmt.Errorf("config: ID_HASH_KEY must be at least %d bytes", auth.MinSecretLen)
	}
	return []byte(key), nil
}

// Sessions returns the session service of a function that verifies session tokens (it
// signs nobody in: the account function adds the WeChat sign-in). It needs
// SESSION_SECRET of at least 32 bytes.
func (b *Base) Sessions() (*auth.Service, error) {
	secret, err := b.Secret("SESSION_SECRET")
	if err != nil {
		return nil, err
	}
	if len(secret) < auth.MinSecretLen {
		return nil, fmt.Errorf("config: SESSION_SECRET must be at least %d bytes", auth.MinSecretLen)
	}
	return &auth.Service{
		Secret: []byte(secret),
		Admins: b.Config.AdminOpenIDs,
		People: b.People(),
		Now:    b.Now,
	}, nil
}

// DefaultH5Base is the H5 site linked from the chat and the menu when H5_BASE_URL is
// unset: the pages function's routes (/h5) on the API's custom domain.
const DefaultH5Base = "https://h5.wentitong.cn/h5"

// H5Base is H5_BASE_URL, or DefaultH5Base.
func (b *Base) H5Base() string {
	if b.Config.H5BaseURL != "" {
		return b.Config.H5BaseURL
	}
	return DefaultH5Base
}

// Guard decides whose district data a signed-in person may act on.
func (b *Base) Guard() access.Guard {
	d := b.Directory()
	return access.Guard{Scopes: d, Districts: d}
}

// Policy enforces the routes' access rules with the session service and the guard. It
// needs SESSION_SECRET of at least 32 bytes.
func (b *Base) Policy() (*access.Policy, error) {
	sessions, err := b.Sessions()
	if err != nil {
		return nil, err
	}
	return &access.Policy{Sessions: sessions, Guard: b.Guard()}, nil
}

// PolicyFor checks that the configuration has what a function needs, then builds its
// Policy: the first step of every HTTP function's router.
func (b *Base) PolicyFor(needs config.Needs) (*access.Policy, error) {
	if err := b.Check(needs); err != nil {
		return nil, err
	}
	return b.Policy()
}

// The stores every function uses: people (sessions) and the directory (scopes).

func (b *Base) People() *accountdb.People { return &accountdb.People{DB: b.DB, Table: b.Table} }
func (b *Base) Directory() *directorydb.Directory {
	return &directorydb.Directory{DB: b.DB, Table: b.Table}
}

// Job is one piece of timed work. Run must be idempotent: the scheduler may run it twice
// for the same minute (an EventBridge retry, two local ticks) and nothing may happen twice.
type Job struct {
	Name string
	Run  func(ctx context.Context, now time.Time) error
}

func logLevel(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelInfo
	}
	return l
}

// Must returns v, or logs err and exits: for mains, where a cold start that cannot build
// its dependencies must fail loudly.
func Must[T any](v T, err error) T {
	if err != nil {
		slog.Error("startup failed", "err", err)
		os.Exit(1)
	}
	return v
}
