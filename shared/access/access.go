// Package access is the platform's one authorisation model: every route declares a Rule
// (who may call it and, for staff, which districts it acts on), and the router
// (web.Router) enforces it before the handler runs. Staff, coordinators and admins are
// told apart by their roles; below admin, a staff member acts only on what lies in the
// district an admin assigned them (its whole subtree), which Guard reads. Third-party
// evaluators read, de-identified, what lies in the districts of a grant current now.
package access

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/fault"
)

// Kind is who a rule lets in.
type Kind string

// The kinds of rule, from the most open to the most closed.
const (
	// KindPublic lets anyone in, signed in or not.
	KindPublic Kind = "public"
	// KindResident lets any signed-in person in, acting on their own data: the handler
	// reads and writes only what belongs to the caller's openid.
	KindResident Kind = "resident"
	// KindMember lets in admins and the signed-in people a check names (a selection
	// panel's members).
	KindMember Kind = "member"
	// KindStaff lets in staff, coordinators and admins whose district contains every
	// district the request acts on.
	KindStaff Kind = "staff"
	// KindCoordinator is KindStaff without staff: coordinators and admins.
	KindCoordinator Kind = "coordinator"
	// KindAdmin lets in admins only.
	KindAdmin Kind = "admin"
	// KindEvaluator lets in admins and third-party evaluators holding a grant, current
	// now, whose districts contain every district the request acts on. Evaluator routes
	// only read, and answer de-identified data.
	KindEvaluator Kind = "evaluator"
)

// Rule is what a route declares about its callers.
type Rule struct {
	Kind Kind
	// Target, for staff and coordinator rules, returns the district paths the request
	// acts on: where its target is now and, for a change, where the change would put it.
	// The caller's district must contain each; an empty path is a target in no district,
	// which only admins may act on. A nil Target, or nil paths, means the route acts
	// within the caller's own district (a listing the service filters by it): the caller
	// must have one. Admins pass without the target being resolved.
	Target Target
	// Check, for member rules, decides whether the signed-in caller is a member of what
	// the request names (nil: nobody but admins).
	Check func(r *http.Request, c auth.Claims) error
}

// Target returns the district paths a request acts on. Its errors are answered as they
// are (an unknown target is the route's not-found error).
type Target func(r *http.Request) ([]string, error)

// The rules without parameters.
var (
	Public   = Rule{Kind: KindPublic}
	Resident = Rule{Kind: KindResident}
	Admin    = Rule{Kind: KindAdmin}
	// OwnScope is a staff route acting within the caller's own district.
	OwnScope = Rule{Kind: KindStaff}
)

// Staff is the rule of a staff route acting on target (nil: the caller's own district).
func Staff(target Target) Rule { return Rule{Kind: KindStaff, Target: target} }

// Coordinator is the rule of a coordinator route acting on target.
func Coordinator(target Target) Rule { return Rule{Kind: KindCoordinator, Target: target} }

// Evaluator is the rule of a third-party evaluator's route reading what lies in the
// districts target returns (which it must: an evaluator's reads always name them).
func Evaluator(target Target) Rule { return Rule{Kind: KindEvaluator, Target: target} }

// Member is the rule of a route for admins and the members check accepts.
func Member(check func(r *http.Request, c auth.Claims) error) Rule {
	return Rule{Kind: KindMember, Check: check}
}

// Roles returns the roles a rule's kind admits (nil for public and resident rules: no
// role is needed).
func (k Kind) Roles() []string {
	switch k {
	case KindStaff:
		return []string{auth.RoleAdmin, auth.RoleCoordinator, auth.RoleStaff}
	case KindCoordinator:
		return []string{auth.RoleAdmin, auth.RoleCoordinator}
	case KindAdmin, KindMember:
		return []string{auth.RoleAdmin}
	case KindEvaluator:
		return []string{auth.RoleAdmin, auth.RoleEvaluator}
	}
	return nil
}

// Errors of authorisation.
var (
	ErrOutOfScope = fault.New(fault.Forbidden, "district_out_of_scope", "只能管理本辖区的数据")
	ErrNoScope    = fault.New(fault.Forbidden, "scope_missing", "您还没有被分配管理的行政区划")
	ErrNoGrant    = fault.New(fault.Forbidden, "evaluation_grant_missing", "您没有当前有效的第三方评估授权")
	ErrOutOfGrant = fault.New(fault.Forbidden, "evaluation_out_of_grant", "超出授权评估的行政区划")
)

// Within reports whether the district at path lies in the subtree rooted at scope.
func Within(path, scope string) bool {
	return path == scope || strings.HasPrefix(path, scope+"/")
}

// Scopes knows which district a staff member or coordinator looks after.
type Scopes interface {
	// Scope returns the id of the district whose subtree openid looks after, or "".
	Scope(ctx context.Context, openid string) (string, error)
}

// Districts resolves district ids to paths.
type Districts interface {
	// DistrictPath returns the path of a district; ok is false when there is none.
	DistrictPath(ctx context.Context, id string) (path string, ok bool, err error)
}

// Grants knows what third-party evaluators may read.
type Grants interface {
	// Granted returns the paths of the districts whose subtrees openid may evaluate now,
	// under every grant of theirs current now (none: no current grant).
	Granted(ctx context.Context, openid string) ([]string, error)
}

// Guard decides whose district data a signed-in person may act on: admins anything,
// staff and coordinators the subtree of the district an admin assigned them, evaluators
// (reading only) the subtrees their current grants name.
type Guard struct {
	Scopes    Scopes
	Districts Districts
	Grants    Grants // nil: nobody holds a grant
}

// Scope returns the path of the district c looks after; all is true for an admin (the
// whole city). It returns ErrNoScope for someone with no district assigned.
func (g Guard) Scope(ctx context.Context, c auth.Claims) (path string, all bool, err error) {
	if c.Has(auth.RoleAdmin) {
		return "", true, nil
	}
	id, err := g.Scopes.Scope(ctx, c.OpenID)
	if err != nil {
		return "", false, fmt.Errorf("scope of caller: %w", err)
	}
	if id == "" {
		return "", false, ErrNoScope
	}
	path, ok, err := g.Districts.DistrictPath(ctx, id)
	if err != nil {
		return "", false, fmt.Errorf("scope of caller: %w", err)
	}
	if !ok {
		return "", false, ErrNoScope
	}
	return path, false, nil
}

// Permit returns nil when c may act on data of every district at paths, else
// ErrOutOfScope (or ErrNoScope). Data in no district (an empty path, or no paths) is
// an admin's only.
func (g Guard) Permit(ctx context.Context, c auth.Claims, paths ...string) error {
	scope, all, err := g.Scope(ctx, c)
	if err != nil {
		return err
	}
	if !Permits(scope, all, paths...) {
		return ErrOutOfScope
	}
	return nil
}

// Permits is Permit for a caller whose scope Guard.Scope returned (scope, all), without
// reading it again: what a listing checks for each of its items.
func Permits(scope string, all bool, paths ...string) bool {
	if all {
		return true
	}
	if len(paths) == 0 {
		return false
	}
	for _, p := range paths {
		if p == "" || !Within(p, scope) {
			return false
		}
	}
	return true
}

// Sessions authenticates the token a request carries.
type Sessions interface {
	// Authenticate returns the claims of a valid, current token: auth.ErrTokenMissing,
	// auth.ErrTokenInvalid, auth.ErrTokenExpired or auth.ErrTokenRevoked otherwise.
	Authenticate(ctx context.Context, token string) (auth.Claims, error)
}

// Policy enforces rules: it authenticates the caller and checks the rule.
type Policy struct {
	Sessions Sessions
	Guard    Guard
	// Credentials returns the session token a request presents (BearerToken when nil).
	// A cookie-session router returns the cookie's token, after its CSRF check for
	// unsafe methods (an error is answered as it is).
	Credentials func(r *http.Request) (string, error)
}

// BearerToken is the token of an "Authorization: Bearer <token>" header, or "".
func BearerToken(r *http.Request) (string, error) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return "", nil
	}
	return strings.TrimSpace(token), nil
}

// ErrNoSessions is a policy without sessions asked to let someone in by a rule that
// needs a signed-in caller: a wiring mistake, answered as an internal error.
var ErrNoSessions = errors.New("access: a rule needs sessions the router was not given")

// Authorize decides whether r may be served under rule. It returns r carrying the
// caller's claims (auth.FromContext) when it may; otherwise auth.ErrTokenMissing,
// auth.ErrTokenInvalid, auth.ErrTokenExpired, auth.ErrTokenRevoked, auth.ErrForbidden,
// ErrNoScope, ErrOutOfScope, or the target's own error (an unknown target).
func (p *Policy) Authorize(r *http.Request, rule Rule) (*http.Request, error) {
	if rule.Kind == KindPublic {
		return r, nil
	}
	if p == nil || p.Sessions == nil {
		return r, ErrNoSessions
	}
	credentials := p.Credentials
	if credentials == nil {
		credentials = BearerToken
	}
	token, err := credentials(r)
	if err != nil {
		return r, err
	}
	ctx := r.Context()
	c, err := p.Sessions.Authenticate(ctx, token)
	if err != nil {
		return r, err
	}
	r = r.WithContext(auth.NewContext(ctx, c))
	switch rule.Kind {
	case KindResident:
		return r, nil
	case KindMember:
		if c.Has(auth.RoleAdmin) {
			return r, nil
		}
		if rule.Check == nil {
			return r, auth.ErrForbidden
		}
		return r, rule.Check(r, c)
	case KindStaff, KindCoordinator, KindAdmin, KindEvaluator:
		var target func() ([]string, error)
		if rule.Target != nil {
			target = func() ([]string, error) { return rule.Target(r) }
		}
		return r, p.Guard.Allow(ctx, c, rule.Kind, target)
	}
	return r, fmt.Errorf("access: unknown rule kind %q", rule.Kind)
}

// Allow decides for a caller known by other means (the sender of a WeChat message)
// what Authorize decides for a request: nil when c has a role kind admits and, below
// admin, a district containing every path target returns (resolved only then; nil
// target or nil paths: the caller's own district). It returns auth.ErrForbidden,
// ErrNoScope, ErrOutOfScope or the target's error.
func (g Guard) Allow(ctx context.Context, c auth.Claims, kind Kind, target func() ([]string, error)) error {
	if !c.Has(kind.Roles()...) {
		return auth.ErrForbidden
	}
	if kind == KindAdmin || c.Has(auth.RoleAdmin) {
		return nil
	}
	if kind == KindEvaluator {
		return g.evaluate(ctx, c, target)
	}
	var paths []string
	if target != nil {
		var err error
		if paths, err = target(); err != nil {
			return err
		}
	}
	if paths == nil {
		_, _, err := g.Scope(ctx, c)
		return err
	}
	return g.Permit(ctx, c, paths...)
}

// evaluate returns nil when c holds current grants whose districts contain every path
// target returns (which must name some): ErrNoGrant, ErrOutOfGrant or the target's error
// otherwise.
func (g Guard) evaluate(ctx context.Context, c auth.Claims, target func() ([]string, error)) error {
	var granted []string
	if g.Grants != nil {
		var err error
		if granted, err = g.Grants.Granted(ctx, c.OpenID); err != nil {
			return fmt.Errorf("grants of caller: %w", err)
		}
	}
	if len(granted) == 0 {
		return ErrNoGrant
	}
	if target == nil {
		return ErrOutOfGrant
	}
	paths, err := target()
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return ErrOutOfGrant
	}
	for _, p := range paths {
		if p == "" || !slices.ContainsFunc(granted, func(scope string) bool { return Within(p, scope) }) {
			return ErrOutOfGrant
		}
	}
	return nil
}

// maxPeek bounds how much of a body a Target reads (the JSON routes' own limit).
const maxPeek = 64 << 10

// Body decodes the JSON body of r into v for a Target, and leaves the body for the
// handler to read again. A body that is not JSON, or is too large, leaves v as it was:
// the handler refuses it with the clear error.
func Body(r *http.Request, v any) {
	if r.Body == nil || r.Body == http.NoBody {
		return
	}
	buf, err := io.ReadAll(io.LimitReader(r.Body, maxPeek+1))
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(buf), r.Body), r.Body}
	if err != nil || len(buf) > maxPeek {
		return
	}
	_ = json.Unmarshal(buf, v)
}
