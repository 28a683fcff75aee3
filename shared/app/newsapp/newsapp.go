// Package newsapp wires the news centre without the media bucket: the scheduler's daily
// digest builds it here (and so never links the S3 client); the library function adds
// the bucket for covers.
package newsapp

import (
	"context"
	"time"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/dynamo/bookingdb"
	"github.com/wentitong/wentitong/shared/dynamo/librarydb"
	"github.com/wentitong/wentitong/shared/news"
)

// Service returns the news centre on the table, without covers' URLs.
func Service(b *boot.Base, newID func() string) *news.Service {
	lib := &librarydb.Library{DB: b.DB, Table: b.Table}
	return &news.Service{
		Store: &librarydb.News{DB: b.DB, Table: b.Table}, Library: lib, Institutions: lib, Activities: &bookingdb.Catalog{DB: b.DB, Table: b.Table},
		Now: b.Now, NewID: newID, H5Base: b.H5Base(),
	}
}

// Jobs is the news centre's timed work: the daily digest (after 18:00 Beijing time, once
// a day; every run before or after does nothing).
func Jobs(b *boot.Base) []boot.Job {
	svc := Service(b, nil)
	return []boot.Job{{Name: "news-digest", Run: func(ctx context.Context, now time.Time) error {
		n, err := svc.Digest(ctx, now)
		if n > 0 {
			b.Log.Info("news digest queued", "messages", n)
		}
		return err
	}}}
}
