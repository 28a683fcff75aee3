// Command assessment is the AssessmentFunction Lambda: third-party evaluators' grants,
// their de-identified exports and the log of their reads.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/wentitong/wentitong/shared/app/assessmentapp"
	"github.com/wentitong/wentitong/shared/app/boot"
)

func main() {
	h := boot.MustHTTP(assessmentapp.Router)
	lambda.Start(httpadapter.NewV2(h).ProxyWithContext)
}
