// Command bookings is the BookingsFunction Lambda: the catalogue, bookings, waiting
// lists, cancellations and door check-ins.
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
	lambda.Start(httpadapter.NewV2(app.Must(a.HTTP("BookingsFunction"))).ProxyWithContext)
}
