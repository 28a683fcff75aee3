package access

import (
	"context"
	"errors"
	"testing"

	"github.com/wentitong/wentitong/shared/auth"
)

type grants map[string][]string

func (g grants) Granted(_ context.Context, openid string) ([]string, error) { return g[openid], nil }

// An evaluator reads only within the districts of their current grants, and only where
// the request names some; an admin reads anything; nobody else.
func TestEvaluatorRule(t *testing.T) {
	g := Guard{Grants: grants{"o-eval": {"c/k1", "c/k3/t"}}}
	eval := auth.Claims{OpenID: "o-eval", Roles: []string{auth.RoleResident, auth.RoleEvaluator}}
	target := func(paths ...string) func() ([]string, error) { return func() ([]string, error) { return paths, nil } }
	for _, tt := range []struct {
		name   string
		c      auth.Claims
		target func() ([]string, error)
		want   error
	}{
		{"a granted county", eval, target("c/k1"), nil},
		{"a village of it", eval, target("c/k1/t/v"), nil},
		{"a granted township", eval, target("c/k3/t"), nil},
		{"its county", eval, target("c/k3"), ErrOutOfGrant},
		{"another county", eval, target("c/k2"), ErrOutOfGrant},
		{"a prefix that is not a parent", eval, target("c/k10"), ErrOutOfGrant},
		{"one in and one out", eval, target("c/k1", "c/k2"), ErrOutOfGrant},
		{"no district named", eval, nil, ErrOutOfGrant},
		{"an empty path", eval, target(""), ErrOutOfGrant},
		{"no grant", auth.Claims{OpenID: "o-other", Roles: []string{auth.RoleEvaluator}}, target("c/k1"), ErrNoGrant},
		{"a resident", auth.Claims{OpenID: "o-eval", Roles: []string{auth.RoleResident}}, target("c/k1"), auth.ErrForbidden},
		{"staff", auth.Claims{OpenID: "o-eval", Roles: []string{auth.RoleStaff}}, target("c/k1"), auth.ErrForbidden},
		{"an admin", auth.Claims{OpenID: "o-admin", Roles: []string{auth.RoleAdmin}}, target("c/k2"), nil},
	} {
		if err := g.Allow(context.Background(), tt.c, KindEvaluator, tt.target); !errors.Is(err, tt.want) && (err != nil || tt.want != nil) {
			t.Errorf("%s: Allow = %v, want %v", tt.name, err, tt.want)
		}
	}
	if err := g.Allow(context.Background(), eval, KindStaff, target("c/k1")); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("an evaluator on a staff route: %v, want forbidden", err)
	}
}
