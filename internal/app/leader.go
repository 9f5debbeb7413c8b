package app

import (
	"context"
	"sync"
	"time"

	"github.com/gubkin-news/newsbot/internal/metrics"
	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

// lead runs the leader's work (polling and cron) while this copy holds the
// lease. Every copy runs lead; at most one is the leader at a time. A lost
// renewal, or a 409 from getUpdates, makes the copy step down.
func (a *App) lead(ctx context.Context) error {
	lease := &store.Lease{S: a.Store, TTL: a.Cfg.LeaderTTL}
	tick := a.Cfg.LeaderTTL / 3
	// A follower asks for the lease every second: a dead leader's lease is
	// taken at most a second after it expires.
	retry := min(tick, time.Second)
	for ctx.Err() == nil {
		ok, err := lease.TryAcquire(ctx)
		if err != nil {
			a.Log.Warn("leader lease unavailable", "err", err)
		}
		if ok {
			a.Log.Info("this copy is the leader: polling Telegram and running schedules")
			conflict := a.term(ctx, lease, tick)
			lease.Release(context.WithoutCancel(ctx))
			a.Log.Info("this copy stepped down")
			if conflict {
				_ = telegram.SleepCtx(ctx, a.Cfg.LeaderTTL) // let another copy take over
			}
		}
		_ = telegram.SleepCtx(ctx, retry)
	}
	return nil
}

// term is one leadership: poller and cron run until ctx ends, the lease is
// lost or getUpdates reports a conflict (then it returns true).
func (a *App) term(ctx context.Context, lease *store.Lease, tick time.Duration) (conflict bool) {
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	metrics.Leader.WithLabelValues().Set(1)
	a.leading.Store(true)
	defer func() { a.leading.Store(false); metrics.Leader.WithLabelValues().Set(0) }()
	conflicts := make(chan struct{}, 1)
	a.Poller.OnConflict = func() {
		select {
		case conflicts <- struct{}{}:
		default:
		}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = a.Poller.Run(tctx) }()
	a.Cron.Start()
	defer func() { cancel(); <-a.Cron.Stop().Done(); wg.Wait() }()
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-conflicts:
			a.Log.Warn("getUpdates answered 409 Conflict: stepping down")
			return true
		case <-t.C:
			if err := lease.Renew(ctx); err != nil {
				a.Log.Warn("leader lease lost", "err", err)
				return false
			}
		}
	}
}

// Leading tells whether this copy holds the leader lease now.
func (a *App) Leading() bool { return a.leading.Load() }
