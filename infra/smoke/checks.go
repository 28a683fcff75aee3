package main

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/reportdb"
	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/wechattest"
)

// invocation is one sample event sent to a function and what came back.
type invocation struct {
	Event  []byte            // as sent, freshened
	Answer []byte            // the function's response payload
	Before snapshot          // what the fake WeChat API had seen before the invocation
	Env    map[string]string // the function's environment
}

// A check says whether a function answered a sample event as it must; on success it
// may return a note saying how.
type check func(ctx context.Context, w *world, inv invocation) (note string, err error)

// checks says, for every sample event under events/, what the function must answer.
// A sample event without a check fails the smoke test, and a test checks the two lists
// agree.
var checks = map[string]check{
	"wechat/verify.json":                    verifyEchoes,
	"wechat/verify-forged.json":             httpError(403, "signature_invalid"),
	"wechat/text.json":                      repliesText("电影放映"),
	"wechat/text-safe.json":                 repliesText("电影放映"),
	"account/signin.json":                   signsIn,
	"account/signin-bad-json.json":          httpError(400, "invalid_json"),
	"notifier/outbox-insert.json":           outboxNotLost,
	"counters/booking-changes.json":         countsBooking,
	"notifications/list-without-token.json": httpError(401, "token_missing"),
	"directory/venues-bad-near.json":        httpError(400, "near_invalid"),
	"assessment/export-without-token.json":  httpError(401, "token_missing"),
	"bookings/list-unknown-kind.json":       httpError(400, "query_invalid"),
	"bookings/mine-without-token.json":      httpError(401, "token_missing"),
	"scheduler/tick.json":                   succeedsWithNothing,
	"volunteers/apply-no-token.json":        httpError(401, "token_missing"),
	"volunteers/shifts-forged-token.json":   httpError(401, "token_invalid"),
	"pages/home.json":                       pageShows(200, "长辈版", "近期暂无场次"),
	"pages/callback-without-state.json":     pageShows(403, "登录请求已失效"),
	"pages/elder-cross-site.json":           pageShows(403, "请求来自其他网站"),
	"console/checkin-cross-site.json":       pageShows(403, "请求来自其他网站"),
	"library/collections.json":              httpBody(200, `{"collections":[]}`+"\n"),
	"library/upload-without-token.json":     httpError(401, "token_missing"),
	"media/upload-unknown.json":             succeedsWithNothing,
	"indexer/venue-changed.json":            noBatchFailures,
}

// functionError returns the error a function returned instead of an answer, if any:
// the runtime reports it as {"errorMessage": …, "errorType": …}.
func functionError(answer []byte) string {
	var e struct {
		ErrorMessage *string `json:"errorMessage"`
		ErrorType    string  `json:"errorType"`
	}
	if json.Unmarshal(answer, &e) != nil || e.ErrorMessage == nil {
		return ""
	}
	return fmt.Sprintf("%s: %s", e.ErrorType, *e.ErrorMessage)
}

// httpAnswer is an HTTP function's answer as API Gateway would send it on.
type httpAnswer struct {
	Status int
	Body   string
}

func (a httpAnswer) String() string { return fmt.Sprintf("%d %q", a.Status, a.Body) }

func parseHTTP(answer []byte) (httpAnswer, error) {
	var r events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(answer, &r); err != nil || r.StatusCode == 0 {
		return httpAnswer{}, fmt.Errorf("answer is not an API Gateway v2 response: %s", answer)
	}
	body := r.Body
	if r.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return httpAnswer{}, fmt.Errorf("answer body is not base64: %w", err)
		}
		body = string(b)
	}
	return httpAnswer{Status: r.StatusCode, Body: body}, nil
}

// errorCode is the code of an error body {"error": {"code": …}}.
func errorCode(body string) string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal([]byte(body), &e)
	return e.Error.Code
}

// query returns the query string of an API Gateway v2 event.
func query(event []byte) url.Values {
	var ev events.APIGatewayV2HTTPRequest
	_ = json.Unmarshal(event, &ev)
	q, _ := url.ParseQuery(ev.RawQueryString)
	return q
}

// httpError wants the status and the error code.
func httpError(status int, code string) check {
	return func(_ context.Context, _ *world, inv invocation) (string, error) {
		a, err := parseHTTP(inv.Answer)
		if err != nil {
			return "", err
		}
		if a.Status != status || errorCode(a.Body) != code {
			return "", fmt.Errorf("answered %s, want %d with error code %s", a, status, code)
		}
		return fmt.Sprintf("%d %s", status, code), nil
	}
}

// pageShows wants an H5 page with the status whose text contains each of wants: HTML,
// gzipped when the event accepts gzip (base64 through API Gateway), never cached.
func pageShows(status int, wants ...string) check {
	return func(_ context.Context, _ *world, inv invocation) (string, error) {
		var r events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(inv.Answer, &r); err != nil || r.StatusCode == 0 {
			return "", fmt.Errorf("answer is not an API Gateway v2 response: %s", inv.Answer)
		}
		body := []byte(r.Body)
		if r.IsBase64Encoded {
			b, err := base64.StdEncoding.DecodeString(r.Body)
			if err != nil {
				return "", fmt.Errorf("answer body is not base64: %w", err)
			}
			body = b
		}
		if header(r.Headers, "Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				return "", fmt.Errorf("gzip body: %w", err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				return "", fmt.Errorf("gzip body: %w", err)
			}
		}
		if ct := header(r.Headers, "Content-Type"); r.StatusCode != status || !strings.HasPrefix(ct, "text/html") {
			return "", fmt.Errorf("answered %d %s %q, want %d and an HTML page", r.StatusCode, ct, body, status)
		}
		if cc := header(r.Headers, "Cache-Control"); cc != "no-store" {
			return "", fmt.Errorf("Cache-Control = %q, want no-store", cc)
		}
		for _, want := range wants {
			if !strings.Contains(string(body), want) {
				return "", fmt.Errorf("answered %d %q, want a page saying %q", r.StatusCode, body, want)
			}
		}
		return fmt.Sprintf("%d, a %d-byte page (%s) saying %q", status, len(body), cmp.Or(header(r.Headers, "Content-Encoding"), "identity"), wants), nil
	}
}

// header reads a response header whatever its case.
func header(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// httpBody wants the status and exactly the body.
func httpBody(status int, body string) check {
	return func(_ context.Context, _ *world, inv invocation) (string, error) {
		a, err := parseHTTP(inv.Answer)
		if err != nil {
			return "", err
		}
		if a.Status != status || a.Body != body {
			return "", fmt.Errorf("answered %s, want %d %q", a, status, body)
		}
		return fmt.Sprintf("%d %q", status, body), nil
	}
}

// repliesText wants a text message's passive reply: 200 and the reply's XML, addressed
// to the sender, containing want (the sample asks for 电影; the empty table has none:
// "近期暂无电影放映场次"). A safe-mode reply must carry a valid MsgSignature and
// decrypt with the function's WECHAT_ENCODING_AES_KEY and WECHAT_APP_ID.
func repliesText(want string) check {
	return func(_ context.Context, _ *world, inv invocation) (string, error) {
		a, err := parseHTTP(inv.Answer)
		if err != nil {
			return "", err
		}
		if a.Status != 200 {
			return "", fmt.Errorf("answered %s, want 200 and a reply", a)
		}
		reply, mode := a.Body, "plain"
		if query(inv.Event).Get("encrypt_type") == "aes" {
			mode = "safe"
			if !strings.Contains(a.Body, "<Encrypt>") {
				return "", fmt.Errorf("answered %s, want an encrypted reply", a)
			}
			acct := wechattest.Account{AppID: inv.Env["WECHAT_APP_ID"], Token: inv.Env["WECHAT_TOKEN"], AESKey: inv.Env["WECHAT_ENCODING_AES_KEY"]}
			plain, err := acct.Open([]byte(a.Body))
			if err != nil {
				return "", fmt.Errorf("the reply does not open with WECHAT_TOKEN and the AES key: %v", err)
			}
			reply = string(plain)
		}
		var msg struct {
			ToUserName string
			MsgType    string
			Content    string
		}
		if err := xml.Unmarshal([]byte(reply), &msg); err != nil || msg.MsgType != "text" || !strings.Contains(msg.Content, want) {
			return "", fmt.Errorf("replied %q, want a text reply containing %q", reply, want)
		}
		if from := query(inv.Event).Get("openid"); from != "" && msg.ToUserName != from {
			return "", fmt.Errorf("replied to %q, want the sender %q", msg.ToUserName, from)
		}
		return fmt.Sprintf("200, %s-mode text reply %q", mode, firstLine(msg.Content)), nil
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// verifyEchoes wants the server verification answered with the event's echostr, which
// the callback reads from the query string: it proves the query string survives the
// API Gateway adapter and the signature check passes with the env's WECHAT_TOKEN.
func verifyEchoes(_ context.Context, _ *world, inv invocation) (string, error) {
	a, err := parseHTTP(inv.Answer)
	if err != nil {
		return "", err
	}
	echostr := query(inv.Event).Get("echostr")
	if echostr == "" {
		return "", fmt.Errorf("the event has no echostr in its rawQueryString")
	}
	if a.Status != 200 || a.Body != echostr {
		return "", fmt.Errorf("answered %s, want 200 and the echostr %q", a, echostr)
	}
	return fmt.Sprintf("200, echostr %q echoed", echostr), nil
}

// signsIn wants a session for the openid of the event's "dev:<openid>" code, and
// checks behind the function's back that it reached both the fake WeChat API (the code
// exchange) and the embedded DynamoDB (the person's profile).
func signsIn(ctx context.Context, w *world, inv invocation) (string, error) {
	a, err := parseHTTP(inv.Answer)
	if err != nil {
		return "", err
	}
	var req struct{ Code string }
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(inv.Event, &ev); err != nil || json.Unmarshal([]byte(ev.Body), &req) != nil {
		return "", fmt.Errorf("the event's body is not {\"code\": …}")
	}
	openid, ok := strings.CutPrefix(req.Code, "dev:")
	if !ok {
		return "", fmt.Errorf("the event's code %q is not dev:<openid>", req.Code)
	}
	var s struct {
		Token  string   `json:"token"`
		OpenID string   `json:"openid"`
		Roles  []string `json:"roles"`
	}
	if a.Status != 200 || json.Unmarshal([]byte(a.Body), &s) != nil || s.Token == "" || s.OpenID != openid {
		return "", fmt.Errorf("answered %s, want 200 with a token and openid %q", a, openid)
	}
	if w.WeChat.Calls(wechattest.OpOAuth) <= inv.Before.OAuth {
		return "", fmt.Errorf("signed in, but the fake WeChat API saw no code exchange: WECHAT_API_BASE did not reach the function")
	}
	if _, err := w.People.Person(ctx, openid); err != nil {
		return "", fmt.Errorf("signed in, but the embedded DynamoDB has no profile of %s (%v): DYNAMODB_ENDPOINT did not reach the function", openid, err)
	}
	return fmt.Sprintf("200, session for %s (roles %v); the fake WeChat saw the code exchange, DynamoDB has the profile", openid, s.Roles), nil
}

// outboxNotLost wants every outbox INSERT of the batch either reported as a batch item
// failure (to be retried, and dead-lettered after its retries) or delivered (the fake
// WeChat API recorded a message and the item is marked sent), never neither; and no
// other record reported.
func outboxNotLost(ctx context.Context, w *world, inv invocation) (string, error) {
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(inv.Event, &ev); err != nil {
		return "", fmt.Errorf("the event is not a DynamoDB stream batch: %w", err)
	}
	var resp events.DynamoDBEventResponse
	if err := json.Unmarshal(inv.Answer, &resp); err != nil {
		return "", fmt.Errorf("answer %s is not a DynamoDBEventResponse: %w", inv.Answer, err)
	}
	failed := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		failed[f.ItemIdentifier] = true
	}
	known := map[string]bool{}
	var outbox, reported []string
	for _, rec := range ev.Records {
		seq := rec.Change.SequenceNumber
		known[seq] = true
		if id, ok := strings.CutPrefix(rec.Change.Keys["PK"].String(), dynamo.OutboxPrefix); ok && rec.EventName == string(events.DynamoDBOperationTypeInsert) {
			outbox = append(outbox, seq)
			if failed[seq] {
				reported = append(reported, seq)
				continue
			}
			m, err := w.Outbox.Message(ctx, id)
			if err != nil || m.Status != notify.StatusSent {
				return "", fmt.Errorf("outbox item %s not reported failed, but it is %+v (%v), not sent", id, m, err)
			}
			continue
		}
		if failed[seq] {
			return "", fmt.Errorf("reported %s record %s as failed; the notifier must leave records other than outbox inserts alone", rec.EventName, seq)
		}
	}
	for _, f := range resp.BatchItemFailures {
		if !known[f.ItemIdentifier] {
			return "", fmt.Errorf("reported %q as failed, which is no record of the batch", f.ItemIdentifier)
		}
	}
	if len(outbox) == 0 {
		return "", fmt.Errorf("the event has no outbox INSERT")
	}
	delivered := len(w.WeChat.Sent()) - inv.Before.Sent
	if lost := len(outbox) - len(reported) - delivered; lost > 0 {
		return "", fmt.Errorf("answered %s: of %d outbox inserts %d reported failed and %d delivered, so %d lost", bytes.TrimSpace(inv.Answer), len(outbox), len(reported), delivered, lost)
	}
	return fmt.Sprintf("outbox inserts: %d reported failed %v, %d delivered; other records ignored", len(reported), reported, delivered), nil
}

// countsBooking wants the batch taken whole (no batch item failures) and the booking it
// carries counted: its two places in the city's bookings of the slot's month. The
// district and activity records are there only to put those items in the table (the
// smoke world writes every record's image; the function's filter would not send them).
func countsBooking(ctx context.Context, w *world, inv invocation) (string, error) {
	var resp events.DynamoDBEventResponse
	if err := json.Unmarshal(inv.Answer, &resp); err != nil {
		return "", fmt.Errorf("answer %s is not a DynamoDBEventResponse: %w", inv.Answer, err)
	}
	if len(resp.BatchItemFailures) > 0 {
		return "", fmt.Errorf("reported %v as failed, want none", resp.BatchItemFailures)
	}
	m, err := (&reportdb.Metrics{DB: w.db, Table: w.table}).Metrics(ctx, "430200", "2026-11")
	if err != nil {
		return "", err
	}
	if m["bookings"] != 2 || m["uniqueResidents"] != 1 {
		return "", fmt.Errorf("the city's counters for 2026-11 are %v, want 2 bookings of 1 resident", m)
	}
	return fmt.Sprintf("counted: %v", m), nil
}

// succeedsWithNothing wants a successful invocation with no result (a handler that
// returns only an error).
func succeedsWithNothing(_ context.Context, _ *world, inv invocation) (string, error) {
	if s := string(bytes.TrimSpace(inv.Answer)); s != "null" && s != "" {
		return "", fmt.Errorf("answered %s, want null", s)
	}
	return "null", nil
}

// noBatchFailures wants a stream batch answered with no failed records.
func noBatchFailures(_ context.Context, _ *world, inv invocation) (string, error) {
	var resp events.DynamoDBEventResponse
	if err := json.Unmarshal(inv.Answer, &resp); err != nil {
		return "", fmt.Errorf("answered %s: %w", bytes.TrimSpace(inv.Answer), err)
	}
	if len(resp.BatchItemFailures) > 0 {
		return "", fmt.Errorf("answered %s, want no failed records", bytes.TrimSpace(inv.Answer))
	}
	return "no failed records", nil
}
