package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

type fakeOAuth map[string]string

func (f fakeOAuth) Identify(_ context.Context, code string) (Identity, error) {
	if id, ok := f[code]; ok {
		return Identity{Kind: IdentOfficial, ID: id}, nil
	}
	return Identity{}, ErrCodeInvalid
}

// fakePeople knows people's standings, by openid.
type fakePeople map[string]*Standing

func (f fakePeople) SignedIn(ctx context.Context, openid string, _ time.Time) (Standing, error) {
	return f.Standing(ctx, openid)
}

func (f fakePeople) Standing(_ context.Context, openid string) (Standing, error) {
	if st, ok := f[openid]; ok {
		return Standing{Roles: slices.Clone(st.Roles), Version: st.Version}, nil
	}
	return Standing{}, nil
}

func (f fakePeople) SignOut(_ context.Context, openid string, _ time.Time) error {
	if f[openid] == nil {
		f[openid] = &Standing{}
	}
	f[openid].Version++
	return nil
}

func newService(now *time.Time) *Service {
	return &Service{
		Secret: []byte(strings.Repeat("k", 32)),
		Admins: []string{"o-admin"},
		OAuth:  fakeOAuth{"c1": "o-1", "c2": "o-staff", "c3": "o-admin"},
		People: fakePeople{"o-staff": {Roles: []string{RoleStaff, RoleResident}}},
		Now:    func() time.Time { return *now },
	}
}

func TestSignInRoles(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	s := newService(&now)
	tests := []struct {
		code  string
		roles []string
	}{
		{"c1", []string{RoleResident}},
		{"c2", []string{RoleResident, RoleStaff}},
		{"c3", []string{RoleResident, RoleAdmin}},
	}
	for _, tt := range tests {
		sess, err := s.SignIn(context.Background(), tt.code)
		if err != nil {
			t.Fatalf("SignIn(%s): %v", tt.code, err)
		}
		if !slices.Equal(sess.Roles, tt.roles) || !sess.ExpiresAt.Equal(now.Add(12*time.Hour)) {
			t.Errorf("SignIn(%s) = roles %v, expires %v; want %v, %v", tt.code, sess.Roles, sess.ExpiresAt, tt.roles, now.Add(12*time.Hour))
		}
		c, err := s.Verify(sess.Token)
		if err != nil || c.OpenID != sess.OpenID || !slices.Equal(c.Roles, tt.roles) {
			t.Errorf("Verify(token of %s) = %+v, %v", tt.code, c, err)
		}
	}
	for _, code := range []string{"", "   ", "unknown", strings.Repeat("x", 600)} {
		if _, err := s.SignIn(context.Background(), code); !errors.Is(err, ErrCodeInvalid) {
			t.Errorf("SignIn(%.10q) = %v, want ErrCodeInvalid", code, err)
		}
	}
}

func TestVerifyRefusesForgedAndExpired(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	s := newService(&now)
	sess, err := s.Issue(context.Background(), "o-1", []string{RoleResident}, now)
	if err != nil {
		t.Fatal(err)
	}
	other := newService(&now)
	other.Secret = []byte(strings.Repeat("z", 32))
	forged, _ := other.Issue(context.Background(), "o-1", []string{RoleAdmin}, now)
	payload, sig, _ := strings.Cut(strings.TrimPrefix(sess.Token, "v1."), ".")
	adminPayload, _, _ := strings.Cut(strings.TrimPrefix(forged.Token, "v1."), ".")
	tests := []struct {
		name, token string
		want        error
	}{
		{"empty", "", ErrTokenMissing},
		{"no prefix", strings.TrimPrefix(sess.Token, "v1."), ErrTokenInvalid},
		{"other key", forged.Token, ErrTokenInvalid},
		{"roles swapped in", "v1." + adminPayload + "." + sig, ErrTokenInvalid},
		{"garbage", "v1.!!!.???", ErrTokenInvalid},
		{"no signature", "v1." + payload, ErrTokenInvalid},
	}
	for _, tt := range tests {
		if _, err := s.Verify(tt.token); !errors.Is(err, tt.want) {
			t.Errorf("%s: Verify = %v, want %v", tt.name, err, tt.want)
		}
	}
	now = now.Add(12*time.Hour - time.Second)
	if _, err := s.Verify(sess.Token); err != nil {
		t.Errorf("Verify a second before expiry = %v, want nil", err)
	}
	now = now.Add(time.Second)
	if _, err := s.Verify(sess.Token); !errors.Is(err, ErrTokenExpired) {
		t.Errorf("Verify at expiry = %v, want ErrTokenExpired", err)
	}
}

func TestIssueRefusesShortSecret(t *testing.T) {
	now := time.Now()
	s := newService(&now)
	s.Secret = []byte("short")
	if _, err := s.Issue(context.Background(), "o-1", nil, now); err == nil {
		t.Error("Issue with a 5-byte secret = nil error, want one")
	}
}

// forge signs claims with the service's key as Issue would, whatever they say.
func forge(s *Service, c Claims) string {
	payload, _ := json.Marshal(c)
	p := base64.RawURLEncoding.EncodeToString(payload)
	return tokenPrefix + p + "." + base64.RawURLEncoding.EncodeToString(s.sign(p))
}

// A token lives at most the service's TTL from the time it was issued, whatever its
// own expiry says; an issue time in the future, or base64 in any but its one canonical
// spelling, makes it invalid, even correctly signed.
func TestTokenLifetimeAndEncoding(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	s := newService(&now)
	iat := now.Unix()
	good := forge(s, Claims{OpenID: "o-1", Roles: []string{RoleResident}, IssuedAt: iat, ExpiresAt: iat + 3600})
	if _, err := s.Verify(good); err != nil {
		t.Fatalf("Verify(a well-formed token) = %v", err)
	}
	p, sig, _ := strings.Cut(strings.TrimPrefix(good, tokenPrefix), ".")
	resigned := func(payload string) string {
		return tokenPrefix + payload + "." + base64.RawURLEncoding.EncodeToString(s.sign(payload))
	}
	// The last character of a segment whose length is not a multiple of 4 holds stray
	// bits: flipping the lowest spells the same bytes differently.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	stray := p[:len(p)-1] + string(alphabet[strings.IndexByte(alphabet, p[len(p)-1])^1])
	if len(p)%4 == 0 {
		t.Fatalf("payload of %d characters has no stray bits", len(p))
	}
	if a, b := mustDecode(t, p), mustDecode(t, stray); string(a) != string(b) {
		t.Fatalf("the stray-bit spelling decodes to other bytes")
	}
	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"a hundred years", forge(s, Claims{OpenID: "o-1", IssuedAt: iat, ExpiresAt: iat + 100*365*24*3600}), ErrTokenInvalid},
		{"a second over the TTL", forge(s, Claims{OpenID: "o-1", IssuedAt: iat, ExpiresAt: iat + int64(DefaultTTL/time.Second) + 1}), ErrTokenInvalid},
		{"issued an hour ahead", forge(s, Claims{OpenID: "o-1", IssuedAt: iat + 3600, ExpiresAt: iat + 7200}), ErrTokenInvalid},
		{"no issue time", forge(s, Claims{OpenID: "o-1", ExpiresAt: iat + 3600}), ErrTokenInvalid},
		{"issued more than the TTL ago", forge(s, Claims{OpenID: "o-1", IssuedAt: iat - int64(DefaultTTL/time.Second), ExpiresAt: iat}), ErrTokenExpired},
		{"a line break in the payload", resigned(p[:10] + "\n" + p[10:]), ErrTokenInvalid},
		{"stray bits in the payload", resigned(stray), ErrTokenInvalid},
		{"a padded signature", good + "=", ErrTokenInvalid},
		{"a line break in the signature", tokenPrefix + p + "." + sig[:5] + "\r\n" + sig[5:], ErrTokenInvalid},
	}
	for _, tt := range tests {
		if _, err := s.Verify(tt.token); !errors.Is(err, tt.want) {
			t.Errorf("%s: Verify = %v, want %v", tt.name, err, tt.want)
		}
	}
}

// Signing out, or a change of roles (both raise the person's session version), ends
// the sessions issued before: at once in the process that signed out, within
// StandingTTL in any other. An admin taken out of ADMIN_OPENIDS loses the role.
func TestSessionsEndWithinAMinute(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	s := newService(&now)
	other := newService(&now) // another instance, sharing the table (the fake)
	other.People = s.People
	ctx := context.Background()
	sess, err := s.SignIn(ctx, "c2") // o-staff
	if err != nil {
		t.Fatal(err)
	}
	for _, svc := range []*Service{s, other} {
		if _, err := svc.Authenticate(ctx, sess.Token); err != nil {
			t.Fatalf("Authenticate(a fresh session) = %v", err)
		}
	}
	if err := s.SignOut(ctx, "o-staff"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, sess.Token); !errors.Is(err, ErrTokenRevoked) {
		t.Errorf("after sign-out, the same instance: %v, want ErrTokenRevoked", err)
	}
	if _, err := other.Authenticate(ctx, sess.Token); err != nil {
		t.Errorf("after sign-out, another instance within its cache: %v, want still accepted", err)
	}
	now = now.Add(StandingTTL)
	if _, err := other.Authenticate(ctx, sess.Token); !errors.Is(err, ErrTokenRevoked) {
		t.Errorf("after sign-out, another instance %v later: %v, want ErrTokenRevoked", StandingTTL, err)
	}
	again, err := s.SignIn(ctx, "c2")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Authenticate(ctx, again.Token); err != nil {
		t.Errorf("a new sign-in after the sign-out: %v", err)
	}

	admin, err := s.SignIn(ctx, "c3") // o-admin, from Admins
	if err != nil {
		t.Fatal(err)
	}
	s.Admins = nil
	c, err := s.Authenticate(ctx, admin.Token)
	if err != nil || c.Has(RoleAdmin) {
		t.Errorf("an admin no longer in ADMIN_OPENIDS: %+v, %v; want signed in without the admin role", c, err)
	}
}

func mustDecode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s) // the lenient decoding
	if err != nil {
		t.Fatal(err)
	}
	return b
}
