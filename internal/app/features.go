package app

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/gubkin-news/newsbot/internal/alerts"
	"github.com/gubkin-news/newsbot/internal/bot"
	"github.com/gubkin-news/newsbot/internal/brief"
	"github.com/gubkin-news/newsbot/internal/delivery"
	"github.com/gubkin-news/newsbot/internal/feed"
	"github.com/gubkin-news/newsbot/internal/httpapi"
	"github.com/gubkin-news/newsbot/internal/rates"
	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/telegram"
	"github.com/gubkin-news/newsbot/internal/typo"
	"github.com/gubkin-news/newsbot/internal/weather"
)

// Features are the feature services, built from the config.
type Features struct {
	Feed     *feed.Ingester
	Engine   *delivery.Engine
	Alerts   *alerts.Alerts
	Weather  *weather.Service
	Rates    *rates.Service
	Typo     *typo.Service
	Briefs   *brief.Briefs
	Subs     store.Subs
	Posts    store.Posts
	Articles store.Articles
	Cats     *store.Categories
}

// features builds and registers every feature: commands, routes, schedules.
func (a *App) features() error {
	f := &a.F
	f.Subs, f.Posts = store.Subs{S: a.Store}, store.Posts{S: a.Store}
	f.Alerts = alerts.New(a.Store)
	if err := a.wireFeeds(); err != nil {
		return err
	}
	if err := a.wireDelivery(); err != nil {
		return err
	}
	a.wireInfo()
	a.wireTypo()
	a.wireBrief()
	a.Bot.RegisterSubscriptions(bot.SubsDeps{Catalog: f.Cats, Subs: f.Subs})
	a.Bot.RegisterNews(bot.NewsDeps{Catalog: f.Cats, Library: f.Articles, Loc: a.Cfg.Timezone})
	a.Bot.RegisterAlerts(f.Alerts)
	a.Bot.RegisterDesk(desk{a})
	a.Bot.RegisterSettings(f.Engine)
	if a.Cfg.PublishToken != "" {
		a.HTTP.Mux.Handle("/api/publish", httpapi.PublishHandler(a.Cfg.PublishToken, hook{a}))
	}
	a.extraMovers = append(a.extraMovers, f.Subs.Move, f.Alerts.MoveChat, f.Engine.MoveChat)
	return nil
}

func (a *App) wireFeeds() error {
	in, err := feed.New(feed.Config{URLs: a.Cfg.FeedURLs, Timeout: a.Cfg.FeedTimeout, MaxBytes: a.Cfg.FeedMaxBytes,
		UserAgent: a.Cfg.FeedUserAgent, PushMaxAge: a.Cfg.PushMaxAge, Retention: a.Cfg.ArticleRetention,
		CategoriesFile: a.Cfg.CategoriesFile, Now: a.now, Logger: a.Log}, a.Store, publisher{a}, feedHealth{a})
	if err != nil {
		return fmt.Errorf("feeds: %w", err)
	}
	a.F.Feed, a.F.Articles, a.F.Cats = in, in.Articles(), in.Categories()
	if len(a.Cfg.FeedURLs) > 0 {
		a.every(a.Cfg.FeedSchedule, "feeds", a.Cfg.FeedTimeout*4, in.RunOnce)
	}
	return nil
}

func (a *App) wireDelivery() error {
	host, _ := os.Hostname()
	if a.Cfg.Instance != "" {
		host = a.Cfg.Instance
	}
	eng, err := delivery.New(delivery.Config{Rate: a.Cfg.SendRate, ReplyShare: a.Cfg.ReplyShare,
		Workers: a.Cfg.SendWorkers, PaidBroadcast: a.Cfg.SendPaidBroadcast, Consumer: host,
		Location: a.Cfg.Timezone}, delivery.Deps{Store: a.Store, Sender: postRecorder{a.Sender, a.F.Posts, store.Topics{S: a.Store}},
		Renderer: delivery.RendererFunc(a.renderArticle), Texts: a.Texts, Events: chatEvents{a}, Log: a.Log,
		Now: a.now, IsBreaking: delivery.BreakingSections(a.Cfg.BreakingSections)})
	if err != nil {
		return fmt.Errorf("delivery: %w", err)
	}
	a.F.Engine = eng
	a.Sender.Limiter = eng.ReplyLimiter()
	a.background = append(a.background, eng.Run)
	a.every("@every 1m", "digests", time.Minute, func(ctx context.Context) error {
		_, err := eng.RunDue(ctx, a.now())
		return err
	})
	return nil
}

func (a *App) wireInfo() {
	c := a.Cfg
	a.F.Weather = weather.New(weather.Config{APIURL: c.WeatherAPIURL, Latitude: c.WeatherLat, Longitude: c.WeatherLon,
		Place: c.WeatherPlace, Timezone: c.Timezone.String(), Timeout: c.UpstreamTimeout, Now: a.now}, a.Store, a.Log)
	a.F.Rates = rates.New(rates.Config{APIURL: c.RatesAPIURL, Currencies: c.RatesCurrencies,
		Timezone: c.Timezone.String(), Timeout: c.UpstreamTimeout, Now: a.now}, a.Store, a.Log)
	a.every("*/15 * * * *", "weather", c.UpstreamTimeout*2, a.F.Weather.Refresh)
	a.every("CRON_TZ=Europe/Moscow 5 * * * *", "rates", c.UpstreamTimeout*12, a.F.Rates.Refresh)
	a.every("CRON_TZ=Europe/Moscow */10 11-16 * * 1-5", "rates-publication", c.UpstreamTimeout*12, a.F.Rates.Refresh)
	a.Bot.RegisterInfo(bot.InfoDeps{Weather: a.F.Weather, Rates: a.F.Rates})
}

func (a *App) wireTypo() {
	c := a.Cfg
	svc := typo.New(a.Store, a.Sender, a.Texts, typo.Config{EditorsChatID: c.EditorsChatID,
		EditorsThreadID: c.EditorsThreadID, Lang: c.DefaultLang, Loc: c.Timezone, Now: a.now, Log: a.Log})
	a.F.Typo = svc
	a.HTTP.Mux.Handle("/api/typo", svc.SiteHandler(typo.SiteOptions{AllowedOrigins: c.TypoAllowedOrigins, TrustProxy: c.TrustProxy}))
	a.HTTP.Mux.Handle("GET /typo.js", typo.WidgetHandler())
	a.every("@every 30s", "typo-retry", time.Minute, func(ctx context.Context) error {
		_, err := svc.RetryPending(ctx)
		return err
	})
	a.extraMovers = append(a.extraMovers, svc.MoveChat)
	a.Bot.RegisterTypo(bot.TypoDeps{Service: svc, Articles: a.F.Articles, Conv: store.Conversations{S: a.Store}, Posts: a.F.Posts})
}

func (a *App) wireBrief() {
	sched := brief.Schedule{S: a.Store}
	a.F.Briefs = &brief.Briefs{Schedule: sched, Texts: a.Texts, Loc: a.Cfg.Timezone, Log: a.Log,
		Sources: brief.Sources{Weather: a.F.Weather, Rates: a.F.Rates, Latest: a.F.Articles.Latest,
			Sections: a.F.Subs.Of, Lang: a.chatLang},
		Send: func(ctx context.Context, m telegram.Message) error {
			_, err := a.F.Engine.EnqueueMessage(ctx, delivery.KindBrief, "brief:"+a.now().In(a.Cfg.Timezone).Format("2006-01-02")+":"+fmt.Sprint(m.ChatID),
				delivery.Payload{Default: m}, delivery.ChatList(m.ChatID))
			return err
		}}
	a.every("@every 1m", "briefs", time.Minute, func(ctx context.Context) error {
		_, err := a.F.Briefs.RunDue(ctx, a.now())
		return err
	})
	a.extraMovers = append(a.extraMovers, sched.Move)
	a.Bot.RegisterBrief(sched)
}

// chatLang is the chat's language, or the default.
func (a *App) chatLang(ctx context.Context, chat int64) string {
	if ch, ok, err := (store.Chats{S: a.Store}).Get(ctx, chat); err == nil && ok && ch.Lang != "" {
		return ch.Lang
	}
	return a.Cfg.DefaultLang
}

func (a *App) now() time.Time { return a.Now() }

// every schedules a job on the leader's cron, bounded by timeout; its
// failures are logged with its name and never stop the schedule.
func (a *App) every(spec, name string, timeout time.Duration, job func(context.Context) error) {
	_, err := a.Cron.AddFunc(spec, func() {
		ctx, cancel := context.WithTimeout(a.runCtx(), timeout)
		defer cancel()
		if err := job(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("scheduled job failed", "job", name, "err", err)
		}
	})
	if err != nil {
		panic(fmt.Sprintf("app: bad cron spec %q for %s: %v", spec, name, err)) // our own specs; FEED_SCHEDULE is validated in config
	}
}
