// Command scheduler is the SchedulerFunction Lambda: the platform's timed jobs, run on
// an EventBridge schedule.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/notifierapp"
	"github.com/wentitong/wentitong/shared/app/schedulerapp"
	"github.com/wentitong/wentitong/shared/app/wechatapi"
	"github.com/wentitong/wentitong/shared/config"
)

func main() {
	b := boot.Must(boot.New(context.Background(), config.FromEnv(), boot.Options{}))
	svc := boot.Must(notifierapp.Service(b, boot.Must(wechatapi.New(b))))
	jobs := boot.Must(schedulerapp.Jobs(b, svc))
	lambda.Start(schedulerapp.Handler(jobs, b.Log, b.Now))
}
