package alerts

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/redis/go-redis/v9"
)

// addScript adds a phrase to a chat's list and to the index in one step, so
// two concurrent /follow commands cannot pass the limit together.
// KEYS: chat list, first-stem set, phrase chats. ARGV: norm, typed, chat, limit.
var addScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 'exists' end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then return 'too_many' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[3], ARGV[2])
return 'ok'`)

// removeScript removes a phrase from a chat's list; the phrase leaves the
// first-stem index only when no chat follows or mutes it any more.
// KEYS: chat list, first-stem set, phrase chats, phrase chats of the other
// list. ARGV: norm, chat. Returns the phrase as typed, or nil.
var removeScript = redis.NewScript(`
local typed = redis.call('HGET', KEYS[1], ARGV[1])
if not typed then return false end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[2])
if redis.call('EXISTS', KEYS[3]) == 0 and redis.call('EXISTS', KEYS[4]) == 0 then
  redis.call('SREM', KEYS[2], ARGV[1])
end
return typed`)

// moveScript hands one phrase of a chat over to another chat id. The phrase
// keeps a chat, so the first-stem index is untouched. The limit is not
// checked: a migrated group keeps everything it had.
// KEYS: from list, to list, phrase chats. ARGV: norm, from, to.
var moveScript = redis.NewScript(`
local typed = redis.call('HGET', KEYS[1], ARGV[1])
if not typed then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[2])
if redis.call('HSETNX', KEYS[2], ARGV[1], typed) == 1 then
  redis.call('HSET', KEYS[3], ARGV[3], typed)
end
return 1`)

// Follow makes the chat receive every article that mentions phrase.
func (a *Alerts) Follow(ctx context.Context, chatID int64, phrase string) error {
	return a.add(ctx, follows, chatID, phrase)
}

// Mute makes the chat skip articles of its sections that mention phrase.
func (a *Alerts) Mute(ctx context.Context, chatID int64, phrase string) error {
	return a.add(ctx, mutes, chatID, phrase)
}

// Unfollow removes phrase, matched after normalisation: /unfollow комсомольской
// removes «Комсомольская».
func (a *Alerts) Unfollow(ctx context.Context, chatID int64, phrase string) error {
	return a.remove(ctx, follows, chatID, phrase)
}

// Unmute removes phrase from the mute list, matched after normalisation.
func (a *Alerts) Unmute(ctx context.Context, chatID int64, phrase string) error {
	return a.remove(ctx, mutes, chatID, phrase)
}

// UnfollowAll empties the follow list and tells how many phrases it held.
func (a *Alerts) UnfollowAll(ctx context.Context, chatID int64) (int, error) {
	return a.removeAll(ctx, follows, chatID)
}

// UnmuteAll empties the mute list and tells how many phrases it held.
func (a *Alerts) UnmuteAll(ctx context.Context, chatID int64) (int, error) {
	return a.removeAll(ctx, mutes, chatID)
}

// Following lists the chat's followed phrases as typed, in alphabetical order.
func (a *Alerts) Following(ctx context.Context, chatID int64) ([]string, error) {
	return a.phrases(ctx, follows, chatID)
}

// Muted lists the chat's muted phrases as typed, in alphabetical order.
func (a *Alerts) Muted(ctx context.Context, chatID int64) ([]string, error) {
	return a.phrases(ctx, mutes, chatID)
}

func (a *Alerts) add(ctx context.Context, l list, chatID int64, phrase string) error {
	typed, err := ParseArg(phrase)
	if err != nil {
		return withList(err, l)
	}
	res, err := a.addScriptCmd(ctx, a.st.R, l, chatID, typed).Text()
	if err != nil {
		return fmt.Errorf("alerts: %s %q for chat %d: %w", l, typed, chatID, err)
	}
	switch res {
	case "exists":
		return &Error{Kind: ErrExists, Mute: l == mutes, Phrase: typed}
	case "too_many":
		return &Error{Kind: ErrTooMany, Mute: l == mutes, Phrase: typed}
	}
	return nil
}

func (a *Alerts) remove(ctx context.Context, l list, chatID int64, phrase string) error {
	typed, err := ParseArg(phrase)
	if err != nil {
		return withList(err, l)
	}
	err = a.removeScriptCmd(ctx, a.st.R, l, chatID, normalize(typed)).Err()
	if errors.Is(err, redis.Nil) {
		return &Error{Kind: ErrNotFound, Mute: l == mutes, Phrase: typed}
	}
	if err != nil {
		return fmt.Errorf("alerts: un%s %q for chat %d: %w", l, typed, chatID, err)
	}
	return nil
}

// addScriptCmd runs addScript on c for a phrase that passed ParseArg.
func (a *Alerts) addScriptCmd(ctx context.Context, c redis.Scripter, l list, chatID int64, typed string) *redis.Cmd {
	nrm := normalize(typed)
	first, _, _ := strings.Cut(nrm, " ")
	keys := []string{a.chatKey(l, chatID), a.firstKey(first), a.phraseKey(l, nrm)}
	if p, ok := c.(redis.Pipeliner); ok {
		return addScript.Eval(ctx, p, keys, nrm, typed, chatID, MaxPhrases)
	}
	return addScript.Run(ctx, c, keys, nrm, typed, chatID, MaxPhrases)
}

// removeScriptCmd runs removeScript on c; with a pipeline it sends the
// script body (EVAL), since EVALSHA cannot fall back inside a pipeline.
func (a *Alerts) removeScriptCmd(ctx context.Context, c redis.Scripter, l list, chatID int64, nrm string) *redis.Cmd {
	first, _, _ := strings.Cut(nrm, " ")
	keys := []string{a.chatKey(l, chatID), a.firstKey(first), a.phraseKey(l, nrm), a.phraseKey(l.other(), nrm)}
	if p, ok := c.(redis.Pipeliner); ok {
		return removeScript.Eval(ctx, p, keys, nrm, chatID)
	}
	return removeScript.Run(ctx, c, keys, nrm, chatID)
}

func (a *Alerts) removeAll(ctx context.Context, l list, chatID int64) (int, error) {
	norms, err := a.st.R.HKeys(ctx, a.chatKey(l, chatID)).Result()
	if err != nil {
		return 0, fmt.Errorf("alerts: read %s list of chat %d: %w", l, chatID, err)
	}
	if len(norms) == 0 {
		return 0, nil
	}
	pipe := a.st.R.Pipeline()
	cmds := make([]*redis.Cmd, len(norms))
	for i, n := range norms {
		cmds[i] = a.removeScriptCmd(ctx, pipe, l, chatID, n)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return 0, fmt.Errorf("alerts: clear %s list of chat %d: %w", l, chatID, err)
	}
	removed := 0
	for _, c := range cmds {
		if c.Err() == nil {
			removed++ // redis.Nil: a concurrent command removed it first
		}
	}
	return removed, nil
}

func (a *Alerts) phrases(ctx context.Context, l list, chatID int64) ([]string, error) {
	out, err := a.st.R.HVals(ctx, a.chatKey(l, chatID)).Result()
	if err != nil {
		return nil, fmt.Errorf("alerts: read %s list of chat %d: %w", l, chatID, err)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out, nil
}

// MoveChat hands both lists of a group over to the supergroup it migrated
// to. Phrases the new id already has are kept once.
func (a *Alerts) MoveChat(ctx context.Context, from, to int64) error {
	if from == to {
		return nil
	}
	for _, l := range []list{follows, mutes} {
		norms, err := a.st.R.HKeys(ctx, a.chatKey(l, from)).Result()
		if err != nil {
			return fmt.Errorf("alerts: move chat %d to %d: read %s list: %w", from, to, l, err)
		}
		pipe := a.st.R.Pipeline()
		for _, n := range norms {
			keys := []string{a.chatKey(l, from), a.chatKey(l, to), a.phraseKey(l, n)}
			moveScript.Eval(ctx, pipe, keys, n, from, to)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return fmt.Errorf("alerts: move chat %d to %d: %s list: %w", from, to, l, err)
		}
	}
	return nil
}

// RemoveChat forgets both lists of a chat (it left, or blocked the bot).
func (a *Alerts) RemoveChat(ctx context.Context, chatID int64) error {
	if _, err := a.UnfollowAll(ctx, chatID); err != nil {
		return err
	}
	_, err := a.UnmuteAll(ctx, chatID)
	return err
}

// withList tells which list a ParseArg error was about.
func withList(err error, l list) error {
	var e *Error
	if errors.As(err, &e) {
		c := *e
		c.Mute = l == mutes
		return &c
	}
	return err
}
