package typo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// The "to notify" queue: a report whose editors' message is missing or
// behind its status sits in {typo}:pending, scored by when to try next.
// Whoever tries first claims it by pushing the score a lease ahead, so two
// copies of the bot never send the same report at once; success removes it
// only if the claim is still the one it made (a status change in between
// queues it again).

var claimScript = redis.NewScript(`
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not s or tonumber(s) > tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1`)

var ackScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'editors_chat', ARGV[3], 'message_id', ARGV[4], 'attempts', 0)
end
local s = redis.call('ZSCORE', KEYS[2], ARGV[1])
if s and tonumber(s) == tonumber(ARGV[2]) then redis.call('ZREM', KEYS[2], ARGV[1]) end
return 1`)

var failScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'attempts', ARGV[4])
end
local s = redis.call('ZSCORE', KEYS[2], ARGV[1])
if s and tonumber(s) == tonumber(ARGV[2]) then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1]) end
return 1`)

func msArg(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// due lists up to n queued ids whose time has come.
func (p repo) due(ctx context.Context, now time.Time, n int) ([]int64, error) {
	ids, err := p.st.R.ZRangeByScore(ctx, p.k("pending"), &redis.ZRangeBy{
		Min: "-inf", Max: msArg(now), Count: int64(n)}).Result()
	if err != nil {
		return nil, fmt.Errorf("typo: list reports to notify: %w", err)
	}
	out := make([]int64, 0, len(ids))
	for _, s := range ids {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out, nil
}

// claim takes a due id until lease; false when another copy has it.
func (p repo) claim(ctx context.Context, id int64, now, lease time.Time) (bool, error) {
	n, err := claimScript.Run(ctx, p.st.R, []string{p.k("pending")},
		strconv.FormatInt(id, 10), msArg(now), msArg(lease)).Int()
	if err != nil {
		return false, fmt.Errorf("typo: claim report %d: %w", id, err)
	}
	return n == 1, nil
}

// ack records the editors' message of a report and takes it off the queue.
func (p repo) ack(ctx context.Context, id int64, claim time.Time, chatID int64, msgID int) error {
	err := ackScript.Run(ctx, p.st.R, []string{p.reportKey(id), p.k("pending")},
		strconv.FormatInt(id, 10), msArg(claim), chatID, msgID).Err()
	if err != nil {
		return fmt.Errorf("typo: record editors' message of report %d: %w", id, err)
	}
	return nil
}

// fail counts a failed attempt and puts the report back for next.
func (p repo) fail(ctx context.Context, id int64, claim, next time.Time, attempts int) error {
	err := failScript.Run(ctx, p.st.R, []string{p.reportKey(id), p.k("pending")},
		strconv.FormatInt(id, 10), msArg(claim), msArg(next), attempts).Err()
	if err != nil {
		return fmt.Errorf("typo: reschedule report %d: %w", id, err)
	}
	return nil
}

func (p repo) drop(ctx context.Context, id int64) error {
	if err := p.st.R.ZRem(ctx, p.k("pending"), strconv.FormatInt(id, 10)).Err(); err != nil {
		return fmt.Errorf("typo: drop report %d from the queue: %w", id, err)
	}
	return nil
}

// pendingCount is how many reports wait for the editors' chat (for metrics).
func (p repo) pendingCount(ctx context.Context) (int, error) {
	n, err := p.st.R.ZCard(ctx, p.k("pending")).Result()
	if err != nil {
		return 0, fmt.Errorf("typo: count reports to notify: %w", err)
	}
	return int(n), nil
}

// movedTo follows a migration of the editors' group, if one was seen.
func (p repo) movedTo(ctx context.Context, chatID int64) (int64, error) {
	s, err := p.st.R.HGet(ctx, p.k("moved"), strconv.FormatInt(chatID, 10)).Result()
	switch {
	case err == redis.Nil:
		return chatID, nil
	case err != nil:
		return chatID, fmt.Errorf("typo: read editors' chat migration: %w", err)
	}
	return i64(s), nil
}

func (p repo) move(ctx context.Context, from, to int64) error {
	err := p.st.R.HSet(ctx, p.k("moved"), strconv.FormatInt(from, 10), to).Err()
	if err != nil {
		return fmt.Errorf("typo: record editors' chat migration %d → %d: %w", from, to, err)
	}
	return nil
}
