// Command volunteers is the VolunteersFunction Lambda: registration, the status
// lifecycle, shifts and sign-ups, hours and the volunteer's own record.
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
	lambda.Start(httpadapter.NewV2(app.Must(a.HTTP("VolunteersFunction"))).ProxyWithContext)
}
