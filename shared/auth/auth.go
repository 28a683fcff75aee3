// Package auth signs people in: a WeChat OAuth2 code becomes a signed session token that
// names their openid, their roles and when it expires.
package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/fault"
)

// The roles. Everyone signed in is a resident; the others come from the table (granted
// by an admin) or, for admin, from ADMIN_OPENIDS.
const (
	RoleResident    = "resident"
	RoleVolunteer   = "volunteer"
	RoleStaff       = "staff"
	RoleCoordinator = "coordinator"
	RoleAdmin       = "admin"
)

// Errors returned by the service.
var (
	ErrCodeInvalid  = fault.New(fault.Unauthorized, "code_invalid", "微信授权码无效或已过期，请重新进入页面")
	ErrTokenMissing = fault.New(fault.Unauthorized, "token_missing", "请先登录")
	ErrTokenInvalid = fault.New(fault.Unauthorized, "token_invalid", "登录信息无效，请重新登录")
	ErrTokenExpired = fault.New(fault.Unauthorized, "token_expired", "登录已过期，请重新登录")
	ErrTokenRevoked = fault.New(fault.Unauthorized, "token_revoked", "登录已失效，请重新登录")
	ErrForbidden    = fault.New(fault.Forbidden, "forbidden", "没有权限执行此操作")
)

// OAuth exchanges a web-authorization code for the person's openid.
type OAuth interface {
	// OpenID returns the openid the code was issued for, ErrCodeInvalid when WeChat
	// rejects the code, or an unavailable error when WeChat cannot be reached.
	OpenID(ctx context.Context, code string) (string, error)
}

// People records who signed in and knows their roles.
type People interface {
	// SignedIn records a sign-in of openid at t (creating the person when new) and
	// returns the roles granted to them in the table.
	SignedIn(ctx context.Context, openid string, t time.Time) ([]string, error)
}

// Session is what a sign-in returns to the client.
type Session struct {
	Token     string    `json:"token"`
	OpenID    string    `json:"openid"`
	Roles     []string  `json:"roles"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// Claims is what a valid token says.
type Claims struct {
	OpenID    string   `json:"sub"`
	Roles     []string `json:"roles"`
	IssuedAt  int64    `json:"iat"`
	ExpiresAt int64    `json:"exp"`
}

// Has reports whether the claims carry any of the roles.
func (c Claims) Has(roles ...string) bool {
	for _, r := range roles {
		if slices.Contains(c.Roles, r) {
			return true
		}
	}
	return false
}

// Service issues and verifies session tokens.
type Service struct {
	Secret []byte        // HMAC-SHA256 key (SESSION_SECRET), at least 32 bytes
	TTL    time.Duration // token lifetime; 0 means 12 hours
	Admins []string      // openids granted the admin role (ADMIN_OPENIDS)
	OAuth  OAuth
	People People
	Now    func() time.Time
}

// MinSecretLen is the shortest accepted SESSION_SECRET.
const MinSecretLen = 32

// SignIn exchanges an OAuth2 code for a session. It returns ErrCodeInvalid for an empty
// or rejected code.
func (s *Service) SignIn(ctx context.Context, code string) (Session, error) {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 512 {
		return Session{}, ErrCodeInvalid
	}
	openid, err := s.OAuth.OpenID(ctx, code)
	if err != nil {
		return Session{}, fmt.Errorf("sign in: %w", err)
	}
	now := s.Now()
	granted, err := s.People.SignedIn(ctx, openid, now)
	if err != nil {
		return Session{}, fmt.Errorf("sign in: %w", err)
	}
	roles := []string{RoleResident}
	for _, r := range granted {
		if !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	if slices.Contains(s.Admins, openid) && !slices.Contains(roles, RoleAdmin) {
		roles = append(roles, RoleAdmin)
	}
	return s.Issue(openid, roles, now)
}

// Issue signs a token for openid with roles, valid from now for the service's TTL.
func (s *Service) Issue(openid string, roles []string, now time.Time) (Session, error) {
	if len(s.Secret) < MinSecretLen {
		return Session{}, fmt.Errorf("issue token: %w", errors.New("session secret shorter than 32 bytes"))
	}
	ttl := s.TTL
	if ttl == 0 {
		ttl = 12 * time.Hour
	}
	exp := now.Add(ttl).Truncate(time.Second)
	c := Claims{OpenID: openid, Roles: roles, IssuedAt: now.Unix(), ExpiresAt: exp.Unix()}
	payload, err := json.Marshal(c)
	if err != nil {
		return Session{}, fmt.Errorf("issue token: %w", err)
	}
	p := base64.RawURLEncoding.EncodeToString(payload)
	token := tokenPrefix + p + "." + base64.RawURLEncoding.EncodeToString(s.sign(p))
	return Session{Token: token, OpenID: openid, Roles: roles, ExpiresAt: exp.UTC()}, nil
}

// tokenPrefix names the format, so a future format can be told apart.
const tokenPrefix = "v1."

func (s *Service) sign(payload string) []byte {
	m := hmac.New(sha256.New, s.Secret)
	m.Write([]byte(tokenPrefix + payload))
	return m.Sum(nil)
}

// Verify checks a token's signature (in constant time) and expiry and returns its claims:
// ErrTokenMissing for "", ErrTokenInvalid for a malformed or forged token,
// ErrTokenExpired for an expired one.
func (s *Service) Verify(token string) (Claims, error) {
	if token == "" {
		return Claims{}, ErrTokenMissing
	}
	rest, ok := strings.CutPrefix(token, tokenPrefix)
	if !ok || len(token) > 4096 {
		return Claims{}, ErrTokenInvalid
	}
	p, sig, ok := strings.Cut(rest, ".")
	if !ok {
		return Claims{}, ErrTokenInvalid
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.sign(p)) {
		return Claims{}, ErrTokenInvalid
	}
	payload, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return Claims{}, ErrTokenInvalid
	}
	var c Claims
	if err := json.Unmarshal(payload, &c); err != nil || c.OpenID == "" {
		return Claims{}, ErrTokenInvalid
	}
	if s.Now().Unix() >= c.ExpiresAt {
		return Claims{}, ErrTokenExpired
	}
	return c, nil
}

// Authenticate returns the claims of a valid token (access.Sessions): Verify's errors.
func (s *Service) Authenticate(ctx context.Context, token string) (Claims, error) {
	return s.Verify(token)
}

type ctxKey struct{}

// NewContext returns ctx carrying the claims of the signed-in caller.
func NewContext(ctx context.Context, c Claims) context.Context {
	return context.WithValue(ctx, ctxKey{}, c)
}

// FromContext returns the caller's claims, if the request was authenticated.
func FromContext(ctx context.Context) (Claims, bool) {
	c, ok := ctx.Value(ctxKey{}).(Claims)
	return c, ok
}
