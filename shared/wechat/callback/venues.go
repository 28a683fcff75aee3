package callback

import (
	"context"

	"github.com/wentitong/wentitong/shared/directory"
)

// VenueLister lists the venues of a district's subtree (directorydb.Directory).
type VenueLister interface {
	VenuesUnder(ctx context.Context, dist directory.District) ([]directory.Venue, error)
}
