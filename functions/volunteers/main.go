// Command volunteers is the VolunteersFunction Lambda: registration, the status
// lifecycle, shifts and sign-ups, hours and the volunteer's own record.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/volunteersapp"
	"github.com/wentitong/wentitong/shared/app/wechatapi"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/web"
)

func main() {
	b := boot.Must(boot.New(context.Background(), config.FromEnv(), boot.Options{}))
	rt := boot.Must(volunteersapp.Router(b, boot.Must(wechatapi.New(b)).QR()))
	lambda.Start(httpadapter.NewV2(web.Wrap(rt, b.Log)).ProxyWithContext)
}
