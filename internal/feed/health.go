package feed

import (
	"context"
	"log/slog"

	"github.com/gubkin-news/newsbot/internal/store"
)

// record saves the outcome of one poll, logs it, and tells the notifier when
// the feed goes down or comes back. The marks in Redis make each notice go
// out once even when several copies poll.
func (in *Ingester) record(ctx context.Context, url string, res pollResult) {
	log := in.cfg.Logger.With("feed", url, "status", res.status, "duration", res.duration)
	if ctx.Err() != nil {
		// Shutting down: an interrupted poll says nothing about the feed.
		log.Info("feed poll interrupted", "err", ctx.Err())
		return
	}
	if res.err != nil {
		in.recordFailure(ctx, url, res, log)
		return
	}
	recovered, err := in.feeds.MarkOK(ctx, url, store.FeedSync{
		ETag: res.etag, LastModified: res.lastMod, Items: res.items, At: in.cfg.Now()})
	if err != nil {
		log.Error("feed: save feed state", "err", err)
		return
	}
	log.Info("feed polled", "items", max(res.items, 0), "new", res.fresh)
	if recovered && in.health != nil {
		if err := in.health.FeedUp(ctx, url); err != nil {
			log.Warn("feed: FeedUp notice failed", "err", err)
		}
	}
}

func (in *Ingester) recordFailure(ctx context.Context, url string, res pollResult, log *slog.Logger) {
	count, down, err := in.feeds.MarkFailed(ctx, url, res.err.Error(), in.cfg.Now(), in.cfg.DownAfter)
	if err != nil {
		log.Error("feed: save feed failure", "err", err, "poll_err", res.err)
		return
	}
	log.Warn("feed failed", "err", res.err, "items", max(res.items, 0), "new", res.fresh, "failures", count)
	if !down || in.health == nil {
		return
	}
	if err := in.health.FeedDown(ctx, url, res.err.Error(), count); err != nil {
		log.Warn("feed: FeedDown notice failed; will retry on the next failure", "err", err)
		if err := in.feeds.ClearDown(ctx, url); err != nil {
			log.Error("feed: clear down mark", "err", err)
		}
	}
}

// Health returns the state of every configured feed, in configuration order,
// for the editors' /stats.
func (in *Ingester) Health(ctx context.Context) ([]FeedStatus, error) {
	out := make([]FeedStatus, 0, len(in.cfg.URLs))
	for _, u := range in.cfg.URLs {
		st, err := in.feeds.Get(ctx, u)
		if err != nil {
			return out, err
		}
		out = append(out, st)
	}
	return out, nil
}
