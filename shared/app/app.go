// Package app builds the platform's dependency graph once per process. Every Lambda
// function's main, the local runner and the end-to-end tests use the same constructor,
// so what is tested is what runs.
package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/silenceper/wechat/v2/officialaccount"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/volunteer"
	"github.com/wentitong/wentitong/shared/wechat"
)

// Options are the parts a caller may supply instead of having them built from config.
type Options struct {
	DB        *dynamodb.Client // default: built from config (DYNAMODB_ENDPOINT)
	Counter   *dynamo.Counter  // counts DynamoDB calls when DB is built here
	Now       func() time.Time // default: time.Now
	LogOutput io.Writer        // default: os.Stderr
}

// App holds what every function shares, built once per cold start.
type App struct {
	Config    config.Config
	DB        *dynamodb.Client
	Log       *slog.Logger
	Now       func() time.Time
	OA        *officialaccount.OfficialAccount
	People    *dynamo.People
	Directory *dynamo.Directory
	Catalog   *dynamo.Catalog
	Bookings  *dynamo.Bookings

	Outbox *dynamo.Outbox
	Notify *notify.Service

	// Volunteers stores the volunteer domain (shared/app/volunteers.go builds its service).
	Volunteers *dynamo.Volunteers

	oauth *wechat.OAuth

	// jobs are the scheduler's timed work; each package with timed work adds its own.
	jobs []Job

	volunteerOnce sync.Once
	volunteer     *volunteer.Service
}

// New builds the shared dependencies. It needs TABLE_NAME, WECHAT_APP_ID and
// WECHAT_APP_SECRET; each function's constructor checks the rest of what it needs.
func New(ctx context.Context, cfg config.Config, o Options) (*App, error) {
	if err := cfg.Require("TABLE_NAME", "WECHAT_APP_ID", "WECHAT_APP_SECRET"); err != nil {
		return nil, err
	}
	a := &App{Config: cfg, DB: o.DB, Now: o.Now}
	if a.Now == nil {
		a.Now = time.Now
	}
	out := o.LogOutput
	if out == nil {
		out = os.Stderr
	}
	a.Log = slog.New(slog.NewJSONHandler(out, &slog.HandlerOptions{Level: logLevel(cfg.LogLevel)}))
	if a.DB == nil {
		db, err := dynamo.NewClient(ctx, dynamo.ClientOptions{Endpoint: cfg.DynamoEndpoint, Counter: o.Counter})
		if err != nil {
			return nil, err
		}
		a.DB = db
	}
	// What New builds reads the clock through a, so that a clock set on a later (a test
	// moving time) reaches it as it reaches everything built on demand.
	now := func() time.Time { return a.Now() }
	cache := &dynamo.Cache{DB: a.DB, Table: cfg.TableName, Now: now, Log: a.Log}
	a.OA = wechat.New(wechat.Config{
		AppID:          cfg.WeChatAppID,
		AppSecret:      cfg.WeChatAppSecret,
		Token:          cfg.WeChatToken,
		EncodingAESKey: cfg.WeChatAESKey,
		APIBase:        cfg.WeChatAPIBase,
	}, cache)
	a.oauth = wechat.NewOAuth(a.OA)
	a.People = &dynamo.People{DB: a.DB, Table: cfg.TableName}
	a.Directory = &dynamo.Directory{DB: a.DB, Table: cfg.TableName}
	a.Catalog = &dynamo.Catalog{DB: a.DB, Table: cfg.TableName}
	a.Bookings = &dynamo.Bookings{DB: a.DB, Table: cfg.TableName}
	a.jobs = append(a.jobs, a.bookingJobs()...)
	a.jobs = append(a.jobs, a.remindJob(), a.shiftRemindJob())
	a.Outbox = &dynamo.Outbox{DB: a.DB, Table: cfg.TableName}
	templates, rate, err := notifySettings(cfg)
	if err != nil {
		return nil, err
	}
	a.Notify = &notify.Service{
		Store: a.Outbox, People: a.People, Sender: wechat.NewSender(a.OA, cfg.WeChatAppID, cache),
		Templates: templates, Rate: rate, Admins: cfg.AdminOpenIDs, Now: now, Log: a.Log,
	}
	a.jobs = append(a.jobs, Job{Name: "outbox_due", Run: func(ctx context.Context, _ time.Time) error {
		_, err := a.Notify.DeliverDue(ctx, 200)
		return err
	}})
	a.jobs = append(a.jobs, a.directoryJobs()...)
	a.Volunteers = &dynamo.Volunteers{DB: a.DB, Table: cfg.TableName}
	a.jobs = append(a.jobs, a.volunteerJobs()...)
	return a, nil
}

// Auth returns the session service; it needs SESSION_SECRET of at least 32 bytes.
func (a *App) Auth() (*auth.Service, error) {
	if len(a.Config.SessionSecret) < auth.MinSecretLen {
		return nil, fmt.Errorf("config: SESSION_SECRET must be at least %d bytes", auth.MinSecretLen)
	}
	return &auth.Service{
		Secret: []byte(a.Config.SessionSecret),
		Admins: a.Config.AdminOpenIDs,
		OAuth:  a.oauth,
		People: a.People,
		Now:    a.Now,
	}, nil
}

// notifySettings reads NOTIFY_TEMPLATES (JSON, by kind) and NOTIFY_RATE (sends per
// second, default 20).
func notifySettings(cfg config.Config) (map[string]notify.Template, float64, error) {
	templates := map[string]notify.Template{}
	if cfg.NotifyTemplates != "" {
		if err := json.Unmarshal([]byte(cfg.NotifyTemplates), &templates); err != nil {
			return nil, 0, fmt.Errorf("config: NOTIFY_TEMPLATES: %w", err)
		}
		for kind, t := range templates {
			if !notify.Known(kind) || t.TemplateID == "" || len(t.Fields) == 0 || (t.Channel != "" && t.Channel != "template" && t.Channel != "subscribe") {
				return nil, 0, fmt.Errorf("config: NOTIFY_TEMPLATES: kind %q needs a known kind, a templateId, fields and a channel of template or subscribe", kind)
			}
		}
	}
	rate := 20.0
	if cfg.NotifyRate != "" {
		r, err := strconv.ParseFloat(cfg.NotifyRate, 64)
		if err != nil || r < 0 {
			return nil, 0, fmt.Errorf("config: NOTIFY_RATE must be a number of sends per second, got %q", cfg.NotifyRate)
		}
		rate = r
	}
	return templates, rate, nil
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
