package search

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/blevesearch/bleve/v2"
	index "github.com/blevesearch/bleve_index_api"
)

// WriteSnapshot writes a consistent copy of the index to w as a tar archive: what the
// indexer publishes for the search function to load. The copy is made in a temporary
// directory first (bleve copies its root into a real file).
func (x *Index) WriteSnapshot(w io.Writer) error {
	c, ok := x.b.(bleve.IndexCopyable)
	if !ok {
		return errors.New("search snapshot: the index cannot be copied")
	}
	tmp, err := os.MkdirTemp("", "search-snapshot-")
	if err != nil {
		return fmt.Errorf("search snapshot: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := c.CopyTo(fsDir(tmp)); err != nil {
		return fmt.Errorf("search snapshot: %w", err)
	}
	tw := tar.NewWriter(w)
	err = filepath.Walk(tmp, func(path string, fi os.FileInfo, err error) error {
		if err != nil || !fi.Mode().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(tmp, path)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644, Size: fi.Size(), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, f)
		return err
	})
	if err != nil {
		return fmt.Errorf("search snapshot: %w", err)
	}
	return tw.Close()
}

// fsDir is an index.Directory of files under a directory.
type fsDir string

var _ index.Directory = fsDir("")

func (d fsDir) GetWriter(path string) (io.WriteCloser, error) {
	full := filepath.Join(string(d), path)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return nil, err
	}
	return os.Create(full)
}

// ReadSnapshot unpacks a snapshot written by WriteSnapshot into dir (which must not
// exist) and opens it for searching.
func ReadSnapshot(r io.Reader, dir string) (*Index, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read search snapshot: %w", err)
		}
		name := filepath.Clean(filepath.FromSlash(hdr.Name))
		if filepath.IsAbs(name) || strings.HasPrefix(name, "..") || hdr.Typeflag != tar.TypeReg {
			return nil, fmt.Errorf("read search snapshot: unexpected entry %q", hdr.Name)
		}
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		f, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		_, err = io.Copy(f, tr)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("read search snapshot: %w", err)
		}
	}
	return OpenReadOnly(dir)
}

// walk calls f for every regular file under dir.
func walk(dir string, f func(os.FileInfo)) error {
	return filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if fi.Mode().IsRegular() {
			f(fi)
		}
		return nil
	})
}
