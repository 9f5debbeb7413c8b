package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gubkin-news/newsbot/internal/delivery"
	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

// draftTTL is how long a broadcast preview waits for its confirmation.
const draftTTL = 24 * time.Hour

// desk implements the editors' commands on the app's parts.
type desk struct{ a *App }

func (d desk) Find(ctx context.Context, idOrURL string) (news.Article, bool, error) {
	return d.a.F.Articles.Find(ctx, strings.TrimSpace(idOrURL))
}

// Pick marks «Выбор редакции» and pushes it to that pseudo-section's followers.
func (d desk) Pick(ctx context.Context, art news.Article) (int, error) {
	art.Pick = true
	if err := d.resave(ctx, art, news.PickSlug); err != nil {
		return 0, err
	}
	return d.a.F.Engine.Enqueue(ctx, art, []string{news.PickSlug}, nil)
}

// Breaking pushes the article to everyone following its sections at once,
// past quiet hours and digests (chats that already have it are skipped).
func (d desk) Breaking(ctx context.Context, art news.Article) (int, error) {
	art.Breaking = true
	if err := d.resave(ctx, art, ""); err != nil {
		return 0, err
	}
	slugs := append(d.a.F.Cats.Slugs(ctx, art), news.AllSlug)
	return d.a.F.Engine.Enqueue(ctx, art, slugs, nil)
}

func (d desk) resave(ctx context.Context, art news.Article, extra string) error {
	slugs := d.a.F.Cats.Slugs(ctx, art)
	if extra != "" {
		slugs = append(slugs, extra)
	}
	return d.a.F.Articles.Save(ctx, art, slugs)
}

func (d desk) Redrive(ctx context.Context) (int, error) { return d.a.F.Engine.Redrive(ctx) }

// Broadcast queues the text for every active chat through the delivery
// engine; the id makes a second call add nothing.
func (d desk) Broadcast(ctx context.Context, id, text string) (int, error) {
	m := telegram.Message{Text: telegram.Esc(text), NoPreview: true}
	return d.a.F.Engine.EnqueueMessage(ctx, delivery.KindBroadcast, "bc:"+id, delivery.Payload{Default: m}, d.a.F.Engine.ActiveChats())
}

func (d desk) draftKey(id string) string { return d.a.Store.K("draft", id) }

func (d desk) SaveDraft(ctx context.Context, id, text string) error {
	return d.a.Store.R.Set(ctx, d.draftKey(id), text, draftTTL).Err()
}

func (d desk) Draft(ctx context.Context, id string) (string, bool, error) {
	v, err := d.a.Store.R.Get(ctx, d.draftKey(id)).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	return v, err == nil, err
}

func (d desk) ClaimDraft(ctx context.Context, id string) (bool, error) {
	return d.a.Store.R.SetNX(ctx, d.draftKey(id)+":claimed", 1, draftTTL).Result()
}

// StatsText is /stats: chats, followers per section, deliveries, queue,
// typo reports and feed health.
func (d desk) StatsText(ctx context.Context, lang string) (string, error) {
	t := d.a.Texts
	total, active, err := store.Chats{S: d.a.Store}.Counts(ctx)
	if err != nil {
		return "", err
	}
	st, err := d.a.F.Engine.Stats(ctx)
	if err != nil {
		return "", err
	}
	openTypos, err := d.a.F.Typo.CountOpen(ctx)
	if err != nil {
		return "", err
	}
	lines := []string{"<b>" + t.T(lang, "stats_header", nil) + "</b>",
		t.T(lang, "stats_chats", map[string]any{"Total": total, "Active": active, "Inactive": total - active}),
		t.T(lang, "stats_deliveries", map[string]any{"Today": st.SentToday, "Hour": st.SentLastHour}),
		t.T(lang, "stats_queue", map[string]any{"Queued": st.Queued, "Pending": st.Pending, "Dead": st.Dead}),
		t.T(lang, "stats_typos", map[string]any{"Open": openTypos})}
	lines = append(lines, d.sections(ctx, lang)...)
	lines = append(lines, d.feeds(ctx, lang)...)
	return strings.Join(lines, "\n"), nil
}

func (d desk) sections(ctx context.Context, lang string) []string {
	cats, _ := d.a.F.Cats.List(ctx)
	cats = append([]news.Category{{Slug: news.AllSlug, Name: d.a.Texts.T(lang, "section_all", nil)}}, cats...)
	out := []string{"<b>" + d.a.Texts.T(lang, "stats_followers", nil) + "</b>"}
	for _, c := range cats {
		n, err := d.a.F.Subs.Count(ctx, c.Slug)
		if err == nil {
			out = append(out, fmt.Sprintf("• %s — %d", telegram.Esc(c.Name), n))
		}
	}
	return out
}

func (d desk) feeds(ctx context.Context, lang string) []string {
	fs, err := d.a.F.Feed.Health(ctx)
	if err != nil || len(fs) == 0 {
		return nil
	}
	out := []string{"<b>" + d.a.Texts.T(lang, "stats_feeds", nil) + "</b>"}
	for _, f := range fs {
		id := "stats_feed_ok"
		if f.ConsecutiveErrors > 0 {
			id = "stats_feed_failing"
		}
		out = append(out, d.a.Texts.T(lang, id, map[string]any{"URL": telegram.Esc(f.URL),
			"Errors": f.ConsecutiveErrors, "Error": telegram.Esc(f.LastError), "Items": f.Items}))
	}
	return out
}
