package auth

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

type fakeOAuth map[string]string

func (f fakeOAuth) OpenID(_ context.Context, code string) (string, error) {
	if id, ok := f[code]; ok {
		return id, nil
	}
	return "", ErrCodeInvalid
}

type fakePeople map[string][]string

func (f fakePeople) SignedIn(_ context.Context, openid string, _ time.Time) ([]string, error) {
	return f[openid], nil
}

func newService(now *time.Time) *Service {
	return &Service{
		Secret: []byte(strings.Repeat("k", 32)),
		Admins: []string{"o-admin"},
		OAuth:  fakeOAuth{"c1": "o-1", "c2": "o-staff", "c3": "o-admin"},
		People: fakePeople{"o-staff": {RoleStaff, RoleResident}},
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
	sess, err := s.Issue("o-1", []string{RoleResident}, now)
	if err != nil {
		t.Fatal(err)
	}
	other := newService(&now)
	other.Secret = []byte(strings.Repeat("z", 32))
	forged, _ := other.Issue("o-1", []string{RoleAdmin}, now)
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
	if _, err := s.Issue("o-1", nil, now); err == nil {
		t.Error("Issue with a 5-byte secret = nil error, want one")
	}
}
