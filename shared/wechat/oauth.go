package wechat

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/oauth"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/privacy"
)

// OAuth exchanges web-authorization codes through the official account's OAuth2 API.
type OAuth struct {
	client *oauth.Oauth
}

var _ auth.OAuth = (*OAuth)(nil)

// NewOAuth takes the SDK's OAuth client once, at wiring time (its getter is not safe for
// concurrent use).
func NewOAuth(oa *officialaccount.OfficialAccount) *OAuth {
	return &OAuth{client: oa.GetOauth()}
}

// Errcodes WeChat answers for a code that cannot be used: invalid, already used, missing,
// expired.
var badCodeErrcodes = map[int]bool{40029: true, 40163: true, 41008: true, 42003: true}

// Identify returns the openid (and the unionid, when the account is bound to an open
// platform account) of the person who authorized the code: auth.ErrCodeInvalid when
// WeChat rejects the code, an unavailable error when WeChat cannot answer.
func (o *OAuth) Identify(ctx context.Context, code string) (auth.Identity, error) {
	// The SDK pastes the code into the URL unescaped; escape it so a crafted code cannot
	// add query parameters.
	res, err := o.client.GetUserAccessTokenContext(ctx, url.QueryEscape(code))
	if err != nil {
		return auth.Identity{}, codeError("oauth code exchange", err)
	}
	if res.OpenID == "" {
		return auth.Identity{}, auth.ErrCodeInvalid
	}
	return auth.Identity{Kind: auth.IdentOfficial, ID: res.OpenID, UnionID: res.UnionID}, nil
}

// codeError is auth.ErrCodeInvalid for an errcode WeChat answers to a bad code, else an
// unavailable error (redacted: the SDK's message may hold the URL and its secret).
func codeError(op string, err error) error {
	if badCodeErrcodes[ErrCode(err)] {
		return auth.ErrCodeInvalid
	}
	return fmt.Errorf("%s: %w", op, fault.ErrUnavailable.Wrap(errors.New(privacy.Redact(err.Error()))))
}

// AuthorizeHost serves WeChat's web authorisation page.
const AuthorizeHost = "https://open.weixin.qq.com"

// AuthorizeURL is the page WeChat shows to authorize a web page (snsapi_base: the
// openid only, without a prompt), which then returns to redirectURI with ?code=…&state=….
func AuthorizeURL(appID, redirectURI, state string) string {
	return AuthorizeURLAt(AuthorizeHost, appID, redirectURI, state)
}

// AuthorizeURLAt is AuthorizeURL on another host: where WECHAT_API_BASE points at a fake
// WeChat (the local runner's, shared/wechattest), the fake serves the authorisation
// page too.
func AuthorizeURLAt(host, appID, redirectURI, state string) string {
	return strings.TrimSuffix(host, "/") + "/connect/oauth2/authorize?appid=" + url.QueryEscape(appID) +
		"&redirect_uri=" + url.QueryEscape(redirectURI) + "&response_type=code&scope=snsapi_base&state=" +
		url.QueryEscape(state) + "#wechat_redirect"
}
