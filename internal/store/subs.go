package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Subs keeps which sections each chat follows, both ways: chat → slugs and
// slug → chats, so a fan-out never loops over all chats.
type Subs struct{ S *Store }

func (s Subs) chatKey(id int64) string   { return s.S.K("chat", strconv.FormatInt(id, 10), "cats") }
func (s Subs) catKey(slug string) string { return s.S.K("cat", slug, "chats") }

// Follow subscribes the chat to a section; it reports whether it was new.
func (s Subs) Follow(ctx context.Context, chatID int64, slug string) (bool, error) {
	var added *redis.IntCmd
	_, err := s.S.R.TxPipelined(ctx, func(p redis.Pipeliner) error {
		added = p.SAdd(ctx, s.chatKey(chatID), slug)
		p.SAdd(ctx, s.catKey(slug), chatID)
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: follow %s for chat %d: %w", slug, chatID, err)
	}
	return added.Val() == 1, nil
}

// Unfollow removes one section; it reports whether the chat followed it.
func (s Subs) Unfollow(ctx context.Context, chatID int64, slug string) (bool, error) {
	var removed *redis.IntCmd
	_, err := s.S.R.TxPipelined(ctx, func(p redis.Pipeliner) error {
		removed = p.SRem(ctx, s.chatKey(chatID), slug)
		p.SRem(ctx, s.catKey(slug), chatID)
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: unfollow %s for chat %d: %w", slug, chatID, err)
	}
	return removed.Val() == 1, nil
}

// UnfollowAll removes every section of the chat and returns how many there were.
func (s Subs) UnfollowAll(ctx context.Context, chatID int64) (int, error) {
	slugs, err := s.Of(ctx, chatID)
	if err != nil {
		return 0, err
	}
	_, err = s.S.R.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, slug := range slugs {
			p.SRem(ctx, s.catKey(slug), chatID)
		}
		p.Del(ctx, s.chatKey(chatID))
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: unfollow all for chat %d: %w", chatID, err)
	}
	return len(slugs), nil
}

// Of lists the slugs the chat follows.
func (s Subs) Of(ctx context.Context, chatID int64) ([]string, error) {
	out, err := s.S.R.SMembers(ctx, s.chatKey(chatID)).Result()
	if err != nil {
		return nil, fmt.Errorf("store: sections of chat %d: %w", chatID, err)
	}
	return out, nil
}

// Count is how many chats follow a section.
func (s Subs) Count(ctx context.Context, slug string) (int64, error) {
	n, err := s.S.R.SCard(ctx, s.catKey(slug)).Result()
	if err != nil {
		return 0, fmt.Errorf("store: count followers of %s: %w", slug, err)
	}
	return n, nil
}

// ScanFollowers calls fn with batches of the chats following any of slugs,
// each chat once. The union is built inside Redis and read with SSCAN, so
// memory stays flat however many followers there are.
func (s Subs) ScanFollowers(ctx context.Context, slugs []string, batch int, fn func([]int64) error) error {
	if len(slugs) == 0 {
		return nil
	}
	keys := make([]string, len(slugs))
	for i, slug := range slugs {
		keys[i] = s.catKey(slug)
	}
	tmp := s.S.K("tmp", "union", strconv.FormatInt(time.Now().UnixNano(), 36))
	if err := s.S.R.SUnionStore(ctx, tmp, keys...).Err(); err != nil {
		return fmt.Errorf("store: union followers of %v: %w", slugs, err)
	}
	defer s.S.R.Del(context.WithoutCancel(ctx), tmp)
	s.S.R.Expire(ctx, tmp, 10*time.Minute)
	return scanIDs(ctx, s.S.R, tmp, batch, fn)
}

func scanIDs(ctx context.Context, r redis.UniversalClient, key string, batch int, fn func([]int64) error) error {
	var cursor uint64
	for {
		vals, next, err := r.SScan(ctx, key, cursor, "", int64(batch)).Result()
		if err != nil {
			return fmt.Errorf("store: scan %s: %w", key, err)
		}
		ids := make([]int64, 0, len(vals))
		for _, v := range vals {
			if id, err := strconv.ParseInt(v, 10, 64); err == nil {
				ids = append(ids, id)
			}
		}
		if len(ids) > 0 {
			if err := fn(ids); err != nil {
				return err
			}
		}
		if cursor = next; cursor == 0 {
			return nil
		}
	}
}

// Move gives a migrated chat's sections to its new id.
func (s Subs) Move(ctx context.Context, from, to int64) error {
	slugs, err := s.Of(ctx, from)
	if err != nil || len(slugs) == 0 {
		return err
	}
	for _, slug := range slugs {
		if _, err := s.Follow(ctx, to, slug); err != nil {
			return err
		}
	}
	_, err = s.UnfollowAll(ctx, from)
	return err
}
