package resident_test

import (
	"context"
	"testing"

	"github.com/wentitong/wentitong/infra/local/demo"
	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/browsertest"
)

// seed is the local runner's demo data.
func seed(ctx context.Context, a *app.App) error {
	_, err := demo.Seed(ctx, a)
	return err
}

// The home page, in both versions, meets the 长辈版 measures.
func TestHomeInBrowser(t *testing.T) {
	browsertest.Chromium(t)
	p := browsertest.Start(t, browsertest.Options{Seed: seed})
	b := p.Browser(t)
	b.Open("/h5/")
	ms := b.Check("首页")
	t.Log(ms[0])
	t.Log(ms[1])
}
