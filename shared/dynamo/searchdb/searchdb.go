// Package searchdb is the search index's source in the table: the library items, news,
// activities and venues it holds, read as search docs. Only the functions that build the
// index link it (and with it the search engine).
package searchdb

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/bookingdb"
	"github.com/wentitong/wentitong/shared/dynamo/directorydb"
	"github.com/wentitong/wentitong/shared/dynamo/librarydb"
	"github.com/wentitong/wentitong/shared/library"
	"github.com/wentitong/wentitong/shared/news"
	"github.com/wentitong/wentitong/shared/search"
)

// Source reads what the search index holds from the table: library items, news,
// activities and venues, as search docs.
type Source struct {
	DB    *dynamodb.Client
	Table string
}

// Prefixes are the partition key prefixes of the items the search index follows (the
// indexer's stream filter in template.yaml selects them).
var Prefixes = []string{"ITEM#", "NEWS#", "ACTIVITY#", "VENUE#"}

// searchKind names the kinds of venue and activity as people search for them.
var searchKind = map[string]string{
	directory.VenueLibrary: "图书馆", directory.VenueCultureCentre: "文化馆", directory.VenueMuseum: "博物馆",
	directory.VenueCinema: "电影院 影厅", directory.VenueSportsGround: "体育场馆", directory.VenueTownshipStation: "综合文化站",
	directory.VenueVillageRoom: "综合性文化服务中心", directory.VenueReadingRoom: "阅览室 阅读空间",
	string(booking.KindEvent): "文化活动", string(booking.KindFilm): "电影放映", string(booking.KindFitness): "健身",
	string(booking.KindReading): "阅读",
}

// Doc returns the search doc of the item a changed key belongs to: id is the doc's id,
// and ok is false when the doc should not be in the index (deleted, a draft, or a key
// the index does not follow, which also has id "").
func (s *Source) Doc(ctx context.Context, pk, sk string) (doc search.Doc, id string, ok bool, err error) {
	prefix, key, found := strings.Cut(pk, "#")
	if !found {
		return search.Doc{}, "", false, nil
	}
	switch prefix + "#" {
	case "ITEM#":
		id = search.KindItem + ":" + key
		doc, ok, err = s.item(ctx, key)
	case "NEWS#":
		id = search.KindNews + ":" + key
		doc, ok, err = s.article(ctx, key)
	case "ACTIVITY#":
		if sk != dynamo.SKActivity {
			return search.Doc{}, "", false, nil
		}
		id = search.KindActivity + ":" + key
		doc, ok, err = s.activity(ctx, key)
	case "VENUE#":
		if sk != dynamo.SKVenue {
			return search.Doc{}, "", false, nil
		}
		id = search.KindVenue + ":" + key
		doc, ok, err = s.venue(ctx, key)
	}
	return doc, id, ok, err
}

func (s *Source) item(ctx context.Context, id string) (search.Doc, bool, error) {
	lib := &librarydb.Library{DB: s.DB, Table: s.Table}
	it, found, err := lib.LatestItem(ctx, id)
	if err != nil || !found {
		return search.Doc{}, false, err
	}
	if it.Status != library.StatusPublished {
		return search.Doc{}, false, nil
	}
	media, err := lib.Media(ctx, id)
	if err != nil {
		return search.Doc{}, false, err
	}
	return ItemDoc(it, library.MediaTypesOf(media)), true, nil
}

// ItemDoc is a published library item as a search doc.
func ItemDoc(it library.Item, media []string) search.Doc {
	d := search.Doc{ID: search.KindItem + ":" + it.ID, Kind: search.KindItem, Title: it.Title,
		Text: strings.Join([]string{it.Description, it.DateText}, " "), Summary: summary(it.Description),
		Names: it.Creators, Tags: it.Subjects, Collection: it.CollectionID, Media: media,
		Districts: pathIDs(it.DistrictPath), URL: "/items/" + it.ID}
	if y := it.Year(); y > 0 {
		d.Date = dateOf(it.Date)
	}
	return d
}

func (s *Source) article(ctx context.Context, id string) (search.Doc, bool, error) {
	a, err := (&librarydb.News{DB: s.DB, Table: s.Table}).Article(ctx, id)
	if errors.Is(err, news.ErrNotFound) {
		return search.Doc{}, false, nil
	}
	if err != nil || a.Status != news.StatusPublished {
		return search.Doc{}, false, err
	}
	return search.Doc{ID: search.KindNews + ":" + a.ID, Kind: search.KindNews, Title: a.Title,
		Text: a.Summary + " " + a.Body, Summary: summary(firstNonEmpty(a.Summary, a.Body)),
		Tags: []string{news.CategoryName(a.Category)}, Date: a.PublishedAt, URL: "/news/" + a.ID}, true, nil
}

func (s *Source) activity(ctx context.Context, id string) (search.Doc, bool, error) {
	a, ok, err := (&bookingdb.Catalog{DB: s.DB, Table: s.Table}).Activity(ctx, id)
	if err != nil || !ok {
		return search.Doc{}, false, err
	}
	dir := &directorydb.Directory{DB: s.DB, Table: s.Table}
	var path, venueName string
	if v, err := dir.Venue(ctx, a.VenueID); err == nil {
		path, venueName = v.DistrictPath, v.Name
	}
	if a.DistrictID != "" {
		if p, ok, err := dir.DistrictPath(ctx, a.DistrictID); err == nil && ok {
			path = p
		}
	}
	return search.Doc{ID: search.KindActivity + ":" + a.ID, Kind: search.KindActivity, Title: a.Title,
		Text: a.Description + " " + venueName, Summary: summary(a.Description), Tags: []string{searchKind[string(a.Kind)]},
		Districts: pathIDs(path), Date: a.CreatedAt, URL: "/activities/" + a.ID}, true, nil
}

func (s *Source) venue(ctx context.Context, id string) (search.Doc, bool, error) {
	v, err := (&directorydb.Directory{DB: s.DB, Table: s.Table}).Venue(ctx, id)
	if errors.Is(err, directory.ErrVenueNotFound) {
		return search.Doc{}, false, nil
	}
	if err != nil {
		return search.Doc{}, false, err
	}
	return VenueDoc(v), true, nil
}

// VenueDoc is a venue as a search doc.
func VenueDoc(v directory.Venue) search.Doc {
	return search.Doc{ID: search.KindVenue + ":" + v.ID, Kind: search.KindVenue, Title: v.Name,
		Text:    strings.Join(append([]string{v.Address, v.OpeningHours, v.Accessibility}, v.Facilities...), " "),
		Summary: summary(v.Address), Tags: []string{searchKind[v.Kind]}, Districts: pathIDs(v.DistrictPath),
		URL: "/venues/" + v.ID}
}

// All reads every searchable item of the table (a paginated Scan of the four kinds:
// an operator's and the indexer's rebuild, never a request path) and hands each doc to
// fn.
func (s *Source) All(ctx context.Context, fn func(search.Doc) error) error {
	filter := expression.Name("SK").In(expression.Value(dynamo.SKItem), expression.Value(dynamo.SKNews), expression.Value(dynamo.SKActivity), expression.Value(dynamo.SKVenue))
	expr, err := expression.NewBuilder().WithFilter(filter).WithProjection(expression.NamesList(expression.Name("PK"), expression.Name("SK"))).Build()
	if err != nil {
		return err
	}
	p := dynamodb.NewScanPaginator(s.DB, &dynamodb.ScanInput{TableName: aws.String(s.Table), FilterExpression: expr.Filter(),
		ProjectionExpression: expr.Projection(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return dynamo.FormatError("search rebuild", err)
		}
		for _, raw := range page.Items {
			var k struct{ PK, SK string }
			if err := attributevalue.UnmarshalMap(raw, &k); err != nil {
				return err
			}
			doc, _, ok, err := s.Doc(ctx, k.PK, k.SK)
			if err != nil {
				return err
			}
			if ok {
				if err := fn(doc); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// pathIDs are the district ids of a path, from the city down.
func pathIDs(path string) []string {
	if path == "" {
		return nil
	}
	return strings.Split(path, "/")
}

// summary is the first 60 characters of a text.
func summary(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		return string(r[:59]) + "…"
	}
	return s
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// dateOf reads an item's date (YYYY, YYYY-MM or YYYY-MM-DD) as its first day.
func dateOf(s string) time.Time {
	for _, layout := range []string{time.DateOnly, "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}
