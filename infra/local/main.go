// Command local runs the whole platform on one machine: every HTTP function of
// template.yaml on one address, an embedded DynamoDB engine whose data survives restarts,
// a fake WeChat API, and the notifier and scheduler ticking in-process.
//
//	go run ./infra/local [-addr 127.0.0.1:8080] [-data .local/] [-demo=true] [-poll 2s] [-tick 1m]
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// What the platform logs outside a request's logger (the router's answer to unknown
	// routes) is JSON on stderr too.
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stderr, nil)))
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		os.Exit(1)
	}
}

// run serves until ctx is done, then shuts down gracefully and saves the data.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runner{getenv: os.Getenv}.run(ctx, args, stdout, stderr)
}
