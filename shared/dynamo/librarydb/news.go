package librarydb

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/accountdb"
	"github.com/wentitong/wentitong/shared/dynamo/outboxdb"
	"github.com/wentitong/wentitong/shared/feed"
	"github.com/wentitong/wentitong/shared/library"
	"github.com/wentitong/wentitong/shared/news"
	"github.com/wentitong/wentitong/shared/notify"
)

// News stores the news centre: articles, subscriptions, consent and the digest.
type News struct {
	DB    *dynamodb.Client
	Table string
}

var _ news.Store = (*News)(nil)

type articleItem struct {
	dynamo.Keys
	dynamo.SparseGSI1
	dynamo.SparseGSI2
	dynamo.GSI3
	ID            string    `dynamodbav:"id"`
	InstitutionID string    `dynamodbav:"institutionId"`
	Title         string    `dynamodbav:"title"`
	Summary       string    `dynamodbav:"summary,omitempty"`
	Body          string    `dynamodbav:"body"`
	Category      string    `dynamodbav:"category"`
	CoverItemID   string    `dynamodbav:"coverItemId,omitempty"`
	CoverMediaID  string    `dynamodbav:"coverMediaId,omitempty"`
	ItemIDs       []string  `dynamodbav:"itemIds,omitempty"`
	ActivityIDs   []string  `dynamodbav:"activityIds,omitempty"`
	Topics        []string  `dynamodbav:"topics,omitempty"`
	Status        string    `dynamodbav:"status"`
	Author        string    `dynamodbav:"author"`
	CreatedAt     time.Time `dynamodbav:"createdAt"`
	UpdatedAt     time.Time `dynamodbav:"updatedAt"`
	PublishedAt   time.Time `dynamodbav:"publishedAt,omitempty"`
	Version       int       `dynamodbav:"version"`
}

func newArticleItem(a news.Article) articleItem {
	it := articleItem{Keys: dynamo.Keys{PK: dynamo.NewsPK(a.ID), SK: dynamo.SKNews}, GSI3: dynamo.GSI3{PK: dynamo.NewsByPK(a.InstitutionID), SK: dynamo.TimeKey(a.CreatedAt) + "#" + a.ID},
		ID: a.ID, InstitutionID: a.InstitutionID, Title: a.Title, Summary: a.Summary, Body: a.Body, Category: a.Category,
		CoverItemID: a.CoverItemID, CoverMediaID: a.CoverMediaID, ItemIDs: dynamo.NilIfEmpty(a.ItemIDs), ActivityIDs: dynamo.NilIfEmpty(a.ActivityIDs),
		Topics: dynamo.NilIfEmpty(a.Topics), Status: string(a.Status), Author: a.Author, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
		PublishedAt: a.PublishedAt, Version: a.Version}
	if a.Status == news.StatusPublished {
		sk := dynamo.TimeKey(a.PublishedAt) + "#" + a.ID
		it.SparseGSI1 = dynamo.SparseGSI1{PK: dynamo.GSINewsAll, SK: sk}
		it.SparseGSI2 = dynamo.SparseGSI2{PK: dynamo.NewsCategoryPK(a.Category), SK: sk}
	}
	return it
}

func (it articleItem) article() news.Article {
	return news.Article{ID: it.ID, InstitutionID: it.InstitutionID, Title: it.Title, Summary: it.Summary, Body: it.Body,
		Category: it.Category, CoverItemID: it.CoverItemID, CoverMediaID: it.CoverMediaID, ItemIDs: dynamo.EmptyIfNil(it.ItemIDs),
		ActivityIDs: dynamo.EmptyIfNil(it.ActivityIDs), Topics: dynamo.EmptyIfNil(it.Topics), Status: news.Status(it.Status), Author: it.Author,
		CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, PublishedAt: it.PublishedAt, Version: it.Version}
}

// CreateArticle writes a new draft and its audit record.
func (n *News) CreateArticle(ctx context.Context, a news.Article, au library.Audit) error {
	return createAudited(ctx, n.DB, n.Table, "create article", newArticleItem(a), au)
}

// Article returns one article, or news.ErrNotFound.
func (n *News) Article(ctx context.Context, id string) (news.Article, error) {
	return dynamo.OneAs(ctx, n.DB, n.Table, "get article", dynamo.NewsPK(id), dynamo.SKNews, false, news.ErrNotFound, articleItem.article)
}

// SaveArticle puts the whole article IF still at before.Version, with the audit
// record and the feed entries.
func (n *News) SaveArticle(ctx context.Context, before, after news.Article, au library.Audit, entries []feed.Entry) error {
	return saveAudited(ctx, n.DB, n.Table, "save article", newArticleItem(after), before.Version, news.ErrChanged, au, entries)
}

// Published returns up to limit published articles, newest first (dynamo.Query GSI1 NEWSALL,
// or GSI2 NEWSCAT#<category>, descending).
func (n *News) Published(ctx context.Context, category string, limit int) ([]news.Article, error) {
	index, pk := "GSI1", dynamo.GSINewsAll
	if category != "" {
		index, pk = "GSI2", dynamo.NewsCategoryPK(category)
	}
	items, err := dynamo.First[articleItem](ctx, n.DB, n.Table, "published articles", dynamo.Query{Index: index, Key: dynamo.Partition(index, pk, ""), Backward: true, Limit: int32(limit)})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(dynamo.Convert(items, articleItem.article), func(a news.Article) bool { return a.Status != news.StatusPublished }), nil
}

// OfInstitution returns an institution's articles, newest first (dynamo.Query GSI3).
func (n *News) OfInstitution(ctx context.Context, institutionID string) ([]news.Article, error) {
	items, err := dynamo.QueryAll[articleItem](ctx, n.DB, n.Table, "institution's articles", dynamo.Query{Index: "GSI3", Key: dynamo.Partition("GSI3", dynamo.NewsByPK(institutionID), "")})
	if err != nil {
		return nil, err
	}
	out := dynamo.Convert(items, articleItem.article)
	slices.Reverse(out)
	return out, nil
}

// ------------------------------------------------------------- subscriptions

type subscriptionItem struct {
	dynamo.Keys
	dynamo.GSI1
	OpenID         string    `dynamodbav:"openid"`
	Topic          string    `dynamodbav:"topic"`
	Name           string    `dynamodbav:"name"`
	ConsentVersion string    `dynamodbav:"consentVersion"`
	ConsentAt      time.Time `dynamodbav:"consentAt"`
	Channel        string    `dynamodbav:"channel"`
}

func (it subscriptionItem) subscription() news.Subscription {
	return news.Subscription{OpenID: it.OpenID, Topic: it.Topic, Name: it.Name, ConsentVersion: it.ConsentVersion, ConsentAt: it.ConsentAt, Channel: it.Channel}
}

// Subscribe puts the subscription and a "granted" line in the consent log.
func (n *News) Subscribe(ctx context.Context, s news.Subscription) error {
	var tx dynamo.Tx
	tx.Put(subscriptionItem{Keys: dynamo.Keys{PK: dynamo.UserPK(s.OpenID), SK: dynamo.TopicSK(s.Topic)}, GSI1: dynamo.GSI1{PK: dynamo.TopicSubscribersPK(s.Topic), SK: s.OpenID},
		OpenID: s.OpenID, Topic: s.Topic, Name: s.Name, ConsentVersion: s.ConsentVersion, ConsentAt: s.ConsentAt, Channel: s.Channel},
		expression.ConditionBuilder{}, nil)
	tx.Put(accountdb.ConsentLine{Keys: dynamo.Keys{PK: dynamo.UserPK(s.OpenID), SK: accountdb.ConsentSK(s.ConsentAt)}, Topic: s.Topic,
		Action: "granted", Version: s.ConsentVersion, Channel: s.Channel, At: s.ConsentAt}, expression.ConditionBuilder{}, nil)
	return dynamo.Transact(ctx, n.DB, n.Table, "subscribe", &tx)
}

// Unsubscribe deletes the subscription if there is one and logs the withdrawal.
func (n *News) Unsubscribe(ctx context.Context, openid, topic string, at time.Time) (bool, error) {
	var tx dynamo.Tx
	tx.Delete(dynamo.UserPK(openid), dynamo.TopicSK(topic), expression.AttributeExists(expression.Name("PK")), errNotSubscribed)
	tx.Put(accountdb.ConsentLine{Keys: dynamo.Keys{PK: dynamo.UserPK(openid), SK: accountdb.ConsentSK(at)}, Topic: topic, Action: "withdrawn", At: at},
		expression.ConditionBuilder{}, nil)
	err := dynamo.Transact(ctx, n.DB, n.Table, "unsubscribe", &tx)
	if errors.Is(err, errNotSubscribed) {
		return false, nil
	}
	return err == nil, err
}

// errNotSubscribed is the failed condition of an unsubscription.
var errNotSubscribed = errors.New("not subscribed")

// Subscriptions returns a person's subscriptions (consistent dynamo.Query of their partition).
func (n *News) Subscriptions(ctx context.Context, openid string) ([]news.Subscription, error) {
	return dynamo.QueryAllAs(ctx, n.DB, n.Table, "subscriptions", dynamo.Query{Key: dynamo.Partition("", dynamo.UserPK(openid), dynamo.SKTopicPrefix), Consistent: true}, subscriptionItem.subscription)
}

// Subscribers returns a topic's subscribers (dynamo.Query GSI1 TOPICSUBS#<topic>). The index
// may still list someone who just unsubscribed; the digest then reads their
// subscription item before queueing (Subscribed).
func (n *News) Subscribers(ctx context.Context, topic string) ([]string, error) {
	items, err := dynamo.QueryAll[subscriptionItem](ctx, n.DB, n.Table, "subscribers", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.TopicSubscribersPK(topic), "")})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		if ok, err := n.subscribed(ctx, it.OpenID, topic); err != nil {
			return nil, err
		} else if ok {
			out = append(out, it.OpenID)
		}
	}
	return out, nil
}

// subscribed reads the subscription itself (consistent), so that a withdrawn consent
// the index has not caught up with is honoured.
func (n *News) subscribed(ctx context.Context, openid, topic string) (bool, error) {
	it, err := dynamo.GetItem(ctx, n.DB, n.Table, "subscription", dynamo.UserPK(openid), dynamo.TopicSK(topic), true)
	return it != nil, err
}

// ------------------------------------------------------------------- digest

// Feed returns the entries of a digest day (one dynamo.Query of its partition).
func (n *News) Feed(ctx context.Context, day string) ([]feed.Entry, error) {
	return dynamo.QueryAllAs(ctx, n.DB, n.Table, "feed", dynamo.Query{Key: dynamo.Partition("", dynamo.FeedPK(day), ""), Consistent: true}, feedItem.entry)
}

func (n *News) marks() *dynamo.Marks { return &dynamo.Marks{DB: n.DB, Table: n.Table} }

// DigestDone reports whether a day's digest is marked done.
func (n *News) DigestDone(ctx context.Context, day string) (bool, error) {
	return n.marks().Done(ctx, dynamo.DigestMarker(day))
}

// MarkDigest marks a day's digest done (kept 30 days).
func (n *News) MarkDigest(ctx context.Context, day string, at time.Time) error {
	return n.marks().Set(ctx, dynamo.DigestMarker(day), at, 30*24*time.Hour)
}

// QueueDigest puts the message IF its id is new.
func (n *News) QueueDigest(ctx context.Context, m notify.Message) (bool, error) {
	return outboxdb.Write(ctx, n.DB, n.Table, "queue digest", m)
}
