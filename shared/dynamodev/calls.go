package dynamodev

import (
	"context"
	"maps"
	"sync"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// CallCounter counts DynamoDB calls per operation ("PutItem", "TransactWriteItems"), once per
// logical call whatever the retries: the figure benchmarks report as calls per attempt.
type CallCounter struct {
	mu    sync.Mutex
	calls map[string]int64
}

// NewCallCounter returns an empty call counter.
func NewCallCounter() *CallCounter { return &CallCounter{calls: map[string]int64{}} }

// Snapshot returns a copy of the counts so far.
func (c *CallCounter) Snapshot() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.calls)
}

// Total returns the number of calls of every operation.
func (c *CallCounter) Total() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var n int64
	for _, v := range c.calls {
		n += v
	}
	return n
}

// Reset sets every count to zero.
func (c *CallCounter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.calls)
}

// APIOptions returns the option that makes a client count its calls here
// (dynamo.ClientOptions.APIOptions).
func (c *CallCounter) APIOptions() []func(*middleware.Stack) error {
	return []func(*middleware.Stack) error{c.count}
}

func (c *CallCounter) count(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("wentitongCallCounter",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			op := awsmiddleware.GetOperationName(ctx)
			c.mu.Lock()
			c.calls[op]++
			c.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}
