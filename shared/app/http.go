package app

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"net/http"
	"slices"
	"time"

	"github.com/wentitong/wentitong/shared/account"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/figure"
	"github.com/wentitong/wentitong/shared/gateway"
	"github.com/wentitong/wentitong/shared/report"
	"github.com/wentitong/wentitong/shared/team"
	"github.com/wentitong/wentitong/shared/web"
)

// routers maps each HTTP function's logical id in template.yaml to the constructor of
// its handler. The local runner mounts each at the routes the template gives it, and a
// test checks that the two agree route for route.
var routers = map[string]func(*App) (*web.Router, error){
	"WeChatFunction":    (*App).wechatRouter,
	"AccountFunction":   (*App).accountRouter,
	"DirectoryFunction": (*App).directoryRouter,
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

func (a *App) wechatRouter() (*web.Router, error) {
	if err := a.Config.Require("WECHAT_TOKEN"); err != nil {
		return nil, err
	}
	if k := a.Config.WeChatAESKey; k != "" && len(k) != 43 {
		return nil, fmt.Errorf("config: WECHAT_ENCODING_AES_KEY must be 43 characters, got %d", len(k))
	}
	g := &gateway.Gateway{OA: a.OA, Token: a.Config.WeChatToken, Now: a.Now, MaxSkew: 5 * time.Minute}
	return g.Handler(), nil
}

func (a *App) accountRouter() (*web.Router, error) {
	svc, err := a.Auth()
	if err != nil {
		return nil, err
	}
	return account.Handler(svc, a.People), nil
}

// directoryRouter serves the directory and evaluation: the district tree, venues, the
// e-map, ratings and satisfaction, feedback tickets.
func (a *App) directoryRouter() (*web.Router, error) {
	svc, err := a.Auth()
	if err != nil {
		return nil, err
	}
	rt := web.NewRouter()
	directory.Routes(rt, a.Directory, a.Directory, svc)
	evaluation.Routes(rt, a.Evaluation(), svc)
	team.Routes(rt, a.Teams(), svc)
	figure.Routes(rt, a.Figures(), svc)
	report.Routes(rt, a.Reports(), svc)
	return rt, nil
}

// Reports returns the district performance reports, read from maintained aggregates.
func (a *App) Reports() *report.Service {
	return &report.Service{
		Source: reportSource{
			metrics: &dynamo.Metrics{DB: a.DB, Table: a.Config.TableName},
			tallies: &dynamo.Evaluation{DB: a.DB, Table: a.Config.TableName},
			teams:   &dynamo.Teams{DB: a.DB, Table: a.Config.TableName},
		},
		Places: a.Directory,
		Guard:  directory.Guard{Scopes: a.Directory, Districts: a.Directory},
		Now:    a.Now,
	}
}

// reportSource reads each aggregate from the store that maintains it.
type reportSource struct {
	metrics *dynamo.Metrics
	tallies *dynamo.Evaluation
	teams   *dynamo.Teams
}

func (s reportSource) Metrics(ctx context.Context, districtID, period string) (report.Metrics, error) {
	return s.metrics.Metrics(ctx, districtID, period)
}

func (s reportSource) Tally(ctx context.Context, subject, period string) (evaluation.Tally, error) {
	return s.tallies.Tally(ctx, subject, period)
}

func (s reportSource) Counts(ctx context.Context, districtID string) (team.Counts, error) {
	return s.teams.Counts(ctx, districtID)
}

// Figures returns the cultural figures database.
func (a *App) Figures() *figure.Service {
	return &figure.Service{
		Store:  &dynamo.Figures{DB: a.DB, Table: a.Config.TableName},
		Places: a.Directory,
		Now:    a.Now,
		NewID:  uuid.NewString,
	}
}

// Teams returns the amateur team directory.
func (a *App) Teams() *team.Service {
	return &team.Service{
		Store:  &dynamo.Teams{DB: a.DB, Table: a.Config.TableName},
		Places: a.Directory,
		Guard:  directory.Guard{Scopes: a.Directory, Districts: a.Directory},
		Now:    a.Now,
		NewID:  uuid.NewString,
	}
}

// Evaluation returns the ratings and feedback service.
func (a *App) Evaluation() *evaluation.Service {
	return &evaluation.Service{
		Store:      &dynamo.Evaluation{DB: a.DB, Table: a.Config.TableName},
		Activities: a.Catalog,
		Places:     a.Directory,
		Staff:      a.Directory,
		Guard:      directory.Guard{Scopes: a.Directory, Districts: a.Directory},
		Now:        a.Now,
		NewID:      uuid.NewString,
	}
}
