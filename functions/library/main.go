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
	"github.com/wentitong/wentitong/shared/web"
)

func main() {
	h := boot.MustHTTP(func(b *boot.Base) (*web.Router, error) {
		p, err := libraryapp.New(context.Background(), b, nil)
		if err != nil {
			return nil, err
		}
		return libraryapp.Router(b, p)
	})
	lambda.Start(httpadapter.NewV2(h).ProxyWithContext)
}
