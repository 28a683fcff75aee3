package dynamo

import (
	"context"

	"github.com/wentitong/wentitong/shared/directory"
)

// ItemsReadNear returns how many venue items VenuesNear reads from the index for q.
func (d *Directory) ItemsReadNear(ctx context.Context, q directory.Near) (int, error) {
	vs, err := d.venuesAround(ctx, q)
	return len(vs), err
}
