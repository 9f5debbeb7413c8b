package bot

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/typo"
)

// TypoDeps are what the typo commands need.
type TypoDeps struct {
	Service  *typo.Service
	Articles interface {
		Get(ctx context.Context, id string) (news.Article, bool, error)
	}
	Conv  store.Conversations
	Posts store.Posts
}

// askTTL is how long the bot waits for the fragment after asking for it.
const askTTL = 10 * time.Minute

// ReaderTypoPrefix is the callback prefix of «Нашли опечатку?» under a push:
// "tp:<article id>".
const ReaderTypoPrefix = "tp"

// RegisterTypo adds /typo, the reader's button, the editors' buttons and /reports.
func (b *Bot) RegisterTypo(d TypoDeps) {
	h := &typoHandlers{d}
	b.Command("typo", h.command, InMenu)
	b.Command("reports", h.reports, EditorsOnly)
	b.Callback(ReaderTypoPrefix, h.button)
	b.Callback("typo", h.status, EditorsOnly)
	b.OnText(h.text)
}

type typoHandlers struct{ d TypoDeps }

// rawReply reads what the library does not know: the quoted fragment.
type rawReply struct {
	Message struct {
		Quote *struct {
			Text string `json:"text"`
		} `json:"quote"`
		ReplyTo *struct {
			MessageID int `json:"message_id"`
		} `json:"reply_to_message"`
	} `json:"message"`
}

// command: /typo <fragment> — <comment>, or a reply to a push (with a quote
// or a fragment), or bare /typo, which asks for the fragment.
func (h *typoHandlers) command(c *Ctx) error {
	var raw rawReply
	_ = json.Unmarshal(c.U.Raw, &raw)
	articleID := ""
	if raw.Message.ReplyTo != nil {
		articleID, _ = h.d.Posts.Article(c, c.ChatID, raw.Message.ReplyTo.MessageID)
	}
	fragment, comment := typo.ParseCommand(c.Args)
	if raw.Message.Quote != nil && strings.TrimSpace(raw.Message.Quote.Text) != "" {
		comment = strings.TrimSpace(strings.TrimSpace(fragment + " " + comment))
		fragment = raw.Message.Quote.Text
	}
	if fragment == "" {
		return h.ask(c, articleID)
	}
	return h.submit(c, articleID, fragment, comment)
}

func (h *typoHandlers) ask(c *Ctx, articleID string) error {
	if err := h.d.Conv.Set(c, c.ChatID, "typo:"+articleID, askTTL); err != nil {
		return err
	}
	return c.Reply(c.T("typo_ask_fragment", nil), nil)
}

// button is «Нашли опечатку?» under a pushed article.
func (h *typoHandlers) button(c *Ctx) error {
	id := strings.TrimPrefix(c.Data, ReaderTypoPrefix+":")
	if !store.ValidID(id) {
		return c.Answer(c.T("callback_stale", nil), false)
	}
	_ = c.Answer("", false)
	return h.ask(c, id)
}

// text takes the fragment the bot asked for.
func (h *typoHandlers) text(c *Ctx) error {
	state, err := h.d.Conv.Take(c, c.ChatID)
	if err != nil || !strings.HasPrefix(state, "typo:") {
		return errors.Join(err, ErrNotMine)
	}
	fragment, comment := typo.ParseCommand(c.Msg.Text)
	return h.submit(c, strings.TrimPrefix(state, "typo:"), fragment, comment)
}

func (h *typoHandlers) submit(c *Ctx, articleID, fragment, comment string) error {
	r := typo.Report{Fragment: fragment, Comment: comment, Reporter: reporter(c)}
	if articleID != "" {
		if a, ok, err := h.d.Articles.Get(c, articleID); err == nil && ok {
			r.URL, r.Title = a.URL, a.Title
		}
	}
	saved, err := h.d.Service.SubmitTelegram(c, r)
	if err != nil {
		if id, data, ok := typo.ReaderText(err); ok {
			return Reply(id, escapeData(data))
		}
		return err
	}
	return c.Reply(c.T("typo_received", map[string]any{"ID": saved.ID}), nil)
}

func reporter(c *Ctx) typo.Reporter {
	r := typo.Reporter{ChatID: c.ChatID, Lang: c.Lang}
	if c.From != nil {
		r.Name = strings.TrimSpace(c.From.FirstName + " " + c.From.LastName)
		r.Username, r.UserID = c.From.UserName, c.From.ID
	}
	return r
}
