package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

// fanoutScript queues one entry per chat not yet marked for the item. Mark
// and entry are written in one script, so a process that dies mid-fan-out
// leaves each chat either marked and queued or neither: running the fan-out
// again adds exactly the missing ones.
//
// KEYS[1] stream, KEYS[2] sent hash. ARGV: ttl, kind, item, breaking, then
// chat, reason pairs.
var fanoutScript = redis.NewScript(`
local n = 0
for i = 5, #ARGV, 2 do
  if redis.call('HSETNX', KEYS[2], ARGV[i], 'q') == 1 then
    local f = {'k', ARGV[2], 'i', ARGV[3], 'c', ARGV[i]}
    if ARGV[i+1] ~= '' then f[#f+1] = 'r'; f[#f+1] = ARGV[i+1] end
    if ARGV[4] == '1' then f[#f+1] = 'b'; f[#f+1] = '1' end
    redis.call('XADD', KEYS[1], '*', unpack(f))
    n = n + 1
  end
end
redis.call('EXPIRE', KEYS[2], ARGV[1])
return n
`)

// Enqueue queues the article for every chat following any of slugs and for
// the extra chats (chat → reason, e.g. a followed phrase), each chat once. It
// is idempotent: calling it again, also after a crash half-way, adds only the
// chats still missing. It returns how many deliveries it added.
func (e *Engine) Enqueue(ctx context.Context, a news.Article, slugs []string, extra map[int64]string) (int, error) {
	return e.EnqueueExcept(ctx, a, slugs, extra, nil)
}

// EnqueueExcept is Enqueue leaving out the section followers in skip (chats
// that muted a word the article mentions); an extra chat is never left out,
// since it asked for this article by a phrase.
func (e *Engine) EnqueueExcept(ctx context.Context, a news.Article, slugs []string, extra map[int64]string, skip map[int64]bool) (int, error) {
	if a.ID == "" {
		return 0, fmt.Errorf("delivery: enqueue: article without id")
	}
	link := e.k("article", a.ID)
	if _, err := e.s.R.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, link, "t", a.Title, "u", a.URL)
		p.Expire(ctx, link, e.cfg.Keep)
		return nil
	}); err != nil {
		return 0, fmt.Errorf("delivery: save links of article %s: %w", a.ID, err)
	}
	d := Delivery{Kind: KindArticle, Item: a.ID, Breaking: e.breaking(a, slugs)}
	total := 0
	// Followers first: a chat that follows the section and a phrase gets the
	// section's delivery, without the redundant reason.
	err := e.sections(slugs)(ctx, func(chats []int64) error {
		n, err := e.fanout(ctx, d, without(chats, skip, extra), nil)
		total += n
		return err
	})
	if err == nil {
		err = ChatList(keys(extra)...)(ctx, func(chats []int64) error {
			n, err := e.fanout(ctx, d, chats, extra)
			total += n
			return err
		})
	}
	if err != nil {
		return total, fmt.Errorf("delivery: enqueue article %s: %w", a.ID, err)
	}
	e.log.Info("delivery: article queued", "article", a.ID, "deliveries", total, "breaking", d.Breaking)
	return total, nil
}

// Payload is a stored message for many chats: Default, or the chat's
// language from Lang. ChatID is set at sending.
type Payload struct {
	Default telegram.Message            `json:"default"`
	Lang    map[string]telegram.Message `json:"lang,omitempty"`
}

func (p Payload) message(lang string) telegram.Message {
	if m, ok := p.Lang[lang]; ok {
		return m
	}
	return p.Default
}

// ChatScan yields chats in batches.
type ChatScan func(ctx context.Context, fn func(chats []int64) error) error

// EnqueueMessage stores p under id and queues it for every chat of scan, on
// the same stream, limits and marks as articles: calling it again with the
// same id adds only chats still missing (and keeps the first payload).
func (e *Engine) EnqueueMessage(ctx context.Context, kind Kind, msgID string, p Payload, scan ChatScan) (int, error) {
	switch kind {
	case KindBroadcast, KindBrief, KindNotice:
	default:
		return 0, fmt.Errorf("delivery: %q is not a stored-message kind", kind)
	}
	body, err := json.Marshal(p)
	if err != nil {
		return 0, fmt.Errorf("delivery: encode %s %s: %w", kind, msgID, err)
	}
	if err := e.s.R.SetNX(ctx, e.k("payload", string(kind), msgID), body, e.cfg.Keep).Err(); err != nil {
		return 0, fmt.Errorf("delivery: store %s %s: %w", kind, msgID, err)
	}
	d := Delivery{Kind: kind, Item: msgID}
	total := 0
	err = scan(ctx, func(chats []int64) error {
		n, err := e.fanout(ctx, d, chats, nil)
		total += n
		return err
	})
	if err != nil {
		return total, fmt.Errorf("delivery: enqueue %s %s: %w", kind, msgID, err)
	}
	e.log.Info("delivery: message queued", "kind", kind, "id", msgID, "deliveries", total)
	return total, nil
}

// fanout runs the script for chats in batches of FanoutBatch.
func (e *Engine) fanout(ctx context.Context, d Delivery, chats []int64, reasons map[int64]string) (int, error) {
	total := 0
	for len(chats) > 0 {
		batch := chats[:min(len(chats), FanoutBatch)]
		chats = chats[len(batch):]
		args := make([]any, 0, 4+2*len(batch))
		args = append(args, int(e.cfg.Keep.Seconds()), string(d.Kind), d.Item, flag(d.Breaking))
		for _, c := range batch {
			args = append(args, id(c), reasons[c])
		}
		keys := []string{e.streamKey(), e.sentKey(d.Kind, d.Item)}
		n, err := fanoutScript.Run(ctx, e.s.R, keys, args...).Int()
		if err != nil {
			return total, fmt.Errorf("queue %d deliveries: %w", len(batch), err)
		}
		total += n
	}
	return total, nil
}

// sections scans the followers of slugs (store.Subs: the union is built in
// Redis and read in batches, so memory stays flat).
func (e *Engine) sections(slugs []string) ChatScan {
	return func(ctx context.Context, fn func([]int64) error) error {
		return store.Subs{S: e.s}.ScanFollowers(ctx, slugs, FanoutBatch, fn)
	}
}

// ActiveChats scans every active chat (for broadcasts).
func (e *Engine) ActiveChats() ChatScan {
	return func(ctx context.Context, fn func([]int64) error) error {
		var cursor uint64
		for {
			vals, next, err := e.s.R.SScan(ctx, e.s.K("chats", "active"), cursor, "", FanoutBatch).Result()
			if err != nil {
				return fmt.Errorf("scan active chats: %w", err)
			}
			if err := fn(parseIDs(vals)); err != nil {
				return err
			}
			if cursor = next; cursor == 0 {
				return nil
			}
		}
	}
}

// ChatList yields the given chats.
func ChatList(chats ...int64) ChatScan {
	return func(ctx context.Context, fn func([]int64) error) error {
		for len(chats) > 0 {
			batch := chats[:min(len(chats), FanoutBatch)]
			chats = chats[len(batch):]
			if err := fn(batch); err != nil {
				return err
			}
		}
		return nil
	}
}

// BreakingSections is an IsBreaking for BREAKING_SECTIONS: an article is
// breaking when it says so or is in one of the named sections (display names
// or slugs, any case).
func BreakingSections(names []string) func(a news.Article, slugs []string) bool {
	want := map[string]bool{}
	for _, n := range names {
		want[strings.ToLower(strings.TrimSpace(n))] = true
		want[news.Slugify(n)] = true
	}
	return func(a news.Article, slugs []string) bool {
		return a.Breaking || slices.ContainsFunc(append(slices.Clone(a.Categories), slugs...), func(s string) bool {
			return want[strings.ToLower(strings.TrimSpace(s))]
		})
	}
}

func keys(m map[int64]string) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func parseIDs(vals []string) []int64 {
	out := make([]int64, 0, len(vals))
	for _, v := range vals {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// without drops the chats in skip that are not in keep.
func without(chats []int64, skip map[int64]bool, keep map[int64]string) []int64 {
	if len(skip) == 0 {
		return chats
	}
	out := chats[:0:0]
	for _, c := range chats {
		if _, kept := keep[c]; kept || !skip[c] {
			out = append(out, c)
		}
	}
	return out
}
