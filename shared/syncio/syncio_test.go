package syncio_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/wentitong/wentitong/shared/syncio"
)

// Lines written from many goroutines at once arrive whole, through a Writer and in a
// Buffer read while they are written; Tail gives the last lines.
func TestConcurrentLines(t *testing.T) {
	buf := syncio.NewBuffer()
	var inner strings.Builder
	w := &syncio.Writer{W: &inner}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				line := fmt.Sprintf("goroutine %d line %d %s\n", g, i, strings.Repeat("x", 200))
				buf.Write([]byte(line))
				w.Write([]byte(line))
				_ = buf.String()
			}
		})
	}
	wg.Wait()
	for name, s := range map[string]string{"Buffer": buf.String(), "Writer": inner.String()} {
		lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
		if len(lines) != 400 {
			t.Fatalf("%s holds %d lines, want 400", name, len(lines))
		}
		for _, l := range lines {
			if !strings.HasPrefix(l, "goroutine ") || !strings.HasSuffix(l, strings.Repeat("x", 200)) || strings.Count(l, "goroutine") != 1 {
				t.Fatalf("%s holds an interleaved line %q", name, l)
			}
		}
	}
	if got := buf.Tail(2); strings.Count(got, "\n") != 1 || !strings.HasSuffix(buf.String(), got+"\n") {
		t.Errorf("Tail(2) = %q, want the last two lines", got)
	}
	short := syncio.NewBuffer()
	short.Write([]byte("only\n"))
	if got := short.Tail(40); got != "only" {
		t.Errorf("Tail(40) of one line = %q, want it", got)
	}
}
