package bot

import (
	"context"
	"errors"
	"strings"
	"unicode"

	"github.com/gubkin-news/newsbot/internal/telegram"
)

// HandleUpdate is the poller's handler: it never panics and never returns an error.
func (b *Bot) HandleUpdate(ctx context.Context, u telegram.Update) {
	b.once.Do(func() { b.handle = b.chain() }) // after every Register…, before the first update
	c := b.newCtx(ctx, u)
	if c == nil {
		return // an update kind we do not handle
	}
	_ = b.handle(c)
}

// chain wraps dispatch in the middleware, outermost first.
func (b *Bot) chain() Handler {
	h := b.dispatch
	for _, m := range []Middleware{b.rateLimit, b.logging, b.recover} {
		h = m(h)
	}
	return h
}

// newCtx reads the update into a Ctx; nil for kinds the bot ignores
// (edits, channel posts, polls, …).
func (b *Bot) newCtx(ctx context.Context, u telegram.Update) *Ctx {
	c := &Ctx{Context: ctx, B: b, U: u}
	switch {
	case u.Message != nil:
		c.Msg, c.From = u.Message, u.Message.From
		c.ChatID = u.Message.Chat.ID
		c.ThreadID = u.TopicID()
	case u.CallbackQuery != nil:
		c.CB, c.From, c.Data = u.CallbackQuery, u.CallbackQuery.From, u.CallbackQuery.Data
		c.ThreadID = u.TopicID()
		c.ChatID = u.CallbackQuery.From.ID
		if m := u.CallbackQuery.Message; m != nil {
			c.ChatID = m.Chat.ID
		}
	case u.MyChatMember != nil:
		c.From, c.ChatID = &u.MyChatMember.From, u.MyChatMember.Chat.ID
	default:
		return nil
	}
	b.loadChat(c)
	c.Recipient = c.ChatID
	if c.ThreadID != 0 && b.Topics != nil {
		id, err := b.Topics.ID(ctx, c.ChatID, c.ThreadID)
		if err != nil {
			b.Log.Warn("forum topic id; using the whole chat", "chat", c.ChatID, "thread", c.ThreadID, "err", err)
		} else {
			c.Recipient = id
		}
	}
	return c
}

func (b *Bot) loadChat(c *Ctx) {
	ch, known, err := b.Chats.Get(c, c.ChatID)
	if err != nil {
		b.Log.Warn("load chat", "chat", c.ChatID, "err", err)
	}
	c.Chat, c.Known = ch, known
	c.Chat.Type = chatType(c)
	c.Lang = ch.Lang
	if c.Lang == "" {
		code := ""
		if c.From != nil {
			code = c.From.LanguageCode
		}
		c.Lang = b.Texts.Pick(code)
	}
}

func chatType(c *Ctx) string {
	switch {
	case c.Msg != nil:
		return c.Msg.Chat.Type
	case c.CB != nil && c.CB.Message != nil:
		return c.CB.Message.Chat.Type
	case c.U.MyChatMember != nil:
		return c.U.MyChatMember.Chat.Type
	}
	return c.Chat.Type
}

// dispatch picks the route of the update.
func (b *Bot) dispatch(c *Ctx) error {
	switch {
	case c.CB != nil:
		return b.dispatchCallback(c)
	case c.U.MyChatMember != nil:
		return b.runAll(c, b.onMember)
	case c.Msg.MigrateToChatID != 0:
		if b.OnMigrate != nil {
			b.OnMigrate(c, c.ChatID, c.Msg.MigrateToChatID)
		}
		return nil
	case c.Msg.IsCommand():
		return b.dispatchCommand(c)
	case c.Private() && c.Msg.Text != "":
		return b.dispatchText(c)
	}
	return nil // photos, stickers, service messages, group chatter
}

func (b *Bot) dispatchCommand(c *Ctx) error {
	cmd, at, args := splitCommand(c.Msg.Text)
	if at != "" && !strings.EqualFold(at, b.Username) {
		return nil // /cmd@otherbot
	}
	c.Cmd, c.Args = strings.ToLower(cmd), args
	r, ok := b.commands[c.Cmd]
	switch {
	case !ok && !c.Private() && at == "":
		return nil // in a group, an unknown bare command is someone else's
	case !ok:
		return c.Reply(c.T("unknown_command", map[string]any{"Command": telegram.Esc(c.Cmd)}), nil)
	case !r.groups && !c.Private():
		return Reply("private_only", nil)
	case r.editorsOnly && !c.IsEditor():
		return Reply("editors_only", nil)
	}
	return r.h(c)
}

// splitCommand reads "/cmd@bot args" from the text itself: the library's
// Command() trusts the entity's length, which a malformed update can set past
// the end of the text.
func splitCommand(text string) (cmd, at, args string) {
	word, rest := text, ""
	if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
		word, rest = text[:i], text[i:]
	}
	cmd, at, _ = strings.Cut(strings.TrimPrefix(word, "/"), "@")
	return cmd, at, strings.TrimSpace(rest)
}

func (b *Bot) dispatchCallback(c *Ctx) error {
	defer func() { _ = c.Answer("", false) }() // every callback is answered
	for _, r := range b.callbacks {
		if c.Data == r.name || strings.HasPrefix(c.Data, r.name+":") {
			if r.editorsOnly && !c.IsEditor() {
				return c.Answer(c.T("editors_only", nil), true)
			}
			return r.h(c)
		}
	}
	return c.Answer(c.T("callback_stale", nil), false)
}

func (b *Bot) dispatchText(c *Ctx) error {
	for _, h := range b.onText {
		if err := h(c); !errors.Is(err, ErrNotMine) {
			return err
		}
	}
	return c.Reply(c.T("text_hint", nil), nil)
}

func (b *Bot) runAll(c *Ctx, hs []Handler) error {
	var errs []error
	for _, h := range hs {
		errs = append(errs, h(c))
	}
	return errors.Join(errs...)
}
