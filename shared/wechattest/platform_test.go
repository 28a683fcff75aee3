package wechattest_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/wentitong/wentitong/shared/wechat"
	"github.com/wentitong/wentitong/shared/wechat/callback"
	"github.com/wentitong/wentitong/shared/wechattest"
)

// echo answers a text with the text, and records what it was given.
type echo struct{ got []*message.MixMessage }

func (e *echo) Respond(_ context.Context, msg *message.MixMessage) (callback.Reply, error) {
	e.got = append(e.got, msg)
	return callback.Text("收到：" + msg.Content), nil
}

func (*echo) Once(*message.MixMessage) bool { return false }

// Deliveries sealed by Account in each mode are accepted by the real callback, which
// reads the message they carry; the reply opens to the plaintext the chat gave. A
// delivery sealed with another token or key is refused.
func TestAccountSealsForTheCallback(t *testing.T) {
	acct := wechattest.Account{AppID: "wx-sim-app", Token: "sim-token", AESKey: strings.Repeat("k", 43)}
	now := time.Now()
	chat := &echo{}
	oa := wechat.New(wechat.Config{AppID: acct.AppID, AppSecret: "s", Token: acct.Token, EncodingAESKey: acct.AESKey}, cache.NewMemory())
	srv := httptest.NewServer((&callback.Server{OA: oa, Token: acct.Token, Now: time.Now, Chat: chat}).Handler())
	defer srv.Close()

	const body = `<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[o-sim-1]]></FromUserName>` +
		`<CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[电影 & <书>]]></Content><MsgId>%d</MsgId></xml>`
	for i, mode := range []string{wechattest.ModePlain, wechattest.ModeCompat, wechattest.ModeSafe} {
		plain := []byte(strings.NewReplacer("%d", "1"+strings.Repeat("0", i+1)).Replace(body))
		post, err := acct.Seal(mode, "o-sim-1", plain, now, "nonce-"+mode)
		if err != nil {
			t.Fatalf("Seal(%s) = %v", mode, err)
		}
		if mode == wechattest.ModeSafe && strings.Contains(string(post.Body), "电影") {
			t.Errorf("Seal(safe) body %q carries the plaintext", post.Body)
		}
		if got := post.Query.Get("openid"); got != "o-sim-1" {
			t.Errorf("Seal(%s) openid = %q, want o-sim-1", mode, got)
		}
		answer := mustPost(t, post, srv.URL+"/wechat", 200)
		if (mode == wechattest.ModePlain) == strings.Contains(answer, "<Encrypt>") {
			t.Errorf("%s mode: answer %q, want it encrypted only when the delivery was", mode, answer)
		}
		reply, err := acct.Open([]byte(answer))
		if err != nil {
			t.Fatalf("%s mode: Open = %v", mode, err)
		}
		if !strings.Contains(string(reply), "<![CDATA[收到：电影 & <书>]]>") || !strings.Contains(string(reply), "<ToUserName><![CDATA[o-sim-1]]>") {
			t.Errorf("%s mode: reply %s, want the echo to o-sim-1", mode, reply)
		}
		if n := len(chat.got); n != i+1 || chat.got[n-1].Content != "电影 & <书>" {
			t.Errorf("%s mode: chat got %d messages, last %+v; want the text once more", mode, n, chat.got[n-1])
		}

		// Sealed with a wrong token, or (encrypted) a wrong key: refused, not answered.
		forged := acct
		forged.Token = "not-the-token"
		post, _ = forged.Seal(mode, "o-sim-1", plain, now, "nonce-forged")
		mustPost(t, post, srv.URL+"/wechat", 403)
		if mode != wechattest.ModePlain {
			forged = acct
			forged.AESKey = strings.Repeat("z", 43)
			post, _ = forged.Seal(mode, "o-sim-1", plain, now, "nonce-badkey")
			mustPost(t, post, srv.URL+"/wechat", 400)
		}
	}
	if n := len(chat.got); n != 3 {
		t.Errorf("chat answered %d deliveries, want the 3 genuine ones", n)
	}
	if _, err := acct.Seal("mixed", "o-sim-1", []byte("<xml/>"), now, "n"); err == nil {
		t.Error(`Seal("mixed") = nil error, want an unknown mode refused`)
	}
}

// Open checks a reply's MsgSignature before decrypting it.
func TestAccountOpenChecksTheSignature(t *testing.T) {
	acct := wechattest.Account{AppID: "wx-sim-app", Token: "sim-token", AESKey: strings.Repeat("k", 43)}
	oa := wechat.New(wechat.Config{AppID: acct.AppID, AppSecret: "s", Token: acct.Token, EncodingAESKey: acct.AESKey}, cache.NewMemory())
	srv := httptest.NewServer((&callback.Server{OA: oa, Token: acct.Token, Now: time.Now, Chat: &echo{}}).Handler())
	defer srv.Close()
	post, err := acct.Seal(wechattest.ModeSafe, "o-sim-1", []byte(`<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[o-sim-1]]></FromUserName>`+
		`<CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content><MsgId>7</MsgId></xml>`), time.Now(), "n")
	if err != nil {
		t.Fatal(err)
	}
	answer := mustPost(t, post, srv.URL+"/wechat", 200)
	other := acct
	other.Token = "another-token"
	if _, err := other.Open([]byte(answer)); !errors.Is(err, wechattest.ErrReplySignature) {
		t.Errorf("Open with another token = %v, want ErrReplySignature", err)
	}
	if got, err := acct.Open([]byte("success")); err != nil || string(got) != "success" {
		t.Errorf(`Open("success") = %q, %v; want it as it is`, got, err)
	}
}

func mustPost(t *testing.T, post wechattest.Post, url string, want int) string {
	t.Helper()
	req, err := post.Request(url)
	if err != nil {
		t.Fatal(err)
	}
	status, b := send(t, req)
	if status != want {
		t.Errorf("POST ?%s = %d %s, want %d", req.URL.RawQuery, status, b, want)
	}
	return string(b)
}
