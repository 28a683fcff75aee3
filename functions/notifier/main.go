// Command notifier is the NotifierFunction Lambda: it delivers outbox items from the
// table's stream.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/config"
)

func main() {
	a := app.Must(app.New(context.Background(), config.FromEnv(), app.Options{}))
	lambda.Start(a.Notifier())
}
