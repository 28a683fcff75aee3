package sim

import (
	"slices"

	"github.com/wentitong/wentitong/infra/local/demo"
	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/wechat/callback"
	"github.com/wentitong/wentitong/shared/wechattest"
)

// ForApp returns the options of the simulator of the app served at base: it posts to
// base/wechat with the app's credentials in its message mode, shows the account's menu
// with the app's H5 links, reads its choices from the app's table, takes in what the
// fake WeChat API (nil: none) was asked to send, and offers the demo's residents and
// staff and the admins first.
func ForApp(a *app.App, fake *wechattest.Fake, base string) Options {
	cfg := a.Config
	h5 := cfg.H5BaseURL
	if h5 == "" {
		h5 = boot.DefaultH5Base
	}
	people := slices.Concat(demo.Residents, demo.Staff())
	for _, id := range cfg.AdminOpenIDs {
		if !slices.Contains(people, id) {
			people = append(people, id)
		}
	}
	return Options{
		Callback: base + "/wechat",
		Account:  wechattest.Account{AppID: cfg.WeChatAppID, Token: cfg.WeChatToken, AESKey: cfg.WeChatAESKey},
		Mode:     MessageMode(cfg),
		H5Base:   h5,
		Menu:     callback.Menu(callback.Links{Base: h5}),
		People:   people,
		Source:   AppSource{App: a, Fake: fake},
		Fake:     fake,
		Now:      a.Now,
		Log:      a.Log,
	}
}

// MessageMode is the mode the account's callback is set to: safe when an
// EncodingAESKey is configured (as the runner's dev defaults do), plain otherwise.
func MessageMode(cfg config.Config) string {
	if cfg.WeChatAESKey == "" {
		return wechattest.ModePlain
	}
	return wechattest.ModeSafe
}
