// Package notificationsapp wires the notifications function (NotificationsFunction):
// staff read the notification deliveries and send failed ones again. It calls no WeChat
// API: a retried message is delivered by the notifier and the scheduler.
package notificationsapp

import (
	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/web"
)

// Needs is the configuration the notifications function reads.
var Needs = boot.Needs.And(boot.SessionNeeds)

// Router returns the notifications function's routes.
func Router(b *boot.Base) (*web.Router, error) {
	if err := b.Config.Check(Needs); err != nil {
		return nil, err
	}
	sessions, err := b.Sessions()
	if err != nil {
		return nil, err
	}
	return notify.Handler(sessions, b.Outbox(), b.Now), nil
}
