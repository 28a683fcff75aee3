package library

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/feed"
	"github.com/wentitong/wentitong/shared/institution"
)

// Audit is one change to the library, recorded in the same transaction as the change.
type Audit struct {
	InstitutionID string    `json:"institutionId"`
	At            time.Time `json:"at"`
	By            string    `json:"by"`     // the staff member's openid, or "system"
	Action        string    `json:"action"` // e.g. item.create, item.publish, media.ready
	Target        string    `json:"target"` // e.g. item:<id>, media:<id>
	Detail        string    `json:"detail,omitempty"`
}

// Usage is the bytes and objects stored for a scope (an institution, a county, the city).
type Usage struct {
	Bytes   int64 `json:"bytes"`
	Objects int64 `json:"objects"`
}

// Store keeps collections, items, media records, the audit trail and storage counts.
// Every change writes its Audit in the same transaction.
type Store interface {
	// CreateCollection writes a new collection.
	CreateCollection(ctx context.Context, c Collection, a Audit) error
	// Collection returns one collection, or ErrCollectionNotFound.
	Collection(ctx context.Context, id string) (Collection, error)
	// Collections returns every collection.
	Collections(ctx context.Context) ([]Collection, error)
	// CreateItem writes a new item.
	CreateItem(ctx context.Context, it Item, a Audit) error
	// Item returns one item, or ErrItemNotFound.
	Item(ctx context.Context, id string) (Item, error)
	// SaveItem replaces the item if it is still at before.Version (ErrItemChanged
	// otherwise), and writes the feed entries (the item's first publication).
	SaveItem(ctx context.Context, before, after Item, a Audit, entries []feed.Entry) error
	// Items returns a collection's items, newest first; only published ones when
	// published is true.
	Items(ctx context.Context, collectionID string, published bool) ([]Item, error)
	// DeleteItem deletes the item (if still at its Version) and its media records,
	// takes their stored bytes off the usage of scopes, and records the objects to
	// purge from the bucket, in one transaction.
	DeleteItem(ctx context.Context, it Item, media []Media, scopes []string, a Audit) error
	// Media returns an item's media records, oldest first.
	Media(ctx context.Context, itemID string) ([]Media, error)
	// OneMedia returns one media record, or ErrMediaNotFound.
	OneMedia(ctx context.Context, itemID, mediaID string) (Media, error)
	// AddMedia writes a new media record of an existing item.
	AddMedia(ctx context.Context, m Media, a Audit) error
	// MediaReady marks an uploading record ready with what the processor found, and
	// adds its bytes to the usage of scopes; ok is false when it was not uploading
	// (another run did it).
	MediaReady(ctx context.Context, m Media, scopes []string, a Audit) (ok bool, err error)
	// MediaRejected marks an uploading record rejected with its reason.
	MediaRejected(ctx context.Context, m Media, a Audit) (ok bool, err error)
	// Purges returns up to limit recorded objects to delete from the bucket.
	Purges(ctx context.Context, limit int) ([]Purge, error)
	// PurgeDone forgets a purge once its objects are deleted.
	PurgeDone(ctx context.Context, id string) error
	// AuditTrail returns an institution's audit records, newest first, at most limit.
	AuditTrail(ctx context.Context, institutionID string, limit int) ([]Audit, error)
	// Usage returns the stored bytes of each scope (missing scopes are zero).
	Usage(ctx context.Context, scopes []string) (map[string]Usage, error)
}

// Purge is a set of objects to delete from the bucket because their item was deleted.
type Purge struct {
	ID   string
	Keys []string
}

// Objects is the bucket holding media files.
type Objects interface {
	// PresignPut returns a URL a client may PUT the file to until ttl passes, and the
	// headers it must send with it.
	PresignPut(ctx context.Context, key, contentType string, size int64, ttl time.Duration) (url string, headers map[string]string, err error)
	// PresignGet returns a URL that reads the object (with HTTP range requests) until
	// ttl passes.
	PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error)
	// Head returns the stored size of an object; ErrObjectMissing when there is none.
	Head(ctx context.Context, key string) (int64, error)
	// ReadRange returns up to n bytes of an object from offset off.
	ReadRange(ctx context.Context, key string, off, n int64) ([]byte, error)
	// Open reads a whole object.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Put stores an object.
	Put(ctx context.Context, key, contentType string, body []byte) error
	// Delete removes objects; keys already gone are not an error.
	Delete(ctx context.Context, keys ...string) error
}

// ErrObjectMissing is Objects.Head's answer for a key that holds nothing.
var ErrObjectMissing = errors.New("object missing")

// Places reads the directory's districts.
type Places interface {
	District(ctx context.Context, id string) (directory.District, error)
}

// Service runs the library.
type Service struct {
	Store        Store
	Objects      Objects
	Institutions institution.Store
	Places       Places
	Now          func() time.Time
	NewID        func() string
	Log          *slog.Logger
	// URLTTL is how long a presigned URL lasts: uploads, and reads long enough to play
	// a film with pauses (default 15 minutes for uploads, 3 hours for reads).
	UploadTTL, ReadTTL time.Duration
}

func (s *Service) guard() institution.Guard { return institution.Guard{Store: s.Institutions} }

func (s *Service) uploadTTL() time.Duration { return cmp.Or(s.UploadTTL, 15*time.Minute) }
func (s *Service) readTTL() time.Duration   { return cmp.Or(s.ReadTTL, 3*time.Hour) }

func actor(c auth.Claims) string { return c.OpenID }

// CreateCollection creates a collection of an institution the staff member works for.
// It returns ErrCollectionInvalid, institution.ErrNotFound or ErrOutOfScope.
func (s *Service) CreateCollection(ctx context.Context, c auth.Claims, col Collection) (Collection, error) {
	col.Name, col.Description = strings.TrimSpace(col.Name), strings.TrimSpace(col.Description)
	if err := col.Validate(); err != nil {
		return Collection{}, err
	}
	if _, err := s.Institutions.Institution(ctx, col.InstitutionID); err != nil {
		return Collection{}, err
	}
	if err := s.guard().Permit(ctx, c, col.InstitutionID); err != nil {
		return Collection{}, err
	}
	col.ID, col.CreatedAt = "c-"+s.NewID(), s.Now()
	a := Audit{InstitutionID: col.InstitutionID, At: col.CreatedAt, By: actor(c), Action: "collection.create", Target: "collection:" + col.ID, Detail: col.Name}
	if err := s.Store.CreateCollection(ctx, col, a); err != nil {
		return Collection{}, fmt.Errorf("create collection: %w", err)
	}
	return col, nil
}

// Collections returns every collection.
func (s *Service) Collections(ctx context.Context) ([]Collection, error) {
	return s.Store.Collections(ctx)
}

// CreateItem catalogues a draft item in a collection. It returns an invalid error naming
// the field, ErrCollectionNotFound, directory.ErrDistrictUnknown or ErrOutOfScope.
func (s *Service) CreateItem(ctx context.Context, c auth.Claims, collectionID string, e Edit) (Item, error) {
	col, err := s.Store.Collection(ctx, collectionID)
	if err != nil {
		return Item{}, err
	}
	if err := s.guard().Permit(ctx, c, col.InstitutionID); err != nil {
		return Item{}, err
	}
	now := s.Now()
	it := e.apply(Item{ID: "i-" + s.NewID(), CollectionID: col.ID, InstitutionID: col.InstitutionID,
		Status: StatusDraft, CreatedAt: now, UpdatedAt: now, Version: 1})
	if it, err = s.checked(ctx, it); err != nil {
		return Item{}, err
	}
	a := Audit{InstitutionID: it.InstitutionID, At: now, By: actor(c), Action: "item.create", Target: "item:" + it.ID, Detail: it.Title}
	if err := s.Store.CreateItem(ctx, it, a); err != nil {
		return Item{}, fmt.Errorf("create item: %w", err)
	}
	return it, nil
}

// checked validates an item and resolves its district's path.
func (s *Service) checked(ctx context.Context, it Item) (Item, error) {
	if err := it.Validate(); err != nil {
		return Item{}, err
	}
	it.DistrictPath = ""
	if it.DistrictID != "" {
		d, err := s.Places.District(ctx, it.DistrictID)
		if err != nil {
			return Item{}, err
		}
		it.DistrictPath = d.Path
	}
	return it, nil
}

// editable returns an item the staff member may change.
func (s *Service) editable(ctx context.Context, c auth.Claims, id string) (Item, error) {
	it, err := s.Store.Item(ctx, id)
	if err != nil {
		return Item{}, err
	}
	if err := s.guard().Permit(ctx, c, it.InstitutionID); err != nil {
		return Item{}, err
	}
	return it, nil
}

// UpdateItem replaces an item's metadata; version must be the one the staff member
// edited (ErrItemChanged otherwise).
func (s *Service) UpdateItem(ctx context.Context, c auth.Claims, id string, version int, e Edit) (Item, error) {
	before, err := s.editable(ctx, c, id)
	if err != nil {
		return Item{}, err
	}
	if version != before.Version {
		return Item{}, ErrItemChanged
	}
	after := e.apply(before)
	if after, err = s.checked(ctx, after); err != nil {
		return Item{}, err
	}
	return s.save(ctx, c, before, after, "item.update", nil)
}

func (s *Service) save(ctx context.Context, c auth.Claims, before, after Item, action string, entries []feed.Entry) (Item, error) {
	after.UpdatedAt, after.Version = s.Now(), before.Version+1
	a := Audit{InstitutionID: after.InstitutionID, At: after.UpdatedAt, By: actor(c), Action: action, Target: "item:" + after.ID, Detail: after.Title}
	if err := s.Store.SaveItem(ctx, before, after, a, entries); err != nil {
		return Item{}, fmt.Errorf("%s %s: %w", action, after.ID, err)
	}
	return after, nil
}

// Publish makes a draft item public. Its first publication is news in its collection's
// topic (the daily digest). It returns ErrAlreadyPublished.
func (s *Service) Publish(ctx context.Context, c auth.Claims, id string) (Item, error) {
	before, err := s.editable(ctx, c, id)
	if err != nil {
		return Item{}, err
	}
	if before.Status == StatusPublished {
		return Item{}, ErrAlreadyPublished
	}
	after := before
	after.Status = StatusPublished
	var entries []feed.Entry
	if before.PublishedAt.IsZero() {
		after.PublishedAt = s.Now()
		entries = feed.Entries("item", after.ID, after.Title, []string{feed.CollectionTopic(after.CollectionID)}, after.PublishedAt)
	}
	return s.save(ctx, c, before, after, "item.publish", entries)
}

// Unpublish takes a published item back to draft. It returns ErrNotPublished.
func (s *Service) Unpublish(ctx context.Context, c auth.Claims, id string) (Item, error) {
	before, err := s.editable(ctx, c, id)
	if err != nil {
		return Item{}, err
	}
	if before.Status != StatusPublished {
		return Item{}, ErrNotPublished
	}
	after := before
	after.Status = StatusDraft
	return s.save(ctx, c, before, after, "item.unpublish", nil)
}

// Delete deletes an item, its media records and its stored files: the records and the
// storage counts in one transaction that also records the files to purge, then the
// files themselves (a purge that fails here is retried by PurgePending).
func (s *Service) Delete(ctx context.Context, c auth.Claims, id string) error {
	it, err := s.editable(ctx, c, id)
	if err != nil {
		return err
	}
	media, err := s.Store.Media(ctx, id)
	if err != nil {
		return err
	}
	scopes, err := s.scopes(ctx, it.InstitutionID)
	if err != nil {
		return err
	}
	a := Audit{InstitutionID: it.InstitutionID, At: s.Now(), By: actor(c), Action: "item.delete", Target: "item:" + it.ID,
		Detail: fmt.Sprintf("%s（%d 个文件）", it.Title, len(media))}
	if err := s.Store.DeleteItem(ctx, it, media, scopes, a); err != nil {
		return fmt.Errorf("delete item %s: %w", id, err)
	}
	if _, err := s.PurgePending(ctx, 10); err != nil {
		s.Log.Warn("purge deleted media: will retry", "item", id, "err", err)
	}
	return nil
}

// PurgePending deletes the objects of deleted items from the bucket, up to limit purges,
// and returns how many it finished.
func (s *Service) PurgePending(ctx context.Context, limit int) (int, error) {
	ps, err := s.Store.Purges(ctx, limit)
	if err != nil {
		return 0, err
	}
	var errs []error
	done := 0
	for _, p := range ps {
		if err := s.Objects.Delete(ctx, p.Keys...); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := s.Store.PurgeDone(ctx, p.ID); err != nil {
			errs = append(errs, err)
			continue
		}
		done++
	}
	return done, errors.Join(errs...)
}

// scopes are the usage counters an institution's media count in: its own, its
// county's (when it is in one) and the city's.
func (s *Service) scopes(ctx context.Context, institutionID string) ([]string, error) {
	inst, err := s.Institutions.Institution(ctx, institutionID)
	if err != nil {
		return nil, err
	}
	out := []string{ScopeInstitution(inst.ID), ScopeCity}
	if county := inst.County(); county != "" {
		out = append(out, ScopeCounty(county))
	}
	return out, nil
}

// The storage usage scopes.
const ScopeCity = "city"

// ScopeInstitution is the usage scope of an institution.
func ScopeInstitution(id string) string { return "inst:" + id }

// ScopeCounty is the usage scope of a county.
func ScopeCounty(id string) string { return "county:" + id }

// AuditTrail returns an institution's audit records, newest first.
func (s *Service) AuditTrail(ctx context.Context, c auth.Claims, institutionID string, limit int) ([]Audit, error) {
	if err := s.guard().Permit(ctx, c, institutionID); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return s.Store.AuditTrail(ctx, institutionID, limit)
}

// StaffItems returns a collection's items in every status, for its institution's staff.
func (s *Service) StaffItems(ctx context.Context, c auth.Claims, collectionID string) ([]Item, error) {
	col, err := s.Store.Collection(ctx, collectionID)
	if err != nil {
		return nil, err
	}
	if err := s.guard().Permit(ctx, c, col.InstitutionID); err != nil {
		return nil, err
	}
	return s.Store.Items(ctx, collectionID, false)
}

// PublicItems returns a collection's published items, newest first.
func (s *Service) PublicItems(ctx context.Context, collectionID string) (Collection, []Item, error) {
	col, err := s.Store.Collection(ctx, collectionID)
	if err != nil {
		return Collection{}, nil, err
	}
	items, err := s.Store.Items(ctx, collectionID, true)
	return col, items, err
}

// View is an item as a page shows it: its metadata and its ready media with URLs to
// read them.
type View struct {
	Item
	Media []MediaView `json:"media"`
}

// MediaView is a media file with presigned URLs.
type MediaView struct {
	Media
	URL      string `json:"url,omitempty"`
	ThumbURL string `json:"thumbUrl,omitempty"`
}

// PublicItem returns a published item with its ready media; drafts are not found.
func (s *Service) PublicItem(ctx context.Context, id string) (View, error) {
	it, err := s.Store.Item(ctx, id)
	if err != nil {
		return View{}, err
	}
	if it.Status != StatusPublished {
		return View{}, ErrItemNotFound
	}
	return s.view(ctx, it, false)
}

// StaffItem returns an item in any status with every media record, for its staff.
func (s *Service) StaffItem(ctx context.Context, c auth.Claims, id string) (View, error) {
	it, err := s.editable(ctx, c, id)
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, it, true)
}

func (s *Service) view(ctx context.Context, it Item, all bool) (View, error) {
	media, err := s.Store.Media(ctx, it.ID)
	if err != nil {
		return View{}, err
	}
	v := View{Item: it, Media: []MediaView{}}
	v.MediaTypes = MediaTypesOf(media)
	for _, m := range media {
		if m.Status != MediaReady && !all {
			continue
		}
		mv := MediaView{Media: m}
		if m.Status == MediaReady {
			if mv.URL, err = s.Objects.PresignGet(ctx, m.Key, s.readTTL()); err != nil {
				return View{}, fmt.Errorf("item %s: %w", it.ID, err)
			}
			if m.ThumbKey != "" {
				if mv.ThumbURL, err = s.Objects.PresignGet(ctx, m.ThumbKey, s.readTTL()); err != nil {
					return View{}, fmt.Errorf("item %s: %w", it.ID, err)
				}
			}
		}
		v.Media = append(v.Media, mv)
	}
	return v, nil
}

// MediaTypesOf returns the kinds of the ready media, each once, in the order of Rules.
func MediaTypesOf(media []Media) []string {
	out := []string{}
	for _, r := range Rules {
		for _, m := range media {
			if m.Type == r.Type && m.Status == MediaReady {
				out = append(out, string(r.Type))
				break
			}
		}
	}
	return out
}

// errUnavailable wraps a failure of the bucket as unavailable.
func errUnavailable(op string, err error) error {
	if fault.KindOf(err) != fault.Internal {
		return err
	}
	return fmt.Errorf("%s: %w", op, fault.ErrUnavailable.Wrap(err))
}
