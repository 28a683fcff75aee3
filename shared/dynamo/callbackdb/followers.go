package callbackdb

import (
	"context"
	"time"

	"github.com/wentitong/wentitong/shared/dynamo/accountdb"
	"github.com/wentitong/wentitong/shared/wechat/callback"
)

// Followers is the people store as the WeChat callback changes it (callback.People):
// subscription and the last location WeChat reported, on the person's profile.
type Followers struct{ *accountdb.People }

var _ callback.People = Followers{}

// Subscribe creates the profile or revives it as subscribed (SetSubscribed).
func (f Followers) Subscribe(ctx context.Context, openid string, at time.Time) error {
	return f.SetSubscribed(ctx, openid, true, at)
}

// Unsubscribe marks the person unsubscribed: the notifier skips them (SetSubscribed).
func (f Followers) Unsubscribe(ctx context.Context, openid string, at time.Time) error {
	return f.SetSubscribed(ctx, openid, false, at)
}

// SetLocation remembers the last location WeChat reported for the person.
func (f Followers) SetLocation(ctx context.Context, openid string, loc callback.Location) error {
	return f.People.SetLocation(ctx, openid, accountdb.Location(loc))
}
