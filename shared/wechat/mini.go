package wechat

import (
	"context"
	"fmt"
	"net/url"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/miniprogram"
	"github.com/silenceper/wechat/v2/miniprogram/auth"
	miniconfig "github.com/silenceper/wechat/v2/miniprogram/config"
	"github.com/silenceper/wechat/v2/miniprogram/subscribe"

	wtauth "github.com/wentitong/wentitong/shared/auth"
)

// Mini signs people in from the platform's mini program: wx.login's code becomes the
// mini program's openid and, when both apps are bound to one open platform account, the
// unionid the official account's sign-in also reports, which links the two channels to
// one person.
type Mini struct {
	auth  *auth.Auth
	sub   *subscribe.Subscribe
	appID string
	cache cache.Cache
}

var _ wtauth.OAuth = (*Mini)(nil)

// NewMini returns the mini program's client (appID and its own app secret). Its calls go
// through the same process-wide HTTP client as the official account's (New sets it).
func NewMini(appID, appSecret string, c cache.Cache) *Mini {
	mp := miniprogram.NewMiniProgram(&miniconfig.Config{AppID: appID, AppSecret: appSecret, Cache: c})
	return &Mini{auth: mp.GetAuth(), sub: mp.GetSubscribe(), appID: appID, cache: c}
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

// send sends a subscribe message of the mini program (one acceptance the person gave
// with wx.requestSubscribeMessage): POST /cgi-bin/message/subscribe/send.
func (m *Mini) send(to, templateID, page string, fields map[string]string) error {
	data := make(map[string]*subscribe.DataItem, len(fields))
	for k, v := range fields {
		data[k] = &subscribe.DataItem{Value: v}
	}
	return m.sub.Send(&subscribe.Message{ToUser: to, TemplateID: templateID, Page: page, Data: data, Lang: "zh_CN"})
}

// invalidateToken drops the mini program's cached access token (its own key, apart
// from the official account's), so the next call fetches a new one.
func (m *Mini) invalidateToken() error {
	if err := m.cache.Delete(fmt.Sprintf("%s_access_token_%s", credential.CacheKeyMiniProgramPrefix, m.appID)); err != nil {
		return fmt.Errorf("invalidate mini program access token: %w", err)
	}
	return nil
}
