package delivery

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/render"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

const (
	dueCatchUp   = 180  // minutes RunDue looks back after a gap (a restart, a new leader)
	listMaxItems = 60   // articles one digest or summary lists at most
	listMaxChars = 3500 // visible characters of the links, under Telegram's 4096
)

// freezeScript queues one digest or summary: unless the chat already has it
// (the per-chat per-item mark), the chat's list is renamed to a frozen list
// for this item and an entry is added, atomically, so a crash or a second
// call never sends it twice and never loses an article collected meanwhile.
//
// KEYS[1] stream, KEYS[2] sent hash, KEYS[3] list, KEYS[4] frozen list.
// ARGV: chat, kind, item, ttl.
var freezeScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
if redis.call('EXISTS', KEYS[3]) == 0 then return 0 end
redis.call('RENAME', KEYS[3], KEYS[4])
redis.call('EXPIRE', KEYS[4], ARGV[4])
redis.call('HSET', KEYS[2], ARGV[1], 'q')
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('XADD', KEYS[1], '*', 'k', ARGV[2], 'i', ARGV[3], 'c', ARGV[1])
return 1
`)

func (e *Engine) freeze(ctx context.Context, kind Kind, chat int64, item string) (bool, error) {
	keys := []string{e.streamKey(), e.sentKey(kind, item), e.listKey(kind, chat), e.frozenKey(kind, chat, item)}
	n, err := freezeScript.Run(ctx, e.s.R, keys, id(chat), string(kind), item, int(e.cfg.Keep.Seconds())).Int()
	if err != nil {
		return false, fmt.Errorf("delivery: queue %s %s of chat %d: %w", kind, item, chat, err)
	}
	return n == 1, nil
}

// RunDue queues the digests and quiet-hours summaries due in the minutes
// since its last call (up to three hours back), each at most once a day per
// chat. The leader's cron calls it every minute; now comes from its clock.
func (e *Engine) RunDue(ctx context.Context, now time.Time) (int, error) {
	cursor := e.k("due")
	to := now.Unix() / 60
	from := to
	last, err := e.s.R.Get(ctx, cursor).Int64()
	switch {
	case err == nil:
		from = max(last+1, to-dueCatchUp)
	case !errors.Is(err, redis.Nil):
		return 0, fmt.Errorf("delivery: read the due cursor: %w", err)
	}
	total := 0
	for m := from; m <= to; m++ {
		t := time.Unix(m*60, 0).In(e.cfg.Location)
		for _, kind := range []Kind{KindDigest, KindSummary} {
			n, err := e.dueAt(ctx, kind, t)
			if total += n; err != nil {
				return total, err
			}
		}
		if err := e.s.R.Set(ctx, cursor, m, 48*time.Hour).Err(); err != nil {
			return total, fmt.Errorf("delivery: save the due cursor: %w", err)
		}
	}
	return total, nil
}

// dueAt queues kind for the chats scheduled at t's minute.
func (e *Engine) dueAt(ctx context.Context, kind Kind, t time.Time) (int, error) {
	set := e.k("at", string(kind), ClockOf(t).slot())
	item := t.Format(time.DateOnly)
	n := 0
	var cursor uint64
	for {
		vals, next, err := e.s.R.SScan(ctx, set, cursor, "", FanoutBatch).Result()
		if err != nil {
			return n, fmt.Errorf("delivery: scan %s chats at %s: %w", kind, t.Format("15:04"), err)
		}
		for _, chat := range parseIDs(vals) {
			ok, err := e.freeze(ctx, kind, chat, item)
			if err != nil {
				return n, err
			}
			if ok {
				n++
			}
		}
		if cursor = next; cursor == 0 {
			return n, nil
		}
	}
}

// renderList builds a digest or summary from its frozen list: a header with
// the count and the articles as links.
func (e *Engine) renderList(ctx context.Context, d Delivery, chat news.Chat) (telegram.Message, error) {
	as, err := e.listed(ctx, e.frozenKey(d.Kind, d.ChatID, d.Item))
	if err != nil {
		return telegram.Message{}, err
	}
	if len(as) == 0 {
		return telegram.Message{}, fmt.Errorf("%w: %s %s of chat %d lists nothing", ErrGone, d.Kind, d.Item, d.ChatID)
	}
	lang := chat.Lang
	if lang == "" {
		lang = e.texts.Default()
	}
	shown, chars := 0, 0
	for shown < len(as) && shown < listMaxItems && chars+telegram.UTF16Len(as[shown].Title) < listMaxChars {
		chars += telegram.UTF16Len(as[shown].Title) + 5
		shown++
	}
	header := e.texts.N(lang, "delivery_"+string(d.Kind)+"_header", len(as), nil)
	text := "<b>" + telegram.Esc(header) + "</b>\n\n" + render.Links(as[:shown])
	if more := len(as) - shown; more > 0 {
		text += "\n" + telegram.Esc(e.texts.N(lang, "delivery_list_more", more, nil))
	}
	return telegram.Message{Text: text, NoPreview: true}, nil
}

// listed reads the articles of a list (ids, oldest first) with their links,
// each once; articles whose links expired are left out.
func (e *Engine) listed(ctx context.Context, key string) ([]news.Article, error) {
	ids, err := e.s.R.LRange(ctx, key, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	seen := map[string]bool{}
	ids = slices.DeleteFunc(ids, func(a string) bool { dup := seen[a]; seen[a] = true; return dup })
	cmds := make([]*redis.SliceCmd, len(ids))
	_, err = e.s.R.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, a := range ids {
			cmds[i] = p.HMGet(ctx, e.k("article", a), "t", "u")
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read links of %s: %w", key, err)
	}
	var out []news.Article
	for i, a := range ids {
		v := cmds[i].Val()
		title, _ := v[0].(string)
		url, _ := v[1].(string)
		if strings.TrimSpace(title) != "" && url != "" {
			out = append(out, news.Article{ID: a, Title: title, URL: url})
		}
	}
	return out, nil
}
