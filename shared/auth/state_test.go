package auth

import (
	"regexp"
	"testing"
	"time"
)

func TestState(t *testing.T) {
	s := &Service{Secret: []byte("0123456789abcdef0123456789abcdef")}
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	state, nonce := s.NewState(now)
	if !regexp.MustCompile(`^[a-zA-Z0-9]{1,128}$`).MatchString(state) {
		t.Errorf("state %q: WeChat takes letters and digits only, at most 128", state)
	}
	other, otherNonce := s.NewState(now)
	tests := []struct {
		name         string
		state, nonce string
		at           time.Time
		ok           bool
	}{
		{"own", state, nonce, now.Add(time.Minute), true},
		{"another browser's nonce", state, otherNonce, now, false},
		{"another state", other, nonce, now, false},
		{"expired", state, nonce, now.Add(StateTTL), false},
		{"no nonce", state, "", now, false},
		{"tampered expiry", "9999999999" + state[10:], nonce, now, false},
		{"garbage", "abc", nonce, now, false},
	}
	for _, tt := range tests {
		if err := s.CheckState(tt.state, tt.nonce, tt.at); (err == nil) != tt.ok {
			t.Errorf("%s: CheckState = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
	if (&Service{Secret: []byte("another-secret-another-secret-xx")}).CheckState(state, nonce, now) == nil {
		t.Error("a state made with another secret passed")
	}
}
