package news

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/feed"
	"github.com/wentitong/wentitong/shared/library"
	"github.com/wentitong/wentitong/shared/notify"
)

// Consent is what a resident agrees to when they follow a topic, recorded with its
// version and time on the subscription and in their consent log.
const (
	ConsentVersion = "digest-v1"
	ConsentText    = "我同意“文化株洲”在我关注的主题有新内容时，每天最多向我推送一条摘要消息；我可以随时在“我的订阅”中取消。"
)

// Subscription is a person's following of one topic, with the consent they gave.
type Subscription struct {
	OpenID         string    `json:"-"`
	Topic          string    `json:"topic"`
	Name           string    `json:"name,omitempty"`
	ConsentVersion string    `json:"consentVersion"`
	ConsentAt      time.Time `json:"consentAt"`
	Channel        string    `json:"channel"` // where the consent was given: h5 or wechat
}

// Topic is something residents may follow.
type Topic struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"` // category or collection
}

// Errors of subscriptions.
var (
	ErrConsentRequired = fault.New(fault.Invalid, "consent_required", "订阅前请阅读并同意推送说明")
	ErrTopicUnknown    = fault.New(fault.NotFound, "topic_not_found", "没有这个可订阅的主题")
	ErrNotSubscribed   = fault.New(fault.NotFound, "subscription_not_found", "您没有订阅这个主题")
)

// Topics returns every topic: the news categories, then the library's collections.
func (s *Service) Topics(ctx context.Context) ([]Topic, error) {
	out := []Topic{}
	for _, c := range Categories {
		out = append(out, Topic{ID: feed.CategoryTopic(c.Key), Name: c.Name, Kind: "category"})
	}
	cols, err := s.Library.Collections(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cols {
		out = append(out, Topic{ID: feed.CollectionTopic(c.ID), Name: c.Name, Kind: "collection"})
	}
	return out, nil
}

// topicName returns the name of a topic, or ErrTopicUnknown.
func (s *Service) topicName(ctx context.Context, topic string) (string, error) {
	kind, key, _ := strings.Cut(topic, ":")
	switch kind {
	case "category":
		if n := CategoryName(key); n != "" {
			return n, nil
		}
	case "collection":
		c, err := s.Library.Collection(ctx, key)
		if errors.Is(err, library.ErrCollectionNotFound) {
			return "", ErrTopicUnknown
		}
		return c.Name, err
	}
	return "", ErrTopicUnknown
}

// Subscribe makes openid follow a topic, recording their consent; consent must be true.
// Following again renews the consent.
func (s *Service) Subscribe(ctx context.Context, openid, topic string, consent bool, channel string) (Subscription, error) {
	if !consent {
		return Subscription{}, ErrConsentRequired
	}
	name, err := s.topicName(ctx, topic)
	if err != nil {
		return Subscription{}, err
	}
	if channel != "wechat" {
		channel = "h5"
	}
	sub := Subscription{OpenID: openid, Topic: topic, Name: name, ConsentVersion: ConsentVersion, ConsentAt: s.Now(), Channel: channel}
	if err := s.Store.Subscribe(ctx, sub); err != nil {
		return Subscription{}, fmt.Errorf("subscribe: %w", err)
	}
	return sub, nil
}

// Unsubscribe stops openid following a topic (and logs the withdrawal of consent).
func (s *Service) Unsubscribe(ctx context.Context, openid, topic string) error {
	ok, err := s.Store.Unsubscribe(ctx, openid, topic, s.Now())
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotSubscribed
	}
	return nil
}

// Subscriptions returns what openid follows.
func (s *Service) Subscriptions(ctx context.Context, openid string) ([]Subscription, error) {
	return s.Store.Subscriptions(ctx, openid)
}

// DigestKind is the outbox kind of the daily digest.
const DigestKind = "news_digest"

// maxTitles is how many titles a digest names.
const maxTitles = 3

// Digest sends the digest of the day that ended at the last DigestHour: each subscriber
// of a topic with new things gets one message naming them (at most one a day: the
// message's id is the day and the person, and the outbox refuses a second). It does
// nothing before that hour or when the day's digest is done, so the scheduler may run
// it every minute. It returns how many messages it queued.
func (s *Service) Digest(ctx context.Context, now time.Time) (int, error) {
	local := now.In(beijing.Zone)
	if local.Hour() < feed.DigestHour {
		return 0, nil
	}
	day := local.Format(time.DateOnly)
	if done, err := s.Store.DigestDone(ctx, day); err != nil || done {
		return 0, err
	}
	entries, err := s.Store.Feed(ctx, day)
	if err != nil {
		return 0, err
	}
	byTopic := map[string][]feed.Entry{}
	for _, e := range entries {
		byTopic[e.Topic] = append(byTopic[e.Topic], e)
	}
	// Each person's new things, once each however many of their topics name them.
	type thing struct{ kind, id string }
	news := map[string][]feed.Entry{}
	seen := map[string]map[thing]bool{}
	topics := make([]string, 0, len(byTopic))
	for t := range byTopic {
		topics = append(topics, t)
	}
	slices.Sort(topics)
	for _, t := range topics {
		subs, err := s.Store.Subscribers(ctx, t)
		if err != nil {
			return 0, err
		}
		for _, openid := range subs {
			if seen[openid] == nil {
				seen[openid] = map[thing]bool{}
			}
			for _, e := range byTopic[t] {
				if k := (thing{e.Kind, e.ID}); !seen[openid][k] {
					seen[openid][k] = true
					news[openid] = append(news[openid], e)
				}
			}
		}
	}
	queued := 0
	var errs []error
	for openid, es := range news {
		slices.SortFunc(es, func(a, b feed.Entry) int { return a.At.Compare(b.At) })
		m := s.digestMessage(day, openid, es, now)
		ok, err := s.Store.QueueDigest(ctx, m)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			queued++
		}
	}
	if err := errors.Join(errs...); err != nil {
		return queued, err // the next run tries the others; those queued stay single
	}
	return queued, s.Store.MarkDigest(ctx, day, now)
}

// digestMessage is one person's digest of a day.
func (s *Service) digestMessage(day, openid string, es []feed.Entry, now time.Time) notify.Message {
	var titles []string
	for _, e := range es[:min(len(es), maxTitles)] {
		titles = append(titles, "《"+cut(e.Title, 20)+"》")
	}
	more := ""
	if len(es) > maxTitles {
		more = "等"
	}
	url := s.link("/news")
	if len(es) == 1 {
		if es[0].Kind == "item" {
			url = s.link("/items/" + es[0].ID)
		} else {
			url = s.link("/news/" + es[0].ID)
		}
	}
	return notify.Message{
		ID: "digest." + day + "." + openid, Kind: DigestKind, To: openid, URL: url,
		Data:   map[string]string{"count": strconv.Itoa(len(es)), "titles": strings.Join(titles, "、") + more, "day": day},
		Status: notify.StatusPending, DueAt: now, CreatedAt: now,
	}
}

// cut shortens s to n characters with an ellipsis.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
