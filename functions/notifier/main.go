// Command notifier is the NotifierFunction Lambda: it delivers outbox items from the
// table's stream.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/notifierapp"
	"github.com/wentitong/wentitong/shared/app/wechatapi"
	"github.com/wentitong/wentitong/shared/config"
)

func main() {
	b := boot.Must(boot.New(context.Background(), config.FromEnv(), boot.Options{}))
	svc := boot.Must(notifierapp.Service(b, boot.Must(wechatapi.New(b))))
	lambda.Start(notifierapp.Handler(svc, b.Log))
}
