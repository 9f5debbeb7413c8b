package feed

import (
	"context"
	"fmt"
	"github.com/gubkin-news/newsbot/internal/metrics"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/store"
)

// Ingester polls the feeds, stores articles and publishes the new ones.
// Every decision that must survive a restart or hold across copies of the
// bot (seen, pending, first sync, failures) lives in Redis, not in memory.
type Ingester struct {
	cfg      Config
	articles store.Articles
	cats     *store.Categories
	feeds    store.Feeds
	pub      Publisher      // nil: articles are stored, nothing is published
	health   HealthNotifier // nil: feed outages are only logged
}

// New builds the ingester and reads cfg.CategoriesFile.
func New(cfg Config, s *store.Store, pub Publisher, health HealthNotifier) (*Ingester, error) {
	cfg = cfg.withDefaults()
	defined, err := LoadCategories(cfg.CategoriesFile)
	if err != nil {
		return nil, err
	}
	cats, err := store.NewCategories(s, defined)
	if err != nil {
		return nil, fmt.Errorf("feed: categories file %s: %w", cfg.CategoriesFile, err)
	}
	return &Ingester{
		cfg:      cfg,
		articles: store.Articles{S: s, Retention: cfg.Retention, Now: cfg.Now},
		cats:     cats,
		feeds:    store.Feeds{S: s},
		pub:      pub,
		health:   health,
	}, nil
}

// Articles is the article store the ingester writes (for /latest, editors' lookups).
func (in *Ingester) Articles() store.Articles { return in.articles }

// Categories are the sections, learned and defined (for menus and subscriptions).
func (in *Ingester) Categories() *store.Categories { return in.cats }

// RunOnce polls every feed, at most Concurrency at a time, then publishes
// what is pending, oldest first. A failing feed never stops the others; the
// error returned is only about publishing.
func (in *Ingester) RunOnce(ctx context.Context) error {
	var g errgroup.Group
	g.SetLimit(in.cfg.Concurrency)
	for _, u := range slices.Compact(slices.Sorted(slices.Values(in.cfg.URLs))) {
		g.Go(func() error {
			res := in.poll(ctx, u)
			in.record(ctx, u, res)
			return nil
		})
	}
	_ = g.Wait() // poll reports through record, never through the group
	return in.PublishPending(ctx)
}

// pollResult is what one poll of one feed did.
type pollResult struct {
	status   string // HTTP status, "not-modified" or "error"
	items    int
	fresh    int // articles seen for the first time
	etag     string
	lastMod  string
	duration time.Duration
	err      error
}

// poll fetches, parses and ingests one feed. A panic anywhere in it (a
// parser bug on a hostile feed) becomes this feed's failure.
func (in *Ingester) poll(ctx context.Context, url string) (res pollResult) {
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			res.status, res.err = "error", fmt.Errorf("feed: poll %s: panic: %v", url, r)
		}
		res.duration = time.Since(start)
		metrics.FeedFetches.WithLabelValues(url, fetchResult(res)).Inc()
		metrics.FeedDuration.WithLabelValues(url).Observe(res.duration.Seconds())
	}()
	st, err := in.feeds.Get(ctx, url)
	if err != nil {
		return pollResult{status: "error", err: err}
	}
	f, err := in.fetch(ctx, url, st.ETag, st.LastModified)
	res = pollResult{status: "error", etag: f.ETag, lastMod: f.LastModified, items: -1}
	if f.Status != 0 {
		res.status = strconv.Itoa(f.Status)
	}
	if err != nil || f.NotModified {
		if f.NotModified {
			res.status = "not-modified"
		}
		res.err = err
		return res
	}
	arts, err := Parse(f.Body, f.ContentType, url, in.cfg.Now())
	if err != nil {
		res.err = err
		return res
	}
	res.items = len(arts)
	// The first good sync stores what is there and pushes nothing: those
	// items were published before the bot knew the feed.
	res.fresh, res.err = in.ingestAll(ctx, arts, st.FirstSyncDone)
	return res
}

// ingestAll ingests the articles and counts the new ones; the pending queue
// orders the pushes by published time, whatever the feed's order. It goes on
// after an article fails, so one bad item costs only itself, and reports the
// first error so the feed's validators are not saved (the next poll fetches
// the whole feed again instead of getting a 304).
func (in *Ingester) ingestAll(ctx context.Context, arts []news.Article, push bool) (int, error) {
	fresh := 0
	var first error
	for _, a := range arts {
		isNew, err := in.ingest(ctx, a, push)
		if err != nil && first == nil {
			first = err
		}
		if isNew {
			fresh++
		}
	}
	return fresh, first
}

// fetchResult is the metric label of a poll: ok, not_modified or error.
func fetchResult(r pollResult) string {
	switch {
	case r.err != nil:
		return "error"
	case r.status == "not-modified":
		return "not_modified"
	}
	return "ok"
}
