// Command notifications is the NotificationsFunction Lambda: staff read and retry the
// notification deliveries.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/notificationsapp"
)

func main() {
	h := boot.MustHTTP(notificationsapp.Router)
	lambda.Start(httpadapter.NewV2(h).ProxyWithContext)
}
