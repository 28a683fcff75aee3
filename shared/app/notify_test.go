package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/apptest"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/wechattest"
)

// notifyWorld is the app with a settable clock, a fresh table and the fake WeChat API,
// with booking confirmations configured as a template message and everything else sent
// as customer-service text.
type notifyWorld struct {
	t   *testing.T
	a   *app.App
	tbl *dynamotest.Table
	wx  *wechattest.Server
	now time.Time
	seq int
}

func newNotifyWorld(t *testing.T) *notifyWorld {
	w := &notifyWorld{t: t, now: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)}
	w.tbl = dynamotest.New(t)
	w.wx = wechattest.NewServer(t)
	cfg := config.From(env{
		"TABLE_NAME": w.tbl.Name, "WECHAT_APP_ID": wechattest.AppID, "WECHAT_APP_SECRET": wechattest.AppSecret,
		"WECHAT_API_BASE": w.wx.URL, "ADMIN_OPENIDS": "o-admin", "NOTIFY_RATE": "0",
		"NOTIFY_TEMPLATES": `{"booking_confirmed":{"templateId":"TPL-CONFIRM","fields":{"thing1":"activity","time2":"time","thing3":"venue"}}}`,
	}.get)
	a, err := app.New(context.Background(), cfg, app.Options{DB: w.tbl.DB, Now: func() time.Time { return w.now }, LogOutput: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	w.a = a
	return w
}

// add writes a message to the outbox as a domain change would, and returns its id.
func (w *notifyWorld) add(kind, to string) string {
	w.t.Helper()
	w.seq++
	id := fmt.Sprintf("m%03d", w.seq)
	err := w.a.Outbox.Add(context.Background(), notify.Message{ID: id, Kind: kind, To: to, CreatedAt: w.now,
		Data: map[string]string{"activity": "公益电影《流浪地球2》", "time": "12月5日 19:30", "venue": "工人文化宫影院", "text": "您好"}})
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

// stream hands the ids to the notifier as the table's stream would, and returns the
// sequence numbers it reported failed.
func (w *notifyWorld) stream(ids ...string) []string {
	w.t.Helper()
	var ev events.DynamoDBEvent
	for i, id := range ids {
		ev.Records = append(ev.Records, events.DynamoDBEventRecord{EventName: "INSERT", Change: events.DynamoDBStreamRecord{
			SequenceNumber: fmt.Sprint(i + 1),
			Keys:           map[string]events.DynamoDBAttributeValue{"PK": events.NewStringAttribute("OUTBOX#" + id), "SK": events.NewStringAttribute("OUTBOX")},
		}})
	}
	resp, err := w.a.Notifier()(context.Background(), ev)
	if err != nil {
		w.t.Fatal(err)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	return failed
}

func (w *notifyWorld) message(id string) notify.Message {
	w.t.Helper()
	m, err := w.a.Outbox.Message(context.Background(), id)
	if err != nil {
		w.t.Fatal(err)
	}
	return m
}

// sentTo counts the messages the fake WeChat API recorded for openid.
func (w *notifyWorld) sentTo(openid string) int {
	n := 0
	for _, m := range w.wx.Sent() {
		if m.ToUser == openid {
			n++
		}
	}
	return n
}

// drain runs the scheduler's due-delivery over the next hours, minute by minute.
func (w *notifyWorld) drain(d time.Duration) {
	w.t.Helper()
	for end := w.now.Add(d); w.now.Before(end); w.now = w.now.Add(time.Minute) {
		if _, err := w.a.Notify.DeliverDue(context.Background(), 50); err != nil {
			w.t.Fatal(err)
		}
	}
}

func TestNotifierSendsOnceByTemplateOrText(t *testing.T) {
	w := newNotifyWorld(t)
	confirm := w.add("booking_confirmed", "o-1")
	text := w.add("booking_reminder", "o-2")
	if failed := w.stream(confirm, text); len(failed) != 0 {
		t.Fatalf("stream reported %v failed, want none", failed)
	}
	// The stream may deliver a record twice; nothing is sent twice.
	w.stream(confirm, text)
	w.drain(2 * time.Minute)
	sent := w.wx.Sent()
	if len(sent) != 2 {
		t.Fatalf("fake WeChat recorded %d messages, want 2: %+v", len(sent), sent)
	}
	tpl, cs := sent[0], sent[1]
	if tpl.Kind != "template" || tpl.TemplateID != "TPL-CONFIRM" || tpl.ToUser != "o-1" || tpl.ClientMsgID != confirm ||
		!strings.Contains(string(tpl.Data), `"thing1":{"value":"公益电影《流浪地球2》"}`) {
		t.Errorf("confirmation = %+v %s, want template TPL-CONFIRM to o-1 with client_msg_id %s and thing1 filled", tpl, tpl.Data, confirm)
	}
	if cs.Kind != "custom" || cs.ToUser != "o-2" || !strings.Contains(string(cs.Data), "活动提醒：公益电影《流浪地球2》") {
		t.Errorf("reminder = %+v %s, want a customer-service text to o-2", cs, cs.Data)
	}
	for _, id := range []string{confirm, text} {
		if m := w.message(id); m.Status != notify.StatusSent || m.Attempts != 1 || m.SentAt.IsZero() {
			t.Errorf("message %s = %+v, want sent after one attempt", id, m)
		}
	}
}

func TestNotifierRetriesTransientFailuresWithBackoff(t *testing.T) {
	w := newNotifyWorld(t)
	w.wx.FailNext(wechattest.OpCustom, -1, 2)
	id := w.add("booking_reminder", "o-1")
	w.stream(id)
	if m := w.message(id); m.Status != notify.StatusPending || m.LastError != "errcode_-1" || !m.DueAt.After(w.now) {
		t.Fatalf("after a busy answer: %+v, want pending, due later, reason errcode_-1", m)
	}
	w.drain(10 * time.Minute)
	if m := w.message(id); m.Status != notify.StatusSent || m.Attempts != 3 || w.sentTo("o-1") != 1 {
		t.Errorf("after retries: %+v, %d sent; want sent once after 3 attempts", m, w.sentTo("o-1"))
	}
}

func TestNotifierRefreshesTheTokenOnce(t *testing.T) {
	w := newNotifyWorld(t)
	first := w.add("booking_reminder", "o-1")
	w.stream(first) // caches a token
	w.wx.FailNext(wechattest.OpCustom, 40001, 1)
	second := w.add("booking_reminder", "o-2")
	w.stream(second)
	if m := w.message(second); m.Status != notify.StatusSent || m.Attempts != 1 {
		t.Errorf("after 40001: %+v, want sent in the same attempt with a fresh token", m)
	}
}

func TestNotifierSkipsUnsubscribed(t *testing.T) {
	w := newNotifyWorld(t)
	if err := w.a.People.SetSubscribed(context.Background(), "o-gone", false, w.now); err != nil {
		t.Fatal(err)
	}
	w.wx.FailNext(wechattest.OpCustom, 43004, 1)
	gone := w.add("booking_reminder", "o-gone")   // known unsubscribed: not even tried
	never := w.add("booking_reminder", "o-never") // WeChat says 43004
	calls := w.wx.Calls(wechattest.OpCustom)
	w.stream(gone, never)
	if got := w.wx.Calls(wechattest.OpCustom) - calls; got != 1 {
		t.Errorf("WeChat was called %d times, want once (not for the known unsubscriber)", got)
	}
	for _, id := range []string{gone, never} {
		if m := w.message(id); m.Status != notify.StatusSkipped || m.LastError != "unsubscribed" {
			t.Errorf("message %s = %+v, want skipped: unsubscribed", id, m)
		}
	}
	if len(w.wx.Sent()) != 0 {
		t.Errorf("sent %v, want nothing", w.wx.Sent())
	}
}

func TestNotifierFailsForGoodAndAlertsStaff(t *testing.T) {
	w := newNotifyWorld(t)
	w.wx.FailNext(wechattest.OpCustom, 40003, 1) // invalid openid: permanent
	bad := w.add("booking_reminder", "o-bogus")
	w.wx.FailNext(wechattest.OpTemplate, -1, 100) // busy until the last attempt
	busy := w.add("booking_confirmed", "o-1")
	w.stream(bad, busy)
	w.drain(6 * time.Hour)
	if m := w.message(bad); m.Status != notify.StatusFailed || m.LastError != "errcode_40003" || m.Attempts != 1 {
		t.Errorf("rejected message = %+v, want failed after 1 attempt with errcode_40003", m)
	}
	if m := w.message(busy); m.Status != notify.StatusFailed || m.Attempts != 5 {
		t.Errorf("always-busy message = %+v, want failed after 5 attempts", m)
	}
	failed, err := w.a.Outbox.List(context.Background(), notify.StatusFailed, 10)
	if err != nil || len(failed) != 2 {
		t.Errorf("Failed() = %+v, %v; want the 2", failed, err)
	}
	// Both failures alerted the admin, in Chinese, and the alerts were delivered.
	if got := w.sentTo("o-admin"); got != 2 {
		t.Errorf("admin got %d alerts, want 2: %+v", got, w.wx.Sent())
	}
	for _, m := range w.wx.Sent() {
		if m.ToUser == "o-admin" && !strings.Contains(string(m.Data), "通知发送失败") {
			t.Errorf("alert %s is not the delivery_failed text", m.Data)
		}
	}
	// Staff retry puts it back; this time WeChat answers.
	w.wx.FailNext(wechattest.OpCustom, 0, 0)
	if err := w.a.Outbox.Retry(context.Background(), bad, w.now); err != nil {
		t.Fatal(err)
	}
	if err := w.a.Outbox.Retry(context.Background(), bad, w.now); err == nil {
		t.Error("retrying a message that is no longer failed: nil error, want notification_not_retryable")
	}
	w.drain(2 * time.Minute)
	if m := w.message(bad); m.Status != notify.StatusSent || w.sentTo("o-bogus") != 1 {
		t.Errorf("after staff retry: %+v, want sent once", m)
	}
}

// A notifier that dies between the send and the mark leaves the message claimed; when
// the claim lapses another notifier sends it again with the same client_msg_id, which
// WeChat deduplicates: the person gets one message.
func TestNotifierCrashBetweenSendAndMark(t *testing.T) {
	w := newNotifyWorld(t)
	id := w.add("booking_confirmed", "o-1")
	ctx := context.Background()
	m, ok, err := w.a.Outbox.Claim(ctx, id, w.now, w.now.Add(time.Minute))
	if err != nil || !ok {
		t.Fatalf("Claim = %v, %v", ok, err)
	}
	// The crashed notifier's send, then nothing.
	sender := w.a.Notify.Sender
	if err := sender.Send(ctx, notify.Delivery{Channel: "template", To: m.To, TemplateID: "TPL-CONFIRM", Fields: map[string]string{"thing1": "x"}, ClientMsgID: m.ID}); err != nil {
		t.Fatal(err)
	}
	w.stream(id) // a redelivered record while the claim holds: nothing happens
	if got := w.message(id); got.Status != notify.StatusSending {
		t.Fatalf("while claimed: %+v, want sending", got)
	}
	w.drain(3 * time.Minute)
	if got := w.message(id); got.Status != notify.StatusSent || w.sentTo("o-1") != 1 {
		t.Errorf("after the lease lapsed: %+v, %d recorded; want sent, one message", got, w.sentTo("o-1"))
	}
}

// DynamoDB failing when the outcome is recorded: the record is reported failed for the
// stream to retry, and nothing is lost or sent twice.
func TestNotifierWithDynamoDBFaults(t *testing.T) {
	w := newNotifyWorld(t)
	id := w.add("booking_confirmed", "o-1")
	restore := w.tbl.FailAll(t)
	if failed := w.stream(id); len(failed) != 1 {
		t.Errorf("stream with DynamoDB down reported %v failed, want the record", failed)
	}
	restore()
	w.drain(3 * time.Minute)
	if m := w.message(id); m.Status != notify.StatusSent || w.sentTo("o-1") != 1 {
		t.Errorf("after DynamoDB recovered: %+v, %d sent; want sent once", m, w.sentTo("o-1"))
	}
}

func TestNotifierQuotaDefersWithoutBurningAttempts(t *testing.T) {
	w := newNotifyWorld(t)
	w.wx.FailNext(wechattest.OpCustom, 45009, 1)
	a, b := w.add("booking_reminder", "o-1"), w.add("booking_reminder", "o-2")
	if failed := w.stream(a, b); len(failed) != 0 {
		t.Errorf("quota reported %v failed, want none", failed)
	}
	if m := w.message(a); m.Status != notify.StatusPending || m.Attempts != 0 || m.DueAt.Before(w.now.Add(59*time.Minute)) {
		t.Errorf("after 45009: %+v, want pending an hour later, attempt refunded", m)
	}
	if m := w.message(b); m.Status != notify.StatusPending || m.Attempts != 0 {
		t.Errorf("the next message after 45009: %+v, want untouched (pending)", m)
	}
	w.drain(2 * time.Minute) // b is due and sent; a waits for its hour
	if w.sentTo("o-2") != 1 || w.sentTo("o-1") != 0 {
		t.Errorf("after 2 minutes: o-1 %d, o-2 %d; want 0 and 1", w.sentTo("o-1"), w.sentTo("o-2"))
	}
	w.drain(time.Hour)
	if w.sentTo("o-1") != 1 {
		t.Errorf("after the hour: o-1 got %d, want 1", w.sentTo("o-1"))
	}
}

func TestStaffSeesAndRetriesFailedNotifications(t *testing.T) {
	a, _, wx := mustApp(t, time.Now())
	ctx := context.Background()
	h := apptest.HTTP(t, a, "NotificationsFunction")
	svc, _ := a.Auth()
	admin, _ := svc.Issue(context.Background(), "o-admin", []string{"resident", "admin"}, a.Now())
	resident, _ := svc.Issue(context.Background(), "o-1", []string{"resident"}, a.Now())
	wx.FailNext(wechattest.OpCustom, 40003, 1)
	if err := a.Outbox.Add(ctx, notify.Message{ID: "x1", Kind: "booking_reminder", To: "o-bogus", CreatedAt: a.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := a.Notify.Deliver(ctx, "x1"); err != nil {
		t.Fatal(err)
	}
	do := func(method, path, token string) (int, string) {
		req := httptest.NewRequest(method, path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	if code, body := do("GET", "/api/v1/admin/notifications?status=failed", admin.Token); code != 200 ||
		!strings.Contains(body, `"id":"x1"`) || !strings.Contains(body, `"lastError":"errcode_40003"`) {
		t.Errorf("admin lists failed = %d %s, want x1 with its reason", code, body)
	}
	if code, body := do("GET", "/api/v1/admin/notifications", resident.Token); code != 403 || !strings.Contains(body, "forbidden") {
		t.Errorf("resident lists = %d %s, want 403 forbidden", code, body)
	}
	if code, body := do("GET", "/api/v1/admin/notifications?status=lost", admin.Token); code != 400 || !strings.Contains(body, "status_invalid") {
		t.Errorf("unknown status = %d %s, want 400 status_invalid", code, body)
	}
	if code, body := do("POST", "/api/v1/admin/notifications/x1/retry", admin.Token); code != 200 || !strings.Contains(body, `"status":"pending"`) {
		t.Errorf("retry = %d %s, want 200 pending", code, body)
	}
	if code, body := do("POST", "/api/v1/admin/notifications/x1/retry", admin.Token); code != 409 || !strings.Contains(body, "notification_not_retryable") {
		t.Errorf("second retry = %d %s, want 409 notification_not_retryable", code, body)
	}
	if code, body := do("POST", "/api/v1/admin/notifications/nope/retry", admin.Token); code != 404 || !strings.Contains(body, "notification_not_found") {
		t.Errorf("retry unknown = %d %s, want 404", code, body)
	}
	if err := a.Notify.Deliver(ctx, "x1"); err != nil {
		t.Fatal(err)
	}
	if m, _ := a.Outbox.Message(ctx, "x1"); m.Status != notify.StatusSent {
		t.Errorf("after the retry: %+v, want sent", m)
	}
}
