package delivery

import (
	"container/heap"
	"context"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gubkin-news/newsbot/internal/metrics"
)

// maintain runs the keeper and the janitor every ClaimIdle/4:
//   - the keeper touches the entries this copy holds (XCLAIM to itself,
//     JUSTID) once they are ClaimIdle/2 idle, so an entry waiting here for its
//     time (a 429, a busy chat) is never mistaken for a dead consumer's;
//   - the janitor takes over entries idle for ClaimIdle (XAUTOCLAIM): their
//     consumer died or hangs.
func (r *runner) maintain(ctx context.Context) {
	t := time.NewTicker(r.e.cfg.ClaimIdle / 4)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.touch(ctx)
			r.claim(ctx)
			r.e.gauges(ctx)
		}
	}
}

func (r *runner) touch(ctx context.Context) {
	ids := r.heldIDs()
	for len(ids) > 0 {
		batch := ids[:min(len(ids), FanoutBatch)]
		ids = ids[len(batch):]
		err := r.e.s.R.XClaimJustID(ctx, &redis.XClaimArgs{Stream: r.e.streamKey(), Group: group,
			Consumer: r.e.cfg.Consumer, MinIdle: r.e.cfg.ClaimIdle / 2, Messages: batch}).Err()
		if err != nil && ctx.Err() == nil {
			r.e.log.Warn("delivery: keep held entries", "count", len(batch), "err", err)
			return
		}
	}
}

func (r *runner) claim(ctx context.Context) {
	start := "0-0"
	for range claimRounds {
		room := min(r.free(), readBatch)
		if room <= 0 {
			return // busy: what is left waits for the next round (or another copy)
		}
		msgs, next, err := r.e.s.R.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: r.e.streamKey(), Group: group,
			MinIdle: r.e.cfg.ClaimIdle, Start: start, Count: int64(room), Consumer: r.e.cfg.Consumer}).Result()
		if err != nil {
			if ctx.Err() == nil {
				r.e.log.Warn("delivery: claim idle entries", "err", err)
			}
			return
		}
		if len(msgs) > 0 {
			r.e.log.Info("delivery: took over entries of a silent consumer", "count", len(msgs))
			r.claimed(ctx, msgs)
		}
		if next == "0-0" || next == "" {
			return
		}
		start = next
	}
}

// claimed queues taken-over entries without blocking the keeper.
func (r *runner) claimed(ctx context.Context, msgs []redis.XMessage) {
	for _, m := range msgs {
		d, err := decode(m)
		if err != nil {
			r.e.discard(ctx, m.ID, err)
			continue
		}
		if r.hold(d.ID) {
			r.later.push(d, d.NotBefore)
		}
	}
}

// gauges refreshes the queue metrics.
func (e *Engine) gauges(ctx context.Context) {
	st, err := e.Stats(ctx)
	if err != nil {
		return
	}
	metrics.QueueDepth.WithLabelValues().Set(float64(st.Queued + st.Pending))
	metrics.QueuePending.WithLabelValues().Set(float64(st.Pending))
	metrics.DeadLetters.WithLabelValues().Set(float64(st.Dead))
}

// deferQueue holds entries until their time (a chat's next permit, a 429's
// end, a backoff) and then hands them to the workers. The entries stay
// pending in the stream meanwhile: a crash loses nothing.
type deferQueue struct {
	mu   sync.Mutex
	h    deferHeap
	wake chan struct{}
}

type deferred struct {
	at time.Time
	d  Delivery
}

func newDeferQueue() *deferQueue { return &deferQueue{wake: make(chan struct{}, 1)} }

func (q *deferQueue) push(d Delivery, at time.Time) {
	q.mu.Lock()
	heap.Push(&q.h, deferred{at: at, d: d})
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *deferQueue) run(ctx context.Context, out chan<- Delivery) {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		d, wait, ok := q.next()
		if ok {
			select {
			case out <- d:
			case <-ctx.Done():
				return
			}
			continue
		}
		t.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		case <-t.C:
		}
	}
}

// next pops the first due entry, or says how long until one is due.
func (q *deferQueue) next() (Delivery, time.Duration, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.h) == 0 {
		return Delivery{}, time.Hour, false
	}
	if wait := time.Until(q.h[0].at); wait > 0 {
		return Delivery{}, wait, false
	}
	return heap.Pop(&q.h).(deferred).d, 0, true
}

type deferHeap []deferred

func (h deferHeap) Len() int           { return len(h) }
func (h deferHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h deferHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *deferHeap) Push(x any)        { *h = append(*h, x.(deferred)) }
func (h *deferHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
