package callbackdb_test

import (
	"context"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/dynamo/accountdb"
	"github.com/wentitong/wentitong/shared/dynamo/callbackdb"
	"github.com/wentitong/wentitong/shared/dynamo/notifydb"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/wechat/callback"
)

func TestDeliveries(t *testing.T) {
	tbl := dynamotest.New(t)
	d := &callbackdb.Deliveries{DB: tbl.DB, Table: tbl.Name, Lease: 15 * time.Second}
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	ttl := 10 * time.Minute
	step := func(name string, got callback.Delivery, err error, want callback.Delivery) {
		t.Helper()
		if err != nil || got.Claimed != want.Claimed || got.Answered != want.Answered || string(got.Reply) != string(want.Reply) {
			t.Errorf("%s: Claim = %+v, %v; want %+v", name, got, err, want)
		}
	}
	got, err := d.Claim(ctx, "msg:1", now, ttl)
	step("first delivery", got, err, callback.Delivery{Claimed: true})
	got, err = d.Claim(ctx, "msg:1", now.Add(5*time.Second), ttl)
	step("retry while answering", got, err, callback.Delivery{})
	if err := d.Answer(ctx, "msg:1", []byte(`{"text":"你好"}`), now, ttl); err != nil {
		t.Fatal(err)
	}
	got, err = d.Claim(ctx, "msg:1", now.Add(10*time.Second), ttl)
	step("retry after the answer", got, err, callback.Delivery{Answered: true, Reply: []byte(`{"text":"你好"}`)})
	got, err = d.Claim(ctx, "msg:1", now.Add(time.Hour), ttl)
	step("after the record expired", got, err, callback.Delivery{Claimed: true})

	// An abandoned claim (the first delivery crashed) can be taken once its lease lapses;
	// a released one at once.
	_, _ = d.Claim(ctx, "msg:2", now, ttl)
	got, err = d.Claim(ctx, "msg:2", now.Add(20*time.Second), ttl)
	step("abandoned claim", got, err, callback.Delivery{Claimed: true})
	_, _ = d.Claim(ctx, "msg:3", now, ttl)
	if err := d.Release(ctx, "msg:3"); err != nil {
		t.Fatal(err)
	}
	got, err = d.Claim(ctx, "msg:3", now.Add(time.Second), ttl)
	step("released claim", got, err, callback.Delivery{Claimed: true})

	// Record claims and answers in one write; a later Record or Claim finds the first
	// reply, and a Record during another's claim changes nothing.
	got, err = d.Record(ctx, "msg:4", []byte(`{"text":"一"}`), now, ttl)
	step("first record", got, err, callback.Delivery{Claimed: true})
	got, err = d.Record(ctx, "msg:4", []byte(`{"text":"二"}`), now.Add(5*time.Second), ttl)
	step("record again", got, err, callback.Delivery{Answered: true, Reply: []byte(`{"text":"一"}`)})
	got, err = d.Claim(ctx, "msg:4", now.Add(6*time.Second), ttl)
	step("claim after a record", got, err, callback.Delivery{Answered: true, Reply: []byte(`{"text":"一"}`)})
	_, _ = d.Claim(ctx, "msg:5", now, ttl)
	got, err = d.Record(ctx, "msg:5", []byte(`{"text":"二"}`), now.Add(time.Second), ttl)
	step("record during a claim", got, err, callback.Delivery{})
	got, err = d.Record(ctx, "msg:4", []byte(`{"text":"三"}`), now.Add(time.Hour), ttl)
	step("record after the first expired", got, err, callback.Delivery{Claimed: true})
}

func TestSubscriptionAndLocation(t *testing.T) {
	tbl := dynamotest.New(t)
	p := callbackdb.Followers{People: &accountdb.People{DB: tbl.DB, Table: tbl.Name}}
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	if err := p.Subscribe(ctx, "o-1", now); err != nil {
		t.Fatal(err)
	}
	if got, err := p.Person(ctx, "o-1"); err != nil || !got.Subscribed || !got.CreatedAt.Equal(now) {
		t.Errorf("after Subscribe: %+v, %v; want subscribed, created now", got, err)
	}
	if err := p.Unsubscribe(ctx, "o-1", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := p.Person(ctx, "o-1"); got.Subscribed || !got.CreatedAt.Equal(now) {
		t.Errorf("after Unsubscribe: %+v; want unsubscribed, created at the first subscription", got)
	}
	if err := p.Subscribe(ctx, "o-1", now.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := p.Person(ctx, "o-1"); !got.Subscribed {
		t.Errorf("after a second Subscribe: %+v; want revived", got)
	}
	// A retried subscribe handled after a later unsubscribe changes nothing, nor a
	// retried unsubscribe after a later subscribe.
	if err := p.Unsubscribe(ctx, "o-1", now.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := p.Subscribe(ctx, "o-1", now.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := p.Person(ctx, "o-1"); got.Subscribed {
		t.Errorf("a subscribe older than the unsubscribe revived the person: %+v", got)
	}
	if err := p.Subscribe(ctx, "o-1", now.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := p.Unsubscribe(ctx, "o-1", now.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := p.Person(ctx, "o-1"); !got.Subscribed {
		t.Errorf("an unsubscribe older than the subscribe stood: %+v", got)
	}
	if _, ok, err := p.LastLocation(ctx, "o-1"); ok || err != nil {
		t.Errorf("LastLocation before any = ok %v, %v", ok, err)
	}
	loc := callback.Location{Lat: 27.83, Lng: 113.13, Precision: 30, At: now}
	if err := p.SetLocation(ctx, "o-1", loc); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := p.LastLocation(ctx, "o-1"); !ok || err != nil || callback.Location(got) != loc {
		t.Errorf("LastLocation = %+v, %v, %v; want %+v", got, ok, err, loc)
	}
}

func TestOutboxCustomText(t *testing.T) {
	tbl := dynamotest.New(t)
	o := callbackdb.ChatOutbox{Outbox: &notifydb.Outbox{DB: tbl.DB, Table: tbl.Name}}
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	for range 2 { // the second is a retry: nothing changes
		if err := o.CustomText(ctx, "wx-1", "o-1", "欢迎", now); err != nil {
			t.Fatal(err)
		}
	}
	m, err := o.Message(ctx, "wx-1")
	if err != nil || m.Kind != callbackdb.KindCustomText || m.To != "o-1" || m.Data["text"] != "欢迎" || m.Status != notify.StatusPending {
		t.Errorf("Message(wx-1) = %+v, %v; want a pending custom_text to o-1", m, err)
	}
	if ids, err := o.Due(ctx, now, 10); err != nil || len(ids) != 1 {
		t.Errorf("Due = %v, %v; want the one message", ids, err)
	}
}
