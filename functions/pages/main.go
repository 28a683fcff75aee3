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
	"github.com/wentitong/wentitong/shared/web"
)

func main() {
	h := boot.MustHTTP(func(b *boot.Base) (*web.Router, error) {
		ctx := context.Background()
		p, err := libraryapp.New(ctx, b, nil)
		if err != nil {
			return nil, err
		}
		lib, err := p.PageSources(ctx)
		if err != nil {
			return nil, err
		}
		api, err := wechatapi.New(b)
		if err != nil {
			return nil, err
		}
		return pagesapp.Router(b, api, lib)
	})
	lambda.Start(httpadapter.NewV2(h).ProxyWithContext)
}
