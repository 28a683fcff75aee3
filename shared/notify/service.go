package notify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/wentitong/wentitong/shared/privacy"
)

// What a Sender's error means for the message. A Sender wraps one of these.
var (
	// ErrTransient: WeChat was busy (-1), the network failed, or the token could not be
	// refreshed: retry later with back-off.
	ErrTransient = errors.New("transient send failure")
	// ErrQuota: a daily or frequency quota is spent (45009, 45047): retry much later,
	// without counting the attempt, and stop sending for now.
	ErrQuota = errors.New("wechat quota exceeded")
	// ErrUnsubscribed: the person unfollowed the account (43004): skip.
	ErrUnsubscribed = errors.New("recipient unsubscribed")
	// ErrRejected: WeChat refused the message itself (invalid openid, template or data):
	// retrying cannot help.
	ErrRejected = errors.New("message rejected")
	// ErrUnknownKind: no text and no template for the message's kind.
	ErrUnknownKind = errors.New("unknown message kind")
)

// Delivery is a rendered message, ready for a Sender.
type Delivery struct {
	Channel     string            // "template", "subscribe", "text" (customer service) or "mini" (the mini program's subscribe message)
	To          string            // openid (the mini program's, for "mini")
	TemplateID  string            // template and subscribe
	Fields      map[string]string // template and subscribe
	Text        string            // text
	URL         string
	ClientMsgID string // WeChat deduplicates template sends on it
}

// Sender sends one message through WeChat. Its errors wrap ErrTransient, ErrQuota,
// ErrUnsubscribed or ErrRejected, and carry the errcode in a stable reason (Reason).
type Sender interface {
	Send(ctx context.Context, d Delivery) error
}

// SendError is what a Sender returns: the kind of failure and a stable reason such as
// "errcode_45009" or "network".
type SendError struct {
	Kind   error
	Reason string
	Err    error
}

func (e *SendError) Error() string   { return e.Reason + ": " + e.Err.Error() }
func (e *SendError) Unwrap() []error { return []error{e.Kind, e.Err} }

// reason returns the stable reason of a send error.
func reason(err error) string {
	var se *SendError
	if errors.As(err, &se) {
		return se.Reason
	}
	return "send_error"
}

// Service is the notifier: it claims, renders, sends and records outbox messages.
type Service struct {
	Store     Store
	People    People
	Sender    Sender
	Templates map[string]Template // by kind; kinds without one go as customer-service text
	Currency  Currency            // what messages are about; nil: every message stands alone and holds
	Mini      Mini                // people known only through the mini program; nil: they are skipped (no_official_account)
	Admins    []string            // staff alerted when a message fails for good
	Now       func() time.Time
	Log       *slog.Logger

	MaxAttempts int           // default 5
	Lease       time.Duration // how long a claim lasts before another notifier may take over; default 1 min
	BaseBackoff time.Duration // first retry delay; doubles per attempt; default 30 s
	MaxBackoff  time.Duration // default 1 h
	QuotaDelay  time.Duration // delay after a quota error; default 1 h
	Rate        float64       // sends per second per notifier; 0 means unpaced

	paceMu   sync.Mutex
	nextSend time.Time
}

// ErrQuotaHit is returned by Deliver after a quota error: the caller should stop
// delivering for now (the rest stay pending and are picked up when due).
var ErrQuotaHit = errors.New("stop sending: wechat quota exceeded")

func (s *Service) defaults() (attempts int, lease, base, maxB, quota time.Duration) {
	return cmp.Or(s.MaxAttempts, 5), cmp.Or(s.Lease, time.Minute), cmp.Or(s.BaseBackoff, 30*time.Second),
		cmp.Or(s.MaxBackoff, time.Hour), cmp.Or(s.QuotaDelay, time.Hour)
}

// Backoff is the delay before attempt n+1 after n failed attempts: base·2^(n-1), capped,
// with jitter between half and all of it, so that a burst of failures does not retry in
// step.
func Backoff(n int, base, maxDelay time.Duration, jitter float64) time.Duration {
	d := base
	for i := 1; i < n && d < maxDelay; i++ {
		d *= 2
	}
	d = min(d, maxDelay)
	return d/2 + time.Duration(jitter*float64(d/2))
}

// Deliver sends the message id once: it claims it (doing nothing when another notifier
// has it or it is done), finds the person it is for now (the survivor of a merge),
// skips it if the person unfollowed the account, withdrew
// their consent to messages or has no official account openid, sends it to their
// official account openid, and
// records the outcome. It returns an error only when the outcome could not be recorded
// (the message stays claimed and is taken up again when its lease lapses), or
// ErrQuotaHit.
func (s *Service) Deliver(ctx context.Context, id string) error {
	maxAttempts, lease, base, maxB, quotaDelay := s.defaults()
	now := s.Now()
	m, ok, err := s.Store.Claim(ctx, id, now, now.Add(lease))
	if err != nil || !ok {
		return err
	}
	log := s.Log.With("message", privacy.Within(m.ID, m.To), "kind", m.Kind, "to", privacy.OpenID(m.To), "attempt", m.Attempts)

	if err := m.Validate(); err != nil {
		return s.fail(ctx, log, m, "invalid_message")
	}
	if m.To == ToAdmins {
		return s.fanOut(ctx, log, m)
	}
	// A message queued for a person merged into another reaches the survivor: resolved
	// here, when it is sent, so one queued at any time before or during the merge does.
	if m.To, err = s.People.Survivor(ctx, m.To); err != nil {
		return s.Store.Reschedule(ctx, m.ID, now.Add(Backoff(m.Attempts, base, maxB, rand.Float64())), "people_unavailable", true)
	}
	to, why, err := s.People.Recipient(ctx, m.To)
	mini := s.miniTemplate(m.Kind)
	if err != nil {
		return s.Store.Reschedule(ctx, m.ID, now.Add(Backoff(m.Attempts, base, maxB, rand.Float64())), "people_unavailable", true)
	} else if why == NoOfficialAccount && mini != nil {
		to = "" // through the mini program, below
	} else if why != "" {
		log.Info("notification skipped", "reason", why)
		return s.Store.Finish(ctx, m.ID, StatusSkipped, why, now)
	}
	if s.Currency != nil {
		wait, err := s.earlier(ctx, m)
		if err != nil {
			return s.Store.Reschedule(ctx, m.ID, now.Add(Backoff(m.Attempts, base, maxB, rand.Float64())), "outbox_unavailable", true)
		}
		if wait != nil {
			// Its turn comes after the earlier one's: no attempt counted.
			due := now.Add(orderWait)
			if wait.DueAt.After(now) {
				due = wait.DueAt.Add(orderWait)
			}
			log.Info("notification waits for an earlier one", "earlier", privacy.Within(wait.ID, m.To, wait.To), "due", due)
			return s.Store.Reschedule(ctx, m.ID, due, "waiting_for_earlier", true)
		}
		ok, why, err := s.Currency.Holds(ctx, m)
		if err != nil {
			return s.Store.Reschedule(ctx, m.ID, now.Add(Backoff(m.Attempts, base, maxB, rand.Float64())), "check_unavailable", true)
		}
		if !ok {
			log.Info("notification skipped: no longer true", "reason", why)
			return s.Store.Finish(ctx, m.ID, StatusSkipped, why, now)
		}
	}
	var d Delivery
	if to == "" {
		d = Delivery{Channel: "mini", TemplateID: mini.TemplateID, Fields: mini.Fill(m), URL: mini.Page}
	} else if d, err = s.render(m); err != nil {
		return s.fail(ctx, log, m, "no_template")
	}
	if err := s.pace(ctx); err != nil {
		return s.Store.Reschedule(ctx, m.ID, now, "interrupted", true)
	}
	if to == "" {
		// A person known only through the mini program: their mini program openid and
		// one of the acceptances they gave there for this template.
		if d.To, why, err = s.miniRecipient(ctx, m, mini.TemplateID); err != nil {
			return s.Store.Reschedule(ctx, m.ID, now.Add(Backoff(m.Attempts, base, maxB, rand.Float64())), "people_unavailable", true)
		} else if why != "" {
			log.Info("notification skipped", "reason", why)
			return s.Store.Finish(ctx, m.ID, StatusSkipped, why, now)
		}
	} else {
		d.To = to
	}
	sendErr := s.Sender.Send(ctx, d)
	if d.Channel == "mini" && (errors.Is(sendErr, ErrTransient) || errors.Is(sendErr, ErrQuota)) {
		// Not sent, and tried again later: the acceptance is still the person's.
		if err := s.Mini.ReturnAcceptance(ctx, m.To, d.TemplateID); err != nil {
			log.Error("mini program acceptance not returned", "err", err)
		}
	}
	now = s.Now()
	switch {
	case sendErr == nil:
		log.Info("notification sent", "channel", d.Channel)
		return s.Store.Finish(ctx, m.ID, StatusSent, "", now)
	case errors.Is(sendErr, ErrUnsubscribed):
		log.Info("notification skipped: unsubscribed (wechat)")
		return s.Store.Finish(ctx, m.ID, StatusSkipped, "unsubscribed", now)
	case errors.Is(sendErr, ErrQuota):
		log.Warn("notification deferred: quota", "reason", reason(sendErr))
		if err := s.Store.Reschedule(ctx, m.ID, now.Add(quotaDelay), reason(sendErr), true); err != nil {
			return err
		}
		return ErrQuotaHit
	case errors.Is(sendErr, ErrTransient) && m.Attempts < maxAttempts:
		due := now.Add(Backoff(m.Attempts, base, maxB, rand.Float64()))
		log.Warn("notification will be retried", "reason", reason(sendErr), "due", due)
		return s.Store.Reschedule(ctx, m.ID, due, reason(sendErr), false)
	default:
		return s.fail(ctx, log, m, reason(sendErr))
	}
}

// NoOfficialAccount is why a message to a person known only through the mini program is
// skipped when the mini program cannot reach them either (People.Recipient).
const NoOfficialAccount = "no_official_account"

// NoAcceptance is why a message to a person known only through the mini program is
// skipped when they hold no acceptance of its subscribe message.
const NoAcceptance = "no_mini_subscription"

// Mini reaches people known only through the mini program, by its subscribe messages.
type Mini interface {
	// MiniOpenID returns the mini program openid linked to person, or "".
	MiniOpenID(ctx context.Context, person string) (string, error)
	// UseAcceptance takes one of the acceptances of templateID the person gave in the
	// mini program (wx.requestSubscribeMessage), reporting false when none is left.
	UseAcceptance(ctx context.Context, person, templateID string) (bool, error)
	// ReturnAcceptance gives one back, when the message it was taken for was not sent.
	ReturnAcceptance(ctx context.Context, person, templateID string) error
}

// miniTemplate is the mini program's subscribe message for kind, or nil where the
// mini program does not send it (or no Mini is wired).
func (s *Service) miniTemplate(kind string) *Template {
	if s.Mini == nil {
		return nil
	}
	if t, ok := s.Templates[kind]; ok && t.Mini != nil && t.Mini.TemplateID != "" {
		return t.Mini
	}
	return nil
}

// miniRecipient returns the mini program openid of m's person with one of their
// acceptances of templateID taken, or why the message is skipped.
func (s *Service) miniRecipient(ctx context.Context, m Message, templateID string) (string, string, error) {
	openid, err := s.Mini.MiniOpenID(ctx, m.To)
	if err != nil || openid == "" {
		return "", NoOfficialAccount, err
	}
	ok, err := s.Mini.UseAcceptance(ctx, m.To, templateID)
	if err != nil || !ok {
		return "", NoAcceptance, err
	}
	return openid, "", nil
}

// orderWait is how long after an earlier message about the same thing is due a later one
// tries again.
const orderWait = 5 * time.Second

// earlier returns an earlier message about what m is about, to the same person, that is
// not done with yet (so m must wait), or nil.
func (s *Service) earlier(ctx context.Context, m Message) (*Message, error) {
	ids := s.Currency.Siblings(m)
	if len(ids) == 0 {
		return nil, nil
	}
	others, err := s.Store.Messages(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, o := range others {
		if o.ID != m.ID && o.To == m.To && !o.Status.Final() && o.Before(m) {
			return &o, nil
		}
	}
	return nil, nil
}

// fanOut turns a message to ToAdmins into one message per admin (each sent on its own,
// once: their ids derive from this one's) and records this one as sent.
func (s *Service) fanOut(ctx context.Context, log *slog.Logger, m Message) error {
	if len(s.Admins) == 0 {
		return s.fail(ctx, log, m, "no_recipient")
	}
	now := s.Now()
	for _, admin := range s.Admins {
		c := m
		c.ID, c.To, c.Status, c.Attempts, c.DueAt, c.CreatedAt = m.ID+"."+admin, admin, StatusPending, 0, now, now
		if err := s.Store.Add(ctx, c); err != nil {
			return s.Store.Reschedule(ctx, m.ID, now, "fan_out_failed", true)
		}
	}
	log.Info("notification fanned out to admins", "admins", len(s.Admins))
	return s.Store.Finish(ctx, m.ID, StatusSent, "fanned_out", now)
}

// fail records a message as failed and alerts the admins, unless it is itself an alert.
func (s *Service) fail(ctx context.Context, log *slog.Logger, m Message, why string) error {
	log.Error("notification failed", "reason", why)
	now := s.Now()
	if err := s.Store.Finish(ctx, m.ID, StatusFailed, why, now); err != nil {
		return err
	}
	if m.Alert {
		return nil
	}
	var errs []error
	for _, admin := range s.Admins {
		alert := Message{
			ID: "alert-" + m.ID + "-" + admin, Kind: "delivery_failed", To: admin, Alert: true,
			Data:   map[string]string{"detail": fmt.Sprintf("%s（发给 %s）", KindName(m.Kind), privacy.OpenID(m.To)), "reason": ReasonText(why)},
			Status: StatusPending, DueAt: now, CreatedAt: now,
		}
		if err := s.Store.Add(ctx, alert); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *Service) render(m Message) (Delivery, error) {
	d := Delivery{To: m.To, URL: m.URL, ClientMsgID: m.ID}
	if t, ok := s.Templates[m.Kind]; ok && t.TemplateID != "" {
		d.Channel = cmp.Or(t.Channel, "template")
		d.TemplateID = t.TemplateID
		d.Fields = t.Fill(m)
		return d, nil
	}
	text, err := Text(m)
	if err != nil {
		return Delivery{}, err
	}
	if m.URL != "" {
		text += "\n" + m.URL
	}
	d.Channel, d.Text = "text", text
	return d, nil
}

// pace waits for this notifier's next send slot when a rate is set.
func (s *Service) pace(ctx context.Context) error {
	if s.Rate <= 0 {
		return nil
	}
	s.paceMu.Lock()
	now := time.Now()
	slot := now
	if s.nextSend.After(now) {
		slot = s.nextSend
	}
	s.nextSend = slot.Add(time.Duration(float64(time.Second) / s.Rate))
	s.paceMu.Unlock()
	if wait := slot.Sub(now); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// DeliverDue delivers up to limit messages that are due (the scheduler's retry job and
// the local poller), stopping early on a quota error. It returns how many it attempted.
func (s *Service) DeliverDue(ctx context.Context, limit int) (int, error) {
	ids, err := s.Store.Due(ctx, s.Now(), limit)
	if err != nil {
		return 0, err
	}
	var errs []error
	for i, id := range ids {
		err := s.Deliver(ctx, id)
		if errors.Is(err, ErrQuotaHit) {
			return i + 1, nil
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return len(ids), errors.Join(errs...)
}
