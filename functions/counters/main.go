// Command counters is the CountersFunction Lambda: it keeps the report counters up to
// date from the table's stream.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/countersapp"
	"github.com/wentitong/wentitong/shared/config"
)

func main() {
	b := boot.Must(boot.New(context.Background(), config.FromEnv(), boot.Options{}))
	lambda.Start(countersapp.Handler(b))
}
