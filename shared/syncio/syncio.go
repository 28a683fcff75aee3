// Package syncio has the writers goroutines share: the local runner's and the app's
// loggers on one stream, a process's output or a platform's log that a test reads while
// they are written.
package syncio

import (
	"bytes"
	"io"
	"strings"
	"sync"
)

// Writer serialises the writes to W, so that what two goroutines write at once does not
// interleave.
type Writer struct {
	mu sync.Mutex
	W  io.Writer
}

func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.W.Write(p)
}

// Buffer is a buffer goroutines write while another reads it; NewBuffer makes one.
type Buffer struct {
	w   Writer // writes buf under its lock
	buf bytes.Buffer
}

// NewBuffer returns an empty buffer.
func NewBuffer() *Buffer {
	b := &Buffer{}
	b.w.W = &b.buf
	return b
}

func (b *Buffer) Write(p []byte) (int, error) { return b.w.Write(p) }

// String returns what was written so far.
func (b *Buffer) String() string {
	b.w.mu.Lock()
	defer b.w.mu.Unlock()
	return b.buf.String()
}

// Tail returns the last n lines written so far.
func (b *Buffer) Tail(n int) string {
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
