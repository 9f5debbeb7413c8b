package delivery

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gubkin-news/newsbot/internal/telegram"
)

// pauses is the end of the global pause as this copy knows it. Its own
// workers raise it at once; other copies' 429s arrive on the "pause" channel
// within a millisecond; and every send first reads pause:global with its other
// checks, so a lost message costs no more than the sends already in flight.
// The end is a time, not a flag: no cache can make a copy resume early.
type pauses struct{ until atomic.Int64 } // unix ms

func (p *pauses) raise(t time.Time) {
	ms := t.UnixMilli()
	for {
		cur := p.until.Load()
		if cur >= ms || p.until.CompareAndSwap(cur, ms) {
			return
		}
	}
}

func (p *pauses) end() time.Time { return time.UnixMilli(p.until.Load()) }

// wait returns when no global pause is known.
func (p *pauses) wait(ctx context.Context) error {
	for {
		d := time.Until(p.end())
		if d <= 0 {
			return nil
		}
		if err := telegram.SleepCtx(ctx, d); err != nil {
			return err
		}
	}
}

func (e *Engine) globalPauseKey() string      { return e.s.K("pause", "global") }
func (e *Engine) chatPauseKey(c int64) string { return e.s.K("pause", "chat", id(c)) }
func (e *Engine) pauseChannel() string        { return e.s.K("pause") }

// pauseGlobal stops every send of every copy until until.
func (e *Engine) pauseGlobal(ctx context.Context, until time.Time, d time.Duration) error {
	e.pause.raise(until)
	ms := strconv.FormatInt(until.UnixMilli(), 10)
	_, err := e.s.R.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, e.globalPauseKey(), ms, d)
		p.Publish(ctx, e.pauseChannel(), ms)
		return nil
	})
	return err
}

// pauseChat stops sends to one chat until until.
func (e *Engine) pauseChat(ctx context.Context, chat int64, until time.Time, d time.Duration) error {
	return e.s.R.Set(ctx, e.chatPauseKey(chat), strconv.FormatInt(until.UnixMilli(), 10), d).Err()
}

// listenPauses follows other copies' global pauses until ctx ends.
func (e *Engine) listenPauses(ctx context.Context) {
	sub := e.s.R.Subscribe(ctx, e.pauseChannel())
	defer sub.Close()
	if v, err := e.s.R.Get(ctx, e.globalPauseKey()).Result(); err == nil {
		e.pause.raise(unixMilli(v))
	} else if !errors.Is(err, redis.Nil) && ctx.Err() == nil {
		e.log.Warn("delivery: read the global pause", "err", err)
	}
	ch := sub.Channel()
	for {
		select {
		case <-ctx.Done():
			return
		case m, ok := <-ch:
			if !ok {
				return
			}
			e.pause.raise(unixMilli(m.Payload))
		}
	}
}

func unixMilli(s string) time.Time {
	ms, _ := strconv.ParseInt(s, 10, 64)
	return time.UnixMilli(ms)
}
