package wentitong

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// README's layout list names every package: every folder of Go code under shared/ (by
// its path below shared/), every tool under infra/ and every function, so a new package
// cannot go unlisted.
func TestReadmeListsEveryPackage(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	err = filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if path != "." && strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "bin" || d.Name() == "events" {
			return filepath.SkipDir
		}
		if goFiles, _ := filepath.Glob(filepath.Join(path, "*.go")); len(goFiles) == 0 {
			return nil
		}
		path = filepath.ToSlash(path)
		var name string
		switch {
		case strings.HasPrefix(path, "shared/"):
			name = "`" + strings.TrimPrefix(path, "shared/") + "`"
		case strings.HasPrefix(path, "infra/"):
			name = "`" + path
		case strings.HasPrefix(path, "functions/"):
			return nil // each function is its wiring package app/<name>app, listed below
		default:
			return nil
		}
		if !strings.Contains(readme, name) {
			t.Errorf("README's layout list does not name %s (%s)", path, name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
