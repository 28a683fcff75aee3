package callback

import (
	"context"
	"strconv"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount/message"
)

// Delivery is what the dedup record says about a delivery.
type Delivery struct {
	// Claimed is true for the first delivery of a message (or a retry whose first
	// delivery was abandoned): answer it.
	Claimed bool
	// Answered is true when the first delivery's reply is recorded in Reply; a retry
	// that is neither claimed nor answered arrived while the first is being answered.
	Answered bool
	Reply    []byte
}

// Deliveries remembers which deliveries were answered and how, for WeChat's retries.
type Deliveries interface {
	// Claim records the first delivery of key, remembered for ttl, before it is
	// answered. A later delivery of the same key gets Claimed false and the recorded
	// reply once answered. A claim that was neither answered nor released within a
	// short lease may be claimed again.
	Claim(ctx context.Context, key string, now time.Time, ttl time.Duration) (Delivery, error)
	// Record records the first delivery of key and its reply together, remembered for
	// ttl, in one write: Claimed true. When a live record of key exists (an earlier
	// delivery answered, or claimed and being answered), it changes nothing and returns
	// what that record says, as Claim does.
	Record(ctx context.Context, key string, reply []byte, now time.Time, ttl time.Duration) (Delivery, error)
	// Answer records the reply to a claimed delivery.
	Answer(ctx context.Context, key string, reply []byte, now time.Time, ttl time.Duration) error
	// Release forgets a claimed delivery that could not be answered.
	Release(ctx context.Context, key string) error
}

// DeliveryKey identifies a delivery as WeChat's documentation says retries are told
// apart: messages by MsgId, events by FromUserName and CreateTime (plus the event's
// name, so that two different events of one person in one second stay apart).
func DeliveryKey(msg *message.MixMessage) string {
	if msg.MsgType != message.MsgTypeEvent && msg.MsgID != 0 {
		return "msg:" + strconv.FormatInt(msg.MsgID, 10)
	}
	kind := string(msg.Event)
	if msg.MsgType != message.MsgTypeEvent {
		kind = string(msg.MsgType) // a message without MsgId
	}
	return "evt:" + string(msg.FromUserName) + ":" + strconv.FormatInt(msg.CreateTime, 10) + ":" + kind
}
