package app

import (
	"fmt"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/sam"
	"github.com/wentitong/wentitong/shared/web"
)

// Mount registers every HTTP function's handler on rt at the routes tmpl gives it, as
// API Gateway routes them in AWS: the local runner and the browser tests serve the whole
// API on one address this way.
func (a *App) Mount(rt *web.Router, tmpl *sam.Template) error {
	fns, err := tmpl.Functions()
	if err != nil {
		return err
	}
	for _, fn := range fns {
		if len(fn.Routes) == 0 {
			continue
		}
		h, err := a.HTTP(fn.LogicalID)
		if err != nil {
			return fmt.Errorf("function %s: %w", fn.LogicalID, err)
		}
		for _, r := range fn.Routes {
			rt.Handle(r.Pattern(), access.Public, h.ServeHTTP) // each function's router enforces its rules
		}
	}
	return nil
}

// MountDev registers what only a local platform serves, never template.yaml:
// GET /_dev/login?openid=…&next=/h5/…, which signs a browser in to the pages as openid
// through the fake WeChat API's code exchange.
func (a *App) MountDev(rt *web.Router) error {
	site, err := a.H5Site()
	if err != nil {
		return err
	}
	rt.Handle("GET /_dev/login", access.Public, web.Wrap(site.DevLogin(), a.Log).ServeHTTP)
	return nil
}
