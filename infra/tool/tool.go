// Package tool is what the operators' commands under infra (migrate, reconcile) share:
// the main that stops on a signal and exits 1 on an error, and the table they work on.
package tool

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamo"
)

// Main runs a command: run gets the arguments and the environment's configuration,
// with a context cancelled on SIGINT or SIGTERM; an error other than -help is printed
// after the command's name and exits 1.
func Main(name string, run func(ctx context.Context, args []string, cfg config.Config, stdout, stderr io.Writer) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], config.FromEnv(), os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

// Table returns a client of the table cfg names (TABLE_NAME, on DYNAMODB_ENDPOINT when
// set).
func Table(ctx context.Context, cfg config.Config) (*dynamodb.Client, error) {
	if err := cfg.Require("TABLE_NAME"); err != nil {
		return nil, err
	}
	return dynamo.NewClient(ctx, dynamo.ClientOptions{Endpoint: cfg.DynamoEndpoint})
}
