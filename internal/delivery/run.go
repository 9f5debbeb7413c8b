package delivery

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gubkin-news/newsbot/internal/metrics"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

const (
	readBatch     = 100 // entries per XREADGROUP
	heldPerWorker = 64  // entries a copy holds (read, waiting, in flight) per worker: back-pressure
	claimRounds   = 10  // XAUTOCLAIM pages per janitor round
	maxBatch      = 16
	batchAge      = 10 * time.Millisecond // how stale a batch's checks may get at full rate
)

// runner is one Run of the engine: a reader, Workers senders, a queue of
// entries waiting for their time, and the keeper of this copy's entries.
type runner struct {
	e       *Engine
	work    chan Delivery
	later   *deferQueue
	mu      sync.Mutex
	held    map[string]struct{} // entries this copy has read and not settled
	room    chan struct{}       // a token when held shrank
	maxHeld int
	batch   int // entries a worker checks and records together
	last429 group429
}

// Run sends until ctx ends: it first takes back the entries this consumer
// had read before a restart, then reads new ones; a janitor takes over the
// entries of consumers that went silent. It returns nil when ctx ends.
func (e *Engine) Run(ctx context.Context) error {
	if !e.ensureGroup(ctx) {
		return nil
	}
	batch := batchFor(e.cfg.Rate)
	r := &runner{e: e, work: make(chan Delivery, e.cfg.Workers*batch), later: newDeferQueue(), batch: batch,
		held: map[string]struct{}{}, room: make(chan struct{}, 1), maxHeld: e.cfg.Workers * heldPerWorker}
	var wg sync.WaitGroup
	start := func(f func(context.Context)) {
		wg.Add(1)
		go func() { defer wg.Done(); f(ctx) }()
	}
	start(e.listenPauses)
	start(r.read)
	start(func(ctx context.Context) { r.later.run(ctx, r.work) })
	start(r.maintain)
	for range e.cfg.Workers {
		start(r.worker)
	}
	e.log.Info("delivery: senders started", "consumer", e.cfg.Consumer, "workers", e.cfg.Workers, "rate", e.cfg.Rate)
	wg.Wait()
	return nil
}

// batchFor sizes a worker's batch so that its checks are at most a few
// milliseconds old when its last entry is sent: one at Telegram's usual 30/s,
// more as the rate allows.
func batchFor(rate float64) int {
	return max(1, min(maxBatch, int(rate*batchAge.Seconds())))
}

// ensureGroup creates the consumer group (from the stream's start, so
// entries queued before the first Run are read), waiting out Redis.
func (e *Engine) ensureGroup(ctx context.Context) bool {
	for attempt := 0; ; attempt++ {
		err := e.s.R.XGroupCreateMkStream(ctx, e.streamKey(), group, "0").Err()
		if err == nil || strings.HasPrefix(err.Error(), "BUSYGROUP") {
			return true
		}
		e.log.Warn("delivery: create the consumer group", "err", err)
		if telegram.SleepCtx(ctx, redisBackoff(attempt)) != nil {
			return false
		}
	}
}

// redisBackoff is how long to wait after Redis failed attempt+1 times:
// short, so sending resumes soon after Redis is back.
func redisBackoff(attempt int) time.Duration {
	return min(100*time.Millisecond<<min(attempt, 5), 3*time.Second)
}

func (r *runner) read(ctx context.Context) {
	r.readOwn(ctx)
	for failures := 0; ctx.Err() == nil; {
		if r.e.pause.wait(ctx) != nil {
			return
		}
		n := r.waitRoom(ctx)
		if n == 0 {
			return
		}
		res, err := r.e.s.R.XReadGroup(ctx, &redis.XReadGroupArgs{Group: group, Consumer: r.e.cfg.Consumer,
			Streams: []string{r.e.streamKey(), ">"}, Count: int64(n), Block: time.Second}).Result()
		switch {
		case errors.Is(err, redis.Nil):
			failures = 0
		case err != nil:
			failures = r.readFailed(ctx, err, failures)
		default:
			failures = 0
			for _, s := range res {
				r.dispatch(ctx, s.Messages)
			}
		}
	}
}

func (r *runner) readFailed(ctx context.Context, err error, failures int) int {
	if ctx.Err() != nil {
		return failures
	}
	r.e.log.Warn("delivery: read the stream", "err", err)
	metrics.RedisErrors.WithLabelValues("delivery").Inc()
	if strings.Contains(err.Error(), "NOGROUP") {
		r.e.ensureGroup(ctx)
	}
	_ = telegram.SleepCtx(ctx, redisBackoff(failures))
	return failures + 1
}

// readOwn takes back what this consumer had read and not acknowledged
// before a restart (XREADGROUP from id 0).
func (r *runner) readOwn(ctx context.Context) {
	next := "0"
	for failures := 0; ctx.Err() == nil; {
		res, err := r.e.s.R.XReadGroup(ctx, &redis.XReadGroupArgs{Group: group, Consumer: r.e.cfg.Consumer,
			Streams: []string{r.e.streamKey(), next}, Count: readBatch}).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			failures = r.readFailed(ctx, err, failures)
			continue
		}
		if len(res) == 0 || len(res[0].Messages) == 0 {
			return
		}
		msgs := res[0].Messages
		next = msgs[len(msgs)-1].ID
		r.e.log.Info("delivery: taking back entries read before a restart", "count", len(msgs))
		r.dispatch(ctx, msgs)
	}
}

// dispatch holds the entries and hands them to the workers (or to the
// waiting queue when they are not due yet).
func (r *runner) dispatch(ctx context.Context, msgs []redis.XMessage) {
	for _, m := range msgs {
		d, err := decode(m)
		if err != nil {
			r.e.discard(ctx, m.ID, err)
			continue
		}
		if !r.hold(d.ID) {
			continue // already ours (the janitor found one of our own)
		}
		if d.NotBefore.After(time.Now()) {
			r.later.push(d, d.NotBefore)
			continue
		}
		select {
		case r.work <- d:
		case <-ctx.Done():
			return
		}
	}
}

func (r *runner) worker(ctx context.Context) {
	w := &worker{r: r, e: r.e}
	for {
		select {
		case <-ctx.Done():
			return
		case d := <-r.work:
			w.handle(ctx, r.take(d))
		}
	}
}

// take adds to first what else is waiting, up to the batch size.
func (r *runner) take(first Delivery) []Delivery {
	ds := []Delivery{first}
	for len(ds) < r.batch {
		select {
		case d := <-r.work:
			ds = append(ds, d)
		default:
			return ds
		}
	}
	return ds
}

func (r *runner) hold(entry string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.held[entry]; ok {
		return false
	}
	r.held[entry] = struct{}{}
	return true
}

func (r *runner) release(entry string) {
	r.mu.Lock()
	delete(r.held, entry)
	r.mu.Unlock()
	select {
	case r.room <- struct{}{}:
	default:
	}
}

// waitRoom returns how many entries the reader may take now (0: ctx ended).
func (r *runner) waitRoom(ctx context.Context) int {
	for {
		if free := r.free(); free > 0 {
			return min(free, readBatch)
		}
		select {
		case <-ctx.Done():
			return 0
		case <-r.room:
		}
	}
}

// free is how many more entries this copy may hold.
func (r *runner) free() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.maxHeld - len(r.held)
}

func (r *runner) heldIDs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.held))
	for k := range r.held {
		out = append(out, k)
	}
	return out
}
