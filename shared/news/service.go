package news

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/feed"
	"github.com/wentitong/wentitong/shared/institution"
	"github.com/wentitong/wentitong/shared/library"
	"github.com/wentitong/wentitong/shared/notify"
)

// Store keeps articles, subscriptions, the consent log and the digest's marks.
type Store interface {
	// CreateArticle writes a new draft with its audit record.
	CreateArticle(ctx context.Context, a Article, au library.Audit) error
	// Article returns one article, or ErrNotFound.
	Article(ctx context.Context, id string) (Article, error)
	// SaveArticle replaces the article if still at before.Version (ErrChanged
	// otherwise), with the audit record and the feed entries, in one transaction.
	SaveArticle(ctx context.Context, before, after Article, au library.Audit, entries []feed.Entry) error
	// Published returns up to limit published articles, newest first, of a category
	// ("" for all).
	Published(ctx context.Context, category string, limit int) ([]Article, error)
	// OfInstitution returns an institution's articles in every status, newest first.
	OfInstitution(ctx context.Context, institutionID string) ([]Article, error)

	// Subscribe records the subscription and its consent in the person's consent log.
	Subscribe(ctx context.Context, s Subscription) error
	// Unsubscribe deletes the subscription and logs the withdrawal; false when there
	// was none.
	Unsubscribe(ctx context.Context, openid, topic string, at time.Time) (bool, error)
	// Subscriptions returns a person's subscriptions.
	Subscriptions(ctx context.Context, openid string) ([]Subscription, error)
	// Subscribers returns the openids subscribed to a topic.
	Subscribers(ctx context.Context, topic string) ([]string, error)

	// Feed returns the entries of a digest day.
	Feed(ctx context.Context, day string) ([]feed.Entry, error)
	// DigestDone reports whether the digest of day was completed.
	DigestDone(ctx context.Context, day string) (bool, error)
	// MarkDigest records that the digest of day is complete.
	MarkDigest(ctx context.Context, day string, at time.Time) error
	// QueueDigest writes a digest message to the outbox unless its id exists; queued is
	// false when it did.
	QueueDigest(ctx context.Context, m notify.Message) (queued bool, err error)
}

// Library reads the resource library for articles' links and covers.
type Library interface {
	Item(ctx context.Context, id string) (library.Item, error)
	Media(ctx context.Context, itemID string) ([]library.Media, error)
	Collections(ctx context.Context) ([]library.Collection, error)
	Collection(ctx context.Context, id string) (library.Collection, error)
}

// Activities reads the catalogue for articles' links.
type Activities interface {
	Activity(ctx context.Context, id string) (a booking.Activity, ok bool, err error)
}

// Covers presigns the URL of a cover's thumbnail.
type Covers interface {
	PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error)
}

// Service runs the news centre.
type Service struct {
	Store        Store
	Library      Library
	Activities   Activities
	Covers       Covers
	Institutions institution.Store
	Now          func() time.Time
	NewID        func() string
	// Links builds the H5 page a digest opens.
	H5Base string
}

func (s *Service) guard() institution.Guard { return institution.Guard{Store: s.Institutions} }

// Create writes a draft for an institution the staff member works for.
func (s *Service) Create(ctx context.Context, c auth.Claims, d Draft) (Article, error) {
	if _, err := s.Institutions.Institution(ctx, d.InstitutionID); err != nil {
		return Article{}, err
	}
	if err := s.guard().Permit(ctx, c, d.InstitutionID); err != nil {
		return Article{}, err
	}
	now := s.Now()
	a := d.apply(Article{ID: "n-" + s.NewID(), InstitutionID: d.InstitutionID, Status: StatusDraft, Author: c.OpenID,
		Topics: []string{}, CreatedAt: now, UpdatedAt: now, Version: 1})
	if err := s.checked(ctx, a); err != nil {
		return Article{}, err
	}
	au := library.Audit{InstitutionID: a.InstitutionID, At: now, By: c.OpenID, Action: "news.create", Target: "news:" + a.ID, Detail: a.Title}
	if err := s.Store.CreateArticle(ctx, a, au); err != nil {
		return Article{}, fmt.Errorf("create article: %w", err)
	}
	return a, nil
}

// checked validates an article and its links: linked items published, activities
// existing, the cover a ready image of a linked item.
func (s *Service) checked(ctx context.Context, a Article) error {
	if err := a.Validate(); err != nil {
		return err
	}
	for _, id := range a.ItemIDs {
		it, err := s.Library.Item(ctx, id)
		if errors.Is(err, library.ErrItemNotFound) || err == nil && it.Status != library.StatusPublished {
			return ErrLinkInvalid
		}
		if err != nil {
			return err
		}
	}
	for _, id := range a.ActivityIDs {
		_, ok, err := s.Activities.Activity(ctx, id)
		if err != nil {
			return err
		}
		if !ok {
			return ErrLinkInvalid
		}
	}
	if a.CoverItemID != "" {
		media, err := s.Library.Media(ctx, a.CoverItemID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(media, func(m library.Media) bool {
			return m.ID == a.CoverMediaID && m.Type == library.MediaImage && m.Status == library.MediaReady
		}) {
			return ErrCoverInvalid
		}
	}
	return nil
}

func (s *Service) editable(ctx context.Context, c auth.Claims, id string) (Article, error) {
	a, err := s.Store.Article(ctx, id)
	if err != nil {
		return Article{}, err
	}
	return a, s.guard().Permit(ctx, c, a.InstitutionID)
}

// Update replaces an article's text and links; version must be the one edited.
func (s *Service) Update(ctx context.Context, c auth.Claims, id string, version int, d Draft) (Article, error) {
	before, err := s.editable(ctx, c, id)
	if err != nil {
		return Article{}, err
	}
	if version != before.Version {
		return Article{}, ErrChanged
	}
	after := d.apply(before)
	if err := s.checked(ctx, after); err != nil {
		return Article{}, err
	}
	return s.save(ctx, c, before, after, "news.update", nil)
}

func (s *Service) save(ctx context.Context, c auth.Claims, before, after Article, action string, entries []feed.Entry) (Article, error) {
	after.UpdatedAt, after.Version = s.Now(), before.Version+1
	au := library.Audit{InstitutionID: after.InstitutionID, At: after.UpdatedAt, By: c.OpenID, Action: action, Target: "news:" + after.ID, Detail: after.Title}
	if err := s.Store.SaveArticle(ctx, before, after, au, entries); err != nil {
		return Article{}, fmt.Errorf("%s %s: %w", action, after.ID, err)
	}
	return after, nil
}

// Publish publishes a draft: it becomes news in its category's topic and in the topics
// of its linked items' collections (the daily digest). It returns ErrAlreadyPublished.
func (s *Service) Publish(ctx context.Context, c auth.Claims, id string) (Article, error) {
	before, err := s.editable(ctx, c, id)
	if err != nil {
		return Article{}, err
	}
	if before.Status == StatusPublished {
		return Article{}, ErrAlreadyPublished
	}
	if err := s.checked(ctx, before); err != nil {
		return Article{}, err
	}
	after := before
	after.Status, after.PublishedAt = StatusPublished, s.Now()
	after.Topics = []string{feed.CategoryTopic(after.Category)}
	for _, itemID := range after.ItemIDs {
		it, err := s.Library.Item(ctx, itemID)
		if err != nil {
			return Article{}, err
		}
		if t := feed.CollectionTopic(it.CollectionID); !slices.Contains(after.Topics, t) {
			after.Topics = append(after.Topics, t)
		}
	}
	return s.save(ctx, c, before, after, "news.publish", feed.Entries("news", after.ID, after.Title, after.Topics, after.PublishedAt))
}

// View is an article as a page shows it: with its cover's URL and its links' titles.
type View struct {
	Article
	CategoryName string `json:"categoryName"`
	CoverURL     string `json:"coverUrl,omitempty"`
	Items        []Link `json:"items"`
	Activities   []Link `json:"activities"`
}

// Link is a linked item or activity.
type Link struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Get returns a published article (drafts are not found).
func (s *Service) Get(ctx context.Context, id string) (View, error) {
	a, err := s.Store.Article(ctx, id)
	if err != nil {
		return View{}, err
	}
	if a.Status != StatusPublished {
		return View{}, ErrNotFound
	}
	v := View{Article: a, CategoryName: CategoryName(a.Category), Items: []Link{}, Activities: []Link{}}
	for _, id := range a.ItemIDs {
		if it, err := s.Library.Item(ctx, id); err == nil && it.Status == library.StatusPublished {
			v.Items = append(v.Items, Link{ID: id, Title: it.Title})
		}
	}
	for _, id := range a.ActivityIDs {
		if act, ok, err := s.Activities.Activity(ctx, id); err == nil && ok {
			v.Activities = append(v.Activities, Link{ID: id, Title: act.Title})
		}
	}
	if a.CoverItemID != "" {
		media, err := s.Library.Media(ctx, a.CoverItemID)
		if err != nil {
			return View{}, err
		}
		for _, m := range media {
			if m.ID == a.CoverMediaID && m.ThumbKey != "" && m.Status == library.MediaReady {
				if v.CoverURL, err = s.Covers.PresignGet(ctx, m.ThumbKey, 3*time.Hour); err != nil {
					return View{}, err
				}
			}
		}
	}
	return v, nil
}

// List returns published articles, newest first.
func (s *Service) List(ctx context.Context, category string, limit int) ([]Article, error) {
	if category != "" && CategoryName(category) == "" {
		return nil, ErrCategoryInvalid
	}
	return s.Store.Published(ctx, category, limit)
}

// ErrCategoryInvalid is an unknown category in a filter.
var ErrCategoryInvalid = fault.New(fault.Invalid, "category_invalid", "未知的资讯栏目")

// OfInstitution lists an institution's articles for its staff.
func (s *Service) OfInstitution(ctx context.Context, c auth.Claims, institutionID string) ([]Article, error) {
	if err := s.guard().Permit(ctx, c, institutionID); err != nil {
		return nil, err
	}
	return s.Store.OfInstitution(ctx, institutionID)
}

// H5 links of the digest.
func (s *Service) link(path string) string { return strings.TrimSuffix(s.H5Base, "/") + path }
