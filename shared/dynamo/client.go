package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
)

// ClientOptions configures NewClient.
type ClientOptions struct {
	// Endpoint overrides the DynamoDB endpoint (DYNAMODB_ENDPOINT): the embedded engine or
	// DynamoDB Local. When set and no region or credentials are configured, fixed dev
	// values are used so no credential chain is consulted.
	Endpoint string
	// APIOptions are added to every operation's middleware stack (dynamodev.CallCounter
	// counts the calls of a dev or test client this way).
	APIOptions []func(*middleware.Stack) error
	// MaxAttempts overrides the SDK's retry attempts (default 3) when positive.
	MaxAttempts int
	// RetryBackoff, when positive, replaces the SDK's exponential back-off between
	// attempts with this fixed delay (tests with injected faults stay fast).
	RetryBackoff time.Duration
}

// NewClient builds the one DynamoDB client of a process from the environment's AWS
// configuration.
func NewClient(ctx context.Context, o ClientOptions) (*dynamodb.Client, error) {
	var loadOpts []func(*config.LoadOptions) error
	if o.Endpoint != "" {
		loadOpts = append(loadOpts, config.WithDefaultRegion("us-east-1"))
		loadOpts = append(loadOpts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider("local", "local", "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("load aws config: %w", err)
	}
	return dynamodb.NewFromConfig(cfg, func(opts *dynamodb.Options) {
		if o.Endpoint != "" {
			opts.BaseEndpoint = aws.String(o.Endpoint)
			// The embedded engine sends no X-Amz-Crc32 header; DynamoDB does.
			opts.DisableValidateResponseChecksum = true
		}
		if o.MaxAttempts > 0 {
			opts.RetryMaxAttempts = o.MaxAttempts
		}
		if o.RetryBackoff > 0 {
			opts.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
				if o.MaxAttempts > 0 {
					so.MaxAttempts = o.MaxAttempts
				}
				so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return o.RetryBackoff, nil })
			})
		}
		opts.APIOptions = append(opts.APIOptions, o.APIOptions...)
	}), nil
}
