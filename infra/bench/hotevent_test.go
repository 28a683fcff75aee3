package main

import (
	"testing"
)

// A small sale under the per-item limits, with one counter and with four shards: every
// place of each film sold, none oversold, one JSON line per run.
func TestHotEventSmall(t *testing.T) {
	out := runScenario(t, "hotevent", "-residents", "300", "-places", "40", "-others", "60", "-other-places", "10",
		"-shards", "1,4", "-instances", "3", "-concurrency", "8", "-arrive", "200ms")
	type sale struct {
		Shards                          int
		HotHeld, HotOversold, Film2Held int
		HotSoldOutSeconds               float64
	}
	var runs [2]sale
	lastJSON(t, out, &runs[0], &runs[1])
	for i, shards := range []int{1, 4} {
		r := runs[i]
		if r.Shards != shards || r.HotHeld != 40 || r.HotOversold != 0 || r.Film2Held != 10 || r.HotSoldOutSeconds <= 0 {
			t.Errorf("run %d = %+v, want %d shards, the 40 places sold, none oversold, the other film's 10 sold, a sell-out time\n%s", i, r, shards, out)
		}
	}
}
