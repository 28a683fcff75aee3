package sam

import (
	"os"
	"path/filepath"
	"testing"
)

func mustParse(t *testing.T, src string) *Template {
	t.Helper()
	p := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	tmpl, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// mustDefault loads the project's template (LoadDefault) and its functions.
func mustDefault(t *testing.T) (*Template, []Function) {
	t.Helper()
	tmpl, err := LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	fns, err := tmpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	return tmpl, fns
}
