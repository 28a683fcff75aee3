package main

import (
	"net/http"

	"github.com/wentitong/wentitong/infra/local/sim"
	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/sam"
	"github.com/wentitong/wentitong/shared/web"
	"github.com/wentitong/wentitong/shared/wechattest"
)

// errNoFake answers /_dev/wechat/sent when WECHAT_API_BASE points elsewhere.
var errNoFake = fault.New(fault.NotFound, "wechat_fake_off", "未运行模拟微信接口（已设置 WECHAT_API_BASE）")

// handler mounts every HTTP function's handler at the routes template.yaml gives it,
// and the runner's own /_dev routes. Unknown routes and methods get the JSON error body.
// fake is nil when the environment's WECHAT_API_BASE is used; simulator serves /_dev/.
func handler(a *app.App, tmpl *sam.Template, fake *wechattest.Fake, simulator *sim.Simulator) (http.Handler, error) {
	// Each function's router enforces its routes' rules; the runner's mount and its own
	// /_dev routes (loopback by default, like the fake WeChat API) are public.
	rt := web.NewRouter(nil)
	if err := a.Mount(rt, tmpl); err != nil {
		return nil, err
	}
	if err := a.MountDev(rt); err != nil {
		return nil, err
	}
	rt.Handle("GET /_dev/health", access.Public, func(w http.ResponseWriter, r *http.Request) {
		web.JSON(w, http.StatusOK, map[string]bool{"ok": true})
	})
	rt.Handle("GET /_dev/wechat/sent", access.Public, func(w http.ResponseWriter, r *http.Request) {
		if fake == nil {
			web.Error(w, r, errNoFake)
			return
		}
		web.JSON(w, http.StatusOK, map[string][]wechattest.Message{"messages": fake.Sent()})
	})
	simulator.Register(rt)
	return rt, nil
}
