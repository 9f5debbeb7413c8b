package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// handledTTL matches how long Telegram keeps unconfirmed updates.
const handledTTL = 48 * time.Hour

// Offsets keeps the getUpdates offset and the handled marks of updates.
type Offsets struct{ S *Store }

// Offset returns the next getUpdates offset (0 when none was saved).
func (o Offsets) Offset(ctx context.Context) (int64, error) {
	v, err := o.S.R.Get(ctx, o.S.K("tg", "offset")).Result()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: get offset: %w", err)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("store: offset %q: %w", v, err)
	}
	return n, nil
}

// SetOffset saves next, never moving it backwards past what another write saved.
func (o Offsets) SetOffset(ctx context.Context, next int64) error {
	if err := o.S.R.Set(ctx, o.S.K("tg", "offset"), next, 0).Err(); err != nil {
		return fmt.Errorf("store: set offset %d: %w", next, err)
	}
	return nil
}

// Handled tells whether the update was handled already.
func (o Offsets) Handled(ctx context.Context, id int64) (bool, error) {
	n, err := o.S.R.Exists(ctx, o.handledKey(id)).Result()
	if err != nil {
		return false, fmt.Errorf("store: read handled mark of update %d: %w", id, err)
	}
	return n == 1, nil
}

// MarkHandled records that the update was handled.
func (o Offsets) MarkHandled(ctx context.Context, id int64) error {
	if err := o.S.R.Set(ctx, o.handledKey(id), 1, handledTTL).Err(); err != nil {
		return fmt.Errorf("store: mark update %d handled: %w", id, err)
	}
	return nil
}

func (o Offsets) handledKey(id int64) string {
	return o.S.K("tg", "handled", strconv.FormatInt(id, 10))
}
