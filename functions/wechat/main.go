// Command wechat is the WeChatFunction Lambda: the official account's server callback.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/searchapp"
	"github.com/wentitong/wentitong/shared/app/wechatapp"
	"github.com/wentitong/wentitong/shared/web"
)

func main() {
	h := boot.MustHTTP(func(b *boot.Base) (*web.Router, error) {
		find, err := searchapp.Replica(context.Background(), b, nil, searchapp.ChatWait) // 搜 reads the published search index
		if err != nil {
			return nil, err
		}
		oa, err := wechatapp.OfficialAccount(b)
		if err != nil {
			return nil, err
		}
		return wechatapp.Router(b, oa, find)
	})
	lambda.Start(httpadapter.NewV2(h).ProxyWithContext)
}
