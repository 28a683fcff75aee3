package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// The scenario runs end to end on a few messages and prints both rows and the ratio.
func TestWeChatScenario(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"wechat", "-n", "40", "-c", "2"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"platform", "bare SDK echo", "ratio", `"scenario":"wechat"`, `"dynamoCallsPerMsg":`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
