package feed

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/store"
)

// maxPublishPerRun bounds one PublishPending pass; the rest waits for the next.
const maxPublishPerRun = 500

// Ingest stores one article through the same dedup path as the feeds and
// tells whether it was new. When it is new, push is set, a Publisher is
// configured and the article is not older than PushMaxAge, it is queued for
// publishing; call PublishPending to publish the queue (RunOnce does).
// The CMS publish hook calls Ingest(ctx, a, true) then PublishPending.
//
// An article is new once ever: its id is claimed atomically in Redis, and an
// id whose URL already belongs to another article takes that article's id,
// so an edited title, a changed GUID, a reordered or second feed, a second
// category or a restart never make it new again. An edit updates the stored
// record (categories are merged, the first published time is kept).
func (in *Ingester) Ingest(ctx context.Context, a news.Article, push bool) (bool, error) {
	a, err := in.normalize(a)
	if err != nil {
		return false, err
	}
	return in.ingest(ctx, a, push)
}

// ingest is Ingest for an article that is already normalized (a parsed one).
func (in *Ingester) ingest(ctx context.Context, a news.Article, push bool) (_ bool, err error) {
	if a.ID, err = in.articles.OwnerOf(ctx, a.ID, a.URL); err != nil {
		return false, err
	}
	old, found, err := in.articles.Get(ctx, a.ID)
	if err != nil {
		return false, err
	}
	if found {
		a = merge(old, a)
	}
	slugs, err := in.cats.Learn(ctx, a)
	if err != nil {
		return false, err
	}
	if !found || !reflect.DeepEqual(old, a) {
		if err := in.articles.Save(ctx, a, slugs); err != nil {
			return false, err
		}
	}
	fresh := in.cfg.Now().Sub(a.Published) <= in.cfg.PushMaxAge
	return in.articles.Claim(ctx, a, push && fresh && in.pub != nil)
}

// normalize gives an article from outside (the CMS hook) what a parsed one
// has: a valid id, a canonical URL, a date not in the future, clean categories.
func (in *Ingester) normalize(a news.Article) (news.Article, error) {
	now := in.cfg.Now()
	a.URL = store.CanonicalURL(a.URL)
	a.Title = collapse(a.Title, false)
	if a.Title == "" {
		return a, fmt.Errorf("feed: ingest article %q: no title", a.URL)
	}
	if !store.ValidID(a.ID) {
		a.ID = ArticleID(a.ID, a.URL, a.Title, "")
	}
	if a.Published.IsZero() || a.Published.After(now) {
		a.Published = now
	}
	a.Categories = categories(a.Categories)
	return a, nil
}

// merge is the stored article updated by a new sighting: text and picture
// from the new one when it has them, categories from both, and the first
// published time, source and flags kept.
func merge(old, upd news.Article) news.Article {
	m := old
	m.URL = firstNonEmpty(upd.URL, old.URL)
	m.Title = firstNonEmpty(upd.Title, old.Title)
	m.Lead = firstNonEmpty(upd.Lead, old.Lead)
	m.FullText = firstNonEmpty(upd.FullText, old.FullText)
	if upd.Image != "" {
		m.Image, m.ImageCredit = upd.Image, upd.ImageCredit
	}
	m.Categories = categories(append(append([]string(nil), old.Categories...), upd.Categories...))
	m.Breaking = old.Breaking || upd.Breaking
	m.Pick = old.Pick || upd.Pick
	return m
}

// PublishPending hands every queued article to the Publisher, oldest first.
// An article whose Publish fails stays queued for the next run: the fan-out
// may be briefly unavailable, and dropping it would lose the push for good.
// One that waited longer than PushMaxAge is dropped with a warning, as it
// would no longer be news.
func (in *Ingester) PublishPending(ctx context.Context) error {
	if in.pub == nil {
		return nil
	}
	ids, err := in.articles.Pending(ctx, maxPublishPerRun)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		if err := in.publishOne(ctx, id); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (in *Ingester) publishOne(ctx context.Context, id string) error {
	// The lease makes two copies (cron and the CMS hook) never publish at once.
	ok, err := in.articles.TakePending(ctx, id, in.cfg.PublishLease)
	if err != nil || !ok {
		return err
	}
	a, found, err := in.articles.Get(ctx, id)
	if err != nil {
		return errors.Join(err, in.articles.ReleasePending(ctx, id))
	}
	if age := in.cfg.Now().Sub(a.Published); !found || age > in.cfg.PushMaxAge {
		in.cfg.Logger.Warn("feed: pending article dropped", "id", id, "found", found,
			"age", age.Round(time.Minute), "title", a.Title)
		return in.articles.DonePending(ctx, id)
	}
	if err := in.pub.Publish(ctx, a); err != nil {
		return errors.Join(fmt.Errorf("feed: publish %s: %w", id, err), in.articles.ReleasePending(ctx, id))
	}
	// A crash right here publishes the article again on the next run: the
	// delivery side's sent:{article}:{chat} marks keep chats from a repeat.
	return in.articles.DonePending(ctx, id)
}
