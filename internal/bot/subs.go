package bot

import (
	"context"
	"sort"
	"strings"

	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

// Catalog is the sections the bot knows.
type Catalog interface {
	List(ctx context.Context) ([]news.Category, error)
	Resolve(ctx context.Context, nameOrSlug string) (news.Category, bool, error)
}

// Subscriptions are a chat's followed sections.
type Subscriptions interface {
	Follow(ctx context.Context, chatID int64, slug string) (bool, error)
	Unfollow(ctx context.Context, chatID int64, slug string) (bool, error)
	UnfollowAll(ctx context.Context, chatID int64) (int, error)
	Of(ctx context.Context, chatID int64) ([]string, error)
}

// SubsDeps are what the section commands need.
type SubsDeps struct {
	Catalog Catalog
	Subs    Subscriptions
}

type subsHandlers struct {
	SubsDeps
}

// RegisterSubscriptions adds /categories, /subscribe, /unsubscribe, /mysubs
// and the toggle buttons; /start offers the keyboard to a chat with no sections.
func (b *Bot) RegisterSubscriptions(d SubsDeps) {
	h := &subsHandlers{d}
	b.Command("categories", h.keyboard, InMenu)
	b.Command("subscribe", h.subscribe, InMenu)
	b.Command("unsubscribe", h.unsubscribe)
	b.Command("mysubs", h.mine, InMenu)
	b.Callback("sub", h.toggle)
	b.OnStart(h.offer)
	if b.Channels != nil {
		b.RegisterChannels(h)
	}
}

// sections lists the visible sections with «Все новости» first.
func (h *subsHandlers) sections(c *Ctx) ([]news.Category, error) {
	cats, err := h.Catalog.List(c)
	if err != nil {
		return nil, err
	}
	all := news.Category{Slug: news.AllSlug, Name: c.T("section_all", nil), Emoji: "📰"}
	return append([]news.Category{all}, cats...), nil
}

func (h *subsHandlers) followed(c *Ctx, target int64) (map[string]bool, error) {
	slugs, err := h.Subs.Of(c, target)
	set := map[string]bool{}
	for _, s := range slugs {
		set[s] = true
	}
	return set, err
}

// markup is the sections keyboard of target: ✅ on followed ones, two per
// row; prefix is "sub:t:" for this chat, "sub:c:" for its connected channel.
func (h *subsHandlers) markup(c *Ctx, target int64, prefix string) (telegram.Keyboard, error) {
	cats, err := h.sections(c)
	if err != nil {
		return nil, err
	}
	on, err := h.followed(c, target)
	if err != nil {
		return nil, err
	}
	var kb telegram.Keyboard
	var row []telegram.Button
	for _, cat := range cats {
		data := prefix + cat.Slug
		if len(data) > 64 {
			continue // a slug too long for callback data; typed /subscribe still works
		}
		label := strings.TrimSpace(cat.Emoji + " " + cat.Name)
		if on[cat.Slug] {
			label = "✅ " + label
		}
		if row = append(row, telegram.Button{Text: label, Data: data}); len(row) == 2 {
			kb, row = append(kb, row), nil
		}
	}
	if len(row) > 0 {
		kb = append(kb, row)
	}
	return kb, nil
}

func (h *subsHandlers) keyboard(c *Ctx) error {
	kb, err := h.markup(c, c.Recipient, "sub:t:")
	if err != nil {
		return err
	}
	return c.Reply(c.T("subs_choose", nil), kb)
}

func (h *subsHandlers) offer(c *Ctx) error {
	on, err := h.followed(c, c.Recipient)
	if err != nil || len(on) > 0 {
		return err
	}
	return h.keyboard(c)
}

// toggle flips one section from a button and redraws the keyboard in place.
// The chat it acts on comes from where the button is (or, for "sub:c:", from
// the presser's own connected channel), never from the callback data.
func (h *subsHandlers) toggle(c *Ctx) error {
	prefix := c.Data[:min(len(c.Data), 6)]
	target, err := h.target(c, prefix)
	if err != nil || target == 0 {
		_ = c.Answer(c.T("callback_stale", nil), false)
		return err
	}
	cat, ok, err := h.resolve(c, strings.TrimPrefix(c.Data, prefix))
	if err != nil || !ok {
		_ = c.Answer(c.T("callback_stale", nil), false)
		return err
	}
	added, err := h.Subs.Follow(c, target, cat.Slug)
	if err == nil && !added {
		_, err = h.Subs.Unfollow(c, target, cat.Slug)
	}
	if err != nil {
		return err
	}
	_ = c.Answer(h.toggledText(c, cat, added), false)
	kb, err := h.markup(c, target, prefix)
	if err != nil {
		return err
	}
	return c.Edit(c.T("subs_choose", nil), kb)
}

// target is the chat a toggle acts on, after checking the presser may.
func (h *subsHandlers) target(c *Ctx, prefix string) (int64, error) {
	switch prefix {
	case "sub:t:":
		if err := c.RequireManager(); err != nil {
			return 0, err
		}
		return c.Recipient, c.EnsureChat()
	case "sub:c:":
		if c.B.Channels == nil || !c.Private() {
			return 0, nil
		}
		return c.B.Channels.Connected(c, c.UserID())
	}
	return 0, nil
}

func (h *subsHandlers) toggledText(c *Ctx, cat news.Category, added bool) string {
	if added {
		return c.T("subs_added", map[string]any{"Name": cat.Name})
	}
	return c.T("subs_removed", map[string]any{"Name": cat.Name})
}

// resolve finds a section by name, slug or alias, «все новости» included.
func (h *subsHandlers) resolve(c *Ctx, arg string) (news.Category, bool, error) {
	arg = strings.TrimSpace(arg)
	for _, lang := range []string{"ru", "en"} {
		if strings.EqualFold(arg, c.B.Texts.T(lang, "section_all", nil)) {
			arg = news.AllSlug
		}
	}
	if strings.EqualFold(arg, news.AllSlug) {
		return news.Category{Slug: news.AllSlug, Name: c.T("section_all", nil)}, true, nil
	}
	return h.Catalog.Resolve(c, arg)
}

// names lists valid section names for a «no such section» reply.
func (h *subsHandlers) names(c *Ctx) string {
	cats, err := h.sections(c)
	if err != nil || len(cats) == 0 {
		return "…"
	}
	var out []string
	for _, cat := range cats {
		out = append(out, cat.Name)
	}
	sort.Strings(out[1:])
	return telegram.Esc(strings.Join(out, ", "))
}
