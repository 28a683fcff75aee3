// Package wechat adapts the silenceper/wechat SDK to the platform: configuration, the shared HTTP client, and log hygiene.
package wechat

import (
	"os"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/officialaccount"
	offconfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/util"
	"github.com/sirupsen/logrus"
)

// Config holds the official account's credentials. They come from the environment
// (WECHAT_APP_ID, WECHAT_APP_SECRET, WECHAT_TOKEN, WECHAT_ENCODING_AES_KEY,
// WECHAT_API_BASE) and must never be logged.
type Config struct {
	AppID          string
	AppSecret      string
	Token          string // the callback's signature token
	EncodingAESKey string // the callback's AES key (safe and compatible modes)
	APIBase        string // optional base URL replacing https://api.weixin.qq.com (the fake API)
}

// New returns the official account client. c holds the access token: pass a cache
// shared by all instances (the DynamoDB cache) so the token is fetched once for the
// platform. The SDK type-asserts cached values to string, so c must return strings.
//
// The token comes from the stable_token API, which, unlike /cgi-bin/token, does not
// invalidate the token other instances hold each time one of them fetches; the
// handle is a *Token (TokenOf), whose Do retries a call once after a token error.
//
// New changes two process-wide settings, because the SDK offers nothing narrower:
//   - util.DefaultHTTPClient, the only HTTP client every SDK call uses, becomes
//     NewHTTPClient(cfg.APIBase): timeouts, and the redirect to the fake API if set.
//   - the standard logrus logger, which the SDK logs through, is limited to warnings
//     and errors on stderr. The SDK's callback server logs every raw and decrypted
//     message and every reply at debug level (openids and what residents wrote), and
//     the SDK's root package, if anything imports it, sets the level to debug and the
//     output to stdout in its init. New runs after every init, so its setting wins.
//
// Call New once per process, before any SDK call: the globals are not synchronised.
// The returned client's getters (GetTemplate, GetOauth, …) create their sub-clients
// lazily without locking: call them once while wiring, not from concurrent goroutines.
func New(cfg Config, c cache.Cache) *officialaccount.OfficialAccount {
	util.DefaultHTTPClient = NewHTTPClient(cfg.APIBase)
	logrus.SetOutput(os.Stderr)
	logrus.SetLevel(logrus.WarnLevel)
	oa := officialaccount.NewOfficialAccount(&offconfig.Config{
		AppID:          cfg.AppID,
		AppSecret:      cfg.AppSecret,
		Token:          cfg.Token,
		EncodingAESKey: cfg.EncodingAESKey,
		Cache:          c,
		UseStableAK:    true,
	})
	oa.SetAccessTokenHandle(&Token{AppID: cfg.AppID, AppSecret: cfg.AppSecret, Cache: c})
	return oa
}
