// Command notifications is the NotificationsFunction Lambda: staff read and retry the
// notification deliveries.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/config"
)

func main() {
	a := app.Must(app.New(context.Background(), config.FromEnv(), app.Options{}))
	lambda.Start(httpadapter.NewV2(app.Must(a.HTTP("NotificationsFunction"))).ProxyWithContext)
}
