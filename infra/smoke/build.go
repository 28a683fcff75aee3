package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// buildAll builds every function under functions/ as a Lambda bootstrap for
// linux/goarch, at bin/<function>/bootstrap, the way the template's provided.al2023
// runtime runs it. It is the one place that knows how a function is built: .ci/run
// uses it for the arm64 deployment builds as well as for the smoke test's own.
func buildAll(ctx context.Context, root, bin, goarch string) error {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	dirs, err := functionDirs(root)
	if err != nil {
		return err
	}
	if len(dirs) == 0 {
		return fmt.Errorf("no functions under %s", filepath.Join(root, "functions"))
	}
	for _, dir := range dirs {
		out := filepath.Join(bin, dir, "bootstrap")
		cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w",
			"-o", out, "./functions/"+dir)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("build functions/%s for linux/%s: %w", dir, goarch, err)
		}
		fi, err := os.Stat(out)
		if err != nil {
			return err
		}
		fmt.Printf("built linux/%s %s  %d bytes  (%s)\n", goarch, out, fi.Size(), time.Since(start).Round(100*time.Millisecond))
	}
	return nil
}

// functionDirs returns the directories under functions/ that hold Go source, sorted.
func functionDirs(root string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		src, err := filepath.Glob(filepath.Join(root, "functions", e.Name(), "*.go"))
		if err != nil {
			return nil, err
		}
		for _, f := range src {
			if !strings.HasSuffix(f, "_test.go") {
				dirs = append(dirs, e.Name())
				break
			}
		}
	}
	return dirs, nil
}

// modulePath is the import path prefix of this repository's packages.
const modulePath = "github.com/wentitong/wentitong/"

// linkedPackages returns the import paths of the packages, not the standard library's,
// that functions/<dir> links into its bootstrap.
func linkedPackages(ctx context.Context, root, dir string) ([]string, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-tags", "lambda.norpc", "-deps",
		"-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./functions/"+dir)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list functions/%s: %w", dir, err)
	}
	return strings.Fields(string(out)), nil
}

// ownPackages returns how many of pkgs are this repository's.
func ownPackages(pkgs []string) int {
	n := 0
	for _, p := range pkgs {
		if strings.HasPrefix(p, modulePath) {
			n++
		}
	}
	return n
}
