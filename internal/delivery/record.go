package delivery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gubkin-news/newsbot/internal/metrics"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

// settleTries bounds the retries of a settlement once the engine is stopping.
const settleTries = 5

// worker is one sender. It takes a few entries at a time (see runner.batch),
// sends them one by one, and records the outcomes together.
type worker struct {
	r      *runner
	e      *Engine
	ledger []settlement
}

// settlement is an entry to remove from the stream with what must be
// recorded about it.
type settlement struct {
	d      Delivery
	result string
	record func(ctx context.Context, p redis.Pipeliner)
}

func (w *worker) settle(d Delivery, result string, record func(ctx context.Context, p redis.Pipeliner)) {
	w.ledger = append(w.ledger, settlement{d: d, result: result, record: record})
}

// flush removes the batch's settled entries from the stream (XACK + XDEL)
// together with their records, in one transaction: a send and its record
// never part. While Redis is away it keeps trying: the messages went out,
// and unrecorded entries would be sent again.
func (w *worker) flush(ctx context.Context) {
	if len(w.ledger) == 0 {
		return
	}
	bg := context.WithoutCancel(ctx)
	ids := make([]string, len(w.ledger))
	for i, s := range w.ledger {
		ids[i] = s.d.ID
	}
	for attempt := 0; ; attempt++ {
		_, err := w.e.s.R.TxPipelined(bg, func(p redis.Pipeliner) error {
			for _, s := range w.ledger {
				if s.record != nil {
					s.record(bg, p)
				}
			}
			w.recordSent(bg, p)
			p.XAck(bg, w.e.streamKey(), group, ids...)
			p.XDel(bg, w.e.streamKey(), ids...)
			return nil
		})
		if err == nil {
			break
		}
		if ctx.Err() != nil && attempt >= settleTries {
			w.e.log.Error("delivery: could not record settled deliveries; they may be sent again", "count", len(ids), "err", err)
			w.ledger = w.ledger[:0]
			return
		}
		if attempt == 0 {
			w.e.log.Warn("delivery: record deliveries, retrying", "count", len(ids), "err", err)
		}
		_ = telegram.SleepCtx(bg, redisBackoff(attempt))
	}
	for _, s := range w.ledger {
		w.r.release(s.d.ID)
		metrics.Deliveries.WithLabelValues(s.result).Inc()
	}
	w.ledger = w.ledger[:0]
}

// sent settles a delivery that went out: its sent mark and the minute's
// count are written by flush, for the whole batch at once.
func (w *worker) sent(d Delivery) {
	var record func(ctx context.Context, p redis.Pipeliner)
	if d.Kind == KindDigest || d.Kind == KindSummary {
		record = func(ctx context.Context, p redis.Pipeliner) { p.Del(ctx, w.e.frozenKey(d.Kind, d.ChatID, d.Item)) }
	}
	w.settle(d, "sent", record)
}

// recordSent writes the sent marks of the batch (one HSET per item) and
// adds them to this minute's count.
func (w *worker) recordSent(ctx context.Context, p redis.Pipeliner) {
	marks := map[string][]any{}
	for _, s := range w.ledger {
		if s.result == "sent" {
			key := w.e.sentKey(s.d.Kind, s.d.Item)
			marks[key] = append(marks[key], id(s.d.ChatID), markSent)
		}
	}
	n := 0
	for key, fields := range marks {
		p.HSet(ctx, key, fields...)
		n += len(fields) / 2
	}
	if n > 0 {
		now := w.e.now().In(w.e.cfg.Location)
		count := w.e.k("count", "sent", now.Format(time.DateOnly))
		p.HIncrBy(ctx, count, now.Format("1504"), int64(n))
		p.Expire(ctx, count, 48*time.Hour)
	}
}

// drop settles a delivery that cannot be made, counting its reason.
func (w *worker) drop(d Delivery, reason string, cause error) {
	w.e.log.Info("delivery: dropped", "reason", reason, "kind", d.Kind, "item", d.Item, "chat", d.ChatID, "err", cause)
	w.settle(d, reason, func(ctx context.Context, p redis.Pipeliner) {
		p.HIncrBy(ctx, w.e.k("dropped"), reason, 1)
	})
}

// collect puts an article on the chat's digest or quiet-hours list.
func (w *worker) collect(d Delivery, into Kind) {
	list := w.e.listKey(into, d.ChatID)
	w.settle(d, "held_"+string(into), func(ctx context.Context, p redis.Pipeliner) {
		p.RPush(ctx, list, d.Item)
		p.Expire(ctx, list, w.e.cfg.Keep)
		p.HSet(ctx, w.e.sentKey(d.Kind, d.Item), id(d.ChatID), markCollected)
	})
}

// failed queues the delivery again after a backoff, or gives it to the dead
// letters when it has failed MaxAttempts times.
func (w *worker) failed(d Delivery, cause error) {
	if d.Attempts+1 >= w.e.cfg.MaxAttempts {
		w.dead(d, cause)
		return
	}
	next := d
	next.Attempts++
	next.NotBefore = time.Now().Add(w.e.backoff(next.Attempts))
	w.e.log.Warn("delivery: failed, will retry", "chat", d.ChatID, "kind", d.Kind, "item", d.Item,
		"attempt", next.Attempts, "at", next.NotBefore, "err", cause)
	w.settle(d, "retry", func(ctx context.Context, p redis.Pipeliner) {
		p.XAdd(ctx, &redis.XAddArgs{Stream: w.e.streamKey(), Values: next.values()})
	})
}

// dead moves the delivery to the dead letters with its last error.
func (w *worker) dead(d Delivery, cause error) {
	w.e.log.Error("delivery: dead letter", "chat", d.ChatID, "kind", d.Kind, "item", d.Item, "attempts", d.Attempts, "err", cause)
	vals := append(d.values(), fError, fmt.Sprint(cause), fDiedAt, w.e.now().Format(time.RFC3339))
	w.settle(d, "dead", func(ctx context.Context, p redis.Pipeliner) {
		p.XAdd(ctx, &redis.XAddArgs{Stream: w.e.deadKey(), Values: vals})
		p.HIncrBy(ctx, w.e.k("dropped"), "dead_letter", 1)
	})
}

// migrated moves the chat (a group became a supergroup) and queues the same
// delivery for its new id.
func (w *worker) migrated(ctx context.Context, d Delivery, cause error) {
	var ae *telegram.APIError
	if !errors.As(cause, &ae) || ae.MigrateTo == 0 {
		w.dead(d, cause)
		return
	}
	w.e.events.ChatMigrated(ctx, d.ChatID, ae.MigrateTo)
	next := d
	next.ChatID = ae.MigrateTo
	w.e.log.Info("delivery: chat migrated, sending to its new id", "from", d.ChatID, "to", next.ChatID)
	w.settle(d, "migrated", func(ctx context.Context, p redis.Pipeliner) {
		p.HSetNX(ctx, w.e.sentKey(d.Kind, d.Item), id(next.ChatID), markQueued)
		p.XAdd(ctx, &redis.XAddArgs{Stream: w.e.streamKey(), Values: next.values()})
	})
}

// discard removes an entry that cannot be read (deleted, or not a delivery).
func (e *Engine) discard(ctx context.Context, entry string, cause error) {
	e.log.Error("delivery: dropping an unreadable entry", "entry", entry, "err", cause)
	_, err := e.s.R.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.XAck(ctx, e.streamKey(), group, entry)
		p.XDel(ctx, e.streamKey(), entry)
		p.HIncrBy(ctx, e.k("dropped"), "unreadable", 1)
		return nil
	})
	if err != nil {
		e.log.Warn("delivery: drop an unreadable entry", "entry", entry, "err", err)
	}
}

// DeadLetter is a delivery that failed too often, for the editors.
type DeadLetter struct {
	Delivery
	Err    string
	DiedAt string
}

// DeadCount is how many deliveries are in the dead letters.
func (e *Engine) DeadCount(ctx context.Context) (int64, error) {
	n, err := e.s.R.XLen(ctx, e.deadKey()).Result()
	if err != nil {
		return 0, fmt.Errorf("delivery: count dead letters: %w", err)
	}
	return n, nil
}

// DeadLetters lists up to n dead letters, oldest first.
func (e *Engine) DeadLetters(ctx context.Context, n int64) ([]DeadLetter, error) {
	msgs, err := e.s.R.XRangeN(ctx, e.deadKey(), "-", "+", n).Result()
	if err != nil {
		return nil, fmt.Errorf("delivery: list dead letters: %w", err)
	}
	out := make([]DeadLetter, 0, len(msgs))
	for _, m := range msgs {
		d, _ := decode(m)
		why, _ := m.Values[fError].(string)
		at, _ := m.Values[fDiedAt].(string)
		out = append(out, DeadLetter{Delivery: d, Err: why, DiedAt: at})
	}
	return out, nil
}

// Redrive queues every dead letter again with a fresh count of attempts.
func (e *Engine) Redrive(ctx context.Context) (int, error) {
	total, err := e.DeadCount(ctx)
	if err != nil {
		return 0, err
	}
	moved := 0
	for int64(moved) < total { // letters that die again meanwhile wait for the next redrive
		msgs, err := e.s.R.XRangeN(ctx, e.deadKey(), "-", "+", min(readBatch, total-int64(moved))).Result()
		if err != nil || len(msgs) == 0 {
			return moved, wrapRedrive(err)
		}
		if _, err := e.s.R.TxPipelined(ctx, func(p redis.Pipeliner) error {
			for _, m := range msgs {
				if d, err := decode(m); err == nil {
					d.Attempts, d.NotBefore = 0, time.Time{}
					p.XAdd(ctx, &redis.XAddArgs{Stream: e.streamKey(), Values: d.values()})
				}
				p.XDel(ctx, e.deadKey(), m.ID)
			}
			return nil
		}); err != nil {
			return moved, wrapRedrive(err)
		}
		moved += len(msgs)
	}
	e.log.Info("delivery: dead letters queued again", "count", moved)
	return moved, nil
}

func wrapRedrive(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("delivery: redrive dead letters: %w", err)
}
