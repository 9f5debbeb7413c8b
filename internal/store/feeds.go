package store

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// FeedState is what the bot remembers of one feed between polls, in the hash
// feed:{FeedKeyID(url)}.
type FeedState struct {
	URL               string    `json:"url"`
	ETag              string    `json:"etag,omitempty"`
	LastModified      string    `json:"last_modified,omitempty"`
	LastOK            time.Time `json:"last_ok"`
	LastError         string    `json:"last_error,omitempty"`
	LastErrorAt       time.Time `json:"last_error_at"`
	ConsecutiveErrors int       `json:"consecutive_errors"`
	FirstSyncDone     bool      `json:"first_sync_done"`
	Down              bool      `json:"down"`  // FeedDown was reported, FeedUp not yet
	Items             int       `json:"items"` // items in the last full fetch
}

// FeedSync is the outcome of a good poll.
type FeedSync struct {
	ETag, LastModified string // validators for the next conditional GET; empty keeps the old ones
	Items              int    // items parsed; negative when unchanged (304)
	At                 time.Time
}

// Feeds keeps per-feed polling state: validators, health and the first-sync mark.
type Feeds struct{ S *Store }

// FeedKeyID is the short, stable key part of a feed URL: sha1(url)[:12].
func FeedKeyID(url string) string {
	sum := sha1.Sum([]byte(url))
	return hex.EncodeToString(sum[:])[:12]
}

func (f Feeds) key(url string) string { return f.S.K("feed", FeedKeyID(url)) }

// Get returns the state of the feed (zero values with URL set when none).
func (f Feeds) Get(ctx context.Context, url string) (FeedState, error) {
	m, err := f.S.R.HGetAll(ctx, f.key(url)).Result()
	if err != nil {
		return FeedState{URL: url}, fmt.Errorf("store: get feed %s: %w", url, err)
	}
	errs, _ := strconv.Atoi(m["errors"])
	items, _ := strconv.Atoi(m["items"])
	return FeedState{
		URL: url, ETag: m["etag"], LastModified: m["last_modified"],
		LastOK: unixTime(m["last_ok"]), LastError: m["last_error"],
		LastErrorAt: unixTime(m["last_error_at"]), ConsecutiveErrors: errs,
		FirstSyncDone: m["first_sync_done"] == "1", Down: m["down"] == "1", Items: items,
	}, nil
}

// MarkOK records a good poll: the error count is reset, the first sync is
// done, and recovered tells whether this call cleared a "down" mark (true
// for exactly one caller, so FeedUp is sent once even with several copies).
func (f Feeds) MarkOK(ctx context.Context, url string, s FeedSync) (recovered bool, err error) {
	fields := map[string]any{"url": url, "last_ok": s.At.Unix(), "errors": 0, "first_sync_done": "1"}
	if s.ETag != "" {
		fields["etag"] = s.ETag
	}
	if s.LastModified != "" {
		fields["last_modified"] = s.LastModified
	}
	if s.Items >= 0 {
		fields["items"] = s.Items
	}
	var del *redis.IntCmd
	_, err = f.S.R.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, f.key(url), fields)
		del = p.HDel(ctx, f.key(url), "down")
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: mark feed %s ok: %w", url, err)
	}
	return del.Val() == 1, nil
}

// MarkFailed counts a failed poll. wentDown is true for exactly one caller:
// the one whose failure first reached threshold in a row.
func (f Feeds) MarkFailed(ctx context.Context, url, msg string, at time.Time, threshold int) (count int, wentDown bool, err error) {
	var incr *redis.IntCmd
	_, err = f.S.R.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, f.key(url), "url", url, "last_error", msg, "last_error_at", at.Unix())
		incr = p.HIncrBy(ctx, f.key(url), "errors", 1)
		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("store: mark feed %s failed: %w", url, err)
	}
	count = int(incr.Val())
	if count < threshold {
		return count, false, nil
	}
	wentDown, err = f.S.R.HSetNX(ctx, f.key(url), "down", "1").Result()
	if err != nil {
		return count, false, fmt.Errorf("store: mark feed %s down: %w", url, err)
	}
	return count, wentDown, nil
}

// ClearDown removes the "down" mark without touching the error count, so a
// FeedDown notice that could not be sent is tried again on the next failure.
func (f Feeds) ClearDown(ctx context.Context, url string) error {
	if err := f.S.R.HDel(ctx, f.key(url), "down").Err(); err != nil {
		return fmt.Errorf("store: clear feed %s down mark: %w", url, err)
	}
	return nil
}

func unixTime(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n == 0 {
		return time.Time{}
	}
	return time.Unix(n, 0)
}
