package web

import (
	"net/http"
	"strings"

	"github.com/wentitong/wentitong/shared/auth"
)

// Verifier checks a session token.
type Verifier interface {
	Verify(token string) (auth.Claims, error)
}

// RequireAuth runs h only for a request with a valid "Authorization: Bearer <token>"
// whose claims carry one of roles (any signed-in person when roles is empty), with the
// claims in the request's context (auth.FromContext). Others get 401 or 403.
func RequireAuth(v Verifier, h http.HandlerFunc, roles ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			token = ""
		}
		claims, err := v.Verify(strings.TrimSpace(token))
		if err != nil {
			Error(w, r, err)
			return
		}
		if len(roles) > 0 && !claims.Has(roles...) {
			Error(w, r, auth.ErrForbidden)
			return
		}
		h(w, r.WithContext(auth.NewContext(r.Context(), claims)))
	}
}
