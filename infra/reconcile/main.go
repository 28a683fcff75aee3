// Command reconcile recomputes the report counters from the items they count and reports
// where the stored counters drift from them; with -fix it repairs them.
//
//	TABLE_NAME=wentitong-prod go run ./infra/reconcile -period 2026-11
//	DYNAMODB_ENDPOINT=http://127.0.0.1:PORT TABLE_NAME=wentitong-local go run ./infra/reconcile -fix
//
// (The local runner prints its engine's address as "DynamoDB".) It reads the whole table
// with a consistent Scan and writes nothing unless -fix is given. It exits 1 when drift
// remains.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/wentitong/wentitong/infra/tool"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamo/countersdb"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/report"
)

// errDrift is the exit of a run that found drift it did not repair.
var errDrift = errors.New("the counters drift from the items")

func main() { tool.Main("reconcile", run) }

func run(ctx context.Context, args []string, cfg config.Config, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reconcile", flag.ContinueOnError)
	fs.SetOutput(stderr)
	period := fs.String("period", "", "only this period's counters: `YYYY-MM` or all (default: every period)")
	fix := fs.Bool("fix", false, "repair: count the items never counted, then set what still differs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *period != "" && !evaluation.ValidPeriod(*period) {
		return fmt.Errorf("-period %q: want YYYY-MM or all", *period)
	}
	db, err := tool.Table(ctx, cfg)
	if err != nil {
		return err
	}
	c := &countersdb.Counters{DB: db, Table: cfg.TableName}
	r, err := c.Recount(ctx)
	if err != nil {
		return err
	}
	drift := r.Drift(*period)
	fmt.Fprintf(stdout, "table %s: %d counted items (bookings, slots, volunteers), %d counters and members' totals stored\n",
		cfg.TableName, len(r.Subjects), len(r.Have))
	printTotals(stdout, r, *period)
	if len(drift) == 0 {
		fmt.Fprintln(stdout, "no drift: every counter is what its items say")
		return nil
	}
	printDrift(stdout, r, drift)
	if !*fix {
		return errDrift
	}
	fixed, err := c.Repair(ctx)
	if err != nil {
		return fmt.Errorf("repair: %w", err)
	}
	if r, err = c.Recount(ctx); err != nil {
		return err
	}
	if left := r.Drift(*period); len(left) > 0 {
		printDrift(stdout, r, left)
		return errDrift
	}
	fmt.Fprintf(stdout, "repaired: counted the items never counted, then set %d counters; no drift left\n", len(fixed))
	return nil
}

// printTotals prints the root-level (city) counters of the period: counted and recounted.
func printTotals(w io.Writer, r countersdb.Recount, period string) {
	all := map[report.Count]int{}
	for c, n := range r.Want {
		all[c] = n
	}
	for c := range r.Have {
		all[c] = r.Want[c]
	}
	roots := map[string]bool{}
	for c := range all {
		roots[c.District] = true
	}
	// The city is the district every counted fact reaches: the one with the most counters.
	city, most := "", 0
	for d := range roots {
		n := 0
		for c := range all {
			if c.District == d {
				n++
			}
		}
		if n > most || n == most && d < city {
			city, most = d, n
		}
	}
	for _, c := range report.Counts(all) {
		if c.District != city || c.Member != "" || (period != "" && c.Period != period) {
			continue
		}
		fmt.Fprintf(w, "  %-8s %-7s %-22s counted %6d  items say %6d\n", c.District, c.Period, c.Metric, r.Have[c], r.Want[c])
	}
}

func printDrift(w io.Writer, r countersdb.Recount, drift []report.Count) {
	fmt.Fprintf(w, "%d counters drift:\n", len(drift))
	for _, c := range drift {
		who := ""
		if c.Member != "" {
			who = " member " + c.Member
		}
		fmt.Fprintf(w, "  %s %s %s%s: counted %d, items say %d\n", c.District, c.Period, c.Metric, who, r.Have[c], r.Want[c])
	}
}
