// Command migrate links the people the table knew before person ids existed to their
// identities: each profile keyed by an official-account openid gets its identity items
// (IDENT#oa#<openid>, and IDENT#union#<unionid> when the profile holds one), so that a
// sign-in from the mini program finds them. Their person id stays their openid, so no
// booking, hour or strike moves (docs/decisions.md, "One person across channels").
//
//	TABLE_NAME=wentitong-prod go run ./infra/migrate -dry-run
//	DYNAMODB_ENDPOINT=http://127.0.0.1:PORT TABLE_NAME=wentitong-local go run ./infra/migrate
//
// It is resumable (where a run stopped is recorded after each page; the next run goes on
// from there) and idempotent (a finished migration does nothing; a link is written only
// where none is). -pages N stops after N pages. -dry-run reports what it would link and writes nothing; -restart
// starts again from the first page.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/wentitong/wentitong/infra/tool"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamo/accountdb"
)

func main() {
	tool.Main("migrate", func(ctx context.Context, args []string, cfg config.Config, stdout, stderr io.Writer) error {
		return run(ctx, args, cfg, time.Now, stdout, stderr)
	})
}

func run(ctx context.Context, args []string, cfg config.Config, now func() time.Time, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dryRun := fs.Bool("dry-run", false, "report what would be linked; write nothing")
	restart := fs.Bool("restart", false, "forget where an earlier run stopped and start from the first page")
	page := fs.Int("page", 200, "items read per page of the Scan")
	pages := fs.Int("pages", 0, "stop after this many pages (0: go to the end); the next run goes on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *page < 1 || *page > 10000 || *pages < 0 {
		return fmt.Errorf("-page %d -pages %d: want 1 to 10000 items a page, and no negative count of pages", *page, *pages)
	}
	db, err := tool.Table(ctx, cfg)
	if err != nil {
		return err
	}
	people := &accountdb.People{DB: db, Table: cfg.TableName}
	m, err := people.MigrateIdentities(ctx, *dryRun, *restart, int32(*page), *pages, now())
	verb := "linked"
	if *dryRun {
		verb = "would link"
	}
	fmt.Fprintf(stdout, "table %s: read %d profiles in %d pages; %s %d (person id = openid), linked before %d, came through another channel first %d\n",
		cfg.TableName, m.Profiles, m.Pages, verb, m.Linked, m.Already, m.Skipped)
	switch {
	case err != nil:
		fmt.Fprintln(stdout, "stopped; run again to go on from the last page done")
		return err
	case m.Done && m.Pages == 0:
		fmt.Fprintln(stdout, "already done: nothing to do (-restart to check every profile again)")
	case m.Done:
		fmt.Fprintln(stdout, "done")
	default:
		fmt.Fprintln(stdout, "stopped after -pages; run again to go on from the last page done")
	}
	return nil
}
