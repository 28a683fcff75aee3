package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"
)

// options are the runner's command-line flags.
type options struct {
	addr string        // where the API listens
	data string        // the directory of the snapshot and the journal
	demo bool          // seed demo data into an empty table
	poll time.Duration // how often the stream pollers run (outbox, report counters)
	tick time.Duration // how often the scheduler runs
	url  string        // the API's base URL once listening (not a flag): H5_BASE_URL defaults to url + "/h5"
}

const usageHead = `Usage: go run ./infra/local [flags]

Runs the whole platform on this machine: every HTTP function of template.yaml on one
address, an embedded DynamoDB engine kept on disk, a fake WeChat API, and the notifier and
scheduler ticking in-process. Every write it answers is on disk first (a journal, fsynced
before the answer), so Ctrl-C, SIGTERM, kill -9 or a crash lose nothing it answered.

Flags:
`

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHead)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT` (port 0 picks a free one)")
	fs.StringVar(&o.data, "data", ".local/", "keep the table in `DIR` (relative to the working directory): its snapshot\n"+
		"table.json and the journal of every write since; delete DIR to start afresh")
	fs.BoolVar(&o.demo, "demo", true, "seed demo data when the table starts empty")
	fs.DurationVar(&o.poll, "poll", 2*time.Second, "every `INTERVAL`, the stream pollers run, as DynamoDB Streams do in AWS: one hands\n"+
		"the outbox messages that are due to the notifier, which sends them; the other feeds\n"+
		"changed items to the report counters; lower it to see messages and counts sooner")
	fs.DurationVar(&o.tick, "tick", time.Minute, "every `INTERVAL`, the scheduler function runs its timed jobs (reminders, ballot\n"+
		"draws, releasing no-shows, promoting waiting lists, retrying due messages, …), as\n"+
		"EventBridge's rate(1 minute) rule does in AWS; lower it to see them sooner")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.poll <= 0 || o.tick <= 0 {
		return o, errors.New("-poll and -tick must be positive")
	}
	return o, nil
}
