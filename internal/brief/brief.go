// Package brief sends the morning brief: at the time a chat chose (in
// TIMEZONE), one message with the weather, the rates and the top articles of
// its sections, in the chat's language. It is scheduled through Redis, so a
// restart neither loses nor repeats a day's brief.
package brief

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gubkin-news/newsbot/internal/store"
)

// DefaultTime is the time of /brief on.
const DefaultTime = "07:30"

// catchUp is how late a brief may still go (after a restart or an outage).
const catchUp = 60 * time.Minute

// Schedule keeps each chat's brief time: the field "brief" of chat:{id} and
// a set per minute of the day, brief:{HHMM}, of the chats due then.
type Schedule struct{ S *store.Store }

// ParseTime reads «07:30» or «7:30».
func ParseTime(s string) (string, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return "", fmt.Errorf("brief: %q is not a time like 07:30", s)
	}
	return t.Format("15:04"), nil
}

func (s Schedule) chatKey(chat int64) string { return s.S.K("chat", strconv.FormatInt(chat, 10)) }
func (s Schedule) minuteKey(hhmm string) string {
	return s.S.K("brief", strings.ReplaceAll(hhmm, ":", ""))
}

// Get returns the chat's brief time, "" when off.
func (s Schedule) Get(ctx context.Context, chat int64) (string, error) {
	v, err := s.S.R.HGet(ctx, s.chatKey(chat), "brief").Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("brief: get time of %d: %w", chat, err)
	}
	return v, nil
}

// Set schedules the chat's brief at hhmm ("" turns it off).
func (s Schedule) Set(ctx context.Context, chat int64, hhmm string) error {
	old, err := s.Get(ctx, chat)
	if err != nil {
		return err
	}
	_, err = s.S.R.TxPipelined(ctx, func(p redis.Pipeliner) error {
		if old != "" {
			p.SRem(ctx, s.minuteKey(old), chat)
		}
		if hhmm == "" {
			p.HDel(ctx, s.chatKey(chat), "brief")
			return nil
		}
		p.HSet(ctx, s.chatKey(chat), "brief", hhmm)
		p.SAdd(ctx, s.minuteKey(hhmm), chat)
		return nil
	})
	if err != nil {
		return fmt.Errorf("brief: set time of %d: %w", chat, err)
	}
	return nil
}

// Move gives a migrated chat's brief to its new id.
func (s Schedule) Move(ctx context.Context, from, to int64) error {
	t, err := s.Get(ctx, from)
	if err != nil || t == "" {
		return err
	}
	if err := s.Set(ctx, from, ""); err != nil {
		return err
	}
	return s.Set(ctx, to, t)
}

// due lists (chat, day) pairs whose brief time passed within catchUp of now.
func (s Schedule) due(ctx context.Context, now time.Time) (map[int64]string, error) {
	cmds := map[string]*redis.StringSliceCmd{}
	_, err := s.S.R.Pipelined(ctx, func(p redis.Pipeliner) error {
		for d := time.Duration(0); d < catchUp; d += time.Minute {
			t := now.Add(-d)
			cmds[t.Format("2006-01-02")+"|"+t.Format("15:04")] = p.SMembers(ctx, s.minuteKey(t.Format("15:04")))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("brief: due chats: %w", err)
	}
	out := map[int64]string{}
	for k, c := range cmds {
		for _, v := range c.Val() {
			if id, err := strconv.ParseInt(v, 10, 64); err == nil {
				out[id] = k[:10]
			}
		}
	}
	return out, nil
}

// claim marks the chat's brief of day as sent; false if it was already.
func (s Schedule) claim(ctx context.Context, chat int64, day string) (bool, error) {
	k := s.S.K("brief", "sent", strconv.FormatInt(chat, 10), day)
	ok, err := s.S.R.SetNX(ctx, k, 1, 48*time.Hour).Result()
	if err != nil {
		return false, fmt.Errorf("brief: claim %d %s: %w", chat, day, err)
	}
	return ok, nil
}

func (s Schedule) unclaim(ctx context.Context, chat int64, day string) {
	s.S.R.Del(ctx, s.S.K("brief", "sent", strconv.FormatInt(chat, 10), day))
}
