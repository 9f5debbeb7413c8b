package delivery

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Stats is the state of delivery for /stats.
type Stats struct {
	Queued       int64            // in the stream, not yet read by a sender
	Pending      int64            // read by a sender, not yet settled
	Dead         int64            // in the dead letters
	SentToday    int64            // since midnight in the configured zone
	SentLastHour int64            // in the last 60 minutes
	Dropped      map[string]int64 // deliveries not made, by reason, all time
}

// Stats reads the queue and the counters.
func (e *Engine) Stats(ctx context.Context) (Stats, error) {
	now := e.now().In(e.cfg.Location)
	var length, dead *redis.IntCmd
	var pending *redis.XPendingCmd
	var today, yesterday, dropped *redis.MapStringStringCmd
	_, _ = e.s.R.Pipelined(ctx, func(p redis.Pipeliner) error {
		length = p.XLen(ctx, e.streamKey())
		pending = p.XPending(ctx, e.streamKey(), group)
		dead = p.XLen(ctx, e.deadKey())
		today = p.HGetAll(ctx, e.k("count", "sent", now.Format(time.DateOnly)))
		yesterday = p.HGetAll(ctx, e.k("count", "sent", now.AddDate(0, 0, -1).Format(time.DateOnly)))
		dropped = p.HGetAll(ctx, e.k("dropped"))
		return nil
	})
	perr := pending.Err()
	if perr != nil && strings.HasPrefix(perr.Error(), "NOGROUP") {
		perr = nil // no sender has started yet
	}
	if err := errors.Join(length.Err(), perr, dead.Err(), today.Err(), yesterday.Err(), dropped.Err()); err != nil {
		return Stats{}, fmt.Errorf("delivery: stats: %w", err)
	}
	st := Stats{Dead: dead.Val(), Dropped: map[string]int64{}}
	if p := pending.Val(); p != nil {
		st.Pending = p.Count
	}
	st.Queued = max(0, length.Val()-st.Pending)
	for _, v := range today.Val() {
		st.SentToday += atoi(v)
	}
	for m := range 60 {
		t := now.Add(-time.Duration(m) * time.Minute)
		day := today.Val()
		if t.Day() != now.Day() {
			day = yesterday.Val()
		}
		st.SentLastHour += atoi(day[t.Format("1504")])
	}
	for k, v := range dropped.Val() {
		st.Dropped[k] = atoi(v)
	}
	return st, nil
}

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
