package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"unicode/utf8"

	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

// Desk is what the editors' commands act on (the app implements it).
type Desk interface {
	StatsText(ctx context.Context, lang string) (string, error)
	Find(ctx context.Context, idOrURL string) (news.Article, bool, error)
	Pick(ctx context.Context, a news.Article) (int, error)
	Breaking(ctx context.Context, a news.Article) (int, error)
	Redrive(ctx context.Context) (int, error)
	// Broadcast sends text to every active chat, once per id however often it is called.
	Broadcast(ctx context.Context, id, text string) (int, error)
	SaveDraft(ctx context.Context, id, text string) error
	Draft(ctx context.Context, id string) (string, bool, error)
	// ClaimDraft marks the draft sent; false when it was sent or cancelled already.
	ClaimDraft(ctx context.Context, id string) (bool, error)
}

// maxBroadcastRunes keeps a broadcast within one Telegram message.
const maxBroadcastRunes = 3500

// RegisterDesk adds the editors' commands; everyone else is refused.
func (b *Bot) RegisterDesk(d Desk) {
	h := deskHandlers{d}
	b.Command("stats", h.stats, EditorsOnly)
	b.Command("broadcast", h.broadcast, EditorsOnly)
	b.Command("pick", func(c *Ctx) error { return h.push(c, d.Pick, "desk_picked") }, EditorsOnly)
	b.Command("breaking", func(c *Ctx) error { return h.push(c, d.Breaking, "desk_breaking_sent") }, EditorsOnly)
	b.Command("redrive", h.redrive, EditorsOnly)
	b.Callback("bc", h.confirm, EditorsOnly)
}

type deskHandlers struct{ d Desk }

func (h deskHandlers) stats(c *Ctx) error {
	text, err := h.d.StatsText(c, c.Lang)
	if err != nil {
		return err
	}
	return c.Reply(text, nil)
}

func (h deskHandlers) push(c *Ctx, do func(context.Context, news.Article) (int, error), done string) error {
	if c.Args == "" || utf8.RuneCountInString(c.Args) > 500 {
		return Reply("desk_article_usage", map[string]any{"Command": c.Cmd})
	}
	a, ok, err := h.d.Find(c, c.Args)
	if err != nil {
		return err
	}
	if !ok {
		return Reply("desk_article_unknown", map[string]any{"Arg": telegram.Esc(c.Args)})
	}
	n, err := do(c, a)
	if err != nil {
		return err
	}
	return c.Reply(c.N(done, n, map[string]any{"Title": telegram.Esc(a.Title)}), nil)
}

func (h deskHandlers) redrive(c *Ctx) error {
	n, err := h.d.Redrive(c)
	if err != nil {
		return err
	}
	return c.Reply(c.N("desk_redriven", n, nil), nil)
}

// broadcast shows a preview with «Отправить всем» / «Отмена»; nothing goes
// out until an editor confirms.
func (h deskHandlers) broadcast(c *Ctx) error {
	text := strings.TrimSpace(c.Args)
	if text == "" {
		return Reply("desk_broadcast_usage", nil)
	}
	if utf8.RuneCountInString(text) > maxBroadcastRunes {
		return Reply("desk_broadcast_too_long", map[string]any{"Max": maxBroadcastRunes})
	}
	id := newID()
	if err := h.d.SaveDraft(c, id, text); err != nil {
		return err
	}
	kb := telegram.Keyboard{{{Text: c.T("desk_broadcast_send", nil), Data: "bc:send:" + id},
		{Text: c.T("desk_broadcast_cancel", nil), Data: "bc:cancel:" + id}}}
	return c.Reply(c.T("desk_broadcast_preview", nil)+"\n\n"+telegram.Esc(text), kb)
}

// confirm is the press of «Отправить всем» or «Отмена». Claiming the draft
// first makes a double tap (or two editors at once) send it only once.
func (h deskHandlers) confirm(c *Ctx) error {
	parts := strings.Split(c.Data, ":")
	if len(parts) != 3 || (parts[1] != "send" && parts[1] != "cancel") || !validID(parts[2]) {
		return c.Answer(c.T("callback_stale", nil), false)
	}
	text, ok, err := h.d.Draft(c, parts[2])
	if err != nil {
		return err
	}
	claimed := false
	if ok {
		claimed, err = h.d.ClaimDraft(c, parts[2])
	}
	if err != nil || !claimed {
		_ = c.Answer(c.T("desk_broadcast_done_already", nil), true)
		return err
	}
	if parts[1] == "cancel" {
		return c.Edit(c.T("desk_broadcast_cancelled", nil), nil)
	}
	n, err := h.d.Broadcast(c, parts[2], text)
	if err != nil {
		return err
	}
	return c.Edit(c.N("desk_broadcast_sent", n, nil)+"\n\n"+telegram.Esc(text), nil)
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func validID(s string) bool {
	if len(s) != 16 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
