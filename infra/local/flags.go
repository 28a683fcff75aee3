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
	data string        // the directory of the snapshot
	demo bool          // seed demo data into an empty table
	poll time.Duration // how often the stream pollers run (outbox, report counters)
	tick time.Duration // how often the scheduler runs
	save time.Duration // how often the snapshot is written (not a flag)
	url  string        // the API's base URL once listening (not a flag): H5_BASE_URL defaults to url + "/h5"
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	o := options{save: 30 * time.Second}
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT` (port 0 picks a free one)")
	fs.StringVar(&o.data, "data", ".local/", "keep the table's snapshot in `DIR`")
	fs.BoolVar(&o.demo, "demo", true, "seed demo data when the table starts empty")
	fs.DurationVar(&o.poll, "poll", 2*time.Second, "interval of the stream pollers that feed the outbox to the notifier and changed items to the report counters")
	fs.DurationVar(&o.tick, "tick", time.Minute, "interval of the scheduler (EventBridge rate(1 minute) in AWS)")
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
