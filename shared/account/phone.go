package account

import (
	"context"
	"time"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/fault"
)

// Phones verifies a phone number: the mini program's getPhoneNumber button gives a
// code that WeChat exchanges for the number it verified.
type Phones interface {
	// VerifiedPhone returns the number behind code, auth.ErrCodeInvalid when WeChat
	// rejects the code.
	VerifiedPhone(ctx context.Context, code string) (string, error)
}

// Linker links one more identity to a person.
type Linker interface {
	// Link links the identity kind/value to person: ErrIdentityTaken when it belongs to
	// someone else; linking it again to the same person changes nothing.
	Link(ctx context.Context, person, kind, value string, t time.Time) error
}

// ErrPhoneUnavailable refuses a phone link where no mini program is configured.
var ErrPhoneUnavailable = fault.New(fault.Unavailable, "channel_unavailable", "暂不支持验证手机号，请稍后再试")

// LinkPhone links the phone number WeChat verified for code to person, as a way to find
// them (a later merge). Errors: auth.ErrCodeInvalid, ErrIdentityTaken (the number is
// another person's; nothing changes).
func LinkPhone(ctx context.Context, phones Phones, links Linker, person, code string, now time.Time) (string, error) {
	if phones == nil {
		return "", ErrPhoneUnavailable
	}
	phone, err := phones.VerifiedPhone(ctx, code)
	if err != nil {
		return "", err
	}
	return phone, links.Link(ctx, person, auth.IdentPhone, phone, now)
}
