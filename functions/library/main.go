// Command library is the LibraryFunction Lambda: institutions, the digital resource
// library's collections and items, presigned uploads and reads of their media, and the
// news centre with its subscriptions.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/libraryapp"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/web"
)

func main() {
	ctx := context.Background()
	b := boot.Must(boot.New(ctx, config.FromEnv(), boot.Options{}))
	rt := boot.Must(libraryapp.Router(b, boot.Must(libraryapp.New(ctx, b, nil))))
	lambda.Start(httpadapter.NewV2(web.Wrap(rt, b.Log)).ProxyWithContext)
}
