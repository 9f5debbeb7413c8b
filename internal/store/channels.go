package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// Channels remembers which channel a private chat manages (/connect).
type Channels struct{ S *Store }

func (c Channels) key(manager int64) string {
	return c.S.K("manages", strconv.FormatInt(manager, 10))
}

// Connect links the manager's private chat to a channel.
func (c Channels) Connect(ctx context.Context, manager, channel int64) error {
	if err := c.S.R.Set(ctx, c.key(manager), channel, 0).Err(); err != nil {
		return fmt.Errorf("store: connect %d to channel %d: %w", manager, channel, err)
	}
	return nil
}

// Connected is the manager's channel (0 for none).
func (c Channels) Connected(ctx context.Context, manager int64) (int64, error) {
	id, err := c.S.R.Get(ctx, c.key(manager)).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: channel of %d: %w", manager, err)
	}
	return id, nil
}

// Disconnect forgets the link (the channel keeps its sections).
func (c Channels) Disconnect(ctx context.Context, manager int64) error {
	if err := c.S.R.Del(ctx, c.key(manager)).Err(); err != nil {
		return fmt.Errorf("store: disconnect %d: %w", manager, err)
	}
	return nil
}
