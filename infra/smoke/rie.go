package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wentitong/wentitong/shared/syncio"
)

// rieModule is where the AWS Lambda Runtime Interface Emulator comes from.
const rieModule = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"

// findRIE returns the path of aws-lambda-rie: on PATH, in $(go env GOBIN) or in
// $(go env GOPATH)/bin.
func findRIE(ctx context.Context) (string, error) {
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p, nil
	}
	out, err := exec.CommandContext(ctx, "go", "env", "GOBIN", "GOPATH").Output()
	if err == nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		var dirs []string
		if len(lines) == 2 && lines[0] != "" {
			dirs = append(dirs, lines[0])
		}
		for _, gp := range filepath.SplitList(lines[len(lines)-1]) {
			dirs = append(dirs, filepath.Join(gp, "bin"))
		}
		for _, d := range dirs {
			p := filepath.Join(d, "aws-lambda-rie")
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("aws-lambda-rie is neither on PATH nor in $(go env GOPATH)/bin; install it with:\n\tgo install %s@latest", rieModule)
}

// emulator is one aws-lambda-rie process running one bootstrap.
type emulator struct {
	cmd         *exec.Cmd
	addr        string // host:port of the invoke API
	Started     time.Time
	FirstAnswer time.Time // when the first invocation was answered
	Log         *syncio.Buffer

	done    chan struct{} // closed when the process has exited
	waitErr error
}

// startEmulator runs bootstrap under the emulator with exactly the environment env
// (the emulator passes its own environment on to the function). The emulator and the
// bootstrap it starts share a new process group, so Stop ends both.
func startEmulator(rie, bootstrap string, env []string, log io.Writer) (*emulator, error) {
	invokePort, err := freePort()
	if err != nil {
		return nil, err
	}
	runtimePort, err := freePort()
	if err != nil {
		return nil, err
	}
	e := &emulator{addr: "127.0.0.1:" + strconv.Itoa(invokePort), Log: syncio.NewBuffer(), done: make(chan struct{})}
	e.cmd = exec.Command(rie,
		"--log-level", "info",
		"--runtime-interface-emulator-address", e.addr,
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(runtimePort),
		bootstrap)
	e.cmd.Dir = filepath.Dir(bootstrap) // as /var/task in Lambda
	e.cmd.Env = env
	out := io.Writer(e.Log)
	if log != nil {
		out = io.MultiWriter(e.Log, log)
	}
	e.cmd.Stdout, e.cmd.Stderr = out, out
	e.cmd.WaitDelay = 2 * time.Second
	setProcessGroup(e.cmd)
	e.Started = time.Now()
	if err := e.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", rie, err)
	}
	go func() {
		e.waitErr = e.cmd.Wait()
		close(e.done)
	}()
	return e, nil
}

// WaitReady waits until the emulator accepts connections.
func (e *emulator) WaitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var d net.Dialer
	for {
		conn, err := d.DialContext(ctx, "tcp", e.addr)
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-e.done:
			return fmt.Errorf("aws-lambda-rie exited before listening: %v", e.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("aws-lambda-rie not listening on %s: %w", e.addr, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// Invoke sends event to the function and returns its answer (the function's response
// payload, or its error payload).
func (e *emulator) Invoke(ctx context.Context, event []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		"http://"+e.addr+"/2015-03-31/functions/function/invocations", bytes.NewReader(event))
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("invoke: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 6<<20))
	if e.FirstAnswer.IsZero() {
		e.FirstAnswer = time.Now()
	}
	if err != nil {
		return nil, fmt.Errorf("invoke: read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("invoke: emulator answered HTTP %d: %s", resp.StatusCode, body)
	}
	return body, nil
}

// Stop kills the emulator and the bootstrap, and waits for them to exit.
func (e *emulator) Stop() {
	select {
	case <-e.done:
		return
	default:
	}
	killProcessGroup(e.cmd)
	select {
	case <-e.done:
	case <-time.After(5 * time.Second):
	}
}

// initReportRE finds the emulator's report of the bootstrap's init phase: from its
// start to its first request for an invocation.
var initReportRE = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)

// InitDuration returns the bootstrap's init time as the emulator logged it, if it did.
func (e *emulator) InitDuration() (time.Duration, bool) {
	m := initReportRE.FindStringSubmatch(e.Log.String())
	if m == nil {
		return 0, false
	}
	ms, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false
	}
	return time.Duration(ms * float64(time.Millisecond)), true
}

// freePort returns a loopback port nothing listens on at the moment.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// prefixWriter writes each line with a prefix (for -v).
type prefixWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
	midway bool // the last write ended inside a line
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out bytes.Buffer
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		if !p.midway {
			out.WriteString(p.prefix)
		}
		out.Write(line)
		p.midway = !bytes.HasSuffix(line, []byte("\n"))
	}
	if _, err := p.w.Write(out.Bytes()); err != nil {
		return 0, err
	}
	return len(b), nil
}
