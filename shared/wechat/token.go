package wechat

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/util"

	"github.com/wentitong/wentitong/shared/privacy"
)

// stableTokenURL is WeChat's stable access token API: it returns the current token
// and, unless force_refresh is set, never invalidates the one other callers hold.
const stableTokenURL = "https://api.weixin.qq.com/cgi-bin/stable_token"

// Token is the official account's access token, shared by every instance of every
// function through the cache (the DynamoDB table in AWS), and fetched from the
// stable_token API only when the cache has none. It is the SDK's
// AccessTokenContextHandle, installed by New.
//
// Unlike the SDK's own handle, a failed cache write is logged, not returned: the token
// fetched is valid, so the call that needed it goes ahead.
type Token struct {
	AppID, AppSecret string
	Cache            cache.Cache // values must come back as Go strings
	Log              *slog.Logger

	mu sync.Mutex // one fetch at a time in this instance
}

var _ credential.AccessTokenContextHandle = (*Token)(nil)

// tokenTimeout bounds the context-free GetAccessToken the SDK's older methods call.
const tokenTimeout = 5 * time.Second

// key is the cache key, the one the SDK's stable handle uses, so that InvalidateToken
// and a deployment still running the SDK's handle agree.
func (t *Token) key() string {
	return fmt.Sprintf("%s_stable_access_token_%s", credential.CacheKeyOfficialAccountPrefix, t.AppID)
}

// GetAccessToken returns the shared token, fetching it when the cache has none.
func (t *Token) GetAccessToken() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), tokenTimeout)
	defer cancel()
	return t.GetAccessTokenContext(ctx)
}

// GetAccessTokenContext returns the shared token, fetching it when the cache has none.
func (t *Token) GetAccessTokenContext(ctx context.Context) (string, error) {
	if tok := t.cached(ctx); tok != "" {
		return tok, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if tok := t.cached(ctx); tok != "" { // another goroutine of this instance fetched it
		return tok, nil
	}
	b, err := util.PostJSONContext(ctx, stableTokenURL, map[string]any{
		"grant_type": "client_credential", "appid": t.AppID, "secret": t.AppSecret, "force_refresh": false,
	})
	if err != nil {
		return "", fmt.Errorf("stable access token: %w", err)
	}
	var res credential.ResAccessToken
	if err := json.Unmarshal(b, &res); err != nil {
		return "", fmt.Errorf("stable access token: %w", err)
	}
	if res.ErrCode != 0 || res.AccessToken == "" {
		return "", fmt.Errorf("stable access token: errcode=%d, errmsg=%s", res.ErrCode, res.ErrMsg)
	}
	// Keep it until five minutes before WeChat's expiry (stable_token renews a token in
	// its last five minutes), at least a minute.
	ttl := max(time.Duration(res.ExpiresIn)*time.Second-5*time.Minute, time.Minute)
	if err := cache.SetContext(ctx, t.Cache, t.key(), res.AccessToken, ttl); err != nil {
		t.log().Warn("cache the access token", "err", privacy.Redact(err.Error()))
	}
	return res.AccessToken, nil
}

func (t *Token) cached(ctx context.Context) string {
	s, _ := cache.GetContext(ctx, t.Cache, t.key()).(string)
	return s
}

// Invalidate drops the cached token, so that the next call fetches the current one.
func (t *Token) Invalidate(ctx context.Context) error {
	if err := cache.DeleteContext(ctx, t.Cache, t.key()); err != nil {
		return fmt.Errorf("invalidate access token: %w", err)
	}
	return nil
}

// Do runs call, an SDK call that uses the token. When WeChat answers that the token
// is invalid or expired (40001, 40014, 42001), Do drops the cached token and runs call
// once more with a fresh one; any other outcome is returned as it is.
func (t *Token) Do(ctx context.Context, call func() error) error {
	err := call()
	if !IsTokenError(err) {
		return err
	}
	t.log().Info("access token refused by WeChat; refreshing once", "errcode", ErrCode(err))
	if err := t.Invalidate(ctx); err != nil {
		return err
	}
	return call()
}

func (t *Token) log() *slog.Logger {
	if t.Log != nil {
		return t.Log
	}
	return slog.Default()
}

// TokenOf returns the Token New installed on oa, or nil.
func TokenOf(oa *officialaccount.OfficialAccount) *Token {
	t, _ := oa.GetContext().AccessTokenHandle.(*Token)
	return t
}
