// Command wxsign prints a signed WeChat callback delivery as an API Gateway (HTTP API,
// payload 2.0) event, for `sam local invoke WeChatFunction -e` and the Lambda emulator
// smoke test. The callback refuses timestamps more than 5 minutes old, so a delivery
// must be signed when it is sent, not committed:
//
//	go run ./infra/wxsign -mode safe -text 电影 > /tmp/wechat-post.json
//
// The token, AES key and AppID come from WECHAT_TOKEN, WECHAT_ENCODING_AES_KEY and
// WECHAT_APP_ID, with the local runner's dev values as defaults.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/wentitong/wentitong/shared/wechat/callback"
	"github.com/wentitong/wentitong/shared/wechattest"
)

func main() {
	if err := run(os.Args[1:], os.Getenv, time.Now(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "wxsign:", err)
		os.Exit(1)
	}
}

func run(args []string, getenv func(string) string, now time.Time, out io.Writer) error {
	fs := flag.NewFlagSet("wxsign", flag.ContinueOnError)
	mode := fs.String("mode", "safe", "plain, compat or safe")
	text := fs.String("text", "电影", "the text message's content")
	from := fs.String("from", "o-resident-1", "the sender's openid")
	verify := fs.Bool("verify", false, "print the GET server verification (echostr=hello) instead")
	if err := fs.Parse(args); err != nil {
		return err
	}
	env := func(k, dev string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return dev
	}
	token := env("WECHAT_TOKEN", "dev-token")
	aesKey := env("WECHAT_ENCODING_AES_KEY", "wentitongLocalDevEncodingAESKey0123456789ab")
	appID := env("WECHAT_APP_ID", "wx-dev-app")

	ts := strconv.FormatInt(now.Unix(), 10)
	nonce := strconv.FormatInt(now.UnixNano()%1e9, 36)
	q := url.Values{"timestamp": {ts}, "nonce": {nonce}, "signature": {callback.Sign(token, ts, nonce)}}
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "POST /wechat", RawPath: "/wechat",
		Headers: map[string]string{"content-type": "text/xml"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/wechat"},
		},
	}
	if *verify {
		q.Set("echostr", "hello")
		ev.RouteKey, ev.RequestContext.HTTP.Method = "GET /wechat", "GET"
		ev.RawQueryString = q.Encode()
		return write(out, ev)
	}
	body := fmt.Sprintf("<xml><ToUserName><![CDATA[gh_wentitong]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
		"<CreateTime>%s</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content><MsgId>%d</MsgId></xml>",
		*from, ts, *text, now.UnixNano())
	post, err := wechattest.Account{AppID: appID, Token: token, AESKey: aesKey}.Seal(*mode, *from, []byte(body), now, nonce)
	if err != nil {
		return err
	}
	ev.RawQueryString = post.Query.Encode()
	ev.Body = string(post.Body)
	return write(out, ev)
}

func write(out io.Writer, ev events.APIGatewayV2HTTPRequest) error {
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(ev)
}
