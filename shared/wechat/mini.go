package wechat

import (
	"context"
	"net/url"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/miniprogram"
	"github.com/silenceper/wechat/v2/miniprogram/auth"
	miniconfig "github.com/silenceper/wechat/v2/miniprogram/config"

	wtauth "github.com/wentitong/wentitong/shared/auth"
)

// Mini signs people in from the platform's mini program: wx.login's code becomes the
// mini program's openid and, when both apps are bound to one open platform account, the
// unionid the official account's sign-in also reports, which links the two channels to
// one person.
type Mini struct {
	auth *auth.Auth
}

var _ wtauth.OAuth = (*Mini)(nil)

// NewMini returns the mini program's client (appID and its own app secret). Its calls go
// through the same process-wide HTTP client as the official account's (New sets it).
func NewMini(appID, appSecret string, c cache.Cache) *Mini {
	mp := miniprogram.NewMiniProgram(&miniconfig.Config{AppID: appID, AppSecret: appSecret, Cache: c})
	return &Mini{auth: mp.GetAuth()}
}

// Identify exchanges a wx.login code (code2session): auth.ErrCodeInvalid when WeChat
// rejects it, an unavailable error when WeChat cannot answer.
func (m *Mini) Identify(ctx context.Context, code string) (wtauth.Identity, error) {
	res, err := m.auth.Code2SessionContext(ctx, url.QueryEscape(code))
	if err != nil {
		return wtauth.Identity{}, codeError("code2session", err)
	}
	if res.OpenID == "" {
		return wtauth.Identity{}, wtauth.ErrCodeInvalid
	}
	return wtauth.Identity{Kind: wtauth.IdentMini, ID: res.OpenID, UnionID: res.UnionID}, nil
}

// VerifiedPhone exchanges the code of the mini program's getPhoneNumber button for the
// phone number WeChat verified (account.Phones): auth.ErrCodeInvalid when WeChat
// rejects the code, an unavailable error when WeChat cannot answer.
func (m *Mini) VerifiedPhone(ctx context.Context, code string) (string, error) {
	res, err := m.auth.GetPhoneNumberContext(ctx, code)
	if err != nil {
		return "", codeError("get phone number", err)
	}
	if res.PhoneInfo.PurePhoneNumber == "" {
		return "", wtauth.ErrCodeInvalid
	}
	return res.PhoneInfo.PurePhoneNumber, nil
}
