package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/wentitong/wentitong/shared/account"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/privacy"
	"github.com/wentitong/wentitong/shared/wechat"
)

// Errcodes after which a customer-service message will never be accepted: the person
// unfollowed, 48 hours have passed since they last wrote, the per-person quota after
// their message is spent, the openid is not theirs.
var undeliverable = map[int]bool{40003: true, 43004: true, 45015: true, 45047: true}

// addSender makes the notifier deliver outbox items of kind with send.
func (a *App) addSender(kind string, send func(context.Context, dynamo.Item) error) {
	if a.senders == nil {
		a.senders = map[string]func(context.Context, dynamo.Item) error{}
	}
	a.senders[kind] = send
}

// wechatSenders registers the senders of the WeChat gateway's outbox kinds.
func (a *App) wechatSenders() {
	custom := a.OA.GetCustomerMessageManager() // the SDK's getters are not safe for concurrent use
	token := wechat.TokenOf(a.OA)
	a.addSender(dynamo.KindCustomText, func(ctx context.Context, it dynamo.Item) error {
		return a.sendCustomText(ctx, it, custom, token)
	})
}

// sendCustomText delivers a custom_text outbox item once: it reads the item to check
// it is still pending (a stream record may come twice), skips people who unfollowed
// (status "skipped"), sends it through the
// customer-service API (refreshing the token once on a token error), and takes it out
// of the pending index. An undeliverable message is recorded as failed and not retried;
// other failures are returned, so the stream retries the record.
func (a *App) sendCustomText(ctx context.Context, it dynamo.Item, custom *message.Manager, token *wechat.Token) error {
	pk, _ := dynamo.StringAttr(it, "PK")
	item, pending, err := dynamo.PendingOutboxItem(ctx, a.DB, a.Config.TableName, pk)
	if err != nil || !pending {
		return err
	}
	var ob dynamo.OutboxItem
	if err := attributevalue.UnmarshalMap(item, &ob); err != nil {
		return fmt.Errorf("custom text %s: %w", pk, err)
	}
	log := a.Log.With("outbox", ob.ID, "openid", privacy.OpenID(ob.Recipient))
	// Nothing is pushed to someone who unfollowed since the item was queued.
	p, err := a.People.Person(ctx, ob.Recipient)
	if err != nil && !errors.Is(err, account.ErrPersonNotFound) {
		return err
	}
	if err == nil && !p.Subscribed {
		log.Info("custom text skipped: unsubscribed")
		return finished(dynamo.FinishOutbox(ctx, a.DB, a.Config.TableName, item, "skipped", "unsubscribed", a.Now()))
	}
	sendErr := token.Do(ctx, func() error {
		return custom.Send(message.NewCustomerTextMessage(ob.Recipient, ob.Payload["text"]))
	})
	status, reason := "sent", ""
	if sendErr != nil {
		code := wechat.ErrCode(sendErr)
		if !undeliverable[code] {
			return fmt.Errorf("custom text %s: %s", ob.ID, privacy.Redact(sendErr.Error()))
		}
		status, reason = "failed", fmt.Sprintf("errcode %d", code)
		log.Warn("custom text undeliverable", "errcode", code)
	}
	return finished(dynamo.FinishOutbox(ctx, a.DB, a.Config.TableName, item, status, reason, a.Now()))
}

// finished treats an item another delivery finished first as done.
func finished(err error) error {
	if errors.Is(err, dynamo.ErrOutboxDone) {
		return nil
	}
	return err
}

// QR returns the parametric QR code helper, permanent codes counted in the table. Call
// it while wiring (the SDK's getters are not safe for concurrent use).
func (a *App) QR() *wechat.QR {
	return wechat.NewQR(a.OA, &dynamo.QRBudget{DB: a.DB, Table: a.Config.TableName}, a.Now)
}
