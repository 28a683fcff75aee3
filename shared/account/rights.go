package account

import (
	"context"
	"time"

	"github.com/wentitong/wentitong/shared/fault"
)

// Rights are a person's rights over their data (the Personal Information Protection
// Law): a copy of everything kept about them, and the erasure of their account.
type Rights interface {
	// Export returns everything the platform keeps about person, as JSON values.
	Export(ctx context.Context, person string, now time.Time) (any, error)
	// Erase deletes person's account and their personal data; what the city keeps for
	// its statistics is kept without anything that identifies them.
	Erase(ctx context.Context, person string, now time.Time) error
}

// EraseConfirmation is what a person types to confirm the erasure of their account.
const EraseConfirmation = "注销"

// ErrEraseUnconfirmed refuses an erasure not confirmed with EraseConfirmation.
var ErrEraseUnconfirmed = fault.New(fault.Invalid, "erase_unconfirmed", "注销账号无法撤销：请输入“注销”两个字确认")
