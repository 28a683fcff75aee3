// Package notify delivers the platform's messages to people in WeChat: every message is
// an outbox entry written in the same transaction as the change that causes it, and is
// sent exactly once per recipient and reason, or ends failed with a reason staff can see.
package notify

import (
	"context"
	"time"

	"github.com/wentitong/wentitong/shared/fault"
)

// Status is where a message is in its life.
type Status string

// The statuses. A message is pending until a notifier claims it (sending), then sent,
// skipped (the person unsubscribed) or, after its last attempt or a permanent error,
// failed; a failed message can be retried by staff.
const (
	StatusPending Status = "pending"
	StatusSending Status = "sending"
	StatusSent    Status = "sent"
	StatusSkipped Status = "skipped"
	StatusFailed  Status = "failed"
)

// StatusTexts is the one Chinese word for each message status (docs/glossary.md).
var StatusTexts = map[Status]string{
	StatusPending: "待发送", StatusSending: "发送中", StatusSent: "已发送", StatusSkipped: "未发送", StatusFailed: "发送失败",
}

// Message is one notification to one person for one reason. Its ID is also the
// client_msg_id WeChat deduplicates on, so a resend after a crash is not a duplicate.
type Message struct {
	ID        string            `json:"id"`
	Kind      string            `json:"kind"`
	To        string            `json:"to"`             // the recipient's openid
	Data      map[string]string `json:"data,omitempty"` // the facts the text is made of
	URL       string            `json:"url,omitempty"`  // the H5 page the message opens
	Status    Status            `json:"status"`
	Attempts  int               `json:"attempts"`
	DueAt     time.Time         `json:"dueAt"`
	CreatedAt time.Time         `json:"createdAt"`
	SentAt    time.Time         `json:"sentAt,omitzero"`
	LastError string            `json:"lastError,omitempty"` // a stable reason code
	// Alert marks a staff alert about another message: its own failure alerts nobody.
	Alert bool `json:"alert,omitempty"`
}

// ToAdmins as a message's recipient means every admin (ADMIN_OPENIDS): the notifier
// sends each a copy.
const ToAdmins = "role:admin"

// Errors of the outbox.
var (
	ErrMessageNotFound = fault.New(fault.NotFound, "notification_not_found", "找不到该通知")
	ErrNotRetryable    = fault.New(fault.Conflict, "notification_not_retryable", "只有发送失败的通知可以重试")
	ErrMessageInvalid  = fault.New(fault.Invalid, "notification_invalid", "通知缺少类型或接收人")
)

// Validate reports ErrMessageInvalid unless the message has an id, a kind and a recipient.
func (m Message) Validate() error {
	if m.ID == "" || m.Kind == "" || m.To == "" {
		return ErrMessageInvalid
	}
	return nil
}

// Store keeps the outbox.
type Store interface {
	// Message returns a message, or ErrMessageNotFound.
	Message(ctx context.Context, id string) (Message, error)
	// Claim marks a pending message that is due (or one whose earlier claim has lapsed)
	// as sending until lease, and counts the attempt. ok is false when the message is
	// not there to claim: another notifier has it, or it is done.
	Claim(ctx context.Context, id string, now, lease time.Time) (m Message, ok bool, err error)
	// Finish records the outcome of a claimed message: sent, skipped or failed, with a
	// reason; it leaves the pending index.
	Finish(ctx context.Context, id string, status Status, reason string, at time.Time) error
	// Reschedule puts a claimed message back to pending, due at due, with a reason;
	// refund takes back the attempt Claim counted (the failure was not the message's).
	Reschedule(ctx context.Context, id string, due time.Time, reason string, refund bool) error
	// Due returns the ids of up to limit messages due at now (pending, or claimed with a
	// lapsed lease), earliest first.
	Due(ctx context.Context, now time.Time, limit int) ([]string, error)
	// List returns up to limit messages of a status: pending (and sending) ones by due
	// time, finished ones newest first.
	List(ctx context.Context, st Status, limit int) ([]Message, error)
	// Retry puts a failed message back to pending, due now, with its attempts reset; it
	// returns ErrNotRetryable when the message has not failed.
	Retry(ctx context.Context, id string, now time.Time) error
	// Add writes a new message on its own (for staff alerts; domain changes write theirs
	// in their own transaction).
	Add(ctx context.Context, m Message) error
	// Messages returns those of the ids that exist (a consistent read).
	Messages(ctx context.Context, ids []string) ([]Message, error)
}

// Currency knows what a message is about, so that a message is sent only while it is
// true and after the earlier messages about the same thing to the same person.
type Currency interface {
	// Holds reports whether m still says what is true; when not, why (a stable reason,
	// kept on the message, which is skipped).
	Holds(ctx context.Context, m Message) (ok bool, why string, err error)
	// Siblings returns the ids of the other messages that may be written about what m is
	// about (none when m stands alone).
	Siblings(m Message) []string
}

// Final reports whether a message in status s is done with: sent, skipped or failed.
func (s Status) Final() bool { return s == StatusSent || s == StatusSkipped || s == StatusFailed }

// Before reports whether m was written before o (by creation time, then id: the messages
// one transaction writes are ordered by their ids).
func (m Message) Before(o Message) bool {
	return m.CreatedAt.Before(o.CreatedAt) || m.CreatedAt.Equal(o.CreatedAt) && m.ID < o.ID
}

// People says where a person's messages go.
type People interface {
	// Recipient returns the official account's openid to send person's messages to
	// (the person id itself for someone who first came through the official account),
	// or why nothing is to be sent: "unsubscribed" (they unfollowed the account and have
	// not followed it again), "consent_withdrawn" (they withdrew their consent to
	// messages) or "no_official_account" (a person known only through the mini program,
	// whose messages would need the mini program's one-time subscriptions). Unknown
	// people are sent to by their id.
	Recipient(ctx context.Context, person string) (to, skip string, err error)
	// Survivor returns the person a message queued for person now reaches: person, or,
	// when they were merged into another, the person that survived (following each
	// merge after it).
	Survivor(ctx context.Context, person string) (string, error)
}
