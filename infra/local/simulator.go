package main

import "github.com/wentitong/wentitong/infra/local/sim"

// simulator builds the WeChat simulator (/_dev/) for the runner serving at base: it
// posts to the runner's own callback with the runner's credentials, in its message mode.
func (p *platform) simulator(base string) (*sim.Simulator, error) {
	o := sim.ForApp(p.app, p.fake, base)
	o.Log = p.log
	return sim.New(o)
}
