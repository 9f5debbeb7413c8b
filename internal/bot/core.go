package bot

import (
	"strings"

	"github.com/gubkin-news/newsbot/internal/i18n"
	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

func (b *Bot) registerCore() {
	b.Command("start", b.start, InMenu)
	b.Command("help", b.help, InMenu)
	b.Command("lang", b.lang, InMenu)
	b.Callback("lang", b.langButton)
	b.OnMember(b.member)
}

// EnsureChat creates the chat's record if needed (and reactivates it).
func (c *Ctx) EnsureChat() error {
	ch := news.Chat{ID: c.ChatID, Type: c.Chat.Type, Lang: c.Lang, Title: chatTitle(c)}
	got, _, err := c.B.Chats.Ensure(c, ch, c.B.Now())
	if err != nil {
		return err
	}
	c.Chat, c.Known, c.Lang = got, true, got.Lang
	if c.Lang == "" {
		c.Lang = c.B.Texts.Default()
	}
	if c.Recipient != 0 && c.Recipient != c.ChatID {
		topic := news.Chat{ID: c.Recipient, Type: "topic", Lang: c.Lang, Title: ch.Title}
		_, _, err = c.B.Chats.Ensure(c, topic, c.B.Now())
	}
	return err
}

func chatTitle(c *Ctx) string {
	if c.Msg != nil {
		return c.Msg.Chat.Title
	}
	if c.U.MyChatMember != nil {
		return c.U.MyChatMember.Chat.Title
	}
	return ""
}

// start creates (or reactivates) the chat and greets it with what the bot can do.
func (b *Bot) start(c *Ctx) error {
	if err := c.EnsureChat(); err != nil {
		return err
	}
	if err := c.Reply(c.T("start_greeting", nil)+"\n\n"+b.commandList(c.Lang), nil); err != nil {
		return err
	}
	return b.runAll(c, b.onStart)
}

func (b *Bot) help(c *Ctx) error {
	return c.Reply(c.T("help_header", nil)+"\n\n"+b.commandList(c.Lang)+"\n\n"+c.T("help_footer", nil), nil)
}

// commandList is «/news — последние новости» lines of the menu's commands.
func (b *Bot) commandList(lang string) string {
	var lines []string
	for _, cmd := range b.MenuCommands(lang) {
		lines = append(lines, "/"+cmd.Command+" — "+telegram.Esc(cmd.Description))
	}
	return strings.Join(lines, "\n")
}

// lang switches the chat's language: /lang en, or buttons.
func (b *Bot) lang(c *Ctx) error {
	arg := strings.ToLower(strings.TrimSpace(c.Args))
	if arg == "" {
		return c.Reply(c.T("lang_choose", nil), langKeyboard())
	}
	if !i18n.IsSupported(arg) {
		return Reply("lang_unknown", map[string]any{"Lang": telegram.Esc(arg)})
	}
	return b.setLang(c, arg)
}

func langKeyboard() telegram.Keyboard {
	return telegram.Keyboard{{{Text: "🇷🇺 Русский", Data: "lang:ru"}, {Text: "🇬🇧 English", Data: "lang:en"}}}
}

func (b *Bot) langButton(c *Ctx) error {
	lang := strings.TrimPrefix(c.Data, "lang:")
	if !i18n.IsSupported(lang) {
		return c.Answer(c.T("callback_stale", nil), false)
	}
	if err := b.saveLang(c, lang); err != nil {
		return err
	}
	_ = c.Answer(c.T("lang_set", nil), false)
	return c.Edit(c.T("lang_set", nil), nil)
}

func (b *Bot) setLang(c *Ctx, lang string) error {
	if err := b.saveLang(c, lang); err != nil {
		return err
	}
	return c.Reply(c.T("lang_set", nil), nil)
}

func (b *Bot) saveLang(c *Ctx, lang string) error {
	if err := c.EnsureChat(); err != nil {
		return err
	}
	if err := b.Chats.SetLang(c, c.ChatID, lang); err != nil {
		return err
	}
	c.Lang, c.Chat.Lang = lang, lang
	return nil
}

// member follows the bot's own membership: blocked or removed → inactive
// (settings kept); added to a group or channel → a record for it.
func (b *Bot) member(c *Ctx) error {
	m := c.U.MyChatMember
	switch m.NewChatMember.Status {
	case "kicked", "left":
		return b.Chats.Deactivate(c, c.ChatID, m.NewChatMember.Status)
	case "member", "administrator":
		if c.Chat.Type != "private" {
			return c.EnsureChat()
		}
	}
	return nil
}
