package gateway_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/wentitong/wentitong/shared/gateway"
	"github.com/wentitong/wentitong/shared/wechat"
)

const token = "tok"

func TestSign(t *testing.T) {
	// The example of WeChat's documentation: sha1 of the sorted strings.
	if got, want := gateway.Sign("b", "a", "c"), "a9993e364706816aba3e25717850c26c9cd0d89d"; got != want {
		t.Errorf("Sign(b, a, c) = %s, want sha1(abc) = %s", got, want)
	}
}

func newGateway(now time.Time, reply func(*http.Request, *message.MixMessage) *message.Reply) *gateway.Gateway {
	oa := wechat.New(wechat.Config{AppID: "wx", AppSecret: "s", Token: token}, cache.NewMemory())
	return &gateway.Gateway{OA: oa, Token: token, Now: func() time.Time { return now }, Reply: reply}
}

func post(g *gateway.Gateway, now time.Time, body string) *httptest.ResponseRecorder {
	ts := strconv.FormatInt(now.Unix(), 10)
	q := url.Values{"timestamp": {ts}, "nonce": {"n"}, "signature": {gateway.Sign(token, ts, "n")}, "openid": {"o-1"}}
	rec := httptest.NewRecorder()
	g.Handler().ServeHTTP(rec, httptest.NewRequest("POST", "/wechat?"+q.Encode(), strings.NewReader(body)))
	return rec
}

const textMsg = `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o-1]]></FromUserName>` +
	`<CreateTime>1764320000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[电影]]></Content><MsgId>1</MsgId></xml>`

func TestReceivePlainText(t *testing.T) {
	now := time.Unix(1764320000, 0)
	var got string
	g := newGateway(now, func(_ *http.Request, m *message.MixMessage) *message.Reply {
		got = m.Content
		return nil
	})
	rec := post(g, now, textMsg)
	if rec.Code != 200 || rec.Body.String() != "success" || got != "电影" {
		t.Errorf("POST text = %d %q (handler saw %q), want 200 success and the content 电影", rec.Code, rec.Body, got)
	}
	g = newGateway(now, func(_ *http.Request, m *message.MixMessage) *message.Reply {
		return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText("你好")}
	})
	rec = post(g, now, textMsg)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "你好") || !strings.Contains(rec.Body.String(), "<ToUserName><![CDATA[o-1]]>") {
		t.Errorf("POST text with a reply = %d %q, want an XML reply to o-1", rec.Code, rec.Body)
	}
}

func TestReceiveRefusesBadInput(t *testing.T) {
	now := time.Unix(1764320000, 0)
	called := false
	g := newGateway(now, func(*http.Request, *message.MixMessage) *message.Reply { called = true; return nil })
	tests := []struct {
		name, body string
		status     int
		code       string
	}{
		{"malformed xml", "<xml><MsgType>text", 400, "message_invalid"},
		{"oversized", "<xml>" + strings.Repeat("a", gateway.MaxBodyBytes) + "</xml>", 413, "body_too_large"},
	}
	for _, tt := range tests {
		rec := post(g, now, tt.body)
		if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.code) {
			t.Errorf("%s: POST = %d %q, want %d %s", tt.name, rec.Code, rec.Body, tt.status, tt.code)
		}
	}
	rec := httptest.NewRecorder()
	g.Handler().ServeHTTP(rec, httptest.NewRequest("POST", "/wechat?signature=x&timestamp=1&nonce=n", strings.NewReader(textMsg)))
	if rec.Code != 403 || !strings.Contains(rec.Body.String(), "signature_invalid") {
		t.Errorf("forged POST = %d %q, want 403 signature_invalid", rec.Code, rec.Body)
	}
	if called {
		t.Error("the message handler ran for a refused request")
	}
}
