package fault_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// latinWord is an English word (or code) in a text meant for people.
var latinWord = regexp.MustCompile(`[A-Za-z]{2,}`)

// No error message of the platform puts an English word in front of a resident or a
// staff member: codes are for clients, messages are Chinese (every fault.New and
// fault.Invalidf message under shared/).
func TestMessagesAreChinese(t *testing.T) {
	fset := token.NewFileSet()
	n := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(x ast.Node) bool {
			call, ok := x.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, _ := sel.X.(*ast.Ident)
			msg := -1
			switch {
			case pkg != nil && pkg.Name == "fault" && sel.Sel.Name == "New" && len(call.Args) == 3:
				msg = 2
			case pkg != nil && pkg.Name == "fault" && sel.Sel.Name == "Invalidf" && len(call.Args) >= 2:
				msg = 1
			}
			if msg < 0 {
				return true
			}
			lit, ok := call.Args[msg].(*ast.BasicLit)
			if !ok {
				return true
			}
			s, _ := strconv.Unquote(lit.Value)
			n++
			if w := latinWord.FindString(s); w != "" {
				t.Errorf("%s: message %q has the English %q", fset.Position(lit.Pos()), s, w)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Errorf("found %d messages, want the platform's (over 100): is the walk right?", n)
	}
}
