package bot

import (
	"context"
	"errors"
	"strconv"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

// Handler handles one update. An error is logged and the user gets a polite
// apology, unless it is a *UserError, whose text is the reply.
type Handler func(c *Ctx) error

// Middleware wraps a handler.
type Middleware func(Handler) Handler

// ErrNotMine lets the next text handler have a message.
var ErrNotMine = errors.New("bot: not mine")

// UserError is a mistake of the user's, answered with a text from locales.
type UserError struct {
	ID   string
	Data map[string]any
}

func (e *UserError) Error() string { return "user error: " + e.ID }

// Reply makes a UserError: the handler returns it and the user reads the text.
func Reply(id string, data map[string]any) error { return &UserError{ID: id, Data: data} }

// Ctx is one update being handled.
type Ctx struct {
	context.Context
	B        *Bot
	U        telegram.Update
	Msg      *tgbotapi.Message // the message or channel post, if any
	CB       *tgbotapi.CallbackQuery
	From     *tgbotapi.User
	ChatID   int64
	ThreadID int
	// Recipient is whose settings the update changes: the chat, or in a
	// forum topic the topic's own recipient id.
	Recipient int64
	Chat      news.Chat // the record; Chat.Created is zero when there is none yet
	Known     bool      // the chat has a record
	Lang      string
	Cmd       string // command without / and @bot
	Args      string // what follows the command
	Data      string // callback data

	answered bool
}

// UserID is the sender's id (0 for channel posts).
func (c *Ctx) UserID() int64 {
	if c.From == nil {
		return 0
	}
	return c.From.ID
}

// IsEditor tells whether the sender is in EDITOR_IDS.
func (c *Ctx) IsEditor() bool { return c.From != nil && c.B.IsEditor(c.From.ID) }

// Private tells whether the update came from a private chat.
func (c *Ctx) Private() bool { return c.Chat.Type == "private" || c.Chat.Type == "" && c.ChatID > 0 }

// T is a text in the chat's language.
func (c *Ctx) T(id string, data map[string]any) string { return c.B.Texts.T(c.Lang, id, data) }

// N is a plural text in the chat's language.
func (c *Ctx) N(id string, n int, data map[string]any) string {
	return c.B.Texts.N(c.Lang, id, n, data)
}

// Reply sends HTML text to the chat (in the same forum topic).
func (c *Ctx) Reply(text string, kb telegram.Keyboard) error {
	_, err := c.Send(telegram.Message{ChatID: c.ChatID, Text: text, Keyboard: kb, NoPreview: true})
	return err
}

// Send sends m, filling the forum topic when m is for this chat.
func (c *Ctx) Send(m telegram.Message) (telegram.Result, error) {
	if m.ChatID == c.ChatID && m.ThreadID == 0 {
		m.ThreadID = c.ThreadID
	}
	return c.B.Sender.Send(c, m)
}

// Edit replaces the text and buttons of the message a callback came from.
func (c *Ctx) Edit(text string, kb telegram.Keyboard) error {
	if c.CB == nil || c.CB.Message == nil {
		return c.Reply(text, kb)
	}
	_, err := c.B.Sender.Send(c, telegram.Message{ChatID: c.ChatID, EditID: c.CB.Message.MessageID,
		Text: text, Keyboard: kb, NoPreview: true})
	return err
}

// Answer answers the callback query (once); text shows as a small notice.
func (c *Ctx) Answer(text string, alert bool) error {
	if c.CB == nil || c.answered {
		return nil
	}
	c.answered = true
	p := tgbotapi.Params{"callback_query_id": c.CB.ID}
	p.AddNonEmpty("text", text)
	if alert {
		p["show_alert"] = strconv.FormatBool(alert)
	}
	_, err := c.B.API.Call(c, "answerCallbackQuery", p)
	return err
}
