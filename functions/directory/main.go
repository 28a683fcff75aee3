// Command directory is the DirectoryFunction Lambda: the district tree, venues, the
// cultural e-map, ratings and feedback, teams, figures and reports.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/directoryapp"
)

func main() {
	h := boot.MustHTTP(directoryapp.Router)
	lambda.Start(httpadapter.NewV2(h).ProxyWithContext)
}
