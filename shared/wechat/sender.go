package wechat

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/privacy"
)

// Sender sends notify deliveries as template, subscribe or customer-service messages.
type Sender struct {
	appID    string
	cache    cache.Cache
	template *message.Template
	sub      *message.Subscribe
	cs       *message.Manager
	mini     *Mini // the mini program's subscribe messages; nil: none
}

var _ notify.Sender = (*Sender)(nil)

// NewSender takes the SDK's message clients once, at wiring time (their getters are not
// safe for concurrent use). c must be the cache the official account keeps its token in.
func NewSender(oa *officialaccount.OfficialAccount, appID string, c cache.Cache) *Sender {
	return &Sender{appID: appID, cache: c, template: oa.GetTemplate(), sub: oa.GetSubscribe(), cs: oa.GetCustomerMessageManager()}
}

// WithMini lets the sender send the mini program's subscribe messages (channel "mini")
// through m.
func (s *Sender) WithMini(m *Mini) *Sender {
	s.mini = m
	return s
}

// Send sends d once. On an access-token error (40001, 40014, 42001) it drops the cached
// token (the mini program's for channel "mini") and tries once more with a fresh one.
// Errors are *notify.SendError.
func (s *Sender) Send(ctx context.Context, d notify.Delivery) error {
	err := s.send(d)
	if IsTokenError(err) {
		var ierr error
		if d.Channel == "mini" {
			ierr = s.mini.invalidateToken()
		} else {
			ierr = InvalidateToken(s.cache, s.appID)
		}
		if ierr != nil {
			return classify(errors.Join(err, ierr))
		}
		err = s.send(d)
	}
	return classify(err)
}

func (s *Sender) send(d notify.Delivery) error {
	switch d.Channel {
	case "template":
		data := make(map[string]*message.TemplateDataItem, len(d.Fields))
		for k, v := range d.Fields {
			data[k] = &message.TemplateDataItem{Value: v}
		}
		_, err := s.template.Send(&message.TemplateMessage{ToUser: d.To, TemplateID: d.TemplateID, URL: d.URL, Data: data, ClientMsgID: d.ClientMsgID})
		return err
	case "subscribe":
		data := make(map[string]*message.SubscribeDataItem, len(d.Fields))
		for k, v := range d.Fields {
			data[k] = &message.SubscribeDataItem{Value: v}
		}
		return s.sub.Send(&message.SubscribeMessage{ToUser: d.To, TemplateID: d.TemplateID, Page: d.URL, Data: data})
	case "text":
		return s.cs.Send(message.NewCustomerTextMessage(d.To, d.Text))
	case "mini":
		if s.mini != nil {
			return s.mini.send(d.To, d.TemplateID, d.URL, d.Fields)
		}
	}
	return &notify.SendError{Kind: notify.ErrRejected, Reason: "unknown_channel", Err: fmt.Errorf("channel %q", d.Channel)}
}

// classify turns an SDK error into a notify.SendError by its errcode.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var se *notify.SendError
	if errors.As(err, &se) {
		return err
	}
	code := ErrCode(err)
	reason := fmt.Sprintf("errcode_%d", code)
	var kind error
	var urlErr *url.Error
	switch {
	case code == 0 && errors.As(err, &urlErr):
		kind, reason = notify.ErrTransient, "network"
	case code == 0:
		kind, reason = notify.ErrTransient, "send_error"
	case code == CodeNotSubscribed:
		kind = notify.ErrUnsubscribed
	case code == CodeDailyQuotaExceeded, code == 45047: // 45047: customer-service messages over the limit
		kind = notify.ErrQuota
	case code == CodeSystemBusy, IsTokenError(err):
		kind = notify.ErrTransient
	case code == 40003, code == 40037, code == 47001, code == 47003, code == 43101, code == 45015:
		// invalid openid, invalid template id, bad data, bad template arguments, user
		// refused subscribe messages, outside the 48 h customer-service window
		kind = notify.ErrRejected
	default:
		kind = notify.ErrTransient
	}
	return &notify.SendError{Kind: kind, Reason: reason, Err: errors.New(privacy.Redact(err.Error()))}
}
