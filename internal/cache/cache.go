// Package cache keeps the last good answer of a slow or flaky upstream (the
// weather service, the Central Bank) in Redis, shared by every copy of the bot
// and surviving restarts. Readers never wait on the upstream while a value is
// cached: an old value is served at once and refreshed in the background.
package cache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/gubkin-news/newsbot/internal/metrics"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/singleflight"

	"github.com/gubkin-news/newsbot/internal/store"
)

// ErrUnavailable means nothing is cached and the upstream could not be reached:
// the handler answers with an apology instead of data.
var ErrUnavailable = errors.New("no cached value and the upstream is unavailable")

// DefaultRetryInterval is how long background and first-fill attempts pause,
// across all copies, after the upstream failed.
const DefaultRetryInterval = time.Minute

// Config says how one cached value behaves.
type Config struct {
	Name          string        // key cache:<Name>, and the name in logs
	Fresh         time.Duration // older than this, Get triggers a background refresh and reports stale
	RetryInterval time.Duration // after a failure, no background attempt for this long (0: DefaultRetryInterval)
	Now           func() time.Time
}

// Entry is what Redis holds: the last good value and when it was fetched.
type Entry[T any] struct {
	Value     T         `json:"value"`
	FetchedAt time.Time `json:"fetched_at"`
}

// FetchFunc asks the upstream for a new value. last is the cached entry, or
// nil, so a fetcher can reuse what has not changed.
type FetchFunc[T any] func(ctx context.Context, last *Entry[T]) (T, error)

// Cache is one value cached in Redis in front of one upstream.
type Cache[T any] struct {
	cfg   Config
	st    *store.Store
	log   *slog.Logger
	fetch FetchFunc[T]
	group singleflight.Group
	bg    atomic.Bool // a background refresh is running in this process
	wg    sync.WaitGroup
}

// New builds a cache; nothing is fetched until Get or Refresh.
func New[T any](cfg Config, st *store.Store, log *slog.Logger, fetch FetchFunc[T]) *Cache[T] {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RetryInterval <= 0 {
		cfg.RetryInterval = DefaultRetryInterval
	}
	if log == nil {
		log = slog.Default()
	}
	return &Cache[T]{cfg: cfg, st: st, log: log.With("cache", cfg.Name), fetch: fetch}
}

// Key is the Redis key of the cached entry.
func (c *Cache[T]) Key() string { return c.st.K("cache", c.cfg.Name) }

func (c *Cache[T]) backoffKey() string { return c.st.K("cache", c.cfg.Name, "backoff") }

// Get returns the cached entry and whether it is stale (older than Fresh). It
// waits on the upstream only when nothing is cached; then concurrent callers
// share one request, and a failure gives ErrUnavailable.
func (c *Cache[T]) Get(ctx context.Context) (Entry[T], bool, error) {
	e, err := c.load(ctx)
	if err != nil {
		c.log.Warn("cache: read failed; asking the upstream", "err", err)
	}
	if e != nil {
		stale := c.cfg.Now().Sub(e.FetchedAt) > c.cfg.Fresh
		if stale {
			c.refreshInBackground(ctx)
		}
		return *e, stale, nil
	}
	v, err := c.share(ctx, "fill", c.fill)
	if err != nil {
		return Entry[T]{}, false, err
	}
	return v, false, nil
}

// Refresh asks the upstream now and stores the answer (the cron job). On
// failure the cached value stays as it is.
func (c *Cache[T]) Refresh(ctx context.Context) error {
	_, err := c.share(ctx, "refresh", c.refresh)
	return err
}

// Wait blocks until background refreshes started by Get have finished (for
// shutdown and tests).
func (c *Cache[T]) Wait() { c.wg.Wait() }

// share runs fn once for all concurrent callers of key. The shared work is not
// cancelled by the first caller leaving; each caller stops waiting on its own ctx.
func (c *Cache[T]) share(ctx context.Context, key string, fn func(context.Context) (Entry[T], error)) (Entry[T], error) {
	work := context.WithoutCancel(ctx)
	ch := c.group.DoChan(key, func() (any, error) { return fn(work) })
	select {
	case r := <-ch:
		if r.Err != nil {
			return Entry[T]{}, r.Err
		}
		return r.Val.(Entry[T]), nil
	case <-ctx.Done():
		return Entry[T]{}, fmt.Errorf("cache %s: %w", c.cfg.Name, ctx.Err())
	}
}

// fill serves a caller that found nothing cached. It looks again first, so
// callers that queued behind a finished fill do not ask the upstream twice.
func (c *Cache[T]) fill(ctx context.Context) (Entry[T], error) {
	if e, err := c.load(ctx); err == nil && e != nil {
		return *e, nil
	}
	if c.backingOff(ctx) {
		return Entry[T]{}, fmt.Errorf("cache %s: %w (the last attempt failed less than %s ago)",
			c.cfg.Name, ErrUnavailable, c.cfg.RetryInterval)
	}
	e, err := c.share(ctx, "refresh", c.refresh)
	if err != nil {
		return Entry[T]{}, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return e, nil
}

// refresh fetches, stores and returns a new entry; a failure is logged and
// pauses background attempts for RetryInterval across all copies.
func (c *Cache[T]) refresh(ctx context.Context) (Entry[T], error) {
	last, err := c.load(ctx)
	if err != nil {
		c.log.Warn("cache: read before refresh failed", "err", err)
	}
	v, err := c.fetch(ctx, last)
	metrics.Upstream.WithLabelValues(c.cfg.Name, upstreamResult(err)).Inc()
	if err != nil {
		attrs := []any{"err", err}
		if last != nil {
			attrs = append(attrs, "serving_from", last.FetchedAt)
		}
		c.log.Error("cache: upstream refresh failed", attrs...)
		if berr := c.st.R.Set(ctx, c.backoffKey(), "1", c.cfg.RetryInterval).Err(); berr != nil {
			c.log.Warn("cache: set backoff failed", "err", berr)
		}
		return Entry[T]{}, fmt.Errorf("cache %s: refresh: %w", c.cfg.Name, err)
	}
	e := Entry[T]{Value: v, FetchedAt: c.cfg.Now()}
	if err := c.save(ctx, e); err != nil {
		// The fresh value is still good for this caller; the next refresh stores it.
		c.log.Error("cache: store failed", "err", err)
	}
	return e, nil
}

// refreshInBackground starts at most one refresh per process, skipped while
// a recent failure is backing off. The caller's answer never waits for it.
func (c *Cache[T]) refreshInBackground(ctx context.Context) {
	if !c.bg.CompareAndSwap(false, true) {
		return
	}
	c.wg.Add(1)
	work := context.WithoutCancel(ctx)
	go func() {
		defer c.wg.Done()
		defer c.bg.Store(false)
		if c.backingOff(work) {
			return
		}
		_, _ = c.share(work, "refresh", c.refresh) // refresh logs its own failure
	}()
}

func (c *Cache[T]) backingOff(ctx context.Context) bool {
	n, err := c.st.R.Exists(ctx, c.backoffKey()).Result()
	return err == nil && n > 0
}

// load reads the cached entry; nil when there is none or it cannot be decoded
// (a payload from an older version is as good as none).
func (c *Cache[T]) load(ctx context.Context) (*Entry[T], error) {
	raw, err := c.st.R.Get(ctx, c.Key()).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cache %s: read: %w", c.cfg.Name, err)
	}
	var e Entry[T]
	if err := json.Unmarshal(raw, &e); err != nil {
		c.log.Warn("cache: undecodable entry ignored", "err", err)
		return nil, nil
	}
	return &e, nil
}

// save stores the entry without expiry: an old value beats none when the
// upstream is down. A success also lifts the failure backoff.
func (c *Cache[T]) save(ctx context.Context, e Entry[T]) error {
	raw, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("cache %s: encode: %w", c.cfg.Name, err)
	}
	if err := c.st.R.Set(ctx, c.Key(), raw, 0).Err(); err != nil {
		return fmt.Errorf("cache %s: write: %w", c.cfg.Name, err)
	}
	if err := c.st.R.Del(ctx, c.backoffKey()).Err(); err != nil {
		return fmt.Errorf("cache %s: clear backoff: %w", c.cfg.Name, err)
	}
	return nil
}

func upstreamResult(err error) string {
	if err != nil {
		return "error"
	}
	return "ok"
}
