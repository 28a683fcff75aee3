// Command volunteers is the VolunteersFunction Lambda: registration, the status
// lifecycle, shifts and sign-ups, hours and the volunteer's own record.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/volunteersapp"
	"github.com/wentitong/wentitong/shared/app/wechatapi"
	"github.com/wentitong/wentitong/shared/web"
)

func main() {
	h := boot.MustHTTP(func(b *boot.Base) (*web.Router, error) {
		api, err := wechatapi.New(b)
		if err != nil {
			return nil, err
		}
		return volunteersapp.Router(b, api.QR())
	})
	lambda.Start(httpadapter.NewV2(h).ProxyWithContext)
}
