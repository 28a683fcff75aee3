package main

import (
	"strings"
	"testing"
)

// The runner serves the simulator, which posts to the runner's own callback in safe mode
// (the dev defaults set an EncodingAESKey) and shows the reply.
func TestSimulatorOnTheRunner(t *testing.T) {
	rn := mustStart(t, runner{getenv: noEnv}, "-data", t.TempDir())
	if r := mustDo(t, "GET", rn.URL+"/_dev/", "", ""); r.status != 200 || !strings.Contains(r.body, "安全模式") || !strings.Contains(r.body, "o-resident-1") {
		t.Errorf("GET /_dev/ = %d, want the simulator in safe mode as o-resident-1:\n%.500s", r.status, r.body)
	}
	r := mustDo(t, "POST", rn.URL+"/_dev/send", `{"openid":"o-resident-2","do":"text","text":"电影"}`, "")
	if r.status != 200 || !strings.Contains(r.body, `"via":"reply"`) || !strings.Contains(r.body, "公益电影《流浪地球2》") {
		t.Errorf("simulated 电影 = %d %s, want the films as the reply", r.status, r.body)
	}
	if !strings.Contains(rn.stdout.String(), rn.URL+"/_dev/") {
		t.Errorf("the guide does not say where the simulator is:\n%s", rn.stdout)
	}
}
