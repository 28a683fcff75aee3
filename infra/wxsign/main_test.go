package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/wentitong/wentitong/shared/apptest"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/wechattest"
)

// The events wxsign prints go through the Lambda adapter as WeChatFunction runs in AWS
// (the query string, which carries the signatures, survives) and are answered.
func TestEventsThroughTheLambdaAdapter(t *testing.T) {
	tbl := dynamotest.New(t)
	wx := wechattest.NewServer(t)
	env := map[string]string{"TABLE_NAME": tbl.Name, "WECHAT_APP_ID": "wx-dev-app", "WECHAT_APP_SECRET": "s",
		"WECHAT_TOKEN": "dev-token", "WECHAT_ENCODING_AES_KEY": "wentitongLocalDevEncodingAESKey0123456789ab", "WECHAT_MESSAGE_MODE": "compat", "WECHAT_API_BASE": wx.URL}
	now := time.Now()
	a := apptest.New(t, tbl, config.From(func(k string) string { return env[k] }), now)
	h := apptest.HTTP(t, a, "WeChatFunction")
	proxy := httpadapter.NewV2(h).ProxyWithContext
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-verify"}, "hello"},
		{[]string{"-mode", "plain", "-text", "帮助"}, "回复以下关键词"},
		{[]string{"-mode", "safe", "-text", "电影"}, "<Encrypt>"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		if err := run(tt.args, func(k string) string { return env[k] }, now, &out); err != nil {
			t.Fatal(err)
		}
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(out.Bytes(), &ev); err != nil {
			t.Fatal(err)
		}
		resp, err := proxy(context.Background(), ev)
		if err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Body, tt.want) {
			t.Errorf("wxsign %v through the adapter = %d %.300s (%v), want 200 containing %q", tt.args, resp.StatusCode, resp.Body, err, tt.want)
		}
	}
}
