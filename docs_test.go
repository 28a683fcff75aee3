package wentitong

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// keyParts are the key strings shared/dynamo/keys.go builds keys from: the prefixes
// (USER#, FIGCALL#…) and the fixed sort keys and index partitions (PROFILE, DISTRICTS…).
func keyParts(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "shared/dynamo/keys.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	part := regexp.MustCompile(`^[A-Z][A-Z0-9_]*(#[A-Z]*)?$`)
	seen := map[string]bool{}
	var parts []string
	ast.Inspect(f, func(n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			t.Fatal(err)
		}
		s = strings.TrimSuffix(s, "%d") // FIGCALL#%d
		if part.MatchString(s) && !seen[s] {
			seen[s] = true
			parts = append(parts, s)
		}
		return true
	})
	if len(parts) < 100 {
		t.Fatalf("found %d key strings in keys.go; the parser misses them", len(parts))
	}
	return parts
}

// docs/data-model.md names every key keys.go builds, and its tables name no key prefix
// that keys.go does not build: a new kind of item is documented, a removed one leaves.
func TestDataModelNamesEveryKey(t *testing.T) {
	b, err := os.ReadFile("docs/data-model.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	parts := keyParts(t)
	known := map[string]bool{}
	for _, p := range parts {
		known[p] = true
		// A part stands alone: USER# may go on (USER#<openid>, OUTBOX#PENDING), PROFILE
		// may not (PROFILES), but may take a shard (FEEDBACK#OPEN#<shard>).
		re := `(^|[^A-Z0-9_#])` + regexp.QuoteMeta(p)
		if !strings.HasSuffix(p, "#") {
			re += `($|[^A-Z0-9_])`
		}
		if !regexp.MustCompile(re).MatchString(doc) {
			t.Errorf("docs/data-model.md does not mention %s, which shared/dynamo/keys.go builds keys with", p)
		}
	}
	prefix := regexp.MustCompile("`([A-Z][A-Z0-9_]*#)")
	for i, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(line, "|") {
			continue // prose may tell of keys to come (sharding a partition)
		}
		for _, m := range prefix.FindAllStringSubmatch(line, -1) {
			p := m[1]
			if !known[p] && !known[strings.TrimSuffix(p, "#")] && !knownPrefixOf(parts, p) {
				t.Errorf("docs/data-model.md:%d: %s is no key of shared/dynamo/keys.go", i+1, p)
			}
		}
	}
}

// knownPrefixOf reports whether p starts a key string, as CHECKIN# starts CHECKIN#OPEN.
func knownPrefixOf(parts []string, p string) bool {
	for _, k := range parts {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}
