// Command bookings is the BookingsFunction Lambda: the catalogue, bookings, waiting
// lists, cancellations and door check-ins.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/wentitong/wentitong/shared/app/bookingsapp"
	"github.com/wentitong/wentitong/shared/app/boot"
)

func main() {
	h := boot.MustHTTP(bookingsapp.Router)
	lambda.Start(httpadapter.NewV2(h).ProxyWithContext)
}
