// Package app wires newsbot from its configuration: it builds every part,
// starts them in order and stops them in reverse.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/robfig/cron/v3"
	"golang.org/x/sync/errgroup"

	"github.com/gubkin-news/newsbot/internal/bot"
	"github.com/gubkin-news/newsbot/internal/config"
	"github.com/gubkin-news/newsbot/internal/httpapi"
	"github.com/gubkin-news/newsbot/internal/i18n"
	"github.com/gubkin-news/newsbot/internal/metrics"
	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

// App is one running copy of the bot.
type App struct {
	Cfg    *config.Config
	Log    *slog.Logger
	Now    func() time.Time
	Store  *store.Store
	Texts  *i18n.Bundle
	Client *telegram.Client
	Sender *telegram.Sender
	Bot    *bot.Bot
	Poller *telegram.Poller
	HTTP   *httpapi.Server
	Cron   *cron.Cron
	F      Features

	leading     atomic.Bool
	ctx         atomic.Pointer[context.Context] // Run's context, for scheduled jobs
	addr        atomic.Value                    // the HTTP listener's address, once bound
	closers     []func()
	extraMovers []func(ctx context.Context, from, to int64) error
	background  []func(ctx context.Context) error // run by every copy (senders, janitors)
}

// New connects to Redis and Telegram and builds every part. Problems a
// person must fix come back as one clear error.
func New(ctx context.Context, cfg *config.Config, log *slog.Logger) (*App, error) {
	a := &App{Cfg: cfg, Log: log, Now: time.Now}
	texts, err := i18n.Default(cfg.DefaultLang)
	if err != nil {
		return nil, err
	}
	a.Texts = texts
	if err := a.connectRedis(ctx); err != nil {
		return nil, err
	}
	if err := a.connectTelegram(ctx); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.build(); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// Close releases connections.
func (a *App) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
}

func (a *App) connectRedis(ctx context.Context) error {
	rdb, closeFn, err := store.Open(a.Cfg.RedisURL)
	if err != nil {
		return fmt.Errorf("REDIS_URL: %w", err)
	}
	a.closers = append(a.closers, closeFn)
	if store.Memory(a.Cfg.RedisURL) {
		a.Log.Warn("REDIS_URL=memory:// — running on an in-process store: NOTHING SURVIVES A RESTART (subscriptions, offsets, reports). Use a real Redis in production.")
	}
	store.CountErrors(rdb)
	a.Store = store.New(rdb, a.Cfg.RedisPrefix)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := a.Store.Ping(pctx); err != nil {
		a.Close()
		return fmt.Errorf("cannot reach Redis at REDIS_URL=%s (%v); start one with `redis-server` (or `docker run -p 6379:6379 redis:7`), or set REDIS_URL", redactURL(a.Cfg.RedisURL), err)
	}
	return nil
}

func (a *App) connectTelegram(ctx context.Context) error {
	c, err := telegram.NewClient(ctx, a.Cfg.TelegramToken, a.Cfg.TelegramAPIURL, 30*time.Second)
	var ae *telegram.APIError
	switch {
	case errors.As(err, &ae) && (ae.Code == 401 || ae.Code == 404):
		return fmt.Errorf("TELEGRAM_TOKEN is wrong: Telegram answered %d %s to getMe; take the token from @BotFather", ae.Code, ae.Description)
	case err != nil:
		return fmt.Errorf("cannot reach the Bot API at TELEGRAM_API_URL=%s: %w", a.Cfg.TelegramAPIURL, err)
	}
	a.Client = c
	a.Log.Info("connected to Telegram", "bot", "@"+c.Username())
	return nil
}

// build makes the sender, router, poller, HTTP server and schedules.
func (a *App) build() error {
	chats := store.Chats{S: a.Store}
	a.Sender = &telegram.Sender{C: a.Client, Log: a.Log, PaidBulk: a.Cfg.SendPaidBroadcast,
		Limiter: telegram.NewLocalLimiter(a.Cfg.SendRate), Events: chatEvents{a}}
	a.Bot = bot.New(bot.Deps{
		Username: a.Client.Username(), Sender: a.Sender, API: a.Client, Texts: a.Texts,
		Chats: chats, Limiter: store.NewUserLimit(a.Store, a.Cfg.UserRatePerMin),
		IsEditor: a.Cfg.IsEditor, Log: a.Log, Now: func() time.Time { return a.Now() },
		OnMigrate: a.migrate, BotID: a.Client.Self.ID,
		Topics: store.Topics{S: a.Store}, Channels: store.Channels{S: a.Store},
	})
	a.Poller = &telegram.Poller{C: a.Client, Store: store.Offsets{S: a.Store}, Handle: a.Bot.HandleUpdate,
		Log: a.Log, Timeout: a.Cfg.PollTimeout, ShutdownTimeout: a.Cfg.ShutdownTimeout}
	a.HTTP = httpapi.New(a.Log)
	a.HTTP.Mux.Handle("GET /metrics", metrics.Handler())
	a.HTTP.AddCheck("redis", a.Store.Ping)
	a.HTTP.AddCheck("poller", func(context.Context) error {
		if a.leading.Load() && !a.Poller.Healthy() { // only the leader polls
			return errors.New("getUpdates is not answering")
		}
		return nil
	})
	a.Cron = cron.New(cron.WithLocation(a.Cfg.Timezone), cron.WithChain(cron.Recover(cronLogger{a.Log})))
	return a.features()
}

// Run prepares Telegram (webhook off, command menu) and runs until ctx ends.
func (a *App) Run(ctx context.Context) error {
	l, err := a.HTTP.Listen(a.Cfg.HTTPAddr)
	if err != nil {
		return err
	}
	a.addr.Store(l.Addr().String())
	a.prepareTelegram(ctx)
	g, gctx := errgroup.WithContext(ctx)
	a.ctx.Store(&gctx)
	g.Go(func() error { return a.HTTP.Serve(gctx, l) })
	g.Go(func() error { return a.lead(gctx) })
	for _, bg := range a.background {
		g.Go(func() error { return bg(gctx) })
	}
	a.Log.Info("newsbot is running", "http", l.Addr().String())
	err = g.Wait()
	a.Log.Info("newsbot stopped")
	return err
}

// runCtx is Run's context (a cancelled one before Run).
func (a *App) runCtx() context.Context {
	if p := a.ctx.Load(); p != nil {
		return *p
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// HTTPAddr is the address the HTTP server listens on ("" before Run).
func (a *App) HTTPAddr() string {
	s, _ := a.addr.Load().(string)
	return s
}

// prepareTelegram turns a webhook off and sets the menu; failures are warnings.
func (a *App) prepareTelegram(ctx context.Context) {
	if _, err := a.Client.Call(ctx, "deleteWebhook", tgbotapi.Params{}); err != nil {
		a.Log.Warn("deleteWebhook failed; getUpdates may answer 409 while a webhook is set", "err", err)
	}
	for _, lang := range i18n.Supported {
		cmds, _ := json.Marshal(a.Bot.MenuCommands(lang))
		p := tgbotapi.Params{"commands": string(cmds)}
		if lang != a.Cfg.DefaultLang {
			p["language_code"] = lang
		}
		if _, err := a.Client.Call(ctx, "setMyCommands", p); err != nil {
			a.Log.Warn("setMyCommands failed; the command menu may be out of date", "lang", lang, "err", err)
		}
	}
}

type cronLogger struct{ log *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.log.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.log.Error("cron: "+msg, append(kv, "err", err)...)
}
