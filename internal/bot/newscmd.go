package bot

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/render"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

// Library gives the latest stored articles, newest first.
type Library interface {
	Latest(ctx context.Context, slug string, offset, n int) ([]news.Article, error)
}

// NewsDeps are what /news needs.
type NewsDeps struct {
	Catalog Catalog
	Library Library
	Loc     *time.Location
}

// maxNewsOffset bounds paging, so forged data cannot ask for page 10⁹.
const maxNewsOffset = 500

// RegisterNews adds /news [section] and its paging button.
func (b *Bot) RegisterNews(d NewsDeps) {
	h := &newsHandlers{d: d, subs: &subsHandlers{SubsDeps{Catalog: d.Catalog}}}
	b.Command("news", h.news, InMenu)
	b.Callback("news", h.page)
}

type newsHandlers struct {
	d    NewsDeps
	subs *subsHandlers
}

func (h *newsHandlers) news(c *Ctx) error {
	slug := news.AllSlug
	if c.Args != "" {
		cat, ok, err := h.subs.resolve(c, c.Args)
		if err != nil {
			return err
		}
		if !ok {
			return Reply("subs_unknown", map[string]any{"Name": telegram.Esc(c.Args), "Names": h.subs.names(c)})
		}
		slug = cat.Slug
	}
	m, err := h.build(c, slug, 0)
	if err != nil {
		return err
	}
	_, err = c.Send(m)
	return err
}

// page shows the next page in place; data is news:<slug>:<offset>.
func (h *newsHandlers) page(c *Ctx) error {
	parts := strings.Split(c.Data, ":")
	off, err := strconv.Atoi(parts[len(parts)-1])
	if len(parts) != 3 || err != nil || off < 0 || off > maxNewsOffset {
		return c.Answer(c.T("callback_stale", nil), false)
	}
	if _, ok, err := h.subs.resolve(c, parts[1]); err != nil || !ok {
		return c.Answer(c.T("callback_stale", nil), false)
	}
	m, err := h.build(c, parts[1], off)
	if err != nil {
		return err
	}
	return c.Edit(m.Text, m.Keyboard)
}

func (h *newsHandlers) build(c *Ctx, slug string, off int) (telegram.Message, error) {
	as, err := h.d.Library.Latest(c, slug, off, render.PageSize+1)
	if err != nil {
		return telegram.Message{}, err
	}
	if len(as) == 0 && off == 0 {
		return telegram.Message{ChatID: c.ChatID, Text: c.T("news_empty", nil)}, nil
	}
	more := len(as) > render.PageSize && off+render.PageSize <= maxNewsOffset
	if len(as) > render.PageSize {
		as = as[:render.PageSize]
	}
	next := "news:" + slug + ":" + strconv.Itoa(off+render.PageSize)
	m := render.List(c.B.Texts, c.Lang, h.header(c, slug), as, more, next, c.B.Now(), h.d.Loc)
	m.ChatID = c.ChatID
	return m, nil
}

func (h *newsHandlers) header(c *Ctx, slug string) string {
	if cat, ok, err := h.subs.resolve(c, slug); err == nil && ok && slug != news.AllSlug {
		return c.T("news_header_section", map[string]any{"Name": cat.Name})
	}
	return c.T("news_header", nil)
}
