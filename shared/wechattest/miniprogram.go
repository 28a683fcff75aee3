package wechattest

import (
	"encoding/json"
	"net/url"
	"strings"
)

// The mini program the fake knows: its code2session takes these credentials.
const (
	MiniAppID     = "wx-test-mini"
	MiniAppSecret = "test-mini-secret"
)

// The mini program's exchanges: sign-in, a verified phone number, and its subscribe
// messages.
const (
	OpCode2Session  Op = "code2session"   // GET /sns/jscode2session
	OpPhone         Op = "phone"          // POST /wxa/business/getuserphonenumber
	OpMiniSubscribe Op = "mini_subscribe" // POST /cgi-bin/message/subscribe/send
)

// BindUnion makes openids (of the official account and the mini program) one WeChat
// user with unionid, as binding both apps to one open platform account does: the
// official account's OAuth and code2session then report the unionid with each openid.
func (f *Fake) BindUnion(unionid string, openids ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range openids {
		f.unions[id] = unionid
	}
}

// code2session answers a mini program's wx.login code: "dev:<openid>" signs in as that
// mini program openid, any number of times.
func (f *Fake) code2session(q url.Values, _ []byte) any {
	switch {
	case q.Get("appid") == "":
		return apiErr(41002)
	case q.Get("appid") != MiniAppID:
		return apiErr(40013)
	case q.Get("secret") != MiniAppSecret:
		return apiErr(40125)
	case q.Get("grant_type") != "authorization_code":
		return apiErr(40002)
	}
	openid, found := strings.CutPrefix(q.Get("js_code"), "dev:")
	if !found || openid == "" {
		return apiErr(40029)
	}
	return sessionResponse{OpenID: openid, SessionKey: randomString(24), UnionID: f.unions[openid]}
}

type sessionResponse struct {
	OpenID     string `json:"openid"`
	SessionKey string `json:"session_key"`
	UnionID    string `json:"unionid,omitempty"`
}

// phoneNumber answers the code of the mini program's getPhoneNumber button: "dev:<phone>"
// is that number, verified (a mainland mobile number, country code 86).
func (f *Fake) phoneNumber(_ url.Values, body []byte) any {
	var req struct {
		Code string `json:"code"`
	}
	if json.Unmarshal(body, &req) != nil || req.Code == "" {
		return apiErr(47001)
	}
	phone, found := strings.CutPrefix(req.Code, "dev:")
	if !found || phone == "" {
		return apiErr(40029)
	}
	var out phoneResponse
	out.PhoneInfo.PhoneNumber, out.PhoneInfo.PurePhoneNumber, out.PhoneInfo.CountryCode = phone, phone, "86"
	out.PhoneInfo.Watermark.AppID = MiniAppID
	out.PhoneInfo.Watermark.Timestamp = f.now().Unix()
	return out
}

type phoneResponse struct {
	PhoneInfo struct {
		PhoneNumber     string `json:"phoneNumber"`
		PurePhoneNumber string `json:"purePhoneNumber"`
		CountryCode     string `json:"countryCode"`
		Watermark       struct {
			Timestamp int64  `json:"timestamp"`
			AppID     string `json:"appid"`
		} `json:"watermark"`
	} `json:"phone_info"`
}

// miniSubscribe records a subscribe message of the mini program (Kind "mini_subscribe"):
// it takes the mini program's own token only (the official account's is 40001 here, as
// each app's token is its own). WeChat refuses a message the person accepted no more of
// with 43101, which FailNext(OpMiniSubscribe, 43101, 1) imitates.
func (f *Fake) miniSubscribe(q url.Values, body []byte) any {
	if q.Get("access_token") != f.miniToken {
		return apiErr(40001)
	}
	return f.recordSubscribe("mini_subscribe", body)
}
