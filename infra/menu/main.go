// Command menu publishes the official account's custom menu, defined in
// shared/wechat/callback/menu.go. By default it only prints the menu (a dry run):
//
//	go run ./infra/menu                 # print the JSON WeChat would get
//	go run ./infra/menu -publish        # publish it (WECHAT_APP_ID, WECHAT_APP_SECRET)
//
// The links go to H5_BASE_URL (default https://h5.wentitong.cn). WECHAT_API_BASE, when
// set, sends the call to another API (the local runner's fake).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/silenceper/wechat/v2/cache"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/privacy"
	"github.com/wentitong/wentitong/shared/secrets"
	"github.com/wentitong/wentitong/shared/wechat"
	"github.com/wentitong/wentitong/shared/wechat/callback"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "menu:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	fs := flag.NewFlagSet("menu", flag.ContinueOnError)
	publish := fs.Bool("publish", false, "publish the menu (default: print it only)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := config.From(getenv)
	base := cfg.H5BaseURL
	if base == "" {
		base = boot.DefaultH5Base
	}
	body, err := callback.MenuJSON(callback.Menu(callback.Links{Base: base}))
	if err != nil {
		return err
	}
	if !*publish {
		fmt.Fprintf(out, "%s\n(dry run: add -publish to send it to WeChat)\n", body)
		return nil
	}
	if err := cfg.Require("WECHAT_APP_ID", "WECHAT_APP_SECRET"); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	// The app secret as the functions read it: WECHAT_APP_SECRET_ARN names the secret
	// in Secrets Manager (or WECHAT_APP_SECRET gives the value, locally).
	var sm *secrets.Cache
	if len(cfg.Refs) > 0 {
		var err error
		if sm, err = secrets.New(ctx, ""); err != nil {
			return err
		}
	}
	appSecret, err := boot.ReadSecret(ctx, cfg, sm, "WECHAT_APP_SECRET")
	if err != nil {
		return err
	}
	// A private cache is enough: the stable token it fetches does not invalidate the
	// one the functions share.
	oa := wechat.New(wechat.Config{AppID: cfg.WeChatAppID, AppSecret: appSecret, APIBase: cfg.WeChatAPIBase}, cache.NewMemory())
	m := oa.GetMenu()
	if err := wechat.TokenOf(oa).Do(ctx, func() error { return m.SetMenuByJSON(string(body)) }); err != nil {
		return fmt.Errorf("publish: %s", privacy.Redact(err.Error()))
	}
	fmt.Fprintln(out, "published the menu")
	return nil
}
