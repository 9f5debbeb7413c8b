// Package bot routes Telegram updates to handlers: commands (also /cmd@ourbot
// in groups), callback queries, plain text and membership changes, through
// middleware (recover, log, per-user rate limit, editors-only gate).
package bot

import (
	"context"
	"encoding/json"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/gubkin-news/newsbot/internal/i18n"
	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

// Sender sends or edits one message (the telegram package's Sender).
type Sender interface {
	Send(ctx context.Context, m telegram.Message) (telegram.Result, error)
}

// API makes a raw Bot API call (answerCallbackQuery, getChatMember, …).
type API interface {
	Call(ctx context.Context, method string, params tgbotapi.Params) (json.RawMessage, error)
}

// ChatStore is what the router needs of the chats' records.
type ChatStore interface {
	Get(ctx context.Context, id int64) (news.Chat, bool, error)
	Ensure(ctx context.Context, ch news.Chat, now time.Time) (news.Chat, bool, error)
	SetLang(ctx context.Context, id int64, lang string) error
	Deactivate(ctx context.Context, id int64, reason string) error
}

// UserLimiter allows a user's commands at a bounded rate.
type UserLimiter interface {
	// Allow reports whether the user may go on, and whether to tell them
	// to slow down (only once per window).
	Allow(ctx context.Context, userID int64) (ok, warn bool, err error)
}

// Deps are the parts a Bot is built from. Optional ones may stay nil.
type Deps struct {
	Username  string // the bot's @username, without @
	BotID     int64  // the bot's own user id
	Sender    Sender
	API       API
	Texts     *i18n.Bundle
	Chats     ChatStore
	Limiter   UserLimiter // nil: no limit
	IsEditor  func(userID int64) bool
	Log       *slog.Logger
	Now       func() time.Time
	OnMigrate func(ctx context.Context, from, to int64) // a group became a supergroup
	Topics    Topics                                    // nil: forum topics share their chat's settings
	Channels  Channels                                  // nil: no /connect
}

// Topics gives a forum topic its own recipient id.
type Topics interface {
	ID(ctx context.Context, chat int64, thread int) (int64, error)
}

// Channels remembers which channel a private chat manages.
type Channels interface {
	Connect(ctx context.Context, manager, channel int64) error
	Connected(ctx context.Context, manager int64) (int64, error)
	Disconnect(ctx context.Context, manager int64) error
}

// Bot is the router.
type Bot struct {
	Deps
	commands  map[string]*route
	callbacks []*route
	onText    []Handler
	onMember  []Handler
	onStart   []Handler
	handle    Handler // the chain, built on first use
	once      sync.Once
}

type route struct {
	name        string // command or callback prefix
	h           Handler
	editorsOnly bool
	menu        bool // shown in the menu and /help
	groups      bool // allowed in groups
}

// New builds a router with the core commands (/start, /help, /lang).
func New(d Deps) *Bot {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.IsEditor == nil {
		d.IsEditor = func(int64) bool { return false }
	}
	b := &Bot{Deps: d, commands: map[string]*route{}}
	b.registerCore()
	return b
}

// Option tunes a command or callback route.
type Option func(*route)

// EditorsOnly refuses everyone not in EDITOR_IDS.
func EditorsOnly(r *route) { r.editorsOnly = true }

// InMenu lists the command in the menu and /help (text id "cmd_<name>").
func InMenu(r *route) { r.menu = true }

// PrivateOnly answers the command only in private chats.
func PrivateOnly(r *route) { r.groups = false }

// Command registers /name.
func (b *Bot) Command(name string, h Handler, opts ...Option) {
	r := &route{name: strings.ToLower(name), h: h, groups: true}
	for _, o := range opts {
		o(r)
	}
	b.commands[r.name] = r
}

// Callback registers a handler for callback data starting with prefix+":".
func (b *Bot) Callback(prefix string, h Handler, opts ...Option) {
	r := &route{name: prefix, h: h, groups: true}
	for _, o := range opts {
		o(r)
	}
	b.callbacks = append(b.callbacks, r)
	sort.Slice(b.callbacks, func(i, j int) bool { return len(b.callbacks[i].name) > len(b.callbacks[j].name) })
}

// OnText adds a handler for plain messages in private chats; it returns
// ErrNotMine to let the next one (finally a short hint) have it.
func (b *Bot) OnText(h Handler) { b.onText = append(b.onText, h) }

// OnMember adds a handler of my_chat_member updates.
func (b *Bot) OnMember(h Handler) { b.onMember = append(b.onMember, h) }

// OnStart adds something /start does after the greeting (e.g. the sections keyboard).
func (b *Bot) OnStart(h Handler) { b.onStart = append(b.onStart, h) }

// MenuCommands lists the menu's commands in a language.
func (b *Bot) MenuCommands(lang string) []tgbotapi.BotCommand {
	var out []tgbotapi.BotCommand
	for _, name := range b.menuOrder() {
		out = append(out, tgbotapi.BotCommand{Command: name, Description: b.Texts.T(lang, "cmd_"+name, nil)})
	}
	return out
}

// menuOrder is the order commands were registered in for the menu.
func (b *Bot) menuOrder() []string {
	var names []string
	for n, r := range b.commands {
		if r.menu && !r.editorsOnly {
			names = append(names, n)
		}
	}
	sort.Slice(names, func(i, j int) bool {
		ri, rj := menuRank(names[i]), menuRank(names[j])
		return ri < rj || ri == rj && names[i] < names[j]
	})
	return names
}

var menuOrder = []string{"news", "categories", "subscribe", "mysubs", "follow", "following", "weather", "rates", "brief", "settings", "typo", "lang", "help", "start"}

func menuRank(name string) int {
	for i, n := range menuOrder {
		if n == name {
			return i
		}
	}
	return len(menuOrder)
}
