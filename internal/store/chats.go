package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gubkin-news/newsbot/internal/news"
)

// Chats keeps one hash per chat and the sets of all and of active chats.
// A chat is never deleted: a blocked one is marked inactive and keeps its settings.
type Chats struct{ S *Store }

func (c Chats) key(id int64) string { return c.S.K("chat", strconv.FormatInt(id, 10)) }

// Get returns the chat, and false when it has no record.
func (c Chats) Get(ctx context.Context, id int64) (news.Chat, bool, error) {
	m, err := c.S.R.HGetAll(ctx, c.key(id)).Result()
	if err != nil {
		return news.Chat{}, false, fmt.Errorf("store: get chat %d: %w", id, err)
	}
	if len(m) == 0 {
		return news.Chat{ID: id}, false, nil
	}
	created, _ := strconv.ParseInt(m["created"], 10, 64)
	return news.Chat{ID: id, Type: m["type"], Title: m["title"], Lang: m["lang"],
		Active: m["active"] == "1", InactiveReason: m["reason"],
		Created: time.Unix(created, 0)}, true, nil
}

// Ensure creates the chat when it has no record and reactivates it otherwise.
// It returns the chat and whether it was created now.
func (c Chats) Ensure(ctx context.Context, ch news.Chat, now time.Time) (news.Chat, bool, error) {
	created, err := c.S.R.HSetNX(ctx, c.key(ch.ID), "created", now.Unix()).Result()
	if err != nil {
		return ch, false, fmt.Errorf("store: ensure chat %d: %w", ch.ID, err)
	}
	fields := map[string]any{"active": "1", "reason": "", "type": ch.Type, "title": ch.Title}
	if created {
		fields["lang"] = ch.Lang
	}
	_, err = c.S.R.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, c.key(ch.ID), fields)
		p.SAdd(ctx, c.S.K("chats"), ch.ID)
		p.SAdd(ctx, c.S.K("chats", "active"), ch.ID)
		return nil
	})
	if err != nil {
		return ch, false, fmt.Errorf("store: ensure chat %d: %w", ch.ID, err)
	}
	got, _, err := c.Get(ctx, ch.ID)
	return got, created, err
}

// SetLang saves the chat's language.
func (c Chats) SetLang(ctx context.Context, id int64, lang string) error {
	if err := c.S.R.HSet(ctx, c.key(id), "lang", lang).Err(); err != nil {
		return fmt.Errorf("store: set lang of chat %d: %w", id, err)
	}
	return nil
}

// Deactivate marks the chat inactive with a reason (blocked, kicked, …).
func (c Chats) Deactivate(ctx context.Context, id int64, reason string) error {
	_, err := c.S.R.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, c.key(id), "active", "0", "reason", reason)
		p.SAdd(ctx, c.S.K("chats"), id)
		p.SRem(ctx, c.S.K("chats", "active"), id)
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: deactivate chat %d: %w", id, err)
	}
	return nil
}

// IsActive tells whether the chat may be sent to.
func (c Chats) IsActive(ctx context.Context, id int64) (bool, error) {
	ok, err := c.S.R.SIsMember(ctx, c.S.K("chats", "active"), id).Result()
	if err != nil {
		return false, fmt.Errorf("store: is chat %d active: %w", id, err)
	}
	return ok, nil
}

// Counts returns how many chats there are and how many are active.
func (c Chats) Counts(ctx context.Context) (total, active int64, err error) {
	total, err = c.S.R.SCard(ctx, c.S.K("chats")).Result()
	if err == nil {
		active, err = c.S.R.SCard(ctx, c.S.K("chats", "active")).Result()
	}
	if err != nil {
		return 0, 0, fmt.Errorf("store: count chats: %w", err)
	}
	return total, active, nil
}

// Move copies a chat's record to its new id (a group became a supergroup)
// and marks the old one inactive with reason "migrated".
func (c Chats) Move(ctx context.Context, from, to int64) error {
	m, err := c.S.R.HGetAll(ctx, c.key(from)).Result()
	if err != nil {
		return fmt.Errorf("store: move chat %d: %w", from, err)
	}
	if len(m) == 0 {
		return nil
	}
	m["type"] = "supergroup"
	_, err = c.S.R.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, c.key(to), m)
		p.SAdd(ctx, c.S.K("chats"), to)
		if m["active"] == "1" {
			p.SAdd(ctx, c.S.K("chats", "active"), to)
		}
		p.HSet(ctx, c.key(from), "active", "0", "reason", "migrated", "migrated_to", to)
		p.SRem(ctx, c.S.K("chats", "active"), from)
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: move chat %d to %d: %w", from, to, err)
	}
	return nil
}
