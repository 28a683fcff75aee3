package app

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/wentitong/wentitong/shared/account"
	"github.com/wentitong/wentitong/shared/gateway"
	"github.com/wentitong/wentitong/shared/web"
)

// routers maps each HTTP function's logical id in template.yaml to the constructor of
// its handler. The local runner mounts each at the routes the template gives it, and a
// test checks that the two agree route for route.
var routers = map[string]func(*App) (*web.Router, error){
	"WeChatFunction":     (*App).wechatRouter,
	"AccountFunction":    (*App).accountRouter,
	"VolunteersFunction": (*App).volunteersRouter,
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
