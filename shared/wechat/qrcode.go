package wechat

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/basic"

	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/privacy"
	"github.com/wentitong/wentitong/shared/volunteer"
)

// QRCodes creates temporary parametric QR codes with string scenes (QR_STR_SCENE).
type QRCodes struct {
	basic *basic.Basic
}

var _ volunteer.QRCodes = (*QRCodes)(nil)

// NewQRCodes returns the QR code maker of an official account; build it once, at wiring
// time (the SDK's getters are not safe for concurrent use).
func NewQRCodes(oa *officialaccount.OfficialAccount) *QRCodes {
	return &QRCodes{basic: oa.GetBasic()}
}

// Create asks WeChat for a temporary code carrying scene for ttl (at most 30 days) and
// returns the URL of its image (which works without an access token). A failure is an unavailable error, redacted.
func (q *QRCodes) Create(ctx context.Context, scene string, ttl time.Duration) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	t, err := q.basic.GetQRTicket(basic.NewTmpQrRequest(ttl.Truncate(time.Second), scene))
	if err != nil {
		return "", fmt.Errorf("create qr code: %w", fault.ErrUnavailable.Wrap(errors.New(privacy.Redact(err.Error()))))
	}
	// WeChat asks for the ticket URL-encoded; the SDK's ShowQRCode does not encode it.
	return "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=" + url.QueryEscape(t.Ticket), nil
}
