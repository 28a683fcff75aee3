package h5

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
)

// CSRFField is the name of the hidden input that carries a form's CSRF token
// ({{template "csrf" .}} writes it); scripts send it in the X-CSRF-Token header.
const CSRFField = "_csrf"

// CSRF protection has two layers. http.CrossOriginProtection refuses a state-changing
// request a browser marks as cross-site (Sec-Fetch-Site) or whose Origin is another
// host. For browsers that send neither, every form carries a token: the HMAC of a random
// value held in an HttpOnly cookie (the signed double-submit pattern) and of the session
// token, so a token is good only in the browser that got it, for the person signed in
// then. Another site can neither read the cookie nor forge the HMAC.

// withCSRF makes sure the browser has the random value tokens are bound to, setting the
// cookie when it lacks one, and keeps it in the request for the page's token.
func (s *Site) withCSRF(w http.ResponseWriter, r *http.Request) *http.Request {
	if ck, err := r.Cookie(CSRFCookie); err == nil && len(ck.Value) >= 22 && len(ck.Value) <= 64 {
		return withValue(r, csrfKey, ck.Value)
	}
	v := rand.Text()
	http.SetCookie(w, s.cookie(CSRFCookie, v, 0))
	return withValue(r, csrfKey, v)
}

// CSRFToken returns the token a form of this page must carry.
func (s *Site) CSRFToken(r *http.Request) string {
	v, _ := r.Context().Value(csrfKey).(string)
	if v == "" {
		return ""
	}
	return s.csrfMAC(v, sessionToken(r))
}

// CSRFFor is the token of a browser whose CSRF cookie holds value, signed in with the
// session token session ("" when signed out): what a test sends as X-CSRF-Token.
func (s *Site) CSRFFor(value, session string) string { return s.csrfMAC(value, session) }

func (s *Site) csrfMAC(value, session string) string {
	m := hmac.New(sha256.New, s.cfg.CSRFKey)
	m.Write([]byte("h5-csrf:" + value + ":" + session))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:24])
}

// checkCSRF reports whether token (a form field, or else the X-CSRF-Token header) is the
// one this browser's cookie and session give; the comparison is constant-time.
func (s *Site) checkCSRF(r *http.Request, token string) bool {
	if token == "" {
		token = r.Header.Get("X-CSRF-Token")
	}
	ck, err := r.Cookie(CSRFCookie)
	if err != nil || ck.Value == "" || token == "" {
		return false
	}
	return hmac.Equal([]byte(token), []byte(s.csrfMAC(ck.Value, sessionToken(r))))
}

func sessionToken(r *http.Request) string {
	if ck, err := r.Cookie(SessionCookie); err == nil {
		return ck.Value
	}
	return ""
}
