// Command account is the AccountFunction Lambda: sign-in and the signed-in person's account.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/wentitong/wentitong/shared/app/accountapp"
	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/wechatapi"
	"github.com/wentitong/wentitong/shared/web"
)

func main() {
	h := boot.MustHTTP(func(b *boot.Base) (*web.Router, error) {
		api, err := wechatapi.New(b)
		if err != nil {
			return nil, err
		}
		return accountapp.Router(b, api)
	})
	lambda.Start(httpadapter.NewV2(h).ProxyWithContext)
}
