package directory

import (
	"context"

	"github.com/wentitong/wentitong/shared/auth"
)

// Guard decides whose district data a signed-in person may act on: admins anything,
// staff and coordinators the subtree of the district an admin assigned them.
type Guard struct {
	Scopes    Scopes
	Districts interface {
		District(ctx context.Context, id string) (District, error)
	}
}

// Scope returns the district c looks after: the zero District for an admin (the whole
// city), ErrOutOfScope for someone with no district assigned.
func (g Guard) Scope(ctx context.Context, c auth.Claims) (District, error) {
	if c.Has(auth.RoleAdmin) {
		return District{}, nil
	}
	id, err := g.Scopes.Scope(ctx, c.OpenID)
	if err != nil {
		return District{}, err
	}
	if id == "" {
		return District{}, ErrOutOfScope
	}
	return g.Districts.District(ctx, id)
}

// Permit returns nil when c may act on data of the district at path, else
// ErrOutOfScope.
func (g Guard) Permit(ctx context.Context, c auth.Claims, path string) error {
	scope, err := g.Scope(ctx, c)
	if err != nil {
		return err
	}
	if scope.ID != "" && !(District{Path: path}).Within(scope) {
		return ErrOutOfScope
	}
	return nil
}
