// Package notifierapp wires the notifier function (NotifierFunction): it delivers the
// outbox messages the table's stream reports. The scheduler builds the same delivery
// service here to deliver what is due.
package notifierapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/wechatapi"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/bookingdb"
	"github.com/wentitong/wentitong/shared/dynamo/notifydb"
	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/wechat"
)

// DeliveryNeeds is the configuration the delivery service reads: the messages go out
// through WeChat's API, and to people known only through the mini program through the
// mini program's (when MINIPROGRAM_APP_ID is set).
var DeliveryNeeds = boot.WeChatAPINeeds.And(config.Needs{Optional: []string{"NOTIFY_TEMPLATES", "NOTIFY_RATE", "ADMIN_OPENIDS", "MINIPROGRAM_APP_ID", "MINIPROGRAM_APP_SECRET"}})

// Needs is the configuration the notifier function reads.
var Needs = boot.Needs.And(DeliveryNeeds)

// Sender is Service on a WeChat API client of its own, for a function that delivers
// (the notifier, the scheduler).
func Sender(b *boot.Base) (*notify.Service, error) {
	api, err := wechatapi.New(b)
	if err != nil {
		return nil, err
	}
	return Service(b, api)
}

// Service returns the delivery service. It reads NOTIFY_TEMPLATES (JSON, by kind) and
// NOTIFY_RATE (sends per second, default 20).
func Service(b *boot.Base, api *wechatapi.API) (*notify.Service, error) {
	if err := b.Check(DeliveryNeeds); err != nil {
		return nil, err
	}
	templates, rate, err := settings(b.Config)
	if err != nil {
		return nil, err
	}
	svc := &notify.Service{
		Store: &notifydb.Outbox{DB: b.DB, Table: b.Table}, People: b.People(), Sender: wechat.NewSender(api.OA, api.AppID, api.Cache),
		Currency:  bookingCurrency{bookings: &bookingdb.Bookings{DB: b.DB, Table: b.Table}},
		Templates: templates, Rate: rate, Admins: b.Config.AdminOpenIDs, Now: b.Now, Log: b.Log,
	}
	if id := b.Config.MiniAppID; id != "" {
		secret, err := b.Secret("MINIPROGRAM_APP_SECRET")
		if err != nil {
			return nil, err
		}
		svc.Sender.(*wechat.Sender).WithMini(wechat.NewMini(id, secret, api.Cache))
		svc.Mini = b.People()
	}
	return svc, nil
}

// bookingCurrency: a message that carries a bookingId is about that booking. It is sent
// after the earlier messages about the booking, and only while what it announces holds
// (booking.StillTrue on the booking as it is, read consistently).
type bookingCurrency struct{ bookings *bookingdb.Bookings }

func (c bookingCurrency) Siblings(m notify.Message) []string {
	if id := m.Data["bookingId"]; id != "" {
		return booking.MessageIDs(id)
	}
	return nil
}

func (c bookingCurrency) Holds(ctx context.Context, m notify.Message) (bool, string, error) {
	id := m.Data["bookingId"]
	slot, ok := booking.SlotOfBooking(id)
	if !ok {
		return true, "", nil
	}
	b, err := c.bookings.Booking(ctx, slot, m.To)
	found := err == nil
	if errors.Is(err, booking.ErrBookingNotFound) {
		err = nil
	}
	if err != nil {
		return false, "", err
	}
	ok, why := booking.StillTrue(m.Kind, id, b, found)
	return ok, why, nil
}

// settings reads NOTIFY_TEMPLATES and NOTIFY_RATE.
func settings(cfg config.Config) (map[string]notify.Template, float64, error) {
	templates := map[string]notify.Template{}
	if cfg.NotifyTemplates != "" {
		if err := json.Unmarshal([]byte(cfg.NotifyTemplates), &templates); err != nil {
			return nil, 0, fmt.Errorf("config: NOTIFY_TEMPLATES: %w", err)
		}
		for kind, t := range templates {
			official := t.TemplateID != "" || len(t.Fields) > 0 || t.Mini == nil // a kind may have only a mini program template
			if !notify.Known(kind) || official && (t.TemplateID == "" || len(t.Fields) == 0 || (t.Channel != "" && t.Channel != "template" && t.Channel != "subscribe")) ||
				t.Mini != nil && (t.Mini.TemplateID == "" || len(t.Mini.Fields) == 0) {
				return nil, 0, fmt.Errorf("config: NOTIFY_TEMPLATES: kind %q needs a known kind, a templateId, fields and a channel of template or subscribe, and its mini program template (mini) a templateId and fields", kind)
			}
		}
	}
	rate := 20.0
	if cfg.NotifyRate != "" {
		r, err := strconv.ParseFloat(cfg.NotifyRate, 64)
		if err != nil || r < 0 {
			return nil, 0, fmt.Errorf("config: NOTIFY_RATE must be a number of sends per second, got %q", cfg.NotifyRate)
		}
		rate = r
	}
	return templates, rate, nil
}

// Jobs are the delivery's timed work: what is due (a retry, or a message held back by a
// quota) goes out.
func Jobs(svc *notify.Service) []boot.Job {
	return []boot.Job{{Name: "outbox_due", Run: func(ctx context.Context, _ time.Time) error {
		_, err := svc.DeliverDue(ctx, 200)
		return err
	}}}
}

// Handler returns the stream handler of the notifier function: it delivers each
// inserted outbox message, and the message each booking's record says it owes (queued
// once by bookings.Announce, then delivered alike), and reports as batch item failures only the records whose
// outcome could not be recorded, so that only those are retried. After a quota error it
// stops: the rest stay pending in the table and the scheduler delivers them when due.
func Handler(svc *notify.Service, bookings *bookingdb.Bookings, log *slog.Logger) func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		var resp events.DynamoDBEventResponse
		for _, rec := range ev.Records {
			err := deliver(ctx, svc, bookings, rec)
			if errors.Is(err, notify.ErrQuotaHit) {
				break
			}
			if err != nil {
				log.Error("outbox record failed", "eventId", rec.EventID, "err", err)
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: rec.Change.SequenceNumber})
			}
		}
		return resp, nil
	}
}

func deliver(ctx context.Context, svc *notify.Service, bookings *bookingdb.Bookings, rec events.DynamoDBEventRecord) error {
	pk, ok := rec.Change.Keys["PK"]
	if !ok || pk.DataType() != events.DataTypeString {
		return fmt.Errorf("record %s has no string PK", rec.EventID)
	}
	if sk, ok := rec.Change.Keys["SK"]; ok && sk.DataType() == events.DataTypeString && strings.HasPrefix(pk.String(), dynamo.SlotPK("")) {
		// A booking's write: the message it owes is queued once, then delivered.
		id, owed, err := bookings.Announce(ctx, pk.String(), sk.String(), svc.Now())
		if err != nil || !owed {
			return err
		}
		return svc.Deliver(ctx, id)
	}
	if rec.EventName != string(events.DynamoDBOperationTypeInsert) {
		return nil // the template's filter sends only inserts of outbox items; anything else is not ours
	}
	id, ok := strings.CutPrefix(pk.String(), dynamo.OutboxPrefix)
	if !ok {
		return nil
	}
	return svc.Deliver(ctx, id)
}

// Announcements returns a stream handler that only queues the messages bookings' records
// say they owe (the notifier's first step, without the delivery): for the local runner
// and the tests, whose poller delivers what is pending.
func Announcements(bookings *bookingdb.Bookings, now func() time.Time) func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		var resp events.DynamoDBEventResponse
		for _, rec := range ev.Records {
			pk, sk := rec.Change.Keys["PK"], rec.Change.Keys["SK"]
			if pk.DataType() != events.DataTypeString || sk.DataType() != events.DataTypeString {
				continue
			}
			if _, _, err := bookings.Announce(ctx, pk.String(), sk.String(), now()); err != nil {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: rec.Change.SequenceNumber})
			}
		}
		return resp, nil
	}
}
