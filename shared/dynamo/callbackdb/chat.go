package callbackdb

import (
	"context"
	"time"

	"github.com/wentitong/wentitong/shared/dynamo/notifydb"
	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/wechat/callback"
)

// KindCustomText is the outbox kind of the chat's customer-service texts (notify renders
// it as its Data["text"]).
const KindCustomText = "custom_text"

// ChatOutbox is the outbox as the chat uses it (callback.Outbox).
type ChatOutbox struct{ *notifydb.Outbox }

var _ callback.Outbox = ChatOutbox{}

// CustomText queues a customer-service text for the notifier: the chat's answers that
// cannot be the passive reply. A second call with the same id changes nothing (Add's
// condition), so a retried delivery queues nothing more.
func (o ChatOutbox) CustomText(ctx context.Context, id, openid, text string, due time.Time) error {
	return o.Add(ctx, notify.Message{
		ID: id, Kind: KindCustomText, To: openid, Data: map[string]string{"text": text},
		Status: notify.StatusPending, DueAt: due, CreatedAt: due,
	})
}
