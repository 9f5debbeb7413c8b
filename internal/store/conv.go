package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Conversations remembers what the bot asked a chat (e.g. «send the
// fragment with the typo»), so the next plain message answers it.
type Conversations struct{ S *Store }

func (c Conversations) key(chat int64) string {
	return c.S.K("conv", strconv.FormatInt(chat, 10))
}

// Set remembers state for ttl.
func (c Conversations) Set(ctx context.Context, chat int64, state string, ttl time.Duration) error {
	if err := c.S.R.Set(ctx, c.key(chat), state, ttl).Err(); err != nil {
		return fmt.Errorf("store: set conversation of %d: %w", chat, err)
	}
	return nil
}

// Take returns the state and forgets it ("" when there is none).
func (c Conversations) Take(ctx context.Context, chat int64) (string, error) {
	v, err := c.S.R.GetDel(ctx, c.key(chat)).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: take conversation of %d: %w", chat, err)
	}
	return v, nil
}

// Posts maps a message the bot pushed to the article it carried, so a reply
// to it (/typo, a quote) knows the article.
type Posts struct{ S *Store }

// postTTL is how long a pushed message stays linked to its article.
const postTTL = 30 * 24 * time.Hour

func (p Posts) key(chat int64, msg int) string {
	return p.S.K("post", strconv.FormatInt(chat, 10), strconv.Itoa(msg))
}

// Remember links a pushed message to its article.
func (p Posts) Remember(ctx context.Context, chat int64, msg int, articleID string) error {
	if err := p.S.R.Set(ctx, p.key(chat, msg), articleID, postTTL).Err(); err != nil {
		return fmt.Errorf("store: remember post %d/%d: %w", chat, msg, err)
	}
	return nil
}

// Article returns the article of a pushed message ("" when unknown).
func (p Posts) Article(ctx context.Context, chat int64, msg int) (string, error) {
	v, err := p.S.R.Get(ctx, p.key(chat, msg)).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: post %d/%d: %w", chat, msg, err)
	}
	return v, nil
}
