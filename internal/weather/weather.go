// Package weather answers /weather for Gubkin: an Open-Meteo client, a Redis
// cache that serves residents at once even when Open-Meteo is down, and the
// texts (now, today, tomorrow, and a one-line form for the morning brief).
package weather

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gubkin-news/newsbot/internal/cache"
	"github.com/gubkin-news/newsbot/internal/store"
)

// Defaults of Config; the city is Gubkin, Belgorod region (not Gubkinsky, Yamal).
const (
	DefaultAPIURL    = "https://api.open-meteo.com/v1/forecast"
	DefaultLatitude  = 51.2833
	DefaultLongitude = 37.55
	DefaultTimezone  = "Europe/Moscow"
	DefaultTimeout   = 10 * time.Second
	// DefaultFresh matches Open-Meteo's 15-minute update of current values.
	DefaultFresh = 15 * time.Minute
)

// RefreshData is the callback data of the «🔄 Обновить» button; the bot routes it.
const RefreshData = "wx:refresh"

// ErrUnavailable: nothing cached and Open-Meteo unreachable; answer with
// the "weather_unavailable" text.
var ErrUnavailable = cache.ErrUnavailable

// Config of the weather service. Zero fields take the defaults above.
type Config struct {
	APIURL    string  // WEATHER_API_URL
	Latitude  float64 // WEATHER_LATITUDE; 0 with Longitude 0 means the default
	Longitude float64 // WEATHER_LONGITUDE
	// Place is shown as the place name (WEATHER_PLACE). Empty: the localized
	// "weather_place" text («Губкин» / «Gubkin»).
	Place         string
	Timezone      string        // TIMEZONE: asked of Open-Meteo, so its local times are this zone's
	Timeout       time.Duration // WEATHER_TIMEOUT: one HTTP call
	Fresh         time.Duration // WEATHER_FRESH: older values are refreshed in the background and shown as stale
	RetryInterval time.Duration // after a failure, background attempts pause this long (0: 1 min)
	HTTPClient    *http.Client  // nil: a client with Timeout
	Now           func() time.Time
}

func (c Config) withDefaults() Config {
	if c.APIURL == "" {
		c.APIURL = DefaultAPIURL
	}
	if c.Latitude == 0 && c.Longitude == 0 {
		c.Latitude, c.Longitude = DefaultLatitude, DefaultLongitude
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
	return c
}

// Forecast is what Open-Meteo said, as cached in Redis.
type Forecast struct {
	Current Current `json:"current"`
	Days    []Day   `json:"days"` // today first, in the forecast's local dates
}

// Current is the weather now. Optional values are nil when Open-Meteo left them out.
type Current struct {
	Time     time.Time `json:"time"` // local time of the values, with the forecast's UTC offset
	Temp     float64   `json:"temp"` // °C
	Feels    *float64  `json:"feels,omitempty"`
	Humidity *int      `json:"humidity,omitempty"` // %
	Code     int       `json:"code"`               // WMO weather code
	Wind     *Wind     `json:"wind,omitempty"`
	IsDay    bool      `json:"is_day"`
}

// Wind at 10 m.
type Wind struct {
	Speed float64 `json:"speed"` // m/s
	Dir   int     `json:"dir"`   // degrees the wind blows FROM, 0 = north
}

// Day is one day of the forecast.
type Day struct {
	Date       string  `json:"date"` // 2006-01-02, local
	Min        float64 `json:"min"`  // °C
	Max        float64 `json:"max"`
	Code       int     `json:"code"`
	PrecipProb *int    `json:"precip_prob,omitempty"` // %, nil when unknown
}

// Snapshot is what Get gives the bot: the forecast and how old it is.
type Snapshot struct {
	Forecast
	Place     string    // from Config; empty means the localized default
	FetchedAt time.Time // when Open-Meteo answered
	Stale     bool      // older than Fresh: the text says «данные на HH:MM»
}

// Service serves the cached forecast and refreshes it.
type Service struct {
	cfg   Config
	cache *cache.Cache[Forecast]
}

// New builds the service; nothing is fetched until Get or Refresh.
func New(cfg Config, st *store.Store, log *slog.Logger) *Service {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.Default()
	}
	s := &Service{cfg: cfg}
	cc := cache.Config{Name: "weather", Fresh: cfg.Fresh, RetryInterval: cfg.RetryInterval, Now: cfg.Now}
	s.cache = cache.New(cc, st, log.With("component", "weather"), s.fetch)
	return s
}

// Get returns the forecast from the cache, never waiting on Open-Meteo while a
// value is cached (an old one is refreshed in the background). With nothing
// cached and Open-Meteo down the error wraps ErrUnavailable.
func (s *Service) Get(ctx context.Context) (Snapshot, error) {
	e, stale, err := s.cache.Get(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	return Snapshot{Forecast: e.Value, Place: s.cfg.Place, FetchedAt: e.FetchedAt, Stale: stale}, nil
}

// Refresh asks Open-Meteo now and caches the answer (cron: every 15 minutes).
func (s *Service) Refresh(ctx context.Context) error { return s.cache.Refresh(ctx) }

// Wait blocks until background refreshes have finished (shutdown, tests).
func (s *Service) Wait() { s.cache.Wait() }

func (s *Service) fetch(ctx context.Context, _ *cache.Entry[Forecast]) (Forecast, error) {
	return fetchForecast(ctx, s.cfg)
}
