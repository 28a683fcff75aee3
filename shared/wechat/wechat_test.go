package wechat_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/sirupsen/logrus"

	"github.com/wentitong/wentitong/shared/privacy"
	"github.com/wentitong/wentitong/shared/wechat"
	"github.com/wentitong/wentitong/shared/wechattest"
)

// TestEndToEnd drives the real SDK, built by New, against the fake API.
func TestEndToEnd(t *testing.T) {
	srv := wechattest.NewServer(t)
	c := cache.NewMemory()
	oa := wechat.New(wechat.Config{AppID: wechattest.AppID, AppSecret: wechattest.AppSecret, APIBase: srv.URL}, c)

	if got := logrus.GetLevel(); got > logrus.WarnLevel {
		t.Errorf("logrus level = %v, want warn or quieter", got)
	}

	tpl := oa.GetTemplate()
	for _, id := range []string{"b1:confirmed", "b2:confirmed"} {
		msg := &message.TemplateMessage{
			ToUser:      "oUser1",
			TemplateID:  "tpl-confirmed",
			ClientMsgID: id,
			Data:        map[string]*message.TemplateDataItem{"thing1": {Value: "露天电影《长津湖》"}},
		}
		if _, err := tpl.Send(msg); err != nil {
			t.Fatalf("Send(%s): %v", id, privacy.Redact(err.Error()))
		}
	}
	sent := srv.Sent()
	if len(sent) != 2 || sent[1].ToUser != "oUser1" || sent[1].TemplateID != "tpl-confirmed" || sent[1].ClientMsgID != "b2:confirmed" ||
		!strings.Contains(string(sent[1].Data), "露天电影《长津湖》") {
		t.Errorf("Sent() = %+v, want the two template messages", sent)
	}
	// One token for both sends, from the stable_token API.
	if got := srv.Calls(wechattest.OpStableToken); got != 1 {
		t.Errorf("Calls(OpStableToken) = %d, want 1", got)
	}
	if got := srv.Calls(wechattest.OpToken); got != 0 {
		t.Errorf("Calls(OpToken) = %d, want 0 (New must use stable_token)", got)
	}

	// A token error, then the recovery callers perform: invalidate, retry once.
	srv.FailNext(wechattest.OpTemplate, wechat.CodeInvalidCredential, 1)
	msg := &message.TemplateMessage{ToUser: "oUser1", TemplateID: "tpl-confirmed", Data: map[string]*message.TemplateDataItem{}}
	_, err := tpl.Send(msg)
	if !wechat.IsTokenError(err) {
		t.Fatalf("Send after injected 40001 = %v, want a token error", err)
	}
	if err := wechat.InvalidateToken(c, wechattest.AppID); err != nil {
		t.Fatal(err)
	}
	if _, err := tpl.Send(msg); err != nil {
		t.Fatalf("Send after InvalidateToken: %v", privacy.Redact(err.Error()))
	}
	if got := srv.Calls(wechattest.OpStableToken); got != 2 {
		t.Errorf("Calls(OpStableToken) = %d, want 2 (one refresh)", got)
	}

	res, err := oa.GetOauth().GetUserAccessToken("dev:oResident7")
	if err != nil {
		t.Fatalf("GetUserAccessToken: %v", privacy.Redact(err.Error()))
	}
	if res.OpenID != "oResident7" {
		t.Errorf("GetUserAccessToken openid = %q, want %q", res.OpenID, "oResident7")
	}
	if _, err := oa.GetOauth().GetUserAccessToken("stolen"); wechat.ErrCode(err) != 40029 {
		t.Errorf("GetUserAccessToken(bad code) = %v, want errcode 40029", err)
	}
}

// TestRedactSDKError checks that the error the SDK returns when WeChat is unreachable
// carries the access token, and that Redact removes it.
func TestRedactSDKError(t *testing.T) {
	wechattest.NewServer(t) // New below replaces the SDK's client; this restores it afterwards
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	c := cache.NewMemory()
	const token = "84_SECRET_TOKEN_VALUE"
	if err := c.Set("gowechat_officialaccount__stable_access_token_"+wechattest.AppID, token, time.Hour); err != nil {
		t.Fatal(err)
	}
	oa := wechat.New(wechat.Config{AppID: wechattest.AppID, AppSecret: wechattest.AppSecret, APIBase: closed}, c)
	_, err = oa.GetTemplate().Send(&message.TemplateMessage{ToUser: "oA", TemplateID: "t"})
	if err == nil {
		t.Fatal("Send to a closed port succeeded")
	}
	if !strings.Contains(err.Error(), token) {
		t.Fatalf("the SDK's error no longer carries the token, so this test proves nothing: %v", err)
	}
	if got := privacy.Redact(err.Error()); strings.Contains(got, token) {
		t.Errorf("Redact(%q) = %q, still carries the token", err, got)
	}
}
