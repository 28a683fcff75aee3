package callback_test

import (
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wentitong/wentitong/shared/wechat/callback"
)

// FuzzReceive posts arbitrary bodies, correctly signed, in plain mode (safe false) and
// in safe mode (safe true: the input is the Encrypt element, signed by msg_signature,
// so the fuzzer reaches the decryption and the parser). Whatever the input, the
// callback answers a 200 reply or a 4xx refusal, and never panics or fails inside.
// The seed corpus is testdata/messages and testdata/fuzz/FuzzReceive.
func FuzzReceive(f *testing.F) {
	files, _ := filepath.Glob("testdata/messages/*.xml")
	for _, file := range files {
		body, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body, false)
		f.Add([]byte(mustEncrypt(body, sampleAppID)), true)
	}
	w := newWorld(f, testNow)
	tss := strconv.FormatInt(testNow.Unix(), 10)
	f.Fuzz(func(t *testing.T, input []byte, safe bool) {
		q := url.Values{"timestamp": {tss}, "nonce": {"n"}, "signature": {callback.Sign(sampleToken, tss, "n")}}
		body := string(input)
		if safe {
			q.Set("encrypt_type", "aes")
			q.Set("msg_signature", callback.Sign(sampleToken, tss, "n", strings.TrimSpace(body)))
			body = "<xml><ToUserName>t</ToUserName><Encrypt><![CDATA[" + body + "]]></Encrypt></xml>"
		}
		rec := httptest.NewRecorder()
		w.gw.Handler().ServeHTTP(rec, httptest.NewRequest("POST", "/wechat?"+q.Encode(), strings.NewReader(body)))
		switch {
		case rec.Code == 200:
			if b := rec.Body.String(); b != "success" && !strings.HasPrefix(b, "<xml>") {
				t.Errorf("200 with body %q, want success or an XML reply", b)
			}
		case rec.Code >= 400 && rec.Code < 500:
		default:
			t.Errorf("POST = %d %s, want 200 or a 4xx refusal", rec.Code, rec.Body)
		}
	})
}
