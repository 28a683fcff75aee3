package browsertest

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/wentitong/wentitong/shared/wechat"
)

// WeChatUserAgent is the user agent of WeChat's in-app browser on Android.
const WeChatUserAgent = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36 MicroMessenger/8.0.50.2701(0x28003237) NetType/WIFI Language/zh_CN"

// BridgeCall is what a page asked of WeChat's JS bridge.
type BridgeCall struct {
	Name string
	Args map[string]any
}

// InWeChat makes the browser WeChat's in-app browser from its next page on: WeChat's
// user agent, and a WeixinJSBridge that records every call (Bridged) and answers it
// with err_msg "<name>:ok" and the fields answers gives for its name, e.g.
// answers["scanQRCode"] = {"resultStr": ticket}.
func (b *Browser) InWeChat(answers map[string]map[string]any) {
	b.tb.Helper()
	js, err := json.Marshal(answers)
	if err != nil {
		b.tb.Fatal(err)
	}
	bridge := `window.WeixinJSBridge = { invoke: function (name, args, cb) {
		sessionStorage.setItem('bridge', JSON.stringify(JSON.parse(sessionStorage.getItem('bridge') || '[]').concat([{name: name, args: args}])));
		var answer = Object.assign({err_msg: name + ':ok'}, (` + string(js) + `)[name] || {});
		setTimeout(function () { cb(answer); }, 0);
	} };`
	if _, err := chromedp.Call(b.ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: WeChatUserAgent}); err != nil {
		b.tb.Fatalf("browser: WeChat's user agent: %v", err)
	}
	if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: bridge}); err != nil {
		b.tb.Fatalf("browser: WeChat's bridge: %v", err)
	}
}

// Bridged returns what the pages of this tab asked of the bridge, oldest first.
func (b *Browser) Bridged() []BridgeCall {
	b.tb.Helper()
	var calls []BridgeCall
	if err := json.Unmarshal([]byte(Eval[string](b, `sessionStorage.getItem('bridge') || '[]'`)), &calls); err != nil {
		b.tb.Fatalf("browser: the bridge's calls: %v", err)
	}
	return calls
}

// CheckJSConfig returns an error unless call is the JS-SDK configuration WeChat accepts
// for the page at url (a path of the platform): the app's id and the signature of the
// page with the fake's JS-API ticket.
func (p *Platform) CheckJSConfig(call BridgeCall, url string) error {
	v := call.Args
	ts, _ := strconv.ParseInt(fmt.Sprint(v["verifyTimestamp"]), 10, 64)
	want := wechat.JSSignature(p.Fake.JSTicket(), fmt.Sprint(v["verifyNonceStr"]), ts, p.URL+url)
	if call.Name != "preVerifyJSAPI" || v["verifyAppId"] != devConfig["WECHAT_APP_ID"] || v["verifySignature"] != want || p.Fake.JSTicket() == "" {
		return fmt.Errorf("the page's JS-SDK config %s %v, want preVerifyJSAPI with the app's id and the signature %s of %s", call.Name, v, want, url)
	}
	return nil
}
