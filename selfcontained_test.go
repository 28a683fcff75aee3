package wentitong

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The repository stands on its own: no file refers to a document outside it (the
// original brief and style guide were never part of it), and no comment points to a
// package doc (doc.go) its package does not have.
func TestNoReferenceOutsideTheRepository(t *testing.T) {
	out, err := exec.Command("git", "ls-files").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	outside := []string{"DESIGN" + ".md", "STYLE" + ".md"}
	for _, name := range strings.Fields(string(out)) {
		ext := filepath.Ext(name)
		if ext != ".go" && ext != ".md" && ext != ".yaml" {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			continue // deleted in the work tree
		}
		text := string(b)
		for _, doc := range outside {
			if strings.Contains(text, doc) {
				t.Errorf("%s refers to %s, which is not in the repository", name, doc)
			}
		}
		if ext == ".go" && strings.Contains(text, "doc"+".go ") {
			if _, err := os.Stat(filepath.Join(filepath.Dir(name), "doc.go")); err != nil {
				t.Errorf("%s refers to its package's doc.go, which is missing", name)
			}
		}
	}
}
