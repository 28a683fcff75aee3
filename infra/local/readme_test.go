package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// A walkStep is one command of README's walk-through and what README says it answers.
type walkStep struct {
	line   int    // README's line of the command's first line
	cmd    string // as README has it, continuation lines included
	assign string // the variable a VAR=$(…) command sets
	want   string // the "# → …" that follows it, or ""
}

// readmeWalk reads the shell blocks of README's "Try it locally" section in order: its
// commands, and after each the answer README promises ("# → …" at the end of its last
// line or on the lines below it). An xml block that follows a shell block is the
// answer of that block's last command.
func readmeWalk(t *testing.T) []walkStep {
	t.Helper()
	f, err := os.Open("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		steps            []walkStep
		inSection        bool
		fence            string // "sh", "xml" or "" outside a block
		cmd              []string
		start            int
		inFunc           bool // in a shell function's body
		xml              []string
		lastOfShellBlock = -1
	)
	flush := func() {
		if len(cmd) == 0 {
			return
		}
		s := walkStep{line: start, cmd: strings.Join(cmd, "\n")}
		if m := regexp.MustCompile(`(?s)^([A-Z0-9]+)=\$\(`).FindStringSubmatch(s.cmd); m != nil {
			s.assign = m[1]
		}
		if i := strings.Index(cmd[len(cmd)-1], "# → "); i >= 0 {
			s.want = cmd[len(cmd)-1][i+len("# → "):]
		}
		steps, cmd = append(steps, s), nil
	}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			inSection = line == "## Try it locally"
			continue
		case !inSection:
			continue
		case fence == "" && strings.HasPrefix(line, "```"):
			fence = strings.TrimPrefix(line, "```")
			continue
		case fence != "" && line == "```":
			flush()
			if fence == "sh" {
				lastOfShellBlock = len(steps) - 1
			} else if fence == "xml" && lastOfShellBlock >= 0 {
				if m := regexp.MustCompile(`<Content><!\[CDATA\[([^\n]*)`).FindStringSubmatch(strings.Join(xml, "\n")); m != nil {
					steps[lastOfShellBlock].want = m[1]
				}
			}
			fence, xml = "", nil
			continue
		case fence == "xml":
			xml = append(xml, line)
			continue
		case fence != "sh":
			continue
		}
		trimmed := strings.TrimSpace(line)
		if len(cmd) > 0 {
			last := strings.TrimSpace(cmd[len(cmd)-1])
			if inFunc || strings.HasSuffix(last, `\`) || strings.HasSuffix(last, "|") {
				cmd = append(cmd, line) // a continuation, a pipe or a function's body
				inFunc = inFunc && trimmed != "}"
				if !inFunc && !strings.HasSuffix(trimmed, `\`) && !strings.HasSuffix(trimmed, "|") {
					flush()
				}
				continue
			}
			flush()
		}
		switch {
		case strings.HasPrefix(trimmed, "# → ") && len(steps) > 0:
			steps[len(steps)-1].want = strings.TrimPrefix(trimmed, "# → ")
		case strings.HasPrefix(trimmed, "#    ") && len(steps) > 0 && steps[len(steps)-1].want != "":
			steps[len(steps)-1].want += strings.TrimPrefix(trimmed, "#") // the answer goes on
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
		default:
			start, cmd = n, []string{line}
			inFunc = funcStart.MatchString(trimmed)
			if !inFunc && !strings.HasSuffix(trimmed, `\`) && !strings.HasSuffix(trimmed, "|") {
				flush()
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return steps
}

// funcStart is the first line of a shell function whose body follows: "wx() {  # …".
var funcStart = regexp.MustCompile(`^[a-z]+\(\) \{\s*(#.*)?$`)

var (
	// wantPair is a "key":value README shows of an answer; a value with … is any value.
	wantPair = regexp.MustCompile(`"[A-Za-z]+":("[^"]*"|-?[0-9.]+|true|false|null)`)
	// wantWord is the first word README shows of an answer without pairs: hello,
	// signature_invalid, 神农公园阅读亭, 近期电影放映：.
	wantWord = regexp.MustCompile(`^(?:[0-9]{3} )?([^\s,;{"…]+)`)
)

// check reports what of want the output of s lacks.
func (s walkStep) check(out string) []string {
	var missing []string
	if s.assign != "" {
		// The value is an id or a token README's sed cut from the answer; an error
		// answer (or an id sed could not find) leaves JSON in it.
		if v := strings.TrimSpace(out); v == "" || strings.ContainsAny(v, "{}\"") {
			missing = append(missing, fmt.Sprintf("%s is %q, not an id", s.assign, v))
		}
		return missing
	}
	if s.want == "" {
		return nil
	}
	if m := regexp.MustCompile(`^([0-9]{3})\b`).FindStringSubmatch(s.want); m != nil && strings.HasPrefix(out, "HTTP/") {
		if status := strings.Fields(out)[1]; status != m[1] {
			missing = append(missing, "status "+m[1]+", got "+status)
		}
	}
	pairs := wantPair.FindAllString(s.want, -1)
	for _, p := range pairs {
		if !strings.Contains(p, "…") && !strings.Contains(out, p) {
			missing = append(missing, p)
		}
	}
	if len(pairs) == 0 {
		if m := wantWord.FindStringSubmatch(s.want); m != nil && !regexp.MustCompile(`^[0-9]+$`).MatchString(m[1]) && !strings.Contains(out, m[1]) {
			missing = append(missing, m[1])
		}
	}
	return missing
}

// TestReadmeWalkthrough runs README's shell walk-through with bash and curl, as a reader
// pastes it, against the runner with its demo data, and checks every answer README
// shows ("# → …"): so the README cannot drift from the platform. Commands that build
// with go run (the runner itself, reconcile) are left to their own tests.
func TestReadmeWalkthrough(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "sha1sum", "sed"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is needed to run README's walk-through: %v", tool, err)
			}
			t.Skipf("%s is not installed: README's walk-through is not run", tool)
		}
	}
	steps := readmeWalk(t)
	if len(steps) < 40 {
		t.Fatalf("found %d commands in README's walk-through; want the whole of it", len(steps))
	}
	rn := mustStart(t, runner{getenv: noEnv}, "-data", t.TempDir())

	// Each command is followed by a marker, so that its output can be told apart; an
	// assignment prints the value it set.
	var script strings.Builder
	script.WriteString("API=" + rn.URL + "\n")
	var run []walkStep
	for _, s := range steps {
		if strings.Contains(s.cmd, "go run ") || strings.HasPrefix(s.cmd, "API=") {
			continue
		}
		script.WriteString(strings.ReplaceAll(s.cmd, "http://127.0.0.1:8080", rn.URL) + "\n")
		if s.assign != "" {
			fmt.Fprintf(&script, "printf '%%s' \"$%s\"\n", s.assign)
		}
		fmt.Fprintf(&script, "printf '\\n@@step %d@@\\n'\n", len(run))
		run = append(run, s)
	}
	bash := exec.Command("bash", "-c", script.String())
	bash.Dir = t.TempDir() // report.csv lands here
	out, err := bash.CombinedOutput()
	if err != nil {
		t.Fatalf("README's walk-through failed: %v\n%s", err, out)
	}
	outputs := regexp.MustCompile(`\n@@step [0-9]+@@\n`).Split(string(out), -1)
	if len(outputs) != len(run)+1 {
		t.Fatalf("walk-through printed %d step outputs, want %d:\n%s", len(outputs)-1, len(run), out)
	}
	checked := 0
	for i, s := range run {
		if missing := s.check(outputs[i]); len(missing) > 0 {
			t.Errorf("README.md:%d: %s\nanswered %s\nREADME says → %s; missing %q", s.line, s.cmd, outputs[i], s.want, missing)
		}
		if s.want != "" || s.assign != "" {
			checked++
		}
	}
	t.Logf("ran %d commands of README's walk-through, checked %d answers", len(run), checked)
}
