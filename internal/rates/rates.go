// Package rates answers /rates: the Central Bank of Russia's official rates
// (XML_daily.asp), the change against the previous published set, a Redis
// cache that answers at once even when the bank is down, and the texts.
package rates

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gubkin-news/newsbot/internal/cache"
	"github.com/gubkin-news/newsbot/internal/store"
)

// Defaults of Config.
const (
	DefaultAPIURL     = "https://www.cbr.ru/scripts/XML_daily.asp"
	DefaultCurrencies = "USD,EUR,CNY"
	DefaultTimezone   = "Europe/Moscow"
	DefaultTimeout    = 10 * time.Second
	// DefaultFresh: the bank publishes once a working day; an hour is plenty.
	DefaultFresh = time.Hour
)

// ErrUnavailable: nothing cached and the bank unreachable; answer with the
// "rates_unavailable" text.
var ErrUnavailable = cache.ErrUnavailable

// Config of the rates service. Zero fields take the defaults above.
type Config struct {
	APIURL        string        // RATES_API_URL
	Currencies    []string      // RATES_CURRENCIES, shown by /rates and the brief (ParseCodes)
	Timezone      string        // TIMEZONE: «данные на HH:MM» is written in it
	Timeout       time.Duration // RATES_TIMEOUT: one HTTP call
	Fresh         time.Duration // RATES_FRESH: older values are refreshed in the background and shown as stale
	RetryInterval time.Duration // after a failure, background attempts pause this long (0: 1 min)
	HTTPClient    *http.Client  // nil: a client with Timeout
	Now           func() time.Time
}

func (c Config) withDefaults(log *slog.Logger) (Config, *time.Location) {
	if c.APIURL == "" {
		c.APIURL = DefaultAPIURL
	}
	if c.Currencies = ParseCodes(strings.Join(c.Currencies, ",")); len(c.Currencies) == 0 {
		c.Currencies = ParseCodes(DefaultCurrencies)
	}
	if c.Timezone == "" {
		c.Timezone = DefaultTimezone
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Fresh <= 0 {
		c.Fresh = DefaultFresh
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: c.Timeout}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		// Without tzdata in the image: Moscow has kept UTC+3 since 2014.
		log.Warn("rates: unknown timezone; using UTC+3", "timezone", c.Timezone, "err", err)
		loc = time.FixedZone("MSK", 3*3600)
	}
	return c, loc
}

// ParseCodes reads "usd, EUR,,cny" into [USD EUR CNY]: upper case, no blanks
// or repeats.
func ParseCodes(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range strings.Split(s, ",") {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// Rate is one currency of a set.
type Rate struct {
	Code    string  `json:"code"`     // CharCode: USD
	Name    string  `json:"name"`     // the bank's Russian name, for Nominal units («Японских иен»)
	Nominal int     `json:"nominal"`  // 1, 10, 100, 1000 or 10000
	Value   Decimal `json:"value"`    // roubles for Nominal units
	PerUnit Decimal `json:"per_unit"` // roubles for one unit
}

// Payload is what Redis holds: the latest set and the previous one's per-unit
// rates, so the change needs no second request until the bank publishes again.
type Payload struct {
	Date     time.Time          `json:"date"` // the set is in force from this day
	Rates    map[string]Rate    `json:"rates"`
	PrevDate time.Time          `json:"prev_date,omitzero"` // zero when the previous set is unknown
	Prev     map[string]Decimal `json:"prev,omitempty"`     // per-unit rates of the previous set
}

// Snapshot is what Get gives the bot.
type Snapshot struct {
	Payload
	Currencies []string       // the configured ones, in order
	FetchedAt  time.Time      // when the bank answered
	Stale      bool           // older than Fresh: the text says «данные на HH:MM»
	Location   *time.Location // the configured zone, for FetchedAt
}

// Change is code's per-unit rate minus the previous set's; false when unknown.
func (s Snapshot) Change(code string) (Decimal, bool) {
	r, ok := s.Rates[code]
	prev, had := s.Prev[code]
	if !ok || !had {
		return 0, false
	}
	return r.PerUnit - prev, true
}

// Service serves the cached rates and refreshes them.
type Service struct {
	cfg   Config
	loc   *time.Location
	log   *slog.Logger
	cache *cache.Cache[Payload]
}

// New builds the service; nothing is fetched until Get or Refresh.
func New(cfg Config, st *store.Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "rates")
	cfg, loc := cfg.withDefaults(log)
	s := &Service{cfg: cfg, loc: loc, log: log}
	cc := cache.Config{Name: "rates", Fresh: cfg.Fresh, RetryInterval: cfg.RetryInterval, Now: cfg.Now}
	s.cache = cache.New(cc, st, log, s.fetch)
	return s
}

// Get returns the rates from the cache, never waiting on the bank while a
// value is cached (an old one is refreshed in the background). With nothing
// cached and the bank down the error wraps ErrUnavailable.
func (s *Service) Get(ctx context.Context) (Snapshot, error) {
	e, stale, err := s.cache.Get(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	return Snapshot{Payload: e.Value, Currencies: s.cfg.Currencies, FetchedAt: e.FetchedAt,
		Stale: stale, Location: s.loc}, nil
}

// Refresh asks the bank now and caches the answer (cron: hourly, and every
// few minutes while the bank usually publishes).
func (s *Service) Refresh(ctx context.Context) error { return s.cache.Refresh(ctx) }

// Wait blocks until background refreshes have finished (shutdown, tests).
func (s *Service) Wait() { s.cache.Wait() }

// fetch gets the latest set and, when its date is new, walks back to the
// previous one. Without the previous set the rates are still worth keeping:
// the change is left out and looked for again on the next refresh.
func (s *Service) fetch(ctx context.Context, last *cache.Entry[Payload]) (Payload, error) {
	cur, err := fetchSet(ctx, s.cfg, nil)
	if err != nil {
		return Payload{}, err
	}
	if len(cur.Skipped) > 0 {
		s.log.Warn("rates: entries skipped", "date", cur.Date.Format(time.DateOnly), "skipped", cur.Skipped)
	}
	p := Payload{Date: cur.Date, Rates: cur.Rates}
	if last != nil && last.Value.Date.Equal(cur.Date) && len(last.Value.Prev) > 0 {
		p.PrevDate, p.Prev = last.Value.PrevDate, last.Value.Prev
		return p, nil
	}
	prev, err := previousSet(ctx, s.cfg, cur)
	if err != nil {
		s.log.Warn("rates: previous set unknown; changes left out", "date", cur.Date.Format(time.DateOnly), "err", err)
		return p, nil
	}
	p.PrevDate, p.Prev = prev.Date, make(map[string]Decimal, len(prev.Rates))
	for code, r := range prev.Rates {
		p.Prev[code] = r.PerUnit
	}
	return p, nil
}
