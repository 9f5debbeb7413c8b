package typo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gubkin-news/newsbot/internal/store"
)

// repo keeps reports in Redis. Every key used together in one command or
// transaction carries the hash tag {typo}, so it works on Redis Cluster:
//
//	{typo}:seq      string  last report id (INCR)
//	{typo}:{id}     hash    one report, expiring after Retention
//	{typo}:open     zset    open report ids by creation time (ms)
//	{typo}:pending  zset    ids whose editors' message is behind the report, by when to try (ms)
//	{typo}:moved    hash    editors' chat id → the supergroup it migrated to
type repo struct{ st *store.Store }

func (p repo) k(parts ...string) string { return p.st.K(append([]string{"{typo}"}, parts...)...) }

func (p repo) reportKey(id int64) string { return p.k(strconv.FormatInt(id, 10)) }

func ms(t time.Time) float64 { return float64(t.UnixMilli()) }

// insert stores a new report and, when due is not zero, queues it for the
// editors' chat, in one transaction: a report is never stored but forgotten.
func (p repo) insert(ctx context.Context, r Report, due time.Time) error {
	id := strconv.FormatInt(r.ID, 10)
	_, err := p.st.R.TxPipelined(ctx, func(tx redis.Pipeliner) error {
		tx.HSet(ctx, p.reportKey(r.ID), toHash(r))
		tx.Expire(ctx, p.reportKey(r.ID), Retention)
		tx.ZAdd(ctx, p.k("open"), redis.Z{Score: ms(r.Created), Member: id})
		if !due.IsZero() {
			tx.ZAdd(ctx, p.k("pending"), redis.Z{Score: ms(due), Member: id})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("typo: store report %d: %w", r.ID, err)
	}
	return nil
}

func (p repo) nextID(ctx context.Context) (int64, error) {
	id, err := p.st.R.Incr(ctx, p.k("seq")).Result()
	if err != nil {
		return 0, fmt.Errorf("typo: next report id: %w", err)
	}
	return id, nil
}

func (p repo) get(ctx context.Context, id int64) (Report, error) {
	h, err := p.st.R.HGetAll(ctx, p.reportKey(id)).Result()
	if err != nil {
		return Report{}, fmt.Errorf("typo: read report %d: %w", id, err)
	}
	if len(h) == 0 {
		return Report{}, fmt.Errorf("typo: report %d: %w", id, ErrNotFound)
	}
	return fromHash(h), nil
}

// open lists up to limit (≤ 0: all) open reports, oldest first (the
// longest waiting on top), dropping ids whose report expired.
func (p repo) open(ctx context.Context, now time.Time, limit int) ([]Report, error) {
	if err := p.trimOpen(ctx, now); err != nil {
		return nil, err
	}
	ids, err := p.st.R.ZRange(ctx, p.k("open"), 0, int64(limit)-1).Result()
	if err != nil {
		return nil, fmt.Errorf("typo: list open reports: %w", err)
	}
	out := make([]Report, 0, len(ids))
	for _, s := range ids {
		id, _ := strconv.ParseInt(s, 10, 64)
		r, err := p.get(ctx, id)
		if errors.Is(err, ErrNotFound) {
			p.st.R.ZRem(ctx, p.k("open"), s) // best effort: the next listing tries again
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func (p repo) countOpen(ctx context.Context, now time.Time) (int, error) {
	if err := p.trimOpen(ctx, now); err != nil {
		return 0, err
	}
	n, err := p.st.R.ZCard(ctx, p.k("open")).Result()
	if err != nil {
		return 0, fmt.Errorf("typo: count open reports: %w", err)
	}
	return int(n), nil
}

// trimOpen forgets open ids older than Retention: their reports expired.
func (p repo) trimOpen(ctx context.Context, now time.Time) error {
	max := strconv.FormatFloat(ms(now.Add(-Retention)), 'f', 0, 64)
	if err := p.st.R.ZRemRangeByScore(ctx, p.k("open"), "-inf", "("+max).Err(); err != nil {
		return fmt.Errorf("typo: trim open reports: %w", err)
	}
	return nil
}

// setStatusScript moves an open report to its final status, takes it off
// the open list and (when ARGV[6] is set) queues the edit of the editors'
// message. Returns -1 for no report, 0 when it was not open, 1 when changed.
var setStatusScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HGET', KEYS[1], 'status') ~= 'open' then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'status_by', ARGV[2], 'status_by_name', ARGV[3], 'status_at', ARGV[4])
redis.call('ZREM', KEYS[2], ARGV[5])
if ARGV[6] ~= '' then redis.call('ZADD', KEYS[3], ARGV[6], ARGV[5]) end
return 1`)

func (p repo) setStatus(ctx context.Context, id int64, st Status, by int64, name string, at, due time.Time) (bool, error) {
	dueArg := ""
	if !due.IsZero() {
		dueArg = strconv.FormatInt(due.UnixMilli(), 10)
	}
	keys := []string{p.reportKey(id), p.k("open"), p.k("pending")}
	n, err := setStatusScript.Run(ctx, p.st.R, keys, string(st), by, name, at.UTC().Format(time.RFC3339Nano),
		strconv.FormatInt(id, 10), dueArg).Int()
	switch {
	case err != nil:
		return false, fmt.Errorf("typo: set status of report %d: %w", id, err)
	case n < 0:
		return false, fmt.Errorf("typo: set status of report %d: %w", id, ErrNotFound)
	}
	return n == 1, nil
}
