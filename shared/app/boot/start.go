package boot

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/web"
)

// StartHTTP runs an HTTP function's main: the routes build makes on the process
// environment (MustHTTP), served to API Gateway's HTTP API (payload format 2.0).
func StartHTTP(build func(*Base) (*web.Router, error)) {
	lambda.Start(httpadapter.NewV2(MustHTTP(build)).ProxyWithContext)
}

// Start runs the main of a function that reads no secret: the handler build makes on a
// Base of the process environment, built once per cold start.
func Start[H any](build func(*Base) (H, error)) {
	b := Must(New(context.Background(), config.FromEnv(), Options{}))
	lambda.Start(Must(build(b)))
}
