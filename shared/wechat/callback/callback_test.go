package callback_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/golden"
	"github.com/wentitong/wentitong/shared/web"
	"github.com/wentitong/wentitong/shared/wechat/callback"
)

func TestSign(t *testing.T) {
	// The example of WeChat's documentation: sha1 of the sorted strings.
	if got, want := callback.Sign("b", "a", "c"), "a9993e364706816aba3e25717850c26c9cd0d89d"; got != want {
		t.Errorf("Sign(b, a, c) = %s, want sha1(abc) = %s", got, want)
	}
}

// TestGolden posts each of WeChat's documented sample messages and events (and the
// platform's own scenes and keywords) in plain, compatible and safe mode, and compares
// the reply the resident sees and what changed with testdata/golden.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/messages/*.xml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample messages: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".xml")
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			var first string
			for _, mode := range modes {
				w := newWorld(t, testNow)
				rec := serve(w, signedRequest(mode, body, testNow, "nonce-"+mode))
				code, reply := plaintextReply(t, rec)
				fmt.Fprintf(&out, "== %s: %d\n%s\n", mode, code, reply)
				effects := fmt.Sprintf("people: %q\noutbox: %q\nfeedback: %q\n", w.people.Calls(), w.outbox.Items(), w.feedback.Filed())
				if mode == plain {
					first = reply + effects
					out.WriteString(effects)
				} else if got := strings.TrimPrefix(reply, "(decrypted) ") + effects; got != first {
					t.Errorf("%s mode answered\n%s\nwant the plain mode's\n%s", mode, got, first)
				}
			}
			golden.Check(t, filepath.Join("testdata", "golden", name+".golden"), out.Bytes())
		})
	}
}

// The sample of WeChat's message-encryption documentation (the video message encrypted
// with the random "aaaabbbbccccdddd"), as published: it decrypts and is answered.
const publishedEncrypt = "jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEcW7ZQweImX9+wLMa0GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0QuM+UW/wM9enGIDIJHF7CLHiDNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjggX5Z9Mma0nMJBU+jLKJ38YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzETdfakjkwQ5/Xka042OlUb1/slTwo4RscuQ+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZckqmA7FNERspKA5f8GoJ9sv8xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFExWUZQDajPkdPrEeOwofJb"

func TestPublishedSafeModeSample(t *testing.T) {
	const ts, nonce = "1409304348", "xxxxxx"
	now := time.Unix(1409304348, 0)
	w := newWorld(t, now)
	q := url.Values{"timestamp": {ts}, "nonce": {nonce}, "signature": {callback.Sign(sampleToken, ts, nonce)},
		"encrypt_type": {"aes"}, "msg_signature": {callback.Sign(sampleToken, ts, nonce, publishedEncrypt)}}
	body := "<xml><ToUserName><![CDATA[toUser]]></ToUserName><Encrypt><![CDATA[" + publishedEncrypt + "]]></Encrypt></xml>"
	rec := serve(w, httptest.NewRequest("POST", "/wechat?"+q.Encode(), strings.NewReader(body)))
	code, reply := plaintextReply(t, rec)
	if code != 200 || !strings.HasPrefix(reply, "(decrypted) ") {
		t.Fatalf("published sample = %d %q, want 200 and an encrypted reply", code, reply)
	}
	golden.Check(t, "testdata/golden/published-sample.golden", []byte(reply+"\n"))
}

// TestRefusals sends what a forger, a replayer or a broken client would: each is
// refused with its code, nothing is stored, and the log has the code, the masked openid
// and the reason but neither the body nor the signatures nor the full openid.
func TestRefusals(t *testing.T) {
	text, _ := os.ReadFile("testdata/messages/text-film.xml")
	const openid = "oMgHVjngRipVsoxg6TuX3vz6glDg"
	tss := strconv.FormatInt(testNow.Unix(), 10)
	enc := mustEncrypt(text, sampleAppID)
	safeQuery := func(encrypt string) string {
		return url.Values{"timestamp": {tss}, "nonce": {"n"}, "signature": {callback.Sign(sampleToken, tss, "n")}, "openid": {openid},
			"encrypt_type": {"aes"}, "msg_signature": {callback.Sign(sampleToken, tss, "n", encrypt)}}.Encode()
	}
	plainQuery := url.Values{"timestamp": {tss}, "nonce": {"n"}, "signature": {callback.Sign(sampleToken, tss, "n")}, "openid": {openid}}.Encode()
	envelope := func(encrypt string) string {
		return "<xml><ToUserName><![CDATA[toUser]]></ToUserName><Encrypt><![CDATA[" + encrypt + "]]></Encrypt></xml>"
	}
	wrongApp := mustEncrypt(text, "wx-someone-else")
	stale := signedRequest(plain, text, testNow.Add(-6*time.Minute), "n")
	stale.URL.RawQuery += "&openid=" + openid
	tests := []struct {
		name   string
		query  string
		body   string
		status int
		code   string
	}{
		{"forged signature", strings.Replace(plainQuery, "signature=", "signature=0", 1), string(text), 403, "signature_invalid"},
		{"no signature", "timestamp=" + tss + "&nonce=n&openid=" + openid, string(text), 403, "signature_invalid"},
		{"forged msg_signature", strings.Replace(safeQuery(enc), "msg_signature=", "msg_signature=0", 1), envelope(enc), 403, "msg_signature_invalid"},
		{"msg_signature of another body", safeQuery(enc), envelope(wrongApp), 403, "msg_signature_invalid"},
		{"stale timestamp", stale.URL.RawQuery, string(text), 403, "timestamp_out_of_window"},
		{"oversized", plainQuery, "<xml>" + strings.Repeat("a", callback.MaxBodyBytes) + "</xml>", 413, "body_too_large"},
		{"malformed xml", plainQuery, "<xml><MsgType>text", 400, "message_invalid"},
		{"truncated xml", plainQuery, string(text[:len(text)/2]), 400, "message_invalid"},
		{"empty xml", plainQuery, "<xml></xml>", 400, "message_invalid"},
		{"not xml", plainQuery, "电影", 400, "message_invalid"},
		{"safe mode without Encrypt", safeQuery(""), string(text), 400, "message_invalid"},
		{"truncated safe body", safeQuery(enc), envelope(enc)[:60], 400, "message_invalid"},
		{"ciphertext not base64", safeQuery("!!!"), envelope("!!!"), 400, "message_invalid"},
		{"ciphertext cut short", safeQuery(enc[:40]), envelope(enc[:40]), 400, "message_invalid"},
		{"wrong appid in ciphertext", safeQuery(wrongApp), envelope(wrongApp), 400, "message_invalid"},
		{"unknown encrypt_type", plainQuery + "&encrypt_type=rsa", string(text), 400, "encrypt_type_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, testNow)
			var logs bytes.Buffer
			h := web.Wrap(w.gw.Handler(), slog.New(slog.NewJSONHandler(&logs, nil)))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", "/wechat?"+tt.query, strings.NewReader(tt.body)))
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), `"code":"`+tt.code+`"`) {
				t.Errorf("POST = %d %s, want %d %s", rec.Code, rec.Body, tt.status, tt.code)
			}
			if n := w.dedup.Len(); n != 0 || len(w.people.Calls()) != 0 || len(w.feedback.Filed()) != 0 {
				t.Errorf("a refused request stored %d deliveries, people %v, feedback %v; want nothing", n, w.people.Calls(), w.feedback.Filed())
			}
			log := logs.String()
			if !strings.Contains(log, `"code":"`+tt.code+`"`) || !strings.Contains(log, "oMgH") {
				t.Errorf("log %s lacks the code and the masked openid", log)
			}
			for _, secret := range []string{openid, "看电影", "fromUser", callback.Sign(sampleToken, tss, "n"), sampleToken} {
				if strings.Contains(log, secret) {
					t.Errorf("log carries %q: %s", secret, log)
				}
			}
		})
	}
}

// TestRetries delivers messages three times, as WeChat does when an answer is slow:
// state changes once and every delivery gets the same reply, encrypted afresh.
func TestRetries(t *testing.T) {
	for _, file := range []string{"text-feedback", "event-subscribe-scene"} {
		for _, mode := range []string{plain, safe} {
			t.Run(file+"/"+mode, func(t *testing.T) {
				body, _ := os.ReadFile("testdata/messages/" + file + ".xml")
				w := newWorld(t, testNow)
				var replies []string
				var raw []string
				for i := range 3 {
					rec := serve(w, signedRequest(mode, body, testNow.Add(time.Duration(i)*5*time.Second), "n"+strconv.Itoa(i)))
					code, reply := plaintextReply(t, rec)
					if code != 200 {
						t.Fatalf("delivery %d = %d %s", i+1, code, rec.Body)
					}
					replies = append(replies, reply)
					raw = append(raw, rec.Body.String())
				}
				if replies[0] != replies[1] || replies[1] != replies[2] || strings.Contains(replies[0], callback.Busy.Text) {
					t.Errorf("replies differ or failed: %q", replies)
				}
				if mode == safe && (raw[0] == raw[1] || raw[1] == raw[2]) {
					t.Error("safe-mode retries got byte-identical replies; want each encrypted for its own request")
				}
				if got := len(w.people.Calls()) + len(w.feedback.Filed()) + len(w.outbox.Items()); got != map[string]int{"text-feedback": 1, "event-subscribe-scene": 2}[file] {
					t.Errorf("state changed %d times: people %v, feedback %v, outbox %v", got, w.people.Calls(), w.feedback.Filed(), w.outbox.Items())
				}
			})
		}
	}
}

// A retry that arrives while the first delivery is still being answered gets
// "success" and changes nothing; the first delivery's reply reaches the resident.
func TestRetryWhileFirstInFlight(t *testing.T) {
	body, _ := os.ReadFile("testdata/messages/text-feedback.xml")
	w := newWorld(t, testNow)
	inner := w.gw.Chat
	var second string
	w.gw.Chat = responderFunc(func(req responderArgs) (callback.Reply, error) {
		rec := serve(w, signedRequest(plain, body, testNow, "retry"))
		second = rec.Body.String()
		return inner.Respond(req.ctx, req.msg)
	})
	rec := serve(w, signedRequest(plain, body, testNow, "first"))
	if second != "success" || !strings.Contains(rec.Body.String(), "感谢您的建议") || len(w.feedback.Filed()) != 1 {
		t.Errorf("retry in flight = %q, first = %q, filed %v; want success, the thanks, one ticket", second, rec.Body, w.feedback.Filed())
	}
}

// The common case, a message that only reads, is answered first and recorded with its
// reply in one write: a retry gets the first reply even when the chat would now answer
// otherwise, and one that overlaps the first answers with whichever was recorded first.
// Messages with no reply (LOCATION, unsubscribe) write no record: a repeat sets the
// same thing again.
func TestCommonCaseIsRecordedOnce(t *testing.T) {
	body, _ := os.ReadFile("testdata/messages/text-film.xml")
	w := newWorld(t, testNow)
	answers := 0
	w.gw.Chat = responderFunc(func(responderArgs) (callback.Reply, error) {
		answers++
		return callback.Text("第 " + strconv.Itoa(answers) + " 次回答"), nil
	})
	var replies []string
	for i := range 3 {
		_, reply := plaintextReply(t, serve(w, signedRequest(safe, body, testNow.Add(time.Duration(i)*5*time.Second), "n"+strconv.Itoa(i))))
		replies = append(replies, reply)
	}
	if answers != 3 || !strings.Contains(replies[0], "第 1 次回答") || replies[1] != replies[0] || replies[2] != replies[0] || w.dedup.Len() != 1 {
		t.Errorf("replies %q after %d answers, %d records; want every delivery answered with the first, recorded once", replies, answers, w.dedup.Len())
	}

	for _, file := range []string{"event-location", "event-unsubscribe"} {
		body, _ := os.ReadFile("testdata/messages/" + file + ".xml")
		w := newWorld(t, testNow)
		for i := range 2 {
			rec := serve(w, signedRequest(plain, body, testNow.Add(time.Duration(i)*5*time.Second), "n"+strconv.Itoa(i)))
			if rec.Body.String() != "success" {
				t.Errorf("%s delivery %d = %q, want success", file, i+1, rec.Body)
			}
		}
		if calls := w.people.Calls(); w.dedup.Len() != 0 || len(calls) != 2 || calls[0] != calls[1] {
			t.Errorf("%s twice: %d records, people %q; want no record and the same change twice", file, w.dedup.Len(), calls)
		}
	}
}

// A message the chat answers once is claimed first; one that only reads is not.
func TestOnce(t *testing.T) {
	for _, tt := range []struct {
		file string
		once bool
	}{
		{"text-feedback", true}, {"event-subscribe-scene", true}, {"event-scan-shift", true}, {"event-scancode-waitmsg", true},
		{"text-film", false}, {"text", false}, {"event-subscribe", false}, {"event-location", false}, {"event-click-films", false}, {"location", false},
	} {
		body, _ := os.ReadFile("testdata/messages/" + tt.file + ".xml")
		var msg message.MixMessage
		if err := xml.Unmarshal(body, &msg); err != nil {
			t.Fatal(err)
		}
		if got := (&callback.Chat{}).Once(&msg); got != tt.once {
			t.Errorf("Once(%s) = %v, want %v", tt.file, got, tt.once)
		}
	}
}

// A dependency that hangs does not hold WeChat past its 5 s: the delivery is answered
// with the apology within the budget and released, so a retry is handled anew.
func TestSlowDependencyIsCutAtTheBudget(t *testing.T) {
	body, _ := os.ReadFile("testdata/messages/text-feedback.xml")
	w := newWorld(t, testNow)
	w.gw.Budget = 50 * time.Millisecond
	w.gw.Chat = responderFunc(func(a responderArgs) (callback.Reply, error) {
		<-a.ctx.Done()
		return callback.Reply{}, a.ctx.Err()
	})
	start := time.Now()
	rec := serve(w, signedRequest(plain, body, testNow, "n"))
	if took := time.Since(start); took > time.Second || !strings.Contains(rec.Body.String(), callback.Busy.Text) {
		t.Errorf("answer after %v = %q, want the apology within the budget", took, rec.Body)
	}
	if w.dedup.Len() != 0 {
		t.Error("the failed delivery is still claimed; a retry would be refused")
	}
}

// A crowd asking for 电影 costs one catalogue read per instance per ListingTTL.
func TestListingsAreReusedBriefly(t *testing.T) {
	now := testNow
	cat := &countingCatalog{fakeCatalog: fakeCatalog{now: now}}
	chat := &callback.Chat{Catalog: cat, Links: callback.Links{Base: "https://h5.test"}, Now: func() time.Time { return now }}
	msg := func(id int64) *message.MixMessage {
		return &message.MixMessage{CommonToken: message.CommonToken{FromUserName: "o-1", MsgType: message.MsgTypeText, CreateTime: 1}, Content: "电影", MsgID: id}
	}
	first, _ := chat.Respond(context.Background(), msg(1))
	second, _ := chat.Respond(context.Background(), msg(2))
	if cat.reads != 1 || first.Text != second.Text || !strings.Contains(first.Text, "长津湖") {
		t.Errorf("two listings within the TTL read the catalogue %d times (replies %q, %q), want once and the same reply", cat.reads, first.Text, second.Text)
	}
	now = now.Add(11 * time.Second)
	if _, err := chat.Respond(context.Background(), msg(3)); err != nil || cat.reads != 2 {
		t.Errorf("after the TTL: %d reads (%v), want a fresh read", cat.reads, err)
	}
}

type countingCatalog struct {
	fakeCatalog
	reads int
}

func (c *countingCatalog) SlotsOfKind(ctx context.Context, kind booking.Kind) ([]booking.Slot, error) {
	c.reads++
	return c.fakeCatalog.SlotsOfKind(ctx, kind)
}

// Locations WeChat could not have sent are not stored, and a LOCATION event is always
// answered "success", even when the table fails.
func TestLocationsAreCheckedAndLocationEventsAnsweredSuccess(t *testing.T) {
	event := func(lat, lng string) string {
		return `<xml><ToUserName>t</ToUserName><FromUserName>oLoc</FromUserName><CreateTime>7</CreateTime><MsgType>event</MsgType>` +
			`<Event>LOCATION</Event><Latitude>` + lat + `</Latitude><Longitude>` + lng + `</Longitude><Precision>NaN</Precision></xml>`
	}
	msg := `<xml><ToUserName>t</ToUserName><FromUserName>oLoc</FromUserName><CreateTime>8</CreateTime><MsgType>location</MsgType>` +
		`<Location_X>200</Location_X><Location_Y>113.1</Location_Y><MsgId>99</MsgId></xml>`
	tests := []struct {
		name, body string
		failing    bool
		want       string
		stored     int
	}{
		{"event", event("27.83", "113.13"), false, "success", 1},
		{"event NaN", event("NaN", "113.13"), false, "success", 0},
		{"event off the globe", event("91", "113.13"), false, "success", 0},
		{"event while the table fails", event("27.83", "113.13"), true, "success", 0},
		{"message off the globe", msg, false, "无法识别该位置", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, testNow)
			if tt.failing {
				w.gw.Chat.(*callback.Chat).People = &failingPeople{}
			}
			rec := serve(w, signedRequest(plain, []byte(tt.body), testNow, "n"))
			if rec.Code != 200 || !strings.Contains(rec.Body.String(), tt.want) || len(w.people.Calls()) != tt.stored {
				t.Errorf("POST = %d %q, stored %v; want %q and %d stored", rec.Code, rec.Body, w.people.Calls(), tt.want, tt.stored)
			}
		})
	}
}

type failingPeople struct{ fakePeople }

func (*failingPeople) SetLocation(context.Context, string, callback.Location) error {
	return errors.New("table unavailable")
}

// The configured mode decides what a post may be: safe mode refuses a plaintext post
// (its URL signature would let one captured URL carry any body), plain mode an
// encrypted one; compatible mode takes both. A refused post changes nothing.
func TestMessageMode(t *testing.T) {
	text, _ := os.ReadFile("testdata/messages/text-film.xml")
	for _, tt := range []struct {
		mode, post string
		status     int
		code       string
	}{
		{callback.ModeSafe, plain, 403, "encryption_required"},
		{callback.ModeSafe, compat, 200, ""}, // compat posts carry the ciphertext too
		{callback.ModeSafe, safe, 200, ""},
		{callback.ModePlain, safe, 400, "encrypt_type_invalid"},
		{callback.ModePlain, plain, 200, ""},
		{callback.ModeCompat, plain, 200, ""},
		{callback.ModeCompat, safe, 200, ""},
	} {
		w := newWorld(t, testNow)
		w.gw.Mode = tt.mode
		rec := httptest.NewRecorder()
		w.gw.Handler().ServeHTTP(rec, signedRequest(tt.post, text, testNow, "n"))
		if rec.Code != tt.status || tt.code != "" && !strings.Contains(rec.Body.String(), `"code":"`+tt.code+`"`) {
			t.Errorf("%s post in %s mode = %d %s, want %d %s", tt.post, tt.mode, rec.Code, rec.Body, tt.status, tt.code)
		}
		if tt.code != "" && w.dedup.Len() != 0 {
			t.Errorf("a refused %s post in %s mode claimed a delivery", tt.post, tt.mode)
		}
	}
}
