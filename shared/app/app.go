// Package app runs every function in one process: the local runner, the benchmarks and
// the end-to-end tests build the platform here, through the same constructors each
// function's main uses (shared/app/*app), on one DynamoDB client, one clock and one
// official account client. A Lambda function builds only its own graph; what each one
// reads from the configuration is its package's Needs, listed in Needs below.
package app

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/silenceper/wechat/v2/officialaccount"

	"github.com/wentitong/wentitong/shared/app/accountapp"
	"github.com/wentitong/wentitong/shared/app/assessmentapp"
	"github.com/wentitong/wentitong/shared/app/bookingsapp"
	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/consoleapp"
	"github.com/wentitong/wentitong/shared/app/countersapp"
	"github.com/wentitong/wentitong/shared/app/directoryapp"
	"github.com/wentitong/wentitong/shared/app/libraryapp"
	"github.com/wentitong/wentitong/shared/app/mediaapp"
	"github.com/wentitong/wentitong/shared/app/notificationsapp"
	"github.com/wentitong/wentitong/shared/app/notifierapp"
	"github.com/wentitong/wentitong/shared/app/pagesapp"
	"github.com/wentitong/wentitong/shared/app/schedulerapp"
	"github.com/wentitong/wentitong/shared/app/searchapp"
	"github.com/wentitong/wentitong/shared/app/siteapp"
	"github.com/wentitong/wentitong/shared/app/volunteersapp"
	"github.com/wentitong/wentitong/shared/app/wechatapi"
	"github.com/wentitong/wentitong/shared/app/wechatapp"
	"github.com/wentitong/wentitong/shared/assessment"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/bucket"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamo/accountdb"
	"github.com/wentitong/wentitong/shared/dynamo/bookingdb"
	"github.com/wentitong/wentitong/shared/dynamo/directorydb"
	"github.com/wentitong/wentitong/shared/dynamo/notifydb"
	"github.com/wentitong/wentitong/shared/dynamo/volunteerdb"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/evaluator"
	"github.com/wentitong/wentitong/shared/figure"
	"github.com/wentitong/wentitong/shared/h5"
	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/report"
	"github.com/wentitong/wentitong/shared/search"
	"github.com/wentitong/wentitong/shared/team"
	"github.com/wentitong/wentitong/shared/training"
	"github.com/wentitong/wentitong/shared/volunteer"
	"github.com/wentitong/wentitong/shared/web"
	"github.com/wentitong/wentitong/shared/wechat/callback"
)

// Options are the parts a caller may supply instead of having them built from config.
type Options = boot.Options

// Needs maps each function's logical id in template.yaml to the configuration it reads.
// A test checks the template gives each function these variables and no others.
var Needs = map[string]config.Needs{
	"AccountFunction":       accountapp.Needs,
	"AssessmentFunction":    assessmentapp.Needs,
	"BookingsFunction":      bookingsapp.Needs,
	"CountersFunction":      countersapp.Needs,
	"DirectoryFunction":     directoryapp.Needs,
	"IndexerFunction":       libraryapp.IndexNeeds,
	"LibraryFunction":       libraryapp.Needs,
	"MediaFunction":         mediaapp.Needs,
	"NotificationsFunction": notificationsapp.Needs,
	"NotifierFunction":      notifierapp.Needs,
	"SchedulerFunction":     schedulerapp.Needs,
	"VolunteersFunction":    volunteersapp.Needs,
	"WeChatFunction":        wechatapp.Needs,
	"PagesFunction":         pagesapp.Needs,
	"ConsoleFunction":       consoleapp.Needs,
}

// App is every function of the platform, built on one base.
type App struct {
	Config config.Config
	DB     *dynamodb.Client
	Log    *slog.Logger
	// Now is the clock of everything built here; a test may set it after New.
	Now func() time.Time
	OA  *officialaccount.OfficialAccount

	People     *accountdb.People
	Directory  *directorydb.Directory
	Catalog    *bookingdb.Catalog
	Bookings   *bookingdb.Bookings
	Volunteers *volunteerdb.Volunteers
	Outbox     *notifydb.Outbox
	Notify     *notify.Service

	// Bucket is the media bucket of the library; nil builds it from MEDIA_BUCKET the
	// first time the library is used. Set it before that.
	Bucket *bucket.Bucket
	// SearchIndex, when set before the library is first used, is the index searches
	// read (the local runner's and tests', kept up to date through LibraryIndexer);
	// otherwise they read the replica of the published snapshot, as in AWS.
	SearchIndex *search.Index

	base *boot.Base
	api  *wechatapi.API
	jobs []boot.Job

	libraryOnce sync.Once
	library     *libraryapp.Parts
	libraryErr  error
}

// New builds the platform. It needs TABLE_NAME, WECHAT_APP_ID and WECHAT_APP_SECRET;
// each function's constructor checks the rest of what it needs.
func New(ctx context.Context, cfg config.Config, o Options) (*App, error) {
	a := &App{Now: o.Now}
	if a.Now == nil {
		a.Now = time.Now
	}
	// Everything built here reads the clock through a, so that a clock set on a later (a
	// test moving time) reaches it.
	o.Now = func() time.Time { return a.Now() }
	// One process runs every function here, the ones that sign tickets with the ones
	// that only check them in: the latter's public key is the signing key's.
	if cfg.TicketPublicKey == "" && cfg.TicketSigningKey != "" {
		if s, err := booking.NewSigner(cfg.TicketSigningKey); err == nil {
			cfg.TicketPublicKey = base64.StdEncoding.EncodeToString(s.PublicKey())
		}
	}
	b, err := boot.New(ctx, cfg, o)
	if err != nil {
		return nil, err
	}
	a.base, a.Config, a.DB, a.Log = b, cfg, b.DB, b.Log
	if a.api, err = wechatapi.New(b); err != nil {
		return nil, err
	}
	a.OA = a.api.OA
	a.People, a.Directory, a.Catalog, a.Bookings = b.People(), b.Directory(), &bookingdb.Catalog{DB: b.DB, Table: b.Table}, &bookingdb.Bookings{DB: b.DB, Table: b.Table}
	a.Volunteers, a.Outbox = &volunteerdb.Volunteers{DB: b.DB, Table: b.Table}, &notifydb.Outbox{DB: b.DB, Table: b.Table}
	if a.Notify, err = notifierapp.Service(b, a.api); err != nil {
		return nil, err
	}
	if a.jobs, err = schedulerapp.Jobs(b, a.Notify); err != nil {
		return nil, err
	}
	return a, nil
}

// routers maps each HTTP function's logical id in template.yaml to the constructor of
// its routes. The local runner mounts each at the routes the template gives it, and a
// test checks that the two agree route for route.
var routers = map[string]func(*App) (*web.Router, error){
	"WeChatFunction": func(a *App) (*web.Router, error) {
		return wechatapp.Router(a.base, a.OA, searchapp.Fixed(a.SearchIndex))
	},
	"AccountFunction":       func(a *App) (*web.Router, error) { return accountapp.Router(a.base, a.api) },
	"NotificationsFunction": func(a *App) (*web.Router, error) { return notificationsapp.Router(a.base) },
	"BookingsFunction":      func(a *App) (*web.Router, error) { return bookingsapp.Router(a.base) },
	"DirectoryFunction":     func(a *App) (*web.Router, error) { return directoryapp.Router(a.base) },
	"AssessmentFunction":    func(a *App) (*web.Router, error) { return assessmentapp.Router(a.base) },
	"VolunteersFunction":    func(a *App) (*web.Router, error) { return volunteersapp.Router(a.base, a.api.QR()) },
	"PagesFunction": func(a *App) (*web.Router, error) {
		p, err := a.Library()
		if err != nil {
			return nil, err
		}
		return pagesapp.Router(a.base, a.api, p)
	},
	"ConsoleFunction": func(a *App) (*web.Router, error) { return consoleapp.Router(a.base, a.api) },
	"LibraryFunction": func(a *App) (*web.Router, error) {
		p, err := a.Library()
		if err != nil {
			return nil, err
		}
		return libraryapp.Router(a.base, p)
	},
}

// Library returns the digital resource library's graph, built on first use on a.Bucket
// (or the bucket MEDIA_BUCKET names).
func (a *App) Library() (*libraryapp.Parts, error) {
	a.libraryOnce.Do(func() {
		a.library, a.libraryErr = libraryapp.New(context.Background(), a.base, a.Bucket)
		if a.libraryErr == nil && a.SearchIndex != nil {
			a.library.UseIndex(a.SearchIndex)
		}
	})
	return a.library, a.libraryErr
}

// LibraryIndexer is the IndexerFunction's stream handler on a.SearchIndex, without
// publishing snapshots (nothing else reads them in one process).
func (a *App) LibraryIndexer() (func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error), *search.Indexer, error) {
	p, err := a.Library()
	if err != nil {
		return nil, nil, err
	}
	if a.SearchIndex == nil {
		return nil, nil, fmt.Errorf("app: no search index set")
	}
	ix := p.Indexer(a.SearchIndex)
	return libraryapp.IndexerHandler(ix, nil, a.Log), ix, nil
}

// HTTPFunctions returns the logical ids of the HTTP functions, sorted.
func HTTPFunctions() []string {
	var ids []string
	for id := range routers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Router returns the unwrapped router of an HTTP function.
func (a *App) Router(logicalID string) (*web.Router, error) {
	build, ok := routers[logicalID]
	if !ok {
		return nil, fmt.Errorf("app: no HTTP function %q", logicalID)
	}
	return build(a)
}

// HTTP returns the handler of an HTTP function as Lambda and the local runner serve it:
// its router wrapped with request ids, recovery and the access log.
func (a *App) HTTP(logicalID string) (http.Handler, error) {
	rt, err := a.Router(logicalID)
	if err != nil {
		return nil, err
	}
	return web.Wrap(rt, a.Log), nil
}

// Notifier returns the stream handler of the notifier function.
func (a *App) Notifier() func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	return notifierapp.Handler(a.Notify, a.Bookings, a.Log)
}

// Announcements returns the notifier's queueing of the messages bookings owe, without
// their delivery (notifierapp.Announcements): for the local runner and tests.
func (a *App) Announcements() func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	return notifierapp.Announcements(a.Bookings, func() time.Time { return a.Now() })
}

// Counters returns the stream handler of the counters function.
func (a *App) Counters() func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	return countersapp.Handler(a.base)
}

// Scheduler returns the handler of the scheduler function.
func (a *App) Scheduler() func(context.Context, events.EventBridgeEvent) error {
	return schedulerapp.Handler(a.jobs, a.Log, a.base.Now)
}

// Callback returns the WeChat callback with its chat and dedup record.
func (a *App) Callback() *callback.Server {
	return wechatapp.Callback(a.base, a.OA, searchapp.Fixed(a.SearchIndex))
}

// H5Site returns the foundation of the H5 pages (sessions, CSRF, layout, assets).
func (a *App) H5Site() (*h5.Site, error) { return siteapp.Site(a.base, a.api) }

// Auth returns the session service that signs people in; it needs SESSION_SECRET of at
// least 32 bytes.
func (a *App) Auth() (*auth.Service, error) { return accountapp.SignIn(a.base, a.api) }

// Booking returns the booking service with its ticket signer.
func (a *App) Booking() (*booking.Service, error) { return bookingsapp.Service(a.base) }

// Volunteer returns the volunteer service, its shifts' QR codes from WeChat's API.
// It registers volunteers when the configuration has the ID number hash key.
func (a *App) Volunteer() *volunteer.Service {
	if svc, err := volunteersapp.Registrar(a.base, a.api.QR()); err == nil {
		return svc
	}
	return volunteersapp.Service(a.base, a.api.QR())
}

// Training returns the training service.
func (a *App) Training() *training.Service { return volunteersapp.Training(a.base) }

// Evaluation returns the ratings and feedback service.
func (a *App) Evaluation() *evaluation.Service { return directoryapp.Evaluation(a.base) }

// Teams returns the amateur team directory.
func (a *App) Teams() *team.Service { return directoryapp.Teams(a.base) }

// Figures returns the cultural figures database.
func (a *App) Figures() *figure.Service { return directoryapp.Figures(a.base) }

// Evaluators returns third-party evaluation: grants, exports and the access log.
func (a *App) Evaluators() *evaluator.Service { return assessmentapp.Evaluators(a.base) }

// Surveys returns the satisfaction surveys.
func (a *App) Surveys() *evaluator.Surveys { return assessmentapp.Surveys(a.base) }

// Assessments returns the yearly assessments of institutions and districts.
func (a *App) Assessments() *assessment.Service { return assessmentapp.Assessments(a.base) }

// Reports returns the district performance reports.
func (a *App) Reports() *report.Service { return directoryapp.Reports(a.base) }
