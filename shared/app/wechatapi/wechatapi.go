// Package wechatapi builds the official account client of a function that calls WeChat's
// API (sign-in, JS-SDK tickets, QR codes, messages): the only functions given the app
// secret.
package wechatapi

import (
	"time"

	"github.com/silenceper/wechat/v2/officialaccount"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/dynamo/wechatdb"
	"github.com/wentitong/wentitong/shared/web"
	"github.com/wentitong/wentitong/shared/wechat"
)

// API is the official account client and the table-backed cache of its access token and
// tickets.
type API struct {
	OA    *officialaccount.OfficialAccount
	Cache *wechatdb.Cache
	AppID string

	budget *wechatdb.QRBudget
	now    func() time.Time
}

// New returns the official account client. Call it once per process (wechat.New sets
// the SDK's process-wide HTTP client and logger).
func New(b *boot.Base) (*API, error) {
	if err := b.Check(boot.WeChatAPINeeds); err != nil {
		return nil, err
	}
	c := b.Config
	secret, err := b.Secret("WECHAT_APP_SECRET")
	if err != nil {
		return nil, err
	}
	// The callback's keys, where one process runs every function and this client
	// answers the callback too; a deployed function calling the API has neither.
	token, err := b.OptionalSecret("WECHAT_TOKEN")
	if err != nil {
		return nil, err
	}
	aes, err := b.OptionalSecret("WECHAT_ENCODING_AES_KEY")
	if err != nil {
		return nil, err
	}
	cache := &wechatdb.Cache{DB: b.DB, Table: b.Table, Now: b.Now, Log: b.Log}
	oa := wechat.New(wechat.Config{
		AppID:          c.WeChatAppID,
		AppSecret:      secret,
		Token:          token,
		EncodingAESKey: aes,
		APIBase:        c.WeChatAPIBase,
	}, cache)
	budget := &wechatdb.QRBudget{DB: b.DB, Table: b.Table, Limit: wechat.MaxPermanentQR}
	return &API{OA: oa, Cache: cache, AppID: c.WeChatAppID, budget: budget, now: b.Now}, nil
}

// QR returns the parametric QR code maker, permanent codes counted in the table.
func (api *API) QR() *wechat.QR { return wechat.NewQR(api.OA, api.budget, api.now) }

// With returns the routes of a function that calls WeChat's API, built on its own
// client: what its main serves.
func With(routes func(*boot.Base, *API) (*web.Router, error)) func(*boot.Base) (*web.Router, error) {
	return func(b *boot.Base) (*web.Router, error) {
		api, err := New(b)
		if err != nil {
			return nil, err
		}
		return routes(b, api)
	}
}
