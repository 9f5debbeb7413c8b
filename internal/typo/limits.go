package typo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// Anti-abuse limits, shared by every copy of the bot through Redis. The
// site's follow Newrphus (10 per IP in 5 minutes, the same text ignored
// for 5 minutes); a Telegram reader is known, so gets a longer memory.
const (
	TelegramReportsPerWindow = 5
	TelegramWindow           = 10 * time.Minute
	TelegramDuplicateTTL     = time.Hour
	SiteReportsPerWindow     = 10
	SiteWindow               = 5 * time.Minute
	SiteDuplicateTTL         = 5 * time.Minute
)

var (
	telegramLimit = redis_rate.Limit{Rate: TelegramReportsPerWindow, Burst: TelegramReportsPerWindow, Period: TelegramWindow}
	siteLimit     = redis_rate.Limit{Rate: SiteReportsPerWindow, Burst: SiteReportsPerWindow, Period: SiteWindow}
)

// SubmitTelegram applies the Telegram limits (fragment length, 5 reports a
// user in 10 minutes, the same fragment of the same article once an hour)
// and submits. Refusals are ErrEmpty, ErrTooLong, *RateLimitedError and
// *DuplicateError; ReaderText gives their texts.
func (s *Service) SubmitTelegram(ctx context.Context, r Report) (Report, error) {
	f, err := CheckFragment(r.Fragment)
	if err != nil {
		return r, err
	}
	r.Fragment, r.Source = f, SourceTelegram
	who := r.Reporter.UserID
	if who == 0 {
		who = r.Reporter.ChatID
	}
	if err := s.allow(ctx, "tg:"+strconv.FormatInt(who, 10), telegramLimit); err != nil {
		return r, err
	}
	return s.submit(ctx, r, s.dupKey(SourceTelegram, r.URL, f), TelegramDuplicateTTL)
}

// allow takes one report from the budget of key.
func (s *Service) allow(ctx context.Context, key string, lim redis_rate.Limit) error {
	res, err := s.limit.Allow(ctx, s.repo.st.K("typo", "rate", key), lim)
	if err != nil {
		return fmt.Errorf("typo: rate limit %s: %w", key, err)
	}
	if res.Allowed == 0 {
		return &RateLimitedError{RetryAfter: res.RetryAfter}
	}
	return nil
}

// dupKey names a fragment of a page, whatever its case, spacing or the
// #anchor of the URL.
func (s *Service) dupKey(src Source, rawURL, fragment string) string {
	if u, err := url.Parse(strings.TrimSpace(rawURL)); err == nil {
		u.Fragment, u.Host = "", strings.ToLower(u.Host)
		rawURL = u.String()
	}
	sum := sha256.Sum256([]byte(rawURL + "\n" + strings.ToLower(squash(strings.TrimSpace(fragment)))))
	return s.repo.st.K("typo", "dup", string(src), hex.EncodeToString(sum[:16]))
}

// holdDuplicate claims key for report id, or names the report that has it.
func (s *Service) holdDuplicate(ctx context.Context, key string, id int64, ttl time.Duration) error {
	for try := 0; try < 2; try++ { // a second try when the key expired in between
		ok, err := s.repo.st.R.SetNX(ctx, key, id, ttl).Result()
		if err != nil {
			return fmt.Errorf("typo: check duplicate: %w", err)
		}
		if ok {
			return nil
		}
		old, err := s.repo.st.R.Get(ctx, key).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return fmt.Errorf("typo: read duplicate: %w", err)
		}
		return &DuplicateError{ID: i64(old)}
	}
	return &DuplicateError{}
}

// releaseDuplicate frees the key of a report that could not be stored.
func (s *Service) releaseDuplicate(ctx context.Context, key string) {
	if key == "" {
		return
	}
	if err := s.repo.st.R.Del(ctx, key).Err(); err != nil {
		s.cfg.Log.Warn("typo: duplicate key not released", "err", err)
	}
}

// ReaderText maps a refusal to the locale text the reader should get
// (for bot.Reply); ok is false for errors that are not the reader's.
func ReaderText(err error) (id string, data map[string]any, ok bool) {
	var rl *RateLimitedError
	var dup *DuplicateError
	switch {
	case errors.Is(err, ErrEmpty):
		return "typo_usage", nil, true
	case errors.Is(err, ErrTooLong):
		return "typo_too_long", map[string]any{"Max": MaxFragmentRunes}, true
	case errors.As(err, &rl):
		return "typo_rate_limited", map[string]any{"Minutes": int(math.Ceil(max(rl.RetryAfter.Minutes(), 1)))}, true
	case errors.As(err, &dup):
		return "typo_duplicate", map[string]any{"ID": dup.ID}, true
	case errors.Is(err, ErrNotFound):
		return "typo_not_found", nil, true
	}
	return "", nil, false
}
