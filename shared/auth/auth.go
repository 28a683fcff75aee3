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
	"sync"
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
	// RoleEvaluator is a third-party evaluator's: granted with their first evaluation
	// grant, it lets them read only what a grant current now covers (access.KindEvaluator).
	RoleEvaluator = "evaluator"
)

// Errors returned by the service.
var (
	ErrCodeInvalid  = fault.New(fault.Unauthorized, "code_invalid", "微信授权码无效或已过期，请重新进入页面")
	ErrTokenMissing = fault.New(fault.Unauthorized, "token_missing", "请先登录")
	ErrTokenInvalid = fault.New(fault.Unauthorized, "token_invalid", "登录信息无效，请重新登录")
	ErrTokenExpired = fault.New(fault.Unauthorized, "token_expired", "登录已过期，请重新登录")
	ErrTokenRevoked = fault.New(fault.Unauthorized, "token_revoked", "登录已失效，请重新登录")
	ErrForbidden    = fault.New(fault.Forbidden, "forbidden", "没有权限执行此操作")
	ErrChannelOff   = fault.New(fault.Unavailable, "channel_unavailable", "小程序登录暂未开通，请从公众号进入")
)

// The kinds of identity through which a person reaches the platform. Each is linked to
// one person id (docs/decisions.md, "One person across channels").
const (
	IdentOfficial = "oa"    // the official account's openid
	IdentMini     = "mp"    // the mini program's openid
	IdentUnion    = "union" // the open platform's unionid, the same in every channel
	IdentPhone    = "phone" // a mobile number WeChat verified
)

// Identity is who WeChat says signed in through one channel.
type Identity struct {
	Kind    string // IdentOfficial or IdentMini
	ID      string // the openid in that channel
	UnionID string // "" unless the app is bound to an open platform account
}

// OAuth exchanges a sign-in code of one channel (the official account's web
// authorisation, the mini program's wx.login) for the identity it was issued to.
type OAuth interface {
	// Identify returns the identity the code was issued for, ErrCodeInvalid when WeChat
	// rejects the code, or an unavailable error when WeChat cannot be reached.
	Identify(ctx context.Context, code string) (Identity, error)
}

// Linker knows which person each identity belongs to.
type Linker interface {
	// Resolve returns the person id ident belongs to, found by its openid or else by its
	// unionid, linking what was not linked yet; a first sign-in creates the person.
	Resolve(ctx context.Context, ident Identity, t time.Time) (string, error)
}

// People records who signed in and knows where they stand.
type People interface {
	// SignedIn records a sign-in of openid at t (creating the person when new) and
	// returns their standing.
	SignedIn(ctx context.Context, openid string, t time.Time) (Standing, error)
	// Standing returns where openid stands now (the zero Standing for someone unknown).
	Standing(ctx context.Context, openid string) (Standing, error)
	// SignOut raises openid's session version, which ends every session issued before.
	SignOut(ctx context.Context, openid string, t time.Time) error
}

// Standing is what the table says of a person: the roles granted there, and their
// session version, which a sign-out and every change of their roles raise. A token
// carries the version it was issued at, and is refused once the version moved on.
type Standing struct {
	Roles   []string
	Version int64
}

// Session is what a sign-in returns to the client. OpenID is the person id (the
// official account's openid of everyone who came that way first).
type Session struct {
	Token     string    `json:"token"`
	OpenID    string    `json:"openid"`
	Roles     []string  `json:"roles"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// Claims is what a valid token says. OpenID is the person id, whichever channel they
// signed in through: every record of theirs is kept under it.
type Claims struct {
	OpenID    string   `json:"sub"`
	Roles     []string `json:"roles"`
	IssuedAt  int64    `json:"iat"`
	ExpiresAt int64    `json:"exp"`
	Version   int64    `json:"ver,omitempty"` // the person's session version at issue
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
	// Mini signs people in from the mini program (code2session); nil: not offered.
	Mini OAuth
	// Links finds the person of an identity; nil: the openid is the person id.
	Links Linker
	// People is where Authenticate reads a person's standing (cached StandingTTL per
	// process); nil: tokens are only verified, never revoked.
	People People
	Now    func() time.Time

	standings standingCache
}

// DefaultTTL is a token's lifetime when Service.TTL is zero.
const DefaultTTL = 12 * time.Hour

// StandingTTL is how long a process trusts a person's standing before reading it again:
// a sign-out elsewhere, or a change of roles, takes effect within it.
const StandingTTL = 30 * time.Second

// maxSkew is how far in the future a token's issue time may be (clocks differ).
const maxSkew = time.Minute

// MinSecretLen is the shortest accepted SESSION_SECRET.
const MinSecretLen = 32

// SignIn exchanges an OAuth2 code for a session. It returns ErrCodeInvalid for an empty
// or rejected code.
func (s *Service) SignIn(ctx context.Context, code string) (Session, error) {
	return s.signIn(ctx, s.OAuth, code)
}

// SignInMini exchanges a mini program's wx.login code for a session of the same person
// the official account knows (linked by unionid): ErrChannelOff when no mini program
// is configured, else SignIn's errors.
func (s *Service) SignInMini(ctx context.Context, code string) (Session, error) {
	if s.Mini == nil {
		return Session{}, ErrChannelOff
	}
	return s.signIn(ctx, s.Mini, code)
}

func (s *Service) signIn(ctx context.Context, channel OAuth, code string) (Session, error) {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 512 {
		return Session{}, ErrCodeInvalid
	}
	ident, err := channel.Identify(ctx, code)
	if err != nil {
		return Session{}, fmt.Errorf("sign in: %w", err)
	}
	now := s.Now()
	openid := ident.ID
	if s.Links != nil {
		if openid, err = s.Links.Resolve(ctx, ident, now); err != nil {
			return Session{}, fmt.Errorf("sign in: %w", err)
		}
	}
	return s.Start(ctx, openid)
}

// Start records a sign-in of person and issues their session: the roles their profile
// grants (and ADMIN_OPENIDS), at their session version. A sign-in ends with it, and so
// does a merge that leaves the caller another person id.
func (s *Service) Start(ctx context.Context, openid string) (Session, error) {
	now := s.Now()
	st, err := s.People.SignedIn(ctx, openid, now)
	if err != nil {
		return Session{}, fmt.Errorf("sign in: %w", err)
	}
	s.standings.put(openid, st, now)
	roles := []string{RoleResident}
	for _, r := range st.Roles {
		if !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	if slices.Contains(s.Admins, openid) && !slices.Contains(roles, RoleAdmin) {
		roles = append(roles, RoleAdmin)
	}
	return s.issue(Claims{OpenID: openid, Roles: roles, Version: st.Version}, now)
}

// IdentifyMini returns the identity behind a mini program's wx.login code, without
// signing in: the proof that the caller holds it (ErrChannelOff when no mini program is
// configured, ErrCodeInvalid when WeChat rejects the code).
func (s *Service) IdentifyMini(ctx context.Context, code string) (Identity, error) {
	if s.Mini == nil {
		return Identity{}, ErrChannelOff
	}
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 512 {
		return Identity{}, ErrCodeInvalid
	}
	return s.Mini.Identify(ctx, code)
}

// Issue signs a token for openid with roles, valid from now for the service's TTL, at
// the person's current session version (read from People when set), as a sign-in
// would: for tools and tests that act as someone without the OAuth exchange.
func (s *Service) Issue(ctx context.Context, openid string, roles []string, now time.Time) (Session, error) {
	c := Claims{OpenID: openid, Roles: roles}
	if s.People != nil {
		st, err := s.People.Standing(ctx, openid)
		if err != nil {
			return Session{}, fmt.Errorf("issue token: %w", err)
		}
		c.Version = st.Version
	}
	return s.issue(c, now)
}

func (s *Service) ttl() time.Duration {
	if s.TTL > 0 {
		return s.TTL.Truncate(time.Second)
	}
	return DefaultTTL
}

func (s *Service) issue(c Claims, now time.Time) (Session, error) {
	if len(s.Secret) < MinSecretLen {
		return Session{}, fmt.Errorf("issue token: %w", errors.New("session secret shorter than 32 bytes"))
	}
	c.IssuedAt = now.Unix()
	c.ExpiresAt = c.IssuedAt + int64(s.ttl()/time.Second)
	exp := time.Unix(c.ExpiresAt, 0)
	payload, err := json.Marshal(c)
	if err != nil {
		return Session{}, fmt.Errorf("issue token: %w", err)
	}
	p := base64.RawURLEncoding.EncodeToString(payload)
	token := tokenPrefix + p + "." + base64.RawURLEncoding.EncodeToString(s.sign(p))
	return Session{Token: token, OpenID: c.OpenID, Roles: c.Roles, ExpiresAt: exp.UTC()}, nil
}

// tokenPrefix names the format, so a future format can be told apart.
const tokenPrefix = "v1."

func (s *Service) sign(payload string) []byte {
	m := hmac.New(sha256.New, s.Secret)
	m.Write([]byte(tokenPrefix + payload))
	return m.Sum(nil)
}

// Verify checks a token's signature (in constant time) and its lifetime, and returns
// its claims: ErrTokenMissing for "", ErrTokenInvalid for a malformed or forged token
// (base64 not in its one canonical form, an issue time in the future, or a lifetime
// longer than the service's TTL, whatever the token says), ErrTokenExpired once the
// issue time plus the TTL has passed. It does not look at revocation (Authenticate).
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
	got, err := DecodeSegment(sig)
	if err != nil || !hmac.Equal(got, s.sign(p)) {
		return Claims{}, ErrTokenInvalid
	}
	payload, err := DecodeSegment(p)
	if err != nil {
		return Claims{}, ErrTokenInvalid
	}
	var c Claims
	if err := json.Unmarshal(payload, &c); err != nil || c.OpenID == "" {
		return Claims{}, ErrTokenInvalid
	}
	now := s.Now()
	ttl := int64(s.ttl() / time.Second)
	if c.IssuedAt <= 0 || c.IssuedAt > now.Add(maxSkew).Unix() || c.ExpiresAt-c.IssuedAt > ttl {
		return Claims{}, ErrTokenInvalid
	}
	if now.Unix() >= min(c.ExpiresAt, c.IssuedAt+ttl) {
		return Claims{}, ErrTokenExpired
	}
	return c, nil
}

// DecodeSegment decodes one base64url segment of a token or a ticket strictly: unpadded,
// no line breaks, no stray bits, so that each value has exactly one accepted spelling.
func DecodeSegment(s string) ([]byte, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, err
	}
	if base64.RawURLEncoding.EncodeToString(b) != s {
		return nil, errors.New("base64 not in its canonical form")
	}
	return b, nil
}

// Authenticate returns the claims of a valid, current token (access.Sessions): Verify's
// errors, or ErrTokenRevoked when the person signed out, or their roles changed, since
// it was issued (their session version moved on). The admin role stays only while the
// person is in Admins or granted it in the table.
func (s *Service) Authenticate(ctx context.Context, token string) (Claims, error) {
	c, err := s.Verify(token)
	if err != nil || s.People == nil {
		return c, err
	}
	st, err := s.standing(ctx, c.OpenID)
	if err == nil && c.Version > st.Version {
		// A token newer than the cached standing (a sign-in after a sign-out or an
		// erasure elsewhere): the cache is stale, read again.
		s.standings.forget(c.OpenID)
		st, err = s.standing(ctx, c.OpenID)
	}
	if err != nil {
		return Claims{}, fmt.Errorf("authenticate: %w", err)
	}
	if c.Version != st.Version {
		return Claims{}, ErrTokenRevoked
	}
	if c.Has(RoleAdmin) && !slices.Contains(s.Admins, c.OpenID) && !slices.Contains(st.Roles, RoleAdmin) {
		c.Roles = slices.DeleteFunc(slices.Clone(c.Roles), func(r string) bool { return r == RoleAdmin })
	}
	return c, nil
}

// SignOut ends every session of openid, on every device: tokens issued before are
// refused from now on in this process, and within StandingTTL in every other.
func (s *Service) SignOut(ctx context.Context, openid string) error {
	if err := s.People.SignOut(ctx, openid, s.Now()); err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	s.standings.forget(openid)
	return nil
}

// Forget drops the process's cached standing of openid, after a change that ends their
// sessions other than SignOut (the erasure of their account).
func (s *Service) Forget(openid string) { s.standings.forget(openid) }

// standing reads where openid stands, from the process's cache when fresh.
func (s *Service) standing(ctx context.Context, openid string) (Standing, error) {
	now := s.Now()
	if st, ok := s.standings.get(openid, now); ok {
		return st, nil
	}
	st, err := s.People.Standing(ctx, openid)
	if err != nil {
		return Standing{}, err
	}
	s.standings.put(openid, st, now)
	return st, nil
}

// standingCache keeps people's standings for StandingTTL; it forgets everything when
// it holds too many.
type standingCache struct {
	mu sync.Mutex
	m  map[string]cachedStanding
}

type cachedStanding struct {
	Standing
	at time.Time
}

const maxCachedStandings = 10000

func (c *standingCache) get(openid string, now time.Time) (Standing, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[openid]
	if !ok || now.Sub(e.at) >= StandingTTL || now.Before(e.at) {
		return Standing{}, false
	}
	return e.Standing, true
}

func (c *standingCache) put(openid string, st Standing, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedStandings {
		c.m = map[string]cachedStanding{}
	}
	c.m[openid] = cachedStanding{Standing: st, at: now}
}

func (c *standingCache) forget(openid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, openid)
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
