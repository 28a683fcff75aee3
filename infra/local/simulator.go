package main

import (
	"github.com/wentitong/wentitong/infra/local/sim"
	"github.com/wentitong/wentitong/shared/wechattest"
)

// simulator builds the WeChat simulator (/_dev/) for the runner serving at base: it
// posts to the runner's own callback with the runner's credentials, in its message mode.
func (p *platform) simulator(base string) (*sim.Simulator, error) {
	o := sim.ForApp(p.app, p.fake, base)
	// WeChat's side holds the account's token and key itself; the platform reads its
	// own from the fake Secrets Manager, so its configuration has only their references.
	cfg := p.settings.config()
	o.Account = wechattest.Account{AppID: cfg.WeChatAppID, Token: cfg.WeChatToken, AESKey: cfg.WeChatAESKey}
	o.Mode = sim.MessageMode(cfg)
	o.Log = p.log
	return sim.New(o)
}
