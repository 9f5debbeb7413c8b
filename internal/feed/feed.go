// Package feed is the ingest side of "City news": it polls the site's RSS 2.0
// and Atom feeds (conditional GET, size cap, timeout, charset decoded exactly
// once), turns items into news.Article, stores them with their categories,
// and hands each article that is new and fresh to a Publisher exactly once,
// across restarts, feed edits and several copies of the bot.
package feed

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/store"
)

// Defaults of Config; each matches the documented default of its env variable.
const (
	DefaultTimeout      = 15 * time.Second
	DefaultMaxBytes     = 5 << 20
	DefaultUserAgent    = "newsbot/1.0 (+https://github.com/gubkin-news/newsbot)"
	DefaultPushMaxAge   = 24 * time.Hour
	DefaultConcurrency  = 4
	DefaultDownAfter    = 5
	DefaultPublishLease = 2 * time.Minute
)

// Config is what the lead maps the FEED_* environment variables to.
type Config struct {
	URLs           []string      // FEED_URLS
	Timeout        time.Duration // FEED_TIMEOUT: whole request, body included
	MaxBytes       int64         // FEED_MAX_BYTES: a larger body is an error
	UserAgent      string        // FEED_USER_AGENT
	PushMaxAge     time.Duration // PUSH_MAX_AGE: older articles are stored, never pushed
	Retention      time.Duration // ARTICLE_RETENTION
	CategoriesFile string        // CATEGORIES_FILE: optional, see LoadCategories

	Concurrency  int           // feeds polled at once (default 4)
	DownAfter    int           // failures in a row before FeedDown (default 5)
	PublishLease time.Duration // how long one copy holds an article while publishing

	Now    func() time.Time // nil: time.Now
	HTTP   *http.Client     // nil: a plain client (the timeout comes from Timeout)
	Logger *slog.Logger     // nil: slog.Default()
}

func (c Config) withDefaults() Config {
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	if c.PushMaxAge <= 0 {
		c.PushMaxAge = DefaultPushMaxAge
	}
	if c.Retention <= 0 {
		c.Retention = store.DefaultRetention
	}
	if c.Concurrency <= 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.DownAfter <= 0 {
		c.DownAfter = DefaultDownAfter
	}
	if c.PublishLease <= 0 {
		c.PublishLease = DefaultPublishLease
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.HTTP == nil {
		c.HTTP = &http.Client{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Publisher receives each new article once (the fan-out to chats).
type Publisher interface {
	Publish(ctx context.Context, a news.Article) error
}

// HealthNotifier hears when a feed has failed DownAfter polls in a row and
// when it works again; each is called once per outage. An error from FeedDown
// makes the next failure try again.
type HealthNotifier interface {
	FeedDown(ctx context.Context, url, lastErr string, count int) error
	FeedUp(ctx context.Context, url string) error
}

// FeedStatus is one feed's health for the editors' /stats.
type FeedStatus = store.FeedState
