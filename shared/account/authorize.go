package account

import (
	"net/http"
	"net/url"
	"time"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/web"
)

// ErrReturnTo refuses an authorization that would return to a page the platform does
// not serve.
var ErrReturnTo = fault.New(fault.Invalid, "return_to_invalid", "返回地址无效，或不属于本平台的 H5 域名")

// Authorization is where an H5 page sends the browser to sign in, and what it keeps
// until it comes back: it stores nonce (sessionStorage), navigates to URL, and on
// return posts {code, state, nonce} to POST /api/v1/auth/wechat.
type Authorization struct {
	URL       string    `json:"url"`
	State     string    `json:"state"`
	Nonce     string    `json:"nonce"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// AuthorizeHandler serves GET /api/v1/auth/wechat/authorize?returnTo=<page>: the
// WeChat authorization URL for a page of the H5 site at h5Base, with a CSRF state
// bound to a nonce only this browser holds. authorizeURL builds WeChat's URL
// (wechat.AuthorizeURL with the AppID).
func AuthorizeHandler(svc *auth.Service, authorizeURL func(returnTo, state string) string, h5Base string) http.HandlerFunc {
	base, _ := url.Parse(h5Base)
	return func(w http.ResponseWriter, r *http.Request) {
		returnTo := r.URL.Query().Get("returnTo")
		u, err := url.Parse(returnTo)
		if returnTo == "" || len(returnTo) > 1024 || err != nil || base == nil || u.Scheme != base.Scheme || u.Host != base.Host {
			web.Error(w, r, ErrReturnTo)
			return
		}
		now := svc.Now()
		state, nonce := svc.NewState(now)
		web.JSON(w, http.StatusOK, Authorization{
			URL: authorizeURL(returnTo, state), State: state, Nonce: nonce, ExpiresAt: now.Add(auth.StateTTL).UTC(),
		})
	}
}
