package wechat

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/util"
)

// WeChat errcodes the platform reacts to.
const (
	CodeSystemBusy         = -1    // try again later
	CodeInvalidCredential  = 40001 // the access token is invalid or not the latest
	CodeInvalidToken       = 40014 // the access token is malformed
	CodeTokenExpired       = 42001 // the access token has expired
	CodeNotSubscribed      = 43004 // the user does not follow the account
	CodeDailyQuotaExceeded = 45009 // the API's daily quota is spent
)

var errcodeText = regexp.MustCompile(`errcode\s*=\s*(-?\d+)`)

// ErrCode returns the WeChat errcode an SDK error carries, or 0 when it carries none
// (a network failure, a timeout). Some SDK methods return *util.CommonError; others,
// such as message.Template.Send and message.Manager.Send, only write the errcode into
// the error's text, which ErrCode parses.
func ErrCode(err error) int {
	if err == nil {
		return 0
	}
	var ce *util.CommonError
	if errors.As(err, &ce) {
		return int(ce.ErrCode)
	}
	m := errcodeText.FindStringSubmatch(err.Error())
	if m == nil {
		return 0
	}
	code, _ := strconv.Atoi(m[1])
	return code
}

// IsTokenError reports whether err says the access token must be refreshed.
func IsTokenError(err error) bool {
	switch ErrCode(err) {
	case CodeInvalidCredential, CodeInvalidToken, CodeTokenExpired:
		return true
	}
	return false
}

// InvalidateToken deletes the access token the SDK cached for appID in c, so that the
// next call fetches the current one from the stable_token API. Call it when a call
// fails with a token error (IsTokenError), then retry once.
func InvalidateToken(c cache.Cache, appID string) error {
	// The key is the one credential.StableAccessToken builds.
	key := fmt.Sprintf("%s_stable_access_token_%s", credential.CacheKeyOfficialAccountPrefix, appID)
	if err := c.Delete(key); err != nil {
		return fmt.Errorf("invalidate access token: %w", err)
	}
	return nil
}
