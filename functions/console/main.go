// Command console is the ConsoleFunction Lambda: the staff console under /h5/admin.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/consoleapp"
	"github.com/wentitong/wentitong/shared/app/wechatapi"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/web"
)

func main() {
	b := boot.Must(boot.New(context.Background(), config.FromEnv(), boot.Options{}))
	rt := boot.Must(consoleapp.Router(b, boot.Must(wechatapi.New(b))))
	lambda.Start(httpadapter.NewV2(web.Wrap(rt, b.Log)).ProxyWithContext)
}
