package main

import (
	"slices"

	"github.com/wentitong/wentitong/infra/local/demo"
	"github.com/wentitong/wentitong/infra/local/sim"
	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/wechat/callback"
	"github.com/wentitong/wentitong/shared/wechattest"
)

// simulator builds the WeChat simulator (/_dev/) for the runner serving at base: it
// posts to the runner's own callback with the runner's credentials, in its message mode.
func (p *platform) simulator(base string) (*sim.Simulator, error) {
	cfg := p.app.Config
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
	return sim.New(sim.Options{
		Callback: base + "/wechat",
		Account:  wechattest.Account{AppID: cfg.WeChatAppID, Token: cfg.WeChatToken, AESKey: cfg.WeChatAESKey},
		Mode:     messageMode(cfg),
		H5Base:   h5,
		Menu:     callback.Menu(callback.Links{Base: h5}),
		People:   people,
		Source:   sim.AppSource{App: p.app, Fake: p.fake},
		Fake:     p.fake,
		Now:      p.app.Now,
		Log:      p.log,
	})
}

// messageMode is the mode the account's callback is set to: safe when an
// EncodingAESKey is configured (as the runner's dev defaults do), plain otherwise.
func messageMode(cfg config.Config) string {
	if cfg.WeChatAESKey == "" {
		return wechattest.ModePlain
	}
	return wechattest.ModeSafe
}
