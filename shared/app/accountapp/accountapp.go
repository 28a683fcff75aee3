// Package accountapp wires the account function (AccountFunction): WeChat sign-in, the
// JS-SDK configuration and the signed-in person's account.
package accountapp

import (
	"context"
	"time"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/account"
	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/wechatapi"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamo/persondb"
	"github.com/wentitong/wentitong/shared/web"
	"github.com/wentitong/wentitong/shared/wechat"
)

// Needs is the configuration the account function reads: sign-in and the JS-SDK
// tickets call WeChat's API.
var Needs = boot.Needs.And(boot.SessionNeeds, boot.WeChatAPINeeds,
	config.Needs{Optional: []string{"H5_BASE_URL", "MINIPROGRAM_APP_ID", "MINIPROGRAM_APP_SECRET"}})

// Router returns the account function's routes.
func Router(b *boot.Base, api *wechatapi.API) (*web.Router, error) {
	if err := b.Check(Needs); err != nil {
		return nil, err
	}
	svc, err := SignIn(b, api)
	if err != nil {
		return nil, err
	}
	rt := account.Handler(&access.Policy{Sessions: svc, Guard: b.Guard()}, svc, b.People(), b.Directory(), Rights(b))
	rt.Handle("GET /api/v1/wechat/jsconfig", access.Public, wechat.JSConfigHandler(wechat.NewJS(api.OA, b.Now), b.H5Base()))
	rt.Handle("GET /api/v1/auth/wechat/authorize", access.Public, account.AuthorizeHandler(svc, func(returnTo, state string) string {
		return wechat.AuthorizeURL(api.AppID, returnTo, state)
	}, b.H5Base()))
	return rt, nil
}

// SignIn returns the session service that also signs people in with WeChat OAuth2 and,
// when MINIPROGRAM_APP_ID is set, from the mini program; each channel's identity is
// linked to one person.
func SignIn(b *boot.Base, api *wechatapi.API) (*auth.Service, error) {
	svc, err := b.Sessions()
	if err != nil {
		return nil, err
	}
	svc.OAuth = wechat.NewOAuth(api.OA)
	svc.Links = b.People()
	if c := b.Config; c.MiniAppID != "" {
		secret, err := b.Secret("MINIPROGRAM_APP_SECRET")
		if err != nil {
			return nil, err
		}
		svc.Mini = wechat.NewMini(c.MiniAppID, secret, api.Cache)
	}
	return svc, nil
}

// Rights returns the person's rights over their data, on the whole table.
func Rights(b *boot.Base) account.Rights { return rights{&persondb.Data{DB: b.DB, Table: b.Table}} }

// rights are persondb's, with the answers the account package's interfaces take.
type rights struct{ *persondb.Data }

func (r rights) Export(ctx context.Context, person string, now time.Time) (any, error) {
	return r.Data.Export(ctx, person, now)
}

func (r rights) Erase(ctx context.Context, person string, now time.Time) error {
	_, err := r.Data.Erase(ctx, person, now)
	return err
}

func (r rights) Summary(ctx context.Context, person string, now time.Time) (account.Summary, error) {
	return r.Data.Summary(ctx, person, now)
}

func (r rights) Merge(ctx context.Context, into, from, by, via string, now time.Time) error {
	_, err := r.Data.Merge(ctx, into, from, by, via, now)
	return err
}
