package wechat

import (
	"context"
	"fmt"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/basic"

	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/privacy"
	"github.com/wentitong/wentitong/shared/volunteer"
)

// WeChat's limits on parametric QR codes.
const (
	MaxQRTTL       = 30 * 24 * time.Hour // a temporary code lives at most 30 days
	MinQRTTL       = time.Minute
	MaxPermanentQR = 100000 // permanent codes an account may create, in all
	maxSceneRunes  = 64
)

// Errors of QR code creation.
var (
	ErrQRScene  = fault.New(fault.Invalid, "qr_scene_invalid", "二维码场景值须为 1 至 64 个字符")
	ErrQRTTL    = fault.New(fault.Invalid, "qr_ttl_invalid", "临时二维码有效期须在 1 分钟至 30 天之间")
	ErrQRBudget = fault.New(fault.Conflict, "qr_permanent_exhausted", "永久二维码数量已达上限（10 万个）")
)

// PermanentBudget counts the permanent codes created, against MaxPermanentQR.
type PermanentBudget interface {
	// Take counts one more code; it returns false when none is left.
	Take(ctx context.Context) (bool, error)
}

// QR creates the platform's parametric QR codes, with string scenes such as
// "shift:<id>" or "venue:<id>" (callback.Scene). Scanning one posts a SCAN event, or a
// subscribe event with EventKey "qrscene_<scene>", to the callback. It is the platform's
// one QR maker: the volunteers' shifts get theirs through Create.
type QR struct {
	basic  *basic.Basic
	token  *Token
	budget PermanentBudget
	now    func() time.Time
}

// QRCode is a created code.
type QRCode struct {
	Scene     string    `json:"scene"`
	Ticket    string    `json:"ticket"`
	URL       string    `json:"url"`      // what the code encodes
	ImageURL  string    `json:"imageUrl"` // the code's image, to print or show
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
}

// NewQR takes the SDK's client once, at wiring time. budget, when not nil, counts
// permanent codes (wechatdb.QRBudget); now stamps expiries.
func NewQR(oa *officialaccount.OfficialAccount, budget PermanentBudget, now func() time.Time) *QR {
	return &QR{basic: oa.GetBasic(), token: TokenOf(oa), budget: budget, now: now}
}

// Temporary creates a code valid for ttl (1 minute to 30 days).
func (q *QR) Temporary(ctx context.Context, scene string, ttl time.Duration) (QRCode, error) {
	if err := checkScene(scene); err != nil {
		return QRCode{}, err
	}
	if ttl < MinQRTTL || ttl > MaxQRTTL {
		return QRCode{}, ErrQRTTL
	}
	code, err := q.create(ctx, basic.NewTmpQrRequest(ttl.Truncate(time.Second), scene), scene)
	if err != nil {
		return QRCode{}, err
	}
	code.ExpiresAt = q.now().Add(ttl)
	return code, nil
}

// Permanent creates a code that never expires. WeChat allows 100,000 per account, so
// mint them for things that last (a venue's door), not for each shift.
func (q *QR) Permanent(ctx context.Context, scene string) (QRCode, error) {
	if err := checkScene(scene); err != nil {
		return QRCode{}, err
	}
	if q.budget != nil {
		ok, err := q.budget.Take(ctx)
		if err != nil {
			return QRCode{}, err
		}
		if !ok {
			return QRCode{}, ErrQRBudget
		}
	}
	return q.create(ctx, basic.NewLimitQrRequest(scene), scene)
}

func (q *QR) create(ctx context.Context, req *basic.Request, scene string) (QRCode, error) {
	var t *basic.Ticket
	err := q.token.Do(ctx, func() error {
		var err error
		t, err = q.basic.GetQRTicket(req)
		return err
	})
	if err != nil {
		return QRCode{}, fmt.Errorf("create qr code: %w", fault.ErrUnavailable.Wrap(fmt.Errorf("%s", privacy.Redact(err.Error()))))
	}
	// WeChat asks for the ticket URL-encoded; the SDK's ShowQRCode does not encode it.
	image := "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=" + url.QueryEscape(t.Ticket)
	return QRCode{Scene: scene, Ticket: t.Ticket, URL: t.URL, ImageURL: image}, nil
}

var _ volunteer.QRCodes = (*QR)(nil)

// Create makes a temporary code carrying scene for ttl and returns the URL of its image
// (which works without an access token) and the URL it encodes: what a volunteer shift
// shows and its poster draws.
func (q *QR) Create(ctx context.Context, scene string, ttl time.Duration) (image, text string, err error) {
	code, err := q.Temporary(ctx, scene, ttl)
	return code.ImageURL, code.URL, err
}

func checkScene(scene string) error {
	if n := utf8.RuneCountInString(scene); n < 1 || n > maxSceneRunes {
		return ErrQRScene
	}
	return nil
}
