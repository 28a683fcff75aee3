package account

import (
	"context"
	"regexp"
	"time"

	"github.com/wentitong/wentitong/shared/fault"
)

// A person who uses only the mini program is reached by its subscribe messages, each of
// which needs one acceptance: the mini program asks with wx.requestSubscribeMessage
// (up to three templates at a time) and reports the templates the person accepted; the
// notifier takes one acceptance per message it sends (docs/decisions.md).

// MiniAccepted keeps the acceptances people gave in the mini program.
type MiniAccepted interface {
	// AcceptMiniSubscriptions adds one acceptance of each template id to person's (at
	// most MaxAcceptances each), and returns how many each holds now.
	AcceptMiniSubscriptions(ctx context.Context, person string, templateIDs []string, at string) (map[string]int, error)
}

// MaxAcceptances bounds the acceptances one person holds of one template: WeChat
// counts them itself, and a report beyond what it counts only leads to refused sends.
const MaxAcceptances = 50

// ErrAcceptanceInvalid refuses a report that names no template, more than three, or an
// id WeChat would not issue.
var ErrAcceptanceInvalid = fault.New(fault.Invalid, "subscriptions_invalid", "请在小程序中重新选择要接收的通知")

var validTemplateID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// AcceptMini records that person accepted one message of each of templateIDs in the
// mini program: ErrAcceptanceInvalid (nothing recorded) unless there are 1 to 3 ids of
// a template id's shape, none twice.
func AcceptMini(ctx context.Context, store MiniAccepted, person string, templateIDs []string, now time.Time) (map[string]int, error) {
	if len(templateIDs) == 0 || len(templateIDs) > 3 {
		return nil, ErrAcceptanceInvalid
	}
	seen := map[string]bool{}
	for _, id := range templateIDs {
		if !validTemplateID.MatchString(id) || seen[id] {
			return nil, ErrAcceptanceInvalid
		}
		seen[id] = true
	}
	return store.AcceptMiniSubscriptions(ctx, person, templateIDs, now.UTC().Format(time.RFC3339))
}
