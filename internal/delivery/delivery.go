// Package delivery turns new articles and editors' messages into one delivery
// per chat on a Redis Stream, and sends them at Telegram's pace, shared by all
// copies of the bot: a chat gets a thing at most once (as near as Telegram
// allows), nothing is dropped without a recorded reason, replies keep a share
// of the budget, and chats may ask for a daily digest or quiet hours.
//
// Guarantees. An entry leaves the stream (XACK + XDEL) only in the same
// transaction that records its outcome (sent mark, drop reason, dead letter),
// so a crash can repeat only sends in flight: a worker's current message (at
// high rates its current batch, at most 16 messages and ~10 ms of sending).
// The fan-out writes each chat's mark and entry in one script, so it can be
// rerun after a crash and adds only what is missing.
//
// Redis keys (all under the store prefix; those in the {deliveries} hash tag
// are used together in scripts and transactions, so they share a Cluster slot):
//
//	{deliveries}                        stream, one entry per (thing, chat), group "senders"
//	{deliveries}:dead                   stream of entries that failed too often, with the last error
//	{deliveries}:sent:{kind}:{item}     hash chat → q (queued) | s (sent) | c (collected for a digest
//	                                    or summary): the fan-out and sent marks, TTL Keep
//	{deliveries}:article:{id}           hash t (title), u (url): what digests list, TTL Keep
//	{deliveries}:payload:{kind}:{id}    JSON Payload of a broadcast, brief or notice, TTL Keep
//	{deliveries}:list:{kind}:{chat}     list of article ids held for the chat's digest or summary
//	{deliveries}:list:{kind}:{chat}:{item}  the same list frozen for one digest or summary
//	{deliveries}:at:{kind}:{HHMM}       set of chats whose digest (or quiet hours' end) is at HH:MM
//	{deliveries}:due                    the last minute RunDue handled (unix minutes)
//	{deliveries}:count:sent:{date}      hash HHMM → messages sent that minute, TTL 2 days
//	{deliveries}:dropped                hash reason → deliveries dropped for it
//	pause:global, pause:chat:{id}       a 429's end (unix ms) with PX = retry_after; channel "pause"
//	rate:…rl:send:{all|bulk}, rate:…rl:chat:{id}   redis_rate GCRA state
//	chat:{id} fields mode, digest_at, quiet   the chat's delivery settings
package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/gubkin-news/newsbot/internal/i18n"
	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

// Kind is what a delivery carries.
type Kind string

// The kinds of deliveries. Articles are rendered by the Renderer; digests and
// summaries by the engine; the others are stored payloads.
const (
	KindArticle   Kind = "article"
	KindBroadcast Kind = "broadcast"
	KindBrief     Kind = "brief"
	KindNotice    Kind = "notice"
	KindDigest    Kind = "digest"  // the day's articles of a chat in digest mode
	KindSummary   Kind = "summary" // what came during a chat's quiet hours
)

// Delivery is one thing for one chat.
type Delivery struct {
	ID        string // stream entry id
	Kind      Kind
	Item      string // article id; payload id; for digests and summaries the day
	ChatID    int64
	Reason    string // why the chat gets it besides its sections (a followed phrase)
	Breaking  bool   // ignores quiet hours and digests
	Attempts  int    // transient failures so far
	NotBefore time.Time
}

// ErrGone is what a Renderer returns (wrapped) when the article no longer
// exists: the delivery is dropped with reason "article_gone".
var ErrGone = errors.New("delivery: gone")

// Renderer builds the message of an article delivery for a chat.
type Renderer interface {
	Render(ctx context.Context, d Delivery, chat news.Chat) (telegram.Message, error)
}

// RendererFunc adapts a function to Renderer.
type RendererFunc func(ctx context.Context, d Delivery, chat news.Chat) (telegram.Message, error)

// Render calls f.
func (f RendererFunc) Render(ctx context.Context, d Delivery, chat news.Chat) (telegram.Message, error) {
	return f(ctx, d, chat)
}

// Sender makes one attempt to send (telegram.Sender.SendOnce): retries,
// pacing and error classes are the engine's business.
type Sender interface {
	SendOnce(ctx context.Context, m telegram.Message) (telegram.Result, error)
}

// ChatEvents hears what sending learns about chats (the app's chatEvents).
type ChatEvents interface {
	ChatGone(ctx context.Context, chatID int64, reason string)
	ChatMigrated(ctx context.Context, from, to int64)
}

// Defaults of Config.
const (
	DefaultRate        = 25.0
	DefaultReplyShare  = 0.2
	DefaultWorkers     = 8
	DefaultMaxAttempts = 8
	DefaultClaimIdle   = time.Minute
	DefaultKeep        = 7 * 24 * time.Hour
	FanoutBatch        = 500 // recipients per fan-out script call
)

// Config is the engine's settings.
type Config struct {
	Rate          float64        // SEND_RATE: messages per second in total, all copies together
	ReplyShare    float64        // REPLY_SHARE: part of Rate that bulk sending leaves to replies
	Workers       int            // SEND_WORKERS: senders in this copy
	PaidBroadcast bool           // SEND_PAID_BROADCAST: bulk messages ask for allow_paid_broadcast
	Consumer      string         // this copy's stable consumer name (hostname+instance)
	Location      *time.Location // TIMEZONE: digests and quiet hours
	MaxAttempts   int            // transient failures before the dead letter
	ClaimIdle     time.Duration  // an entry idle this long in another consumer is taken over
	Keep          time.Duration  // life of sent marks, payloads and article links
}

// Deps are the engine's collaborators. Store, Sender, Renderer and Texts are required.
type Deps struct {
	Store      *store.Store
	Sender     Sender
	Renderer   Renderer
	Texts      *i18n.Bundle
	Events     ChatEvents                                // nil: store.Chats and store.Subs directly
	Log        *slog.Logger                              // nil: slog.Default()
	Now        func() time.Time                          // nil: time.Now
	IsBreaking func(a news.Article, slugs []string) bool // nil: a.Breaking
	Backoff    func(attempt int) time.Duration           // nil: telegram.Backoff
}

// Engine is the delivery engine of one copy of the bot.
type Engine struct {
	cfg      Config
	s        *store.Store
	send     Sender
	renderer Renderer
	texts    *i18n.Bundle
	events   ChatEvents
	log      *slog.Logger
	now      func() time.Time
	breaking func(a news.Article, slugs []string) bool
	backoff  func(attempt int) time.Duration
	pace     *pacer
	pause    *pauses
}

// New checks the configuration and builds the engine; Run starts its senders.
func New(cfg Config, d Deps) (*Engine, error) {
	if d.Store == nil || d.Sender == nil || d.Renderer == nil || d.Texts == nil {
		return nil, errors.New("delivery: Store, Sender, Renderer and Texts are required")
	}
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, s: d.Store, send: d.Sender, renderer: d.Renderer, texts: d.Texts,
		events: d.Events, log: d.Log, now: d.Now, breaking: d.IsBreaking, backoff: d.Backoff}
	if e.log == nil {
		e.log = slog.Default()
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.breaking == nil {
		e.breaking = func(a news.Article, _ []string) bool { return a.Breaking }
	}
	if e.backoff == nil {
		e.backoff = telegram.Backoff
	}
	if e.events == nil {
		e.events = storeEvents{e}
	}
	e.pause = &pauses{}
	e.pace = newPacer(e)
	if cfg.Rate > 30 && !cfg.PaidBroadcast {
		e.log.Warn("SEND_RATE is above Telegram's 30 messages/s without SEND_PAID_BROADCAST: expect 429s", "rate", cfg.Rate)
	}
	return e, nil
}

func (c *Config) fill() error {
	if c.Rate == 0 {
		c.Rate = DefaultRate
	}
	if c.Workers == 0 {
		c.Workers = DefaultWorkers
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.ClaimIdle == 0 {
		c.ClaimIdle = DefaultClaimIdle
	}
	if c.Keep == 0 {
		c.Keep = DefaultKeep
	}
	if c.Location == nil {
		c.Location = time.Local
	}
	switch {
	case c.Rate < 0 || c.Workers < 0 || c.MaxAttempts < 0:
		return fmt.Errorf("delivery: rate %v, workers %d and attempts %d must be positive", c.Rate, c.Workers, c.MaxAttempts)
	case c.ReplyShare < 0 || c.ReplyShare >= 1:
		return fmt.Errorf("delivery: reply share %v must be in [0, 1)", c.ReplyShare)
	case c.Consumer == "":
		return errors.New("delivery: a consumer name (hostname+instance) is required")
	}
	return nil
}

// k builds a key inside the {deliveries} hash tag.
func (e *Engine) k(parts ...string) string {
	return e.s.K(append([]string{"{deliveries}"}, parts...)...)
}

func (e *Engine) streamKey() string { return e.k() }
func (e *Engine) deadKey() string   { return e.k("dead") }

func (e *Engine) sentKey(kind Kind, item string) string { return e.k("sent", string(kind), item) }

func (e *Engine) listKey(kind Kind, chat int64) string { return e.k("list", string(kind), id(chat)) }

func (e *Engine) frozenKey(kind Kind, chat int64, item string) string {
	return e.k("list", string(kind), id(chat), item)
}

const group = "senders"

func id(n int64) string { return strconv.FormatInt(n, 10) }

// storeEvents is what happens to chats when the app gives no ChatEvents.
type storeEvents struct{ e *Engine }

func (s storeEvents) ChatGone(ctx context.Context, chatID int64, reason string) {
	if err := (store.Chats{S: s.e.s}).Deactivate(ctx, chatID, reason); err != nil {
		s.e.log.Warn("delivery: mark chat inactive", "chat", chatID, "reason", reason, "err", err)
	}
}

func (s storeEvents) ChatMigrated(ctx context.Context, from, to int64) {
	for _, move := range []func(context.Context, int64, int64) error{
		store.Chats{S: s.e.s}.Move, store.Subs{S: s.e.s}.Move, s.e.MoveChat} {
		if err := move(ctx, from, to); err != nil {
			s.e.log.Warn("delivery: move migrated chat", "from", from, "to", to, "err", err)
		}
	}
}
