package librarydb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/feed"
	"github.com/wentitong/wentitong/shared/institution"
	"github.com/wentitong/wentitong/shared/library"
)

// Library stores institutions, the resource library and its audit trail.
type Library struct {
	DB    *dynamodb.Client
	Table string
}

var (
	_ library.Store     = (*Library)(nil)
	_ institution.Store = (*Library)(nil)
)

// ---------------------------------------------------------------- institutions

type institutionItem struct {
	dynamo.Keys
	dynamo.GSI1
	ID           string `dynamodbav:"id"`
	Name         string `dynamodbav:"name"`
	Kind         string `dynamodbav:"kind"`
	Level        string `dynamodbav:"level"`
	DistrictID   string `dynamodbav:"districtId"`
	DistrictPath string `dynamodbav:"districtPath"`
}

func (it institutionItem) institution() institution.Institution {
	return institution.Institution{ID: it.ID, Name: it.Name, Kind: institution.Kind(it.Kind), Level: directory.Level(it.Level), DistrictID: it.DistrictID, DistrictPath: it.DistrictPath}
}

// CreateInstitution writes a new institution; institution.ErrExists when the id is
// taken.
func (l *Library) CreateInstitution(ctx context.Context, i institution.Institution) error {
	item := institutionItem{Keys: dynamo.Keys{PK: dynamo.InstitutionPK(i.ID), SK: dynamo.SKInstitution}, GSI1: dynamo.GSI1{PK: dynamo.GSIInsts, SK: i.DistrictPath + "#" + i.ID},
		ID: i.ID, Name: i.Name, Kind: string(i.Kind), Level: string(i.Level), DistrictID: i.DistrictID, DistrictPath: i.DistrictPath}
	err := dynamo.Put(ctx, l.DB, l.Table, "create institution", item, expression.AttributeNotExists(expression.Name("PK")))
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return institution.ErrExists
	}
	return err
}

// Institution returns one institution, or institution.ErrNotFound.
func (l *Library) Institution(ctx context.Context, id string) (institution.Institution, error) {
	return dynamo.OneAs(ctx, l.DB, l.Table, "get institution", dynamo.InstitutionPK(id), dynamo.SKInstitution, false, institution.ErrNotFound, institutionItem.institution)
}

// Institutions returns every institution by district path (dynamo.Query GSI1 INSTS).
func (l *Library) Institutions(ctx context.Context) ([]institution.Institution, error) {
	return dynamo.QueryAllAs(ctx, l.DB, l.Table, "list institutions", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.GSIInsts, "")}, institutionItem.institution)
}

type employerItem struct {
	dynamo.Keys
	dynamo.SparseGSI1
	OpenID        string `dynamodbav:"openid"`
	InstitutionID string `dynamodbav:"institutionId"`
}

// SetEmployer records the institution a person works for ("" for none), listed among
// its staff.
func (l *Library) SetEmployer(ctx context.Context, openid, institutionID string) error {
	it := employerItem{Keys: dynamo.Keys{PK: dynamo.UserPK(openid), SK: dynamo.SKEmployer}, OpenID: openid, InstitutionID: institutionID}
	if institutionID != "" {
		it.SparseGSI1 = dynamo.SparseGSI1{PK: dynamo.StaffPK(institutionID), SK: openid}
	}
	return dynamo.Put(ctx, l.DB, l.Table, "set employer", it, expression.ConditionBuilder{})
}

// Employer returns the institution a person works for, or "".
func (l *Library) Employer(ctx context.Context, openid string) (string, error) {
	it, _, err := dynamo.Get[employerItem](ctx, l.DB, l.Table, "get employer", dynamo.UserPK(openid), dynamo.SKEmployer, false)
	return it.InstitutionID, err
}

// Staff returns who works for an institution (Query GSI1 STAFF#<id>).
func (l *Library) Staff(ctx context.Context, id string) ([]string, error) {
	items, err := dynamo.QueryAll[employerItem](ctx, l.DB, l.Table, "list staff", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.StaffPK(id), "")})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.OpenID)
	}
	return out, nil
}

type ownerItem struct {
	dynamo.Keys
	dynamo.GSI1
	VenueID       string `dynamodbav:"venueId"`
	InstitutionID string `dynamodbav:"institutionId"`
}

// SetOwner records the institution owning a venue, in place of the previous one; ""
// deletes the record.
func (l *Library) SetOwner(ctx context.Context, venueID, institutionID string) error {
	if institutionID == "" {
		return dynamo.Delete(ctx, l.DB, l.Table, "release venue", dynamo.VenuePK(venueID), dynamo.SKOwner)
	}
	return dynamo.Put(ctx, l.DB, l.Table, "set venue owner", ownerItem{Keys: dynamo.Keys{PK: dynamo.VenuePK(venueID), SK: dynamo.SKOwner}, GSI1: dynamo.GSI1{PK: dynamo.GSIOwners, SK: institutionID + "#" + venueID}, VenueID: venueID, InstitutionID: institutionID}, expression.ConditionBuilder{})
}

// Owned returns the venues each institution owns (Query GSI1 OWNERS).
func (l *Library) Owned(ctx context.Context) (map[string][]string, error) {
	items, err := dynamo.QueryAll[ownerItem](ctx, l.DB, l.Table, "list venue owners", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.GSIOwners, "")})
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, it := range items {
		out[it.InstitutionID] = append(out[it.InstitutionID], it.VenueID)
	}
	return out, nil
}

// ----------------------------------------------------------------- collections

type collectionItem struct {
	dynamo.Keys
	dynamo.GSI1
	ID            string    `dynamodbav:"id"`
	InstitutionID string    `dynamodbav:"institutionId"`
	Name          string    `dynamodbav:"name"`
	Description   string    `dynamodbav:"description,omitempty"`
	CreatedAt     time.Time `dynamodbav:"createdAt"`
}

func (it collectionItem) collection() library.Collection {
	return library.Collection{ID: it.ID, InstitutionID: it.InstitutionID, Name: it.Name, Description: it.Description, CreatedAt: it.CreatedAt}
}

// CreateCollection writes a new collection and its audit record.
func (l *Library) CreateCollection(ctx context.Context, c library.Collection, a library.Audit) error {
	item := collectionItem{Keys: dynamo.Keys{PK: dynamo.CollectionPK(c.ID), SK: dynamo.SKCollection}, GSI1: dynamo.GSI1{PK: dynamo.GSIColls, SK: c.InstitutionID + "#" + c.ID},
		ID: c.ID, InstitutionID: c.InstitutionID, Name: c.Name, Description: c.Description, CreatedAt: c.CreatedAt}
	var tx dynamo.Tx
	tx.Put(item, expression.AttributeNotExists(expression.Name("PK")), nil)
	auditPut(&tx, a)
	return dynamo.Transact(ctx, l.DB, l.Table, "create collection", &tx)
}

// Collection returns one collection, or library.ErrCollectionNotFound.
func (l *Library) Collection(ctx context.Context, id string) (library.Collection, error) {
	return dynamo.OneAs(ctx, l.DB, l.Table, "get collection", dynamo.CollectionPK(id), dynamo.SKCollection, false, library.ErrCollectionNotFound, collectionItem.collection)
}

// Collections returns every collection, by institution (dynamo.Query GSI1 COLLS).
func (l *Library) Collections(ctx context.Context) ([]library.Collection, error) {
	return dynamo.QueryAllAs(ctx, l.DB, l.Table, "list collections", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.GSIColls, "")}, collectionItem.collection)
}

// ----------------------------------------------------------------------- items

// libraryItem is a library.Item in the table. While published it is on GSI2.
type libraryItem struct {
	dynamo.Keys
	dynamo.GSI1
	dynamo.SparseGSI2
	ID            string    `dynamodbav:"id"`
	CollectionID  string    `dynamodbav:"collectionId"`
	InstitutionID string    `dynamodbav:"institutionId"`
	Title         string    `dynamodbav:"title"`
	Creators      []string  `dynamodbav:"creators,omitempty"`
	Date          string    `dynamodbav:"date,omitempty"`
	DateText      string    `dynamodbav:"dateText,omitempty"`
	Subjects      []string  `dynamodbav:"subjects,omitempty"`
	Description   string    `dynamodbav:"description,omitempty"`
	DistrictID    string    `dynamodbav:"districtId,omitempty"`
	DistrictPath  string    `dynamodbav:"districtPath,omitempty"`
	Rights        string    `dynamodbav:"rights"`
	Licence       string    `dynamodbav:"licence"`
	Status        string    `dynamodbav:"status"`
	CreatedAt     time.Time `dynamodbav:"createdAt"`
	UpdatedAt     time.Time `dynamodbav:"updatedAt"`
	PublishedAt   time.Time `dynamodbav:"publishedAt,omitempty"`
	Version       int       `dynamodbav:"version"`
}

func newLibraryItem(it library.Item) libraryItem {
	out := libraryItem{Keys: dynamo.Keys{PK: dynamo.ItemPK(it.ID), SK: dynamo.SKItem}, GSI1: dynamo.GSI1{PK: dynamo.CollItemsPK(it.CollectionID), SK: dynamo.TimeKey(it.CreatedAt) + "#" + it.ID},
		ID: it.ID, CollectionID: it.CollectionID, InstitutionID: it.InstitutionID, Title: it.Title,
		Creators: dynamo.NilIfEmpty(it.Creators), Date: it.Date, DateText: it.DateText, Subjects: dynamo.NilIfEmpty(it.Subjects), Description: it.Description,
		DistrictID: it.DistrictID, DistrictPath: it.DistrictPath, Rights: it.Rights, Licence: it.Licence, Status: string(it.Status),
		CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, PublishedAt: it.PublishedAt, Version: it.Version}
	if it.Status == library.StatusPublished {
		out.SparseGSI2 = dynamo.SparseGSI2{PK: dynamo.PubItemsPK(it.CollectionID), SK: dynamo.TimeKey(it.PublishedAt) + "#" + it.ID}
	}
	return out
}

func (it libraryItem) item() library.Item {
	return library.Item{ID: it.ID, CollectionID: it.CollectionID, InstitutionID: it.InstitutionID, Title: it.Title,
		Creators: dynamo.EmptyIfNil(it.Creators), Date: it.Date, DateText: it.DateText, Subjects: dynamo.EmptyIfNil(it.Subjects), Description: it.Description,
		DistrictID: it.DistrictID, DistrictPath: it.DistrictPath, Rights: it.Rights, Licence: it.Licence, Status: library.Status(it.Status),
		MediaTypes: []string{}, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, PublishedAt: it.PublishedAt, Version: it.Version}
}

// CreateItem writes a new item and its audit record.
func (l *Library) CreateItem(ctx context.Context, it library.Item, a library.Audit) error {
	return createAudited(ctx, l.DB, l.Table, "create item", newLibraryItem(it), a)
}

// Item returns one item, or library.ErrItemNotFound.
func (l *Library) Item(ctx context.Context, id string) (library.Item, error) {
	return dynamo.OneAs(ctx, l.DB, l.Table, "get item", dynamo.ItemPK(id), dynamo.SKItem, false, library.ErrItemNotFound, libraryItem.item)
}

// LatestItem returns one item read with strong consistency (the search indexer reads it
// as the stream record that named it left it), and whether there is one.
func (l *Library) LatestItem(ctx context.Context, id string) (library.Item, bool, error) {
	it, found, err := dynamo.Get[libraryItem](ctx, l.DB, l.Table, "search item", dynamo.ItemPK(id), dynamo.SKItem, true)
	return it.item(), found, err
}

// SaveItem puts the whole item (so its GSI2 listing follows its status) on condition
// that it is still at before.Version, with the audit record and the feed entries.
func (l *Library) SaveItem(ctx context.Context, before, after library.Item, a library.Audit, entries []feed.Entry) error {
	return saveAudited(ctx, l.DB, l.Table, "save item", newLibraryItem(after), before.Version, library.ErrItemChanged, a, entries)
}

// Items returns a collection's items, newest first: every one from GSI1, or the
// published ones from GSI2.
func (l *Library) Items(ctx context.Context, collectionID string, published bool) ([]library.Item, error) {
	q := dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.CollItemsPK(collectionID), "")}
	if published {
		q = dynamo.Query{Index: "GSI2", Key: dynamo.Partition("GSI2", dynamo.PubItemsPK(collectionID), "")}
	}
	items, err := dynamo.QueryAll[libraryItem](ctx, l.DB, l.Table, "list items", q)
	if err != nil {
		return nil, err
	}
	out := dynamo.Convert(items, libraryItem.item)
	if published { // an index may lag an unpublication
		out = slices.DeleteFunc(out, func(it library.Item) bool { return it.Status != library.StatusPublished })
	}
	slices.Reverse(out)
	return out, nil
}

// DeleteItem deletes the item (at its version) and its media records, takes their
// bytes off the scopes' usage and records their objects to purge, in one transaction.
func (l *Library) DeleteItem(ctx context.Context, it library.Item, media []library.Media, scopes []string, a library.Audit) error {
	var tx dynamo.Tx
	tx.Delete(dynamo.ItemPK(it.ID), dynamo.SKItem, expression.Name("version").Equal(expression.Value(it.Version)), library.ErrItemChanged)
	var keys []string
	var bytes, objects int64
	for _, m := range media {
		tx.Delete(dynamo.ItemPK(it.ID), dynamo.MediaSK(m.ID), expression.ConditionBuilder{}, nil)
		keys = append(keys, m.Key)
		if m.ThumbKey != "" {
			keys = append(keys, m.ThumbKey)
		}
		if m.Status == library.MediaReady {
			bytes += m.Stored()
			objects += objectsOf(m)
		}
	}
	if bytes > 0 {
		addUsage(&tx, scopes, -bytes, -objects)
	}
	if len(keys) > 0 {
		id := it.ID + "." + randomHex(4)
		tx.Put(purgeItem{Keys: dynamo.Keys{PK: dynamo.PurgePK(id), SK: dynamo.SKPurge}, GSI1: dynamo.GSI1{PK: dynamo.GSIPurges, SK: dynamo.NanoKey(a.At) + "#" + id}, ID: id, Objects: keys},
			expression.ConditionBuilder{}, nil)
	}
	auditPut(&tx, a)
	return dynamo.Transact(ctx, l.DB, l.Table, "delete item", &tx)
}

func objectsOf(m library.Media) int64 {
	if m.ThumbKey != "" {
		return 2
	}
	return 1
}

// ----------------------------------------------------------------------- media

type mediaItem struct {
	dynamo.Keys
	ID          string    `dynamodbav:"id"`
	ItemID      string    `dynamodbav:"itemId"`
	Type        string    `dynamodbav:"type"`
	ContentType string    `dynamodbav:"contentType"`
	Filename    string    `dynamodbav:"filename"`
	Size        int64     `dynamodbav:"size"`
	Key         string    `dynamodbav:"key"`
	ThumbKey    string    `dynamodbav:"thumbKey,omitempty"`
	ThumbSize   int64     `dynamodbav:"thumbSize,omitempty"`
	Width       int       `dynamodbav:"width,omitempty"`
	Height      int       `dynamodbav:"height,omitempty"`
	Status      string    `dynamodbav:"status"`
	Reason      string    `dynamodbav:"reason,omitempty"`
	By          string    `dynamodbav:"by"`
	CreatedAt   time.Time `dynamodbav:"createdAt"`
	ReadyAt     time.Time `dynamodbav:"readyAt,omitempty"`
}

func newMediaItem(m library.Media) mediaItem {
	return mediaItem{Keys: dynamo.Keys{PK: dynamo.ItemPK(m.ItemID), SK: dynamo.MediaSK(m.ID)}, ID: m.ID, ItemID: m.ItemID, Type: string(m.Type), ContentType: m.ContentType,
		Filename: m.Filename, Size: m.Size, Key: m.Key, ThumbKey: m.ThumbKey, ThumbSize: m.ThumbSize, Width: m.Width, Height: m.Height,
		Status: string(m.Status), Reason: m.Reason, By: m.By, CreatedAt: m.CreatedAt, ReadyAt: m.ReadyAt}
}

func (it mediaItem) media() library.Media {
	return library.Media{ID: it.ID, ItemID: it.ItemID, Type: library.MediaType(it.Type), ContentType: it.ContentType,
		Filename: it.Filename, Size: it.Size, Key: it.Key, ThumbKey: it.ThumbKey, ThumbSize: it.ThumbSize, Width: it.Width, Height: it.Height,
		Status: library.MediaStatus(it.Status), Reason: it.Reason, By: it.By, CreatedAt: it.CreatedAt, ReadyAt: it.ReadyAt}
}

// Media returns an item's media records, oldest first (one consistent dynamo.Query of its
// partition).
func (l *Library) Media(ctx context.Context, itemID string) ([]library.Media, error) {
	ms, err := dynamo.QueryAll[mediaItem](ctx, l.DB, l.Table, "list media", dynamo.Query{Key: dynamo.Partition("", dynamo.ItemPK(itemID), dynamo.SKMediaPrefix), Consistent: true})
	if err != nil {
		return nil, err
	}
	out := dynamo.Convert(ms, mediaItem.media)
	slices.SortFunc(out, func(a, b library.Media) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

// OneMedia returns one media record, or library.ErrMediaNotFound.
func (l *Library) OneMedia(ctx context.Context, itemID, mediaID string) (library.Media, error) {
	return dynamo.OneAs(ctx, l.DB, l.Table, "get media", dynamo.ItemPK(itemID), dynamo.MediaSK(mediaID), true, library.ErrMediaNotFound, mediaItem.media)
}

// AddMedia writes a new media record, on condition that its item exists.
func (l *Library) AddMedia(ctx context.Context, m library.Media, a library.Audit) error {
	var tx dynamo.Tx
	tx.Check(dynamo.ItemPK(m.ItemID), dynamo.SKItem, expression.AttributeExists(expression.Name("PK")), library.ErrItemNotFound)
	tx.Put(newMediaItem(m), expression.AttributeNotExists(expression.Name("PK")), nil)
	auditPut(&tx, a)
	return dynamo.Transact(ctx, l.DB, l.Table, "add media", &tx)
}

// MediaReady puts the ready record if it is still uploading, and adds its bytes to the
// scopes' usage.
func (l *Library) MediaReady(ctx context.Context, m library.Media, scopes []string, a library.Audit) (bool, error) {
	var tx dynamo.Tx
	tx.Put(newMediaItem(m), expression.Name("status").Equal(expression.Value(string(library.MediaUploading))), errNotUploading)
	addUsage(&tx, scopes, m.Stored(), objectsOf(m))
	auditPut(&tx, a)
	return uploadingOnly(dynamo.Transact(ctx, l.DB, l.Table, "media ready", &tx))
}

// MediaRejected puts the rejected record if it is still uploading.
func (l *Library) MediaRejected(ctx context.Context, m library.Media, a library.Audit) (bool, error) {
	var tx dynamo.Tx
	tx.Put(newMediaItem(m), expression.Name("status").Equal(expression.Value(string(library.MediaUploading))), errNotUploading)
	auditPut(&tx, a)
	return uploadingOnly(dynamo.Transact(ctx, l.DB, l.Table, "media rejected", &tx))
}

// errNotUploading is the failed "still uploading" condition of a media record.
var errNotUploading = errors.New("media no longer uploading")

// uploadingOnly turns the failed "still uploading" condition into ok = false.
func uploadingOnly(err error) (bool, error) {
	if errors.Is(err, errNotUploading) {
		return false, nil
	}
	return err == nil, err
}

// ---------------------------------------------------------- purges, audit, usage

type purgeItem struct {
	dynamo.Keys
	dynamo.GSI1
	ID      string   `dynamodbav:"id"`
	Objects []string `dynamodbav:"keys"` // the media objects to delete
}

// Purges returns up to limit purges, oldest first (dynamo.Query GSI1 PURGES). A purge done
// since may still be listed by the index; deleting its objects again is harmless.
func (l *Library) Purges(ctx context.Context, limit int) ([]library.Purge, error) {
	items, err := dynamo.QueryAll[purgeItem](ctx, l.DB, l.Table, "list purges", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.GSIPurges, "")})
	if err != nil {
		return nil, err
	}
	out := []library.Purge{}
	for _, it := range items {
		if len(out) == limit {
			break
		}
		out = append(out, library.Purge{ID: it.ID, Keys: it.Objects})
	}
	return out, nil
}

// PurgeDone deletes a purge record.
func (l *Library) PurgeDone(ctx context.Context, id string) error {
	return dynamo.Delete(ctx, l.DB, l.Table, "purge done", dynamo.PurgePK(id), dynamo.SKPurge)
}

type auditItem struct {
	dynamo.Keys
	Inst   string    `dynamodbav:"institutionId"`
	At     time.Time `dynamodbav:"at"`
	By     string    `dynamodbav:"by"`
	Action string    `dynamodbav:"action"`
	Target string    `dynamodbav:"target"`
	Detail string    `dynamodbav:"detail,omitempty"`
}

func (it auditItem) audit() library.Audit {
	return library.Audit{InstitutionID: it.Inst, At: it.At, By: it.By, Action: it.Action, Target: it.Target, Detail: it.Detail}
}

// AuditTrail returns an institution's audit records, newest first (one dynamo.Query of its
// partition, descending).
func (l *Library) AuditTrail(ctx context.Context, institutionID string, limit int) ([]library.Audit, error) {
	return dynamo.FirstAs(ctx, l.DB, l.Table, "audit trail", dynamo.Query{Key: dynamo.Partition("", dynamo.AuditPK(institutionID), ""), Backward: true, Limit: int32(limit)}, auditItem.audit)
}

type usageItem struct {
	PK      string `dynamodbav:"PK"`
	Bytes   int64  `dynamodbav:"bytes"`
	Objects int64  `dynamodbav:"objects"`
}

// Usage reads the usage counters of the scopes (BatchGetItem, 100 keys a call).
func (l *Library) Usage(ctx context.Context, scopes []string) (map[string]library.Usage, error) {
	keys := dynamo.Convert(scopes, func(s string) dynamo.Item { return dynamo.Key(dynamo.UsagePK(s), dynamo.SKUsage) })
	items, err := dynamo.BatchGetAll[usageItem](ctx, l.DB, l.Table, "storage usage", keys, false)
	if err != nil {
		return nil, err
	}
	out := map[string]library.Usage{}
	for _, it := range items {
		out[it.PK[len(dynamo.UsagePK("")):]] = library.Usage{Bytes: it.Bytes, Objects: it.Objects}
	}
	return out, nil
}

// ------------------------------------------------------------------------ feed

type feedItem struct {
	dynamo.Keys
	Day   string    `dynamodbav:"day"`
	Topic string    `dynamodbav:"topic"`
	Kind  string    `dynamodbav:"kind"`
	ID    string    `dynamodbav:"id"`
	Title string    `dynamodbav:"title"`
	At    time.Time `dynamodbav:"at"`
}

func newFeedItem(e feed.Entry) feedItem {
	return feedItem{Keys: dynamo.Keys{PK: dynamo.FeedPK(e.Day), SK: dynamo.FeedSK(e.Topic, e.Kind, e.ID)}, Day: e.Day, Topic: e.Topic, Kind: e.Kind, ID: e.ID, Title: e.Title, At: e.At}
}

func (it feedItem) entry() feed.Entry {
	return feed.Entry{Day: it.Day, Topic: it.Topic, Kind: it.Kind, ID: it.ID, Title: it.Title, At: it.At}
}

// ------------------------------------------------------------------ plumbing

// addUsage adds bytes and objects to every scope's counter in tx.
func addUsage(tx *dynamo.Tx, scopes []string, bytes, objects int64) {
	for _, s := range scopes {
		upd := expression.Add(expression.Name("bytes"), expression.Value(bytes)).Add(expression.Name("objects"), expression.Value(objects))
		tx.Update(dynamo.UsagePK(s), dynamo.SKUsage, upd, expression.ConditionBuilder{}, nil)
	}
}

// auditPut adds the audit record to tx.
func auditPut(tx *dynamo.Tx, a library.Audit) {
	tx.Put(auditItem{Keys: dynamo.Keys{PK: dynamo.AuditPK(a.InstitutionID), SK: dynamo.NanoKey(a.At) + "#" + randomHex(4)}, Inst: a.InstitutionID, At: a.At,
		By: a.By, Action: a.Action, Target: a.Target, Detail: a.Detail}, expression.ConditionBuilder{}, nil)
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// createAudited writes a new item (an item or an article) with its audit record.
func createAudited(ctx context.Context, db *dynamodb.Client, table, op string, item any, a library.Audit) error {
	var tx dynamo.Tx
	tx.Put(item, expression.AttributeNotExists(expression.Name("PK")), nil)
	auditPut(&tx, a)
	return dynamo.Transact(ctx, db, table, op, &tx)
}

// saveAudited puts the whole item IF it is still at version (changed when not), with
// the audit record and the feed entries.
func saveAudited(ctx context.Context, db *dynamodb.Client, table, op string, item any, version int, changed error, a library.Audit, entries []feed.Entry) error {
	var tx dynamo.Tx
	tx.Put(item, expression.Name("version").Equal(expression.Value(version)), changed)
	auditPut(&tx, a)
	for _, e := range entries {
		tx.Put(newFeedItem(e), expression.ConditionBuilder{}, nil)
	}
	return dynamo.Transact(ctx, db, table, op, &tx)
}
