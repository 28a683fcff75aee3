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
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/accountdb"
	"github.com/wentitong/wentitong/shared/dynamo/directorydb"
)

// Needs is the configuration every function reads.
var Needs = config.Needs{Required: []string{"TABLE_NAME"}, Optional: []string{"DYNAMODB_ENDPOINT", "LOG_LEVEL"}}

// SessionNeeds is the configuration a function that verifies session tokens reads.
var SessionNeeds = config.Needs{Required: []string{"SESSION_SECRET"}, Optional: []string{"ADMIN_OPENIDS"}}

// WeChatAPINeeds is the configuration a function that calls WeChat's API reads
// (shared/app/wechatapi builds its client).
var WeChatAPINeeds = config.Needs{Required: []string{"WECHAT_APP_ID", "WECHAT_APP_SECRET"}, Optional: []string{"WECHAT_API_BASE"}}

// Options are the parts a caller may supply instead of having them built from config.
type Options struct {
	DB        *dynamodb.Client // default: built from config (DYNAMODB_ENDPOINT)
	Now       func() time.Time // default: time.Now
	LogOutput io.Writer        // default: os.Stderr
}

// Base is what every function shares, built once per cold start.
type Base struct {
	Config config.Config
	Table  string
	DB     *dynamodb.Client
	Log    *slog.Logger
	Now    func() time.Time
}

// New builds the base of a function. It needs TABLE_NAME; each function's constructor
// checks the rest of what it needs.
func New(ctx context.Context, cfg config.Config, o Options) (*Base, error) {
	if err := cfg.Check(Needs); err != nil {
		return nil, err
	}
	b := &Base{Config: cfg, Table: cfg.TableName, DB: o.DB, Now: o.Now}
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

// Sessions returns the session service of a function that verifies session tokens (it
// signs nobody in: the account function adds the WeChat sign-in). It needs
// SESSION_SECRET of at least 32 bytes.
func (b *Base) Sessions() (*auth.Service, error) {
	if len(b.Config.SessionSecret) < auth.MinSecretLen {
		return nil, fmt.Errorf("config: SESSION_SECRET must be at least %d bytes", auth.MinSecretLen)
	}
	return &auth.Service{
		Secret: []byte(b.Config.SessionSecret),
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
	if err := b.Config.Check(needs); err != nil {
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
