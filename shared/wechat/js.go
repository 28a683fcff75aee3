package wechat

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/util"

	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/privacy"
	"github.com/wentitong/wentitong/shared/web"
)

const ticketURL = "https://api.weixin.qq.com/cgi-bin/ticket/getticket?type=jsapi&access_token="

// JSConfig is what an H5 page passes to the JS-SDK's wx.config.
type JSConfig struct {
	AppID     string `json:"appId"`
	Timestamp int64  `json:"timestamp"`
	NonceStr  string `json:"nonceStr"`
	Signature string `json:"signature"`
}

// JS signs pages for the JS-SDK. The jsapi_ticket is shared through the same cache
// as the access token, under the SDK's key, and fetched with a token refresh-and-retry.
type JS struct {
	AppID string
	Cache cache.Cache
	Token *Token
	Now   func() time.Time
	Log   *slog.Logger

	mu sync.Mutex
}

// NewJS returns the signer of oa (built by New).
func NewJS(oa *officialaccount.OfficialAccount, now func() time.Time) *JS {
	ctx := oa.GetContext()
	return &JS{AppID: ctx.AppID, Cache: ctx.Cache, Token: TokenOf(oa), Now: now}
}

func (j *JS) key() string {
	return fmt.Sprintf("%s_jsapi_ticket_%s", credential.CacheKeyOfficialAccountPrefix, j.AppID)
}

// Config signs pageURL (without its #fragment, as WeChat requires).
func (j *JS) Config(ctx context.Context, pageURL string) (JSConfig, error) {
	ticket, err := j.ticket(ctx)
	if err != nil {
		return JSConfig{}, err
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	c := JSConfig{AppID: j.AppID, Timestamp: j.Now().Unix(), NonceStr: hex.EncodeToString(b[:])}
	c.Signature = JSSignature(ticket, c.NonceStr, c.Timestamp, pageURL)
	return c, nil
}

// JSSignature is the JS-SDK signature: the hex SHA-1 of
// jsapi_ticket=…&noncestr=…&timestamp=…&url=… (the URL without its fragment).
func JSSignature(ticket, nonce string, timestamp int64, pageURL string) string {
	if u, err := url.Parse(pageURL); err == nil && u.Fragment != "" {
		u.Fragment, u.RawFragment = "", ""
		pageURL = u.String()
	}
	sum := sha1.Sum(fmt.Appendf(nil, "jsapi_ticket=%s&noncestr=%s&timestamp=%d&url=%s", ticket, nonce, timestamp, pageURL))
	return hex.EncodeToString(sum[:])
}

func (j *JS) ticket(ctx context.Context) (string, error) {
	if s, _ := cache.GetContext(ctx, j.Cache, j.key()).(string); s != "" {
		return s, nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if s, _ := cache.GetContext(ctx, j.Cache, j.key()).(string); s != "" {
		return s, nil
	}
	var res credential.ResTicket
	err := j.Token.Do(ctx, func() error {
		tok, err := j.Token.GetAccessTokenContext(ctx)
		if err != nil {
			return err
		}
		b, err := util.HTTPGetContext(ctx, ticketURL+url.QueryEscape(tok))
		if err != nil {
			return err
		}
		res = credential.ResTicket{}
		if err := json.Unmarshal(b, &res); err != nil {
			return err
		}
		if res.ErrCode != 0 || res.Ticket == "" {
			return fmt.Errorf("jsapi ticket: errcode=%d, errmsg=%s", res.ErrCode, res.ErrMsg)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("jsapi ticket: %w", fault.ErrUnavailable.Wrap(errors.New(privacy.Redact(err.Error()))))
	}
	ttl := max(time.Duration(res.ExpiresIn)*time.Second-5*time.Minute, time.Minute)
	if err := cache.SetContext(ctx, j.Cache, j.key(), res.Ticket, ttl); err != nil {
		log := j.Log
		if log == nil {
			log = slog.Default()
		}
		log.Warn("cache the jsapi ticket", "err", privacy.Redact(err.Error()))
	}
	return res.Ticket, nil
}

// ErrPageURL refuses a page the platform does not serve.
var ErrPageURL = fault.New(fault.Invalid, "url_invalid", "页面地址无效，或不属于本平台的 H5 域名")

// JSConfigHandler serves GET /api/v1/wechat/jsconfig?url=<page>: the wx.config of a
// page of the H5 site at h5Base (same scheme and host), as {appId, timestamp,
// nonceStr, signature}. No sign-in is needed: the signature only works on the
// domains configured in WeChat.
func JSConfigHandler(js *JS, h5Base string) http.HandlerFunc {
	base, _ := url.Parse(h5Base)
	return func(w http.ResponseWriter, r *http.Request) {
		page := r.URL.Query().Get("url")
		u, err := url.Parse(page)
		if page == "" || len(page) > 2048 || err != nil || base == nil || u.Scheme != base.Scheme || u.Host != base.Host {
			web.Error(w, r, ErrPageURL)
			return
		}
		c, err := js.Config(r.Context(), page)
		if err != nil {
			web.Error(w, r, err)
			return
		}
		web.JSON(w, http.StatusOK, c)
	}
}
