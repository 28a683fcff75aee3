package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// runScenario runs the benchmark with args (the scenario's name first) and returns what
// it printed; a run that fails fails the test with its output.
func runScenario(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), args, &out); err != nil {
		t.Fatalf("%s: %v\n%s", args[0], err, out.String())
	}
	return out.String()
}

// lastJSON decodes the output's JSON reports, its last len(into) lines (one a run), into
// into's values in order; a line that is not one fails the test.
func lastJSON(t *testing.T, out string, into ...any) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < len(into) {
		t.Fatalf("output has %d lines, want %d JSON reports at its end:\n%s", len(lines), len(into), out)
	}
	for i, v := range into {
		line := lines[len(lines)-len(into)+i]
		if err := json.Unmarshal([]byte(line), v); err != nil {
			t.Fatalf("line %q is not a run's JSON report: %v", line, err)
		}
	}
}
