package account

import (
	"context"
	"net/http"
	"time"

	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/web"
)

// Rights are a person's rights over their data (the Personal Information Protection
// Law): a copy of everything kept about them, and the erasure of their account.
type Rights interface {
	// Export returns everything the platform keeps about person, as JSON values.
	Export(ctx context.Context, person string, now time.Time) (any, error)
	// Erase deletes person's account and their personal data; what the city keeps for
	// its statistics is kept without anything that identifies them.
	Erase(ctx context.Context, person string, now time.Time) error
	Merger
	Takeovers
}

// EraseConfirmation is what a person types to confirm the erasure of their account.
const EraseConfirmation = "注销"

// ErrEraseUnconfirmed refuses an erasure not confirmed with EraseConfirmation.
var ErrEraseUnconfirmed = fault.New(fault.Invalid, "erase_unconfirmed", "注销账号无法撤销：请输入“注销”两个字确认")

// ExportFile is the name a downloaded export is saved under.
const ExportFile = "wentitong-my-data.json"

// ServeExport writes everything kept about person as a JSON file to download, for
// GET /api/v1/me/export and the page's download alike.
func ServeExport(w http.ResponseWriter, r *http.Request, rights Rights, person string, now time.Time) {
	data, err := rights.Export(r.Context(), person, now)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+ExportFile+`"`)
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, data)
}

// Erase erases person's account when confirm is EraseConfirmation, and returns
// ErrEraseUnconfirmed, changing nothing, when it is not.
func Erase(ctx context.Context, rights Rights, person, confirm string, now time.Time) error {
	if confirm != EraseConfirmation {
		return ErrEraseUnconfirmed
	}
	return rights.Erase(ctx, person, now)
}
