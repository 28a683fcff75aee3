package account

import (
	"context"
	"crypto/rand"
	"strconv"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/notify"
)

// Takeover is a guardian's offer that a dependant take over their own account: the
// dependant opens the one-time link in their own WeChat, signed in as themselves, and
// confirms; their bookings (past and future) become theirs, and the guardian no longer
// books for them.
type Takeover struct {
	Guardian  string    `json:"-"`
	Dependant string    `json:"-"`
	Label     string    `json:"label"`    // how the guardian's family named them: 王秀英（母亲）
	Bookings  int       `json:"bookings"` // the bookings that will be theirs
	Person    string    `json:"-"`        // who took it over ("" until confirmed)
	Status    string    `json:"status"`   // MergeOffered, MergeRunning, MergeDone
	CreatedAt time.Time `json:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// TakenOver is a dependant who took over their own account, as their guardian's family
// page tells it.
type TakenOver struct {
	Label    string    `json:"label"`
	At       time.Time `json:"at"`
	Bookings int       `json:"bookings"`
}

// NoticeTakenOver is the kind of the message that tells a guardian their dependant took
// over their own account.
const NoticeTakenOver = "dependant_took_over"

// TakenOverNotice is the message to guardian that their dependant (label, as their
// family page named them) took over their own account at at, with moved bookings
// becoming theirs; its id is the takeover's, so it is queued once.
func TakenOverNotice(guardian, dependant, label string, moved int, at time.Time) notify.Message {
	what := "您代为预约的 " + strconv.Itoa(moved) + " 场活动已转到其名下，由其自己查看和取消"
	if moved == 0 {
		what = "您没有代其预约的活动需要转移"
	}
	return notify.Message{ID: "takenover." + dependant + "." + guardian, Kind: NoticeTakenOver, To: guardian,
		Data:      map[string]string{"label": label, "time": beijing.Minute(at), "moved": what, "count": strconv.Itoa(moved)},
		CreatedAt: at.UTC()}
}

// TakeoverPath is the page of code's link, under the H5 base.
func TakeoverPath(code string) string { return "/h5/takeover/" + code }

// TakeoverTTL is how long a takeover link works.
const TakeoverTTL = 7 * 24 * time.Hour

// Takeovers keeps takeover codes and moves a dependant's records (persondb).
type Takeovers interface {
	// PutTakeover stores t under its code.
	PutTakeover(ctx context.Context, code string, t Takeover) error
	// Takeover returns the takeover of code, or ErrTakeoverNotFound.
	Takeover(ctx context.Context, code string) (Takeover, error)
	// TakeOver moves the dependant's bookings, strikes and limits to person, takes them
	// out of the guardian's family and tells the guardian; it returns how many bookings
	// moved. It goes on after a failure; ErrTakeoverUsed when someone else used the code.
	TakeOver(ctx context.Context, code, person string, now time.Time) (int, error)
	// TakenOver lists guardian's dependants who took over their account.
	TakenOver(ctx context.Context, guardian string) ([]TakenOver, error)
}

// Errors of a takeover.
var (
	ErrTakeoverNotFound    = fault.New(fault.NotFound, "takeover_not_found", "这个链接已失效，请让家人在“我的家人”里重新生成")
	ErrTakeoverUsed        = fault.New(fault.Conflict, "takeover_used", "这个链接已被另一个微信使用过")
	ErrTakeoverSelf        = fault.New(fault.Conflict, "takeover_self", "这是您为家人生成的链接，请让家人在他们自己的微信里打开")
	ErrTakeoverUnconfirmed = fault.New(fault.Invalid, "takeover_unconfirmed", "接管后无法撤销：请确认后再提交")
)

// validCode is the shape of a takeover code (OfferTakeover makes them).
func validCode(code string) bool {
	if len(code) != 26 {
		return false
	}
	for _, c := range code {
		if !('a' <= c && c <= 'z' || '2' <= c && c <= '7') {
			return false
		}
	}
	return true
}

// OfferTakeover makes a one-time code with which guardian's dependant id takes over
// their own account. Errors: ErrDependantNotFound.
func OfferTakeover(ctx context.Context, family Family, takeovers Takeovers, guardian, id string, now time.Time) (string, Takeover, error) {
	if !ValidDependantID(id) {
		return "", Takeover{}, ErrDependantNotFound
	}
	d, err := family.Dependant(ctx, guardian, id)
	if err != nil {
		return "", Takeover{}, err
	}
	code := strings.ToLower(rand.Text())
	t := Takeover{Guardian: guardian, Dependant: id, Label: d.Label(), Status: MergeOffered, CreatedAt: now.UTC(), ExpiresAt: now.Add(TakeoverTTL).UTC()}
	if err := takeovers.PutTakeover(ctx, code, t); err != nil {
		return "", Takeover{}, err
	}
	return code, t, nil
}

// ShowTakeover returns the takeover of code to person, who opened its link: not their
// own (ErrTakeoverSelf), not expired or used by another (ErrTakeoverNotFound).
func ShowTakeover(ctx context.Context, takeovers Takeovers, person, code string, now time.Time) (Takeover, error) {
	if !validCode(code) {
		return Takeover{}, ErrTakeoverNotFound
	}
	t, err := takeovers.Takeover(ctx, code)
	switch {
	case err != nil:
		return Takeover{}, err
	case t.Guardian == person:
		return Takeover{}, ErrTakeoverSelf
	case t.Person != "" && t.Person != person, t.Status == MergeOffered && !now.Before(t.ExpiresAt):
		return Takeover{}, ErrTakeoverNotFound
	}
	return t, nil
}

// TakeOver makes person the dependant of code, when confirm is true: ShowTakeover's
// errors, ErrTakeoverUnconfirmed, ErrTakeoverUsed.
func TakeOver(ctx context.Context, takeovers Takeovers, person, code string, confirm bool, now time.Time) (int, error) {
	if !confirm {
		return 0, ErrTakeoverUnconfirmed
	}
	if _, err := ShowTakeover(ctx, takeovers, person, code, now); err != nil {
		return 0, err
	}
	return takeovers.TakeOver(ctx, code, person, now)
}
