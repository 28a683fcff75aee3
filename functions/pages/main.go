// Command pages is the PagesFunction Lambda: the H5 pages under /h5.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/libraryapp"
	"github.com/wentitong/wentitong/shared/app/pagesapp"
	"github.com/wentitong/wentitong/shared/app/wechatapi"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/web"
)

func main() {
	ctx := context.Background()
	b := boot.Must(boot.New(ctx, config.FromEnv(), boot.Options{}))
	lib := boot.Must(boot.Must(libraryapp.New(ctx, b, nil)).PageSources(ctx))
	rt := boot.Must(pagesapp.Router(b, boot.Must(wechatapi.New(b)), lib))
	lambda.Start(httpadapter.NewV2(web.Wrap(rt, b.Log)).ProxyWithContext)
}
