package brief

import (
	"context"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gubkin-news/newsbot/internal/i18n"
	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/rates"
	"github.com/gubkin-news/newsbot/internal/render"
	"github.com/gubkin-news/newsbot/internal/telegram"
	"github.com/gubkin-news/newsbot/internal/weather"
)

// Sources are where a brief's parts come from.
type Sources struct {
	Weather  *weather.Service
	Rates    *rates.Service
	Latest   func(ctx context.Context, slug string, offset, n int) ([]news.Article, error)
	Sections func(ctx context.Context, chat int64) ([]string, error)
	Lang     func(ctx context.Context, chat int64) string
}

// Sender sends one brief.
type Sender func(ctx context.Context, m telegram.Message) error

// Briefs composes and sends the due briefs.
type Briefs struct {
	Schedule Schedule
	Sources  Sources
	Texts    *i18n.Bundle
	Loc      *time.Location
	Send     Sender
	Log      *slog.Logger
}

// RunDue sends every brief whose time has come (called each minute by the
// leader). Each chat gets one a day; a failed send is tried again next minute.
func (b *Briefs) RunDue(ctx context.Context, now time.Time) (int, error) {
	due, err := b.Schedule.due(ctx, now.In(b.Loc))
	if err != nil {
		return 0, err
	}
	sent := 0
	for chat, day := range due {
		ok, err := b.Schedule.claim(ctx, chat, day)
		if err != nil || !ok {
			continue
		}
		if err := b.Send(ctx, b.Compose(ctx, chat, now)); err != nil {
			b.Log.Warn("brief not sent; will try again", "chat", chat, "err", err)
			b.Schedule.unclaim(ctx, chat, day)
			continue
		}
		sent++
	}
	return sent, nil
}

// Compose builds one chat's brief; a part that is unavailable is left out.
func (b *Briefs) Compose(ctx context.Context, chat int64, now time.Time) telegram.Message {
	lang := b.Sources.Lang(ctx, chat)
	local := now.In(b.Loc)
	parts := []string{"<b>" + b.Texts.T(lang, "brief_header", map[string]any{"Date": dayMonth(b.Texts, lang, local)}) + "</b>"}
	if b.Sources.Weather != nil {
		if snap, err := b.Sources.Weather.Get(ctx); err == nil {
			parts = append(parts, "🌤 "+weather.Short(b.Texts, lang, snap))
		}
	}
	if b.Sources.Rates != nil {
		if snap, err := b.Sources.Rates.Get(ctx); err == nil {
			parts = append(parts, "💱 "+rates.Short(b.Texts, lang, snap))
		}
	}
	if top := b.top(ctx, chat, 3); len(top) > 0 {
		parts = append(parts, "<b>"+b.Texts.T(lang, "brief_top", nil)+"</b>\n"+render.Links(top))
	}
	return telegram.Message{ChatID: chat, Text: strings.Join(parts, "\n\n"), NoPreview: true}
}

func dayMonth(t *i18n.Bundle, lang string, d time.Time) string {
	return t.T(lang, "date_day_month", map[string]any{"Day": d.Day(), "Month": t.T(lang, "month_gen_"+strconv.Itoa(int(d.Month())), nil)})
}

// top is the newest n articles of the chat's sections, each once.
func (b *Briefs) top(ctx context.Context, chat int64, n int) []news.Article {
	slugs, _ := b.Sources.Sections(ctx, chat)
	if len(slugs) == 0 {
		slugs = []string{news.AllSlug}
	}
	seen := map[string]bool{}
	var all []news.Article
	for _, s := range slugs {
		as, _ := b.Sources.Latest(ctx, s, 0, n)
		for _, a := range as {
			if !seen[a.ID] {
				seen[a.ID] = true
				all = append(all, a)
			}
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Published.After(all[j].Published) })
	if len(all) > n {
		all = all[:n]
	}
	return all
}
