package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/infra/local/demo"
	"github.com/wentitong/wentitong/shared/apptest"
	"github.com/wentitong/wentitong/shared/auth"
)

// The migration, on the demo's data: a dry run reports what it would link and writes
// nothing; a run stopped after one page goes on from there the next time; together they
// link every profile to its openid once; a finished migration does nothing, and a
// restart finds everyone linked. A sign-in afterwards finds the same person.
func TestMigrateDemo(t *testing.T) {
	now := time.Date(2026, 11, 28, 13, 0, 0, 0, time.UTC)
	a, tbl := apptest.Start(t, now)
	cfg := apptest.Config(tbl) // the migration connects to the table's endpoint itself
	ctx := context.Background()
	sum, err := demo.Seed(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	items := func() int {
		out, err := tbl.DB.Scan(ctx, &dynamodb.ScanInput{TableName: &tbl.Name, Select: "COUNT"})
		if err != nil {
			t.Fatal(err)
		}
		return int(out.Count)
	}
	migrate := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := run(ctx, args, cfg, func() time.Time { return now }, &out, io.Discard); err != nil {
			t.Fatalf("migrate %v: %v\n%s", args, err, out.String())
		}
		return out.String()
	}
	count := func(out, what string) int {
		m := regexp.MustCompile(what + ` (\d+)`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("report %q lacks %q", out, what)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}

	before := items()
	dry := migrate("-dry-run")
	want := count(dry, "would link")
	if want < 1+len(sum.Staff) || items() != before {
		t.Fatalf("dry run = %q (%d items before, %d after), want at least the staff and a resident to link and nothing written", dry, before, items())
	}
	first := migrate("-page", "3", "-pages", "1")
	if !strings.Contains(first, "stopped after -pages") {
		t.Fatalf("bounded run = %q, want it stopped", first)
	}
	rest := migrate("-page", "3")
	if got := count(first, "linked") + count(rest, "linked"); got != want || !strings.Contains(rest, "done") {
		t.Errorf("linked %d in the stopped run and the next, want the dry run's %d:\n%s%s", got, want, first, rest)
	}
	if out := migrate(); !strings.Contains(out, "already done") {
		t.Errorf("a finished migration again = %q, want nothing to do", out)
	}
	again := migrate("-restart")
	if count(again, "linked") != 0 || count(again, "linked before") != want {
		t.Errorf("restart = %q, want nobody to link and %d linked before", again, want)
	}
	for _, id := range append([]string{sum.Residents[0]}, sum.Staff...) {
		ids, err := a.People.Identities(ctx, id)
		if err != nil || len(ids) != 1 || ids[0].Kind != auth.IdentOfficial || ids[0].Value != id {
			t.Errorf("identities of %s = %v, %v; want their official-account openid alone", id, ids, err)
		}
		if p, err := a.People.Resolve(ctx, auth.Identity{Kind: auth.IdentOfficial, ID: id}, now); err != nil || p != id {
			t.Errorf("sign-in of %s after the migration = %q, %v", id, p, err)
		}
	}
}
