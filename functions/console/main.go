// Command console is the ConsoleFunction Lambda: the staff console under /h5/admin.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/consoleapp"
	"github.com/wentitong/wentitong/shared/app/wechatapi"
	"github.com/wentitong/wentitong/shared/web"
)

func main() {
	h := boot.MustHTTP(func(b *boot.Base) (*web.Router, error) {
		api, err := wechatapi.New(b)
		if err != nil {
			return nil, err
		}
		return consoleapp.Router(b, api)
	})
	lambda.Start(httpadapter.NewV2(h).ProxyWithContext)
}
