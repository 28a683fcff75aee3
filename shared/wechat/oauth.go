package wechat

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/silenceper/wechat/v2/officialaccount"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/privacy"
)

// OAuth exchanges web-authorization codes through the official account's OAuth2 API.
type OAuth struct {
	OA *officialaccount.OfficialAccount
}

var _ auth.OAuth = OAuth{}

// errcodes WeChat answers for a code that cannot be used: invalid, already used, expired.
var badCodeErrcodes = []string{"errcode=40029", "errcode=40163", "errcode=41008", "errcode=42003"}

// OpenID returns the openid of the person who authorized the code: auth.ErrCodeInvalid
// when WeChat rejects the code, an unavailable error when WeChat cannot answer.
func (o OAuth) OpenID(ctx context.Context, code string) (string, error) {
	// The SDK pastes the code into the URL unescaped; escape it so a crafted code cannot
	// add query parameters.
	res, err := o.OA.GetOauth().GetUserAccessTokenContext(ctx, url.QueryEscape(code))
	if err != nil {
		msg := err.Error()
		for _, c := range badCodeErrcodes {
			if strings.Contains(msg, c) {
				return "", auth.ErrCodeInvalid
			}
		}
		return "", fmt.Errorf("oauth code exchange: %w", fault.ErrUnavailable.Wrap(errors.New(privacy.Redact(msg))))
	}
	if res.OpenID == "" {
		return "", auth.ErrCodeInvalid
	}
	return res.OpenID, nil
}
