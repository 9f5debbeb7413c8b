package store

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gubkin-news/newsbot/internal/news"
)

// DefaultRetention is how long articles are kept when Articles.Retention is 0.
const DefaultRetention = 30 * 24 * time.Hour

// maxLatest caps one page of Latest.
const maxLatest = 100

// Articles keeps the articles and the marks that make ingest idempotent:
//
//	article:{id}        JSON of news.Article, TTL = retention
//	article:{id}:seen   the id was ingested once; TTL = retention, renewed at every sighting
//	article:{id}:lock   a short lease held while one copy publishes the article
//	article-url:{hash}  canonical URL → id, so a changed GUID keeps the first id
//	articles, articles:{slug}  zsets of ids scored by published unix time, trimmed by retention
//	articles-pending    zset of ids waiting for Publisher.Publish, oldest first
type Articles struct {
	S         *Store
	Retention time.Duration    // 0 means DefaultRetention
	Now       func() time.Time // nil means time.Now
}

// ValidID tells whether id is safe for Redis keys and callback data: 1–40
// bytes of Latin letters, digits, '-' and '_'.
func ValidID(id string) bool {
	if id == "" || len(id) > 40 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func (a Articles) retention() time.Duration {
	if a.Retention > 0 {
		return a.Retention
	}
	return DefaultRetention
}

func (a Articles) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a Articles) key(id string) string { return a.S.K("article", id) }

func (a Articles) zset(slug string) string {
	if slug == "" || slug == news.AllSlug {
		return a.S.K("articles")
	}
	return a.S.K("articles", slug)
}

func (a Articles) urlKey(canonical string) string {
	u := canonical
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+1:] // http and https name the same article
	}
	sum := sha1.Sum([]byte(u))
	return a.S.K("article-url", hex.EncodeToString(sum[:8]))
}

// OwnerOf claims the article's URL for id and returns the id that owns it:
// id itself, or the id of the article first seen at this URL (a feed that
// changed an item's GUID must not make it a new article). Site-root and
// empty URLs are never claimed: some feeds give every item the same one.
func (a Articles) OwnerOf(ctx context.Context, id, rawURL string) (string, error) {
	c := CanonicalURL(rawURL)
	u, err := url.Parse(c)
	if c == "" || err != nil || u.Host == "" || strings.Trim(u.Path, "/") == "" {
		return id, nil
	}
	k, ttl := a.urlKey(c), a.retention()
	var get *redis.StringCmd
	_, err = a.S.R.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.SetNX(ctx, k, id, ttl)
		get = p.Get(ctx, k)
		p.Expire(ctx, k, ttl)
		return nil
	})
	if err != nil {
		return id, fmt.Errorf("store: claim url of article %s: %w", id, err)
	}
	return get.Val(), nil
}

// Get returns the article, and false when there is none (or id is not valid).
func (a Articles) Get(ctx context.Context, id string) (news.Article, bool, error) {
	if !ValidID(id) {
		return news.Article{}, false, nil
	}
	data, err := a.S.R.Get(ctx, a.key(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return news.Article{}, false, nil
	}
	if err != nil {
		return news.Article{}, false, fmt.Errorf("store: get article %s: %w", id, err)
	}
	var art news.Article
	if err := json.Unmarshal(data, &art); err != nil {
		return news.Article{}, false, fmt.Errorf("store: decode article %s: %w", id, err)
	}
	return art, true, nil
}

// Save writes the article and indexes it under "all" and every slug, then
// trims the indexes to the retention window.
func (a Articles) Save(ctx context.Context, art news.Article, slugs []string) error {
	if !ValidID(art.ID) {
		return fmt.Errorf("store: save article: invalid id %q", art.ID)
	}
	data, err := json.Marshal(art)
	if err != nil {
		return fmt.Errorf("store: encode article %s: %w", art.ID, err)
	}
	cutoff := strconv.FormatInt(a.now().Add(-a.retention()).Unix(), 10)
	z := redis.Z{Score: float64(art.Published.Unix()), Member: art.ID}
	_, err = a.S.R.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, a.key(art.ID), data, a.retention())
		for _, k := range append([]string{a.zset("")}, a.slugKeys(slugs)...) {
			p.ZAdd(ctx, k, z)
			p.ZRemRangeByScore(ctx, k, "-inf", "("+cutoff)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save article %s: %w", art.ID, err)
	}
	return nil
}

func (a Articles) slugKeys(slugs []string) []string {
	keys := make([]string, 0, len(slugs))
	for _, s := range slugs {
		if s != "" && s != news.AllSlug {
			keys = append(keys, a.zset(s))
		}
	}
	return keys
}

// Latest returns up to n articles of the category (slug "" or news.AllSlug
// for all), newest first, skipping offset. Ids whose record expired are skipped.
func (a Articles) Latest(ctx context.Context, slug string, offset, n int) ([]news.Article, error) {
	if n <= 0 {
		return nil, nil
	}
	n, offset = min(n, maxLatest), max(offset, 0)
	ids, err := a.S.R.ZRevRange(ctx, a.zset(slug), int64(offset), int64(offset+n-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("store: latest articles of %q: %w", slug, err)
	}
	return a.getMany(ctx, ids)
}

func (a Articles) getMany(ctx context.Context, ids []string) ([]news.Article, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = a.key(id)
	}
	vals, err := a.S.R.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, fmt.Errorf("store: get %d articles: %w", len(ids), err)
	}
	out := make([]news.Article, 0, len(vals))
	for i, v := range vals {
		s, ok := v.(string)
		if !ok {
			continue
		}
		var art news.Article
		if err := json.Unmarshal([]byte(s), &art); err != nil {
			return nil, fmt.Errorf("store: decode article %s: %w", ids[i], err)
		}
		out = append(out, art)
	}
	return out, nil
}

// Find looks an article up by id or by link (with or without scheme,
// tracking parameters and fragment ignored): editors paste either.
func (a Articles) Find(ctx context.Context, idOrURL string) (news.Article, bool, error) {
	s := strings.TrimSpace(idOrURL)
	if ValidID(s) {
		if art, ok, err := a.Get(ctx, s); ok || err != nil {
			return art, ok, err
		}
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	c := CanonicalURL(s)
	if u, err := url.Parse(c); err != nil || u.Host == "" || !strings.Contains(u.Host, ".") {
		return news.Article{}, false, nil
	}
	id, err := a.S.R.Get(ctx, a.urlKey(c)).Result()
	if errors.Is(err, redis.Nil) {
		return news.Article{}, false, nil
	}
	if err != nil {
		return news.Article{}, false, fmt.Errorf("store: find article by url %s: %w", c, err)
	}
	return a.Get(ctx, id)
}

// claimScript marks the id seen and, only when this call is the first to see
// it and the caller wants it pushed, queues it for publishing: one atomic step,
// so a crash or a second copy can neither lose the push nor queue it twice.
// KEYS: seen mark, pending zset. ARGV: id, ttl seconds, score, push ("1"/"0").
var claimScript = redis.NewScript(`
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[2]) then
  if ARGV[4] == '1' then redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[1]) end
  return 1
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 0`)

// Claim tells whether id is seen for the first time ever (within retention,
// renewed at every sighting) and, when it is and push is set, queues it for
// publishing. Save the article before claiming it so the queue never holds
// an id without a record.
func (a Articles) Claim(ctx context.Context, art news.Article, push bool) (bool, error) {
	if !ValidID(art.ID) {
		return false, fmt.Errorf("store: claim article: invalid id %q", art.ID)
	}
	flag := "0"
	if push {
		flag = "1"
	}
	keys := []string{a.key(art.ID) + ":seen", a.S.K("articles-pending")}
	n, err := claimScript.Run(ctx, a.S.R, keys, art.ID, int64(a.retention().Seconds()),
		art.Published.Unix(), flag).Int()
	if err != nil {
		return false, fmt.Errorf("store: claim article %s: %w", art.ID, err)
	}
	return n == 1, nil
}

// Pending returns up to n ids waiting to be published, oldest first.
func (a Articles) Pending(ctx context.Context, n int) ([]string, error) {
	ids, err := a.S.R.ZRange(ctx, a.S.K("articles-pending"), 0, int64(n-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("store: pending articles: %w", err)
	}
	return ids, nil
}

// TakePending leases a pending id for lease so only one copy publishes it;
// false when another copy holds it or it is no longer pending.
func (a Articles) TakePending(ctx context.Context, id string, lease time.Duration) (bool, error) {
	ok, err := a.S.R.SetNX(ctx, a.key(id)+":lock", 1, lease).Result()
	if err != nil || !ok {
		return false, wrapErr("store: lease article "+id, err)
	}
	// The lease may come right after another copy published and released it.
	_, err = a.S.R.ZScore(ctx, a.S.K("articles-pending"), id).Result()
	if errors.Is(err, redis.Nil) {
		return false, a.ReleasePending(ctx, id)
	}
	if err != nil {
		return false, wrapErr("store: check pending article "+id, err)
	}
	return true, nil
}

// DonePending removes the id from the queue and drops its lease.
func (a Articles) DonePending(ctx context.Context, id string) error {
	_, err := a.S.R.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.ZRem(ctx, a.S.K("articles-pending"), id)
		p.Del(ctx, a.key(id)+":lock")
		return nil
	})
	return wrapErr("store: finish pending article "+id, err)
}

// ReleasePending drops the lease and keeps the id queued for the next try.
func (a Articles) ReleasePending(ctx context.Context, id string) error {
	return wrapErr("store: release article "+id, a.S.R.Del(ctx, a.key(id)+":lock").Err())
}

func wrapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// trackingParams are query parameters that name the visitor's path, not the page.
var trackingParams = map[string]bool{"fbclid": true, "yclid": true, "gclid": true, "from": true, "_openstat": true}

// CanonicalURL is the link with the scheme and host lower-cased, tracking
// parameters (utm_*, fbclid, yclid, gclid, from, _openstat) and the fragment
// dropped, and the remaining query sorted. Input that is not an absolute URL
// comes back trimmed.
func CanonicalURL(raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	u.Fragment, u.RawFragment = "", ""
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if trackingParams[strings.ToLower(k)] || strings.HasPrefix(strings.ToLower(k), "utm_") {
				q.Del(k)
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}
