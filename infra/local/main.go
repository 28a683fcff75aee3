// Command local runs the whole platform on one machine: every HTTP function of
// template.yaml on one address, an embedded DynamoDB engine whose every answered write
// is on disk (a journal and a snapshot in the data directory), a fake WeChat API, and the
// notifier and scheduler ticking in-process. It needs no file of the repository at run
// time: the template is built in.
//
//	go run ./infra/local [-addr 127.0.0.1:8080] [-data .local/] [-demo=true] [-poll 2s] [-tick 1m]
//
// It stops cleanly on SIGINT (Ctrl-C) and SIGTERM, also when started by go run; a second
// signal stops it at once, which loses nothing it answered.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	parent, orphaned := context.WithCancelCause(context.Background())
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // the default action again: a second signal stops the process at once
	}()
	if startedByGoRun() {
		go watchParent(ctx, orphaned, 200*time.Millisecond)
	}
	// What the platform logs outside a request's logger (the router's answer to unknown
	// routes) is JSON on stderr too.
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stderr, nil)))
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		os.Exit(1)
	}
}

// run serves until ctx is done, then shuts down gracefully and compacts the journal.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runner{getenv: os.Getenv}.run(ctx, args, stdout, stderr)
}

// startedByGoRun says whether this binary was built by go run, which keeps it in the
// build cache or a go-build temporary directory.
func startedByGoRun() bool {
	exe, err := os.Executable()
	return err == nil && strings.Contains(filepath.ToSlash(exe), "/go-build")
}

// errParentGone is why the runner stops when go run's go command has exited.
var errParentGone = errors.New("the go command that started the runner exited (go run does not pass SIGTERM on)")

// watchParent stops the runner when the process that started it exits. Under go run the
// terminal's Ctrl-C reaches both the go command and the runner, but a SIGTERM sent to the
// go command kills it alone: the runner, orphaned, then stops as if it had the signal.
func watchParent(ctx context.Context, cancel context.CancelCauseFunc, interval time.Duration) {
	ppid := os.Getppid()
	every(ctx, interval, func(context.Context) {
		if os.Getppid() != ppid {
			cancel(errParentGone)
		}
	})
}
