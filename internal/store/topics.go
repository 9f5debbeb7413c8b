package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// topicBase is below every real Telegram chat id (supergroups and channels
// are about -10¹²…-10¹³): a forum topic's recipient id is topicBase − n.
const topicBase int64 = -9_000_000_000_000_000

// Topics gives each forum topic (chat, message_thread_id) its own recipient
// id, so a topic subscribes on its own and the delivery engine, which knows
// recipients by one int64, needs no change.
type Topics struct{ S *Store }

// IsTopic tells whether a recipient id stands for a forum topic.
func IsTopic(id int64) bool { return id <= topicBase }

// ID returns the recipient id of the topic, creating it on first use.
func (t Topics) ID(ctx context.Context, chat int64, thread int) (int64, error) {
	key := t.S.K("topic", strconv.FormatInt(chat, 10), strconv.Itoa(thread))
	if v, err := t.S.R.Get(ctx, key).Int64(); err == nil {
		return v, nil
	} else if !errors.Is(err, redis.Nil) {
		return 0, fmt.Errorf("store: topic %d/%d: %w", chat, thread, err)
	}
	n, err := t.S.R.Incr(ctx, t.S.K("topic", "seq")).Result()
	if err != nil {
		return 0, fmt.Errorf("store: new topic id: %w", err)
	}
	id := topicBase - n
	ok, err := t.S.R.SetNX(ctx, key, id, 0).Result()
	if err != nil {
		return 0, fmt.Errorf("store: save topic %d/%d: %w", chat, thread, err)
	}
	if !ok { // another copy made it first
		return t.ID(ctx, chat, thread)
	}
	err = t.S.R.HSet(ctx, t.S.K("topic", "of", strconv.FormatInt(id, 10)), "chat", chat, "thread", thread).Err()
	if err != nil {
		return 0, fmt.Errorf("store: save topic %d: %w", id, err)
	}
	return id, nil
}

// Resolve returns the chat and thread of a topic recipient id.
func (t Topics) Resolve(ctx context.Context, id int64) (int64, int, error) {
	m, err := t.S.R.HGetAll(ctx, t.S.K("topic", "of", strconv.FormatInt(id, 10))).Result()
	if err != nil {
		return 0, 0, fmt.Errorf("store: resolve topic %d: %w", id, err)
	}
	chat, err1 := strconv.ParseInt(m["chat"], 10, 64)
	thread, err2 := strconv.Atoi(m["thread"])
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("store: topic %d is unknown", id)
	}
	return chat, thread, nil
}
