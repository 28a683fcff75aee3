// Command bench measures the platform: `go run ./infra/bench SCENARIO [flags]`.
// Each scenario prints what it measured beside a baseline measured in the same run (for
// example the raw engine's rate for the same DynamoDB calls), as a table and one JSON line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
)

// A scenario runs with its own flags (args after the scenario's name) and writes its
// report to out.
type scenario struct {
	about string
	run   func(ctx context.Context, args []string, out io.Writer) error
}

// scenarios is filled by each scenario's file in an init function.
var scenarios = map[string]scenario{}

func register(name, about string, run func(ctx context.Context, args []string, out io.Writer) error) {
	scenarios[name] = scenario{about: about, run: run}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "help" {
		return usage(out)
	}
	s, ok := scenarios[args[0]]
	if !ok {
		_ = usage(out)
		return fmt.Errorf("unknown scenario %q", args[0])
	}
	if err := s.run(ctx, args[1:], out); !errors.Is(err, flag.ErrHelp) {
		return err
	}
	return nil // SCENARIO -h: its flags are listed
}

// flags returns the flag set of scenario name, which lists its flags and their errors
// on out.
func flags(name string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	return fs
}

func usage(out io.Writer) error {
	var names []string
	for name := range scenarios {
		names = append(names, name)
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteString("usage: go run ./infra/bench SCENARIO [flags]   (SCENARIO -h lists its flags)\n\nscenarios:\n")
	for _, name := range names {
		fmt.Fprintf(&b, "  %-12s %s\n", name, scenarios[name].about)
	}
	_, err := io.WriteString(out, b.String())
	return err
}
