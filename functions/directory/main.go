// Command directory is the DirectoryFunction Lambda: the district tree, venues, the
// cultural e-map, ratings and feedback, teams, figures and reports.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/directoryapp"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/web"
)

func main() {
	b := boot.Must(boot.New(context.Background(), config.FromEnv(), boot.Options{}))
	rt := boot.Must(directoryapp.Router(b))
	lambda.Start(httpadapter.NewV2(web.Wrap(rt, b.Log)).ProxyWithContext)
}
