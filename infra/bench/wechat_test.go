package main

import (
	"strings"
	"testing"
)

// The scenario runs end to end on a few messages and prints both rows and the ratio.
func TestWeChatScenario(t *testing.T) {
	out := runScenario(t, "wechat", "-n", "40", "-c", "2")
	for _, want := range []string{"platform", "bare SDK echo", "ratio", `"scenario":"wechat"`, `"dynamoCallsPerMsg":`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
