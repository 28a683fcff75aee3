package admin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/browsertest"
	"github.com/wentitong/wentitong/shared/wechat"
)

// At a door in WeChat the scanner offers WeChat's own scanner (the JS-SDK's scanQRCode,
// configured with the jsconfig route's signature of the page) and admits the ticket it
// reads; a scanner gun at the next door types the same ticket and presses Enter, and
// hears 已使用.
func TestDoorScansWithWeChatsScanner(t *testing.T) {
	browsertest.Chromium(t)
	p := browsertest.Start(t, browsertest.Options{Seed: seed})
	ctx := context.Background()
	svc, err := p.App.Booking()
	if err != nil {
		t.Fatal(err)
	}
	bk, err := svc.Book(ctx, "o-resident-2", "a-film-wandering-earth-1", "wx-door-1", booking.Request{PartySize: 1})
	if err != nil {
		t.Fatal(err)
	}
	sl, err := svc.Catalog.Slot(ctx, bk.SlotID)
	if err != nil {
		t.Fatal(err)
	}
	p.SetNow(sl.StartsAt.Add(-20 * time.Minute)) // the door is open

	// WeChat's in-app browser: its user agent, and a bridge that records what the page
	// asks of it and reads the resident's ticket when asked to scan.
	b := p.Browser(t)
	if _, err := chromedp.Call(b.Context(), emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
		UserAgent: "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36 MicroMessenger/8.0.50.2701(0x28003237) NetType/WIFI Language/zh_CN"}); err != nil {
		t.Fatal(err)
	}
	ticket, _ := json.Marshal(bk.Ticket)
	bridge := fmt.Sprintf(`window.WeixinJSBridge = { invoke: function (name, args, cb) {
		sessionStorage.setItem('bridge', JSON.stringify(JSON.parse(sessionStorage.getItem('bridge') || '[]').concat([{name: name, args: args}])));
		setTimeout(function () { cb(name === 'scanQRCode' ? {err_msg: 'scanQRCode:ok', resultStr: %s} : {err_msg: name + ':ok'}); }, 0);
	} };`, ticket)
	if _, err := chromedp.Call(b.Context(), page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: bridge}); err != nil {
		t.Fatal(err)
	}
	door := "/h5/admin/scan?slot=" + sl.ID
	b.SignIn("o-admin", door)
	waitFor(t, b, "#wx-scan") // shown once WeChat has verified the page's signature
	b.Tap("#wx-scan")
	waitFor(t, b, "#answer.ok")
	if got := b.Text("#answer"); !strings.Contains(got, "入场") || !strings.Contains(got, "1 人") {
		t.Errorf("WeChat's scan answered %q, want 入场 for 1", got)
	}
	var asked []struct {
		Name string
		Args map[string]any
	}
	if err := json.Unmarshal([]byte(browsertest.Eval[string](b, `sessionStorage.getItem('bridge') || '[]'`)), &asked); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 2 || asked[0].Name != "preVerifyJSAPI" || asked[1].Name != "scanQRCode" {
		t.Fatalf("the page asked the bridge %+v, want preVerifyJSAPI then scanQRCode", asked)
	}
	v := asked[0].Args
	ts, _ := strconv.ParseInt(fmt.Sprint(v["verifyTimestamp"]), 10, 64)
	want := wechat.JSSignature(p.Fake.JSTicket(), fmt.Sprint(v["verifyNonceStr"]), ts, p.URL+door)
	if v["verifyAppId"] != "wx-dev-app" || v["verifySignature"] != want || fmt.Sprint(v["verifyJsApiList"]) != "[scanQRCode]" {
		t.Errorf("the page's JS-SDK config = %v, want the app's, scanQRCode and the signature %s of the page", v, want)
	}

	// A scanner gun types what it reads into the focused field and presses Enter.
	b.Tap("#next")
	if focused := browsertest.Eval[string](b, `document.activeElement.id`); focused != "ticket" {
		t.Errorf("after 继续检票 the focus is on %q, want the ticket field", focused)
	}
	if err := chromedp.Do(b.Context(), chromedp.KeyEvent(bk.Ticket+"\r")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, b, "#answer.no")
	if got := b.Text("#answer .verdict"); got != "已使用" {
		t.Errorf("the gun's scan of the same ticket answered %q, want 已使用", got)
	}
}
