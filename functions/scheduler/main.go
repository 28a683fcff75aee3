// Command scheduler is the SchedulerFunction Lambda: the platform's timed jobs, run on
// an EventBridge schedule.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/config"
)

func main() {
	a := app.Must(app.New(context.Background(), config.FromEnv(), app.Options{}))
	lambda.Start(a.Scheduler())
}
