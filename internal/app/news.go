package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/gubkin-news/newsbot/internal/bot"
	"github.com/gubkin-news/newsbot/internal/delivery"
	"github.com/gubkin-news/newsbot/internal/metrics"
	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/render"
	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

// publisher hands a new article to the delivery engine: the followers of its
// sections and of «Все новости», plus the chats whose followed phrases it
// mentions (with the reason), each chat once.
type publisher struct{ a *App }

func (p publisher) Publish(ctx context.Context, art news.Article) error {
	f := &p.a.F
	slugs := append(f.Cats.Slugs(ctx, art), news.AllSlug)
	if art.Pick {
		slugs = append(slugs, news.PickSlug)
	}
	extra := map[int64]string{}
	res, err := f.Alerts.Match(ctx, art)
	if err != nil {
		p.a.Log.Warn("match followed phrases; pushing to sections only", "article", art.ID, "err", err)
	}
	for chat, phrases := range res.Follows {
		extra[chat] = strings.Join(phrases, ", ")
	}
	n, err := f.Engine.EnqueueExcept(ctx, art, slugs, extra, res.Muted)
	if err != nil {
		return fmt.Errorf("publish %s: %w", art.ID, err)
	}
	metrics.ArticlesIngest.WithLabelValues(sourceLabel(art)).Inc()
	p.a.Log.Info("article queued", "article", art.ID, "title", art.Title, "recipients", n)
	return nil
}

func sourceLabel(a news.Article) string {
	if a.Source == "publish" {
		return "publish"
	}
	return "feed"
}

// renderArticle builds the push of an article for one chat.
func (a *App) renderArticle(ctx context.Context, d delivery.Delivery, chat news.Chat) (telegram.Message, error) {
	art, ok, err := a.F.Articles.Get(ctx, d.Item)
	if err != nil {
		return telegram.Message{}, err
	}
	if !ok {
		return telegram.Message{}, fmt.Errorf("article %s: %w", d.Item, delivery.ErrGone)
	}
	lang := chat.Lang
	if lang == "" {
		lang = a.Cfg.DefaultLang
	}
	push := render.Push{TypoData: bot.ReaderTypoPrefix + ":" + art.ID}
	if slugs := a.F.Cats.Slugs(ctx, art); len(slugs) > 0 {
		if cat, ok, _ := a.F.Cats.Resolve(ctx, slugs[0]); ok {
			push.Section = cat.Name
		}
		push.Related = a.related(ctx, slugs[0], art.ID)
	}
	if d.Reason != "" {
		push.Reasons = []string{d.Reason}
	}
	m := render.Article(a.Texts, lang, art, push, a.now(), a.Cfg.Timezone)
	m.ChatID, m.ArticleID = chat.ID, art.ID
	return m, nil
}

// related is up to 3 recent articles of the section, the article itself aside.
func (a *App) related(ctx context.Context, slug, self string) []news.Article {
	as, err := a.F.Articles.Latest(ctx, slug, 0, 4)
	if err != nil {
		return nil
	}
	out := make([]news.Article, 0, 3)
	for _, r := range as {
		if r.ID != self && len(out) < 3 {
			out = append(out, r)
		}
	}
	return out
}

// postRecorder is the delivery engine's way out: it sends a forum topic's
// deliveries into that topic of its chat, and remembers which article a
// pushed message carries, so a reply to it (/typo, a quote) knows the article.
type postRecorder struct {
	s      *telegram.Sender
	posts  store.Posts
	topics store.Topics
}

func (p postRecorder) SendOnce(ctx context.Context, m telegram.Message) (telegram.Result, error) {
	if topic := m.ChatID; store.IsTopic(topic) {
		chat, thread, err := p.topics.Resolve(ctx, topic)
		if err != nil {
			return telegram.Result{}, err
		}
		m.ChatID, m.ThreadID = chat, thread
		res, err := p.send(ctx, m)
		if res.ChatID == chat {
			res.ChatID = topic
		}
		return res, err
	}
	return p.send(ctx, m)
}

func (p postRecorder) send(ctx context.Context, m telegram.Message) (telegram.Result, error) {
	res, err := p.s.SendOnce(ctx, m)
	if err == nil && m.ArticleID != "" && res.MessageID != 0 {
		_ = p.posts.Remember(ctx, res.ChatID, res.MessageID, m.ArticleID)
	}
	return res, err
}

// feedHealth tells the editors' chat when a feed goes down and comes back.
type feedHealth struct{ a *App }

func (h feedHealth) FeedDown(ctx context.Context, url, lastErr string, count int) error {
	return h.notice(ctx, "feed_down", map[string]any{"URL": telegram.Esc(url), "Count": count, "Error": telegram.Esc(lastErr)})
}

func (h feedHealth) FeedUp(ctx context.Context, url string) error {
	return h.notice(ctx, "feed_up", map[string]any{"URL": telegram.Esc(url)})
}

func (h feedHealth) notice(ctx context.Context, id string, data map[string]any) error {
	c := h.a.Cfg
	if c.EditorsChatID == 0 {
		h.a.Log.Warn("feed health changed; no EDITORS_CHAT_ID to tell", "notice", id, "data", data)
		return nil
	}
	_, err := h.a.Sender.Send(ctx, telegram.Message{ChatID: c.EditorsChatID, ThreadID: c.EditorsThreadID,
		Text: h.a.Texts.T(c.DefaultLang, id, data), NoPreview: true})
	return err
}

// hook is the CMS publish hook's way in: the feeds' dedup path, then the
// push at once.
type hook struct{ a *App }

func (h hook) IngestNow(ctx context.Context, art news.Article) (bool, error) {
	art.Source = "publish"
	isNew, err := h.a.F.Feed.Ingest(ctx, art, true)
	if err != nil {
		return false, err
	}
	if err := h.a.F.Feed.PublishPending(ctx); err != nil {
		h.a.Log.Warn("publish hook: push deferred to the next feed run", "err", err)
	}
	return isNew, nil
}

func (h hook) FetchArticle(ctx context.Context, url string) (news.Article, error) {
	return h.a.F.Feed.FetchPage(ctx, url)
}
