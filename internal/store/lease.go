package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bsm/redislock"
)

// Lease is the leader lease: SET NX PX with a random token (bsm/redislock),
// renewed by its holder; whoever holds it polls Telegram and runs cron.
type Lease struct {
	S    *Store
	TTL  time.Duration
	lock *redislock.Lock
}

// TryAcquire takes the lease if nobody holds it.
func (l *Lease) TryAcquire(ctx context.Context) (bool, error) {
	lock, err := redislock.New(l.S.R).Obtain(ctx, l.S.K("leader"), l.TTL, nil)
	if errors.Is(err, redislock.ErrNotObtained) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: obtain leader lease: %w", err)
	}
	l.lock = lock
	return true, nil
}

// Renew extends the lease; an error means it is lost (or Redis is unreachable,
// which the holder must treat the same way).
func (l *Lease) Renew(ctx context.Context) error {
	if l.lock == nil {
		return errors.New("store: renew: no lease held")
	}
	if err := l.lock.Refresh(ctx, l.TTL, nil); err != nil {
		return fmt.Errorf("store: renew leader lease: %w", err)
	}
	return nil
}

// Release gives the lease up at once, so another copy need not wait the TTL.
func (l *Lease) Release(ctx context.Context) {
	if l.lock != nil {
		_ = l.lock.Release(ctx)
		l.lock = nil
	}
}
