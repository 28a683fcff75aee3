// Command wechat is the WeChatFunction Lambda: the official account's server callback.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/searchapp"
	"github.com/wentitong/wentitong/shared/app/wechatapp"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/web"
)

func main() {
	ctx := context.Background()
	b := boot.Must(boot.New(ctx, config.FromEnv(), boot.Options{}))
	find := boot.Must(searchapp.Replica(ctx, b, nil, searchapp.ChatWait)) // 搜 reads the published search index
	rt := boot.Must(wechatapp.Router(b, wechatapp.OfficialAccount(b), find))
	lambda.Start(httpadapter.NewV2(web.Wrap(rt, b.Log)).ProxyWithContext)
}
