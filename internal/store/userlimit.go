package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/go-redis/redis_rate/v10"
)

// UserLimit allows each user PerMinute commands, shared by all copies of the
// bot (GCRA in Redis via redis_rate).
type UserLimit struct {
	S         *Store
	PerMinute int
	lim       *redis_rate.Limiter
}

// NewUserLimit builds the limiter.
func NewUserLimit(s *Store, perMinute int) *UserLimit {
	return &UserLimit{S: s, PerMinute: perMinute, lim: redis_rate.NewLimiter(s.R)}
}

// Allow reports whether the user may go on, and whether this is the first
// refusal of the window (answer «slow down» once, then stay silent).
func (u *UserLimit) Allow(ctx context.Context, userID int64) (bool, bool, error) {
	id := strconv.FormatInt(userID, 10)
	res, err := u.lim.Allow(ctx, u.S.K("rl", "user", id), redis_rate.PerMinute(u.PerMinute))
	if err != nil {
		return true, false, fmt.Errorf("store: user rate limit %d: %w", userID, err)
	}
	if res.Allowed > 0 {
		return true, false, nil
	}
	warn, err := u.S.R.SetNX(ctx, u.S.K("rl", "warned", id), 1, time.Minute).Result()
	if err != nil {
		return false, false, fmt.Errorf("store: user rate warn %d: %w", userID, err)
	}
	return false, warn, nil
}
