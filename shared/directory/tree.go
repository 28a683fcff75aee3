package directory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Node is a district with its children, for the tree the H5 pages draw.
type Node struct {
	District
	Children []*Node `json:"children"`
}

// Tree nests districts listed parents first (in path order, as the store lists them)
// into trees; a district whose parent is not in the list becomes a root, so a subtree's
// listing gives one tree.
func Tree(ds []District) []*Node {
	byID := make(map[string]*Node, len(ds))
	roots := []*Node{}
	for _, d := range ds {
		n := &Node{District: d, Children: []*Node{}}
		byID[d.ID] = n
		if p, ok := byID[d.ParentID]; ok {
			p.Children = append(p.Children, n)
		} else {
			roots = append(roots, n)
		}
	}
	return roots
}

// Within reports whether d is root or below it.
func (d District) Within(root District) bool {
	return d.Path == root.Path || strings.HasPrefix(d.Path, root.Path+"/")
}

// Finder finds districts: the directory's own service, and what the contexts that file
// things under a district ask of it.
type Finder interface {
	District(ctx context.Context, id string) (District, error)
	Districts(ctx context.Context) ([]District, error)
}

// DistrictOrCity returns the district of id, or when id is empty the city (the first
// district listed, the top of the tree; the zero District when there is none). It
// returns ErrDistrictUnknown for an unknown id.
func DistrictOrCity(ctx context.Context, f Finder, id string) (District, error) {
	if id != "" {
		return f.District(ctx, id)
	}
	all, err := f.Districts(ctx)
	if err != nil || len(all) == 0 {
		return District{}, err
	}
	return all[0], nil
}

// NamedDistrict returns the district of id that a request names beside what it acts
// on: ErrNamedDistrictUnknown when there is none, any other error of f as it is.
func NamedDistrict(ctx context.Context, f interface {
	District(ctx context.Context, id string) (District, error)
}, id string) (District, error) {
	d, err := f.District(ctx, id)
	if errors.Is(err, ErrDistrictUnknown) {
		return District{}, ErrNamedDistrictUnknown
	}
	return d, err
}

// Subtree lists what a public directory shows of a district's subtree (the city's when
// id is empty): the records load finds under its path that keep keeps, ordered by
// order; never nil. It returns ErrDistrictUnknown for an unknown id.
func Subtree[T any](ctx context.Context, f Finder, id string, load func(ctx context.Context, path string) ([]T, error),
	keep func(T) bool, order func(a, b T) int) ([]T, error) {
	root, err := DistrictOrCity(ctx, f, id)
	if err != nil {
		return nil, err
	}
	all, err := load(ctx, root.Path)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", root.Path, err)
	}
	out := []T{}
	for _, v := range all {
		if keep(v) {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, order)
	return out, nil
}
