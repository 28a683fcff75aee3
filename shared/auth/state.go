package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/fault"
)

// ErrStateInvalid refuses a sign-in whose OAuth2 state is not the one this browser was
// given: a forged or replayed authorization (login CSRF), or one older than StateTTL.
var ErrStateInvalid = fault.New(fault.Forbidden, "state_invalid", "登录请求已失效，请从公众号菜单重新进入")

// StateTTL is how long an authorization may take, from the redirect to WeChat to the
// code exchange.
const StateTTL = 10 * time.Minute

// NewState returns the state of a WeChat OAuth2 authorization and the nonce the
// browser keeps (in a cookie) to prove at the code exchange that it started it. The
// state is letters and digits only, as WeChat requires, and at most 128 bytes:
// <expiry, unix seconds>x<HMAC of the nonce and the expiry, hex>.
func (s *Service) NewState(now time.Time) (state, nonce string) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	nonce = hex.EncodeToString(b[:])
	exp := strconv.FormatInt(now.Add(StateTTL).Unix(), 10)
	return exp + "x" + s.stateMAC(nonce, exp), nonce
}

// CheckState returns ErrStateInvalid unless state came from NewState with nonce and
// has not expired. The comparison is constant-time.
func (s *Service) CheckState(state, nonce string, now time.Time) error {
	exp, mac, ok := strings.Cut(state, "x")
	if !ok || nonce == "" || len(state) > 128 {
		return ErrStateInvalid
	}
	t, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || now.Unix() >= t {
		return ErrStateInvalid
	}
	if !hmac.Equal([]byte(mac), []byte(s.stateMAC(nonce, exp))) {
		return ErrStateInvalid
	}
	return nil
}

func (s *Service) stateMAC(nonce, exp string) string {
	m := hmac.New(sha256.New, s.Secret)
	m.Write([]byte("oauth-state:" + nonce + ":" + exp))
	return hex.EncodeToString(m.Sum(nil)[:16])
}
