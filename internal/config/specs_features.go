package config

import "time"

// Feature settings: feeds, sending, weather and rates, typo reports, the desk.
func init() {
	specs = append(specs, []spec{
		{"FEED_URLS", "", "comma-separated RSS 2.0 / Atom URLs of the site", false, func(c *Config, v string) (err error) {
			c.FeedURLs, err = parseURLs(v)
			return
		}},
		{"FEED_SCHEDULE", "@every 1m", "cron spec of feed polling", false, func(c *Config, v string) (err error) {
			c.FeedSchedule, err = parseCron(v)
			return
		}},
		{"FEED_TIMEOUT", "15s", "timeout of one feed fetch, body included", false, dur(func(c *Config) *time.Duration { return &c.FeedTimeout })},
		{"FEED_MAX_BYTES", "5242880", "largest feed body accepted (bytes)", false, func(c *Config, v string) error {
			n, err := parsePositiveInt(v)
			c.FeedMaxBytes = int64(n)
			return err
		}},
		{"FEED_USER_AGENT", "newsbot/1.0 (+https://github.com/gubkin-news/newsbot)", "User-Agent of feed requests", false, str(func(c *Config) *string { return &c.FeedUserAgent })},
		{"ARTICLE_RETENTION", "720h", "how long articles are kept", false, dur(func(c *Config) *time.Duration { return &c.ArticleRetention })},
		{"PUSH_MAX_AGE", "24h", "an article older than this is stored but never pushed", false, dur(func(c *Config) *time.Duration { return &c.PushMaxAge })},
		{"CATEGORIES_FILE", "", "optional TOML file renaming, ordering, hiding and merging sections", false, str(func(c *Config) *string { return &c.CategoriesFile })},
		{"BREAKING_SECTIONS", "Срочно", "sections whose articles ignore quiet hours and digests", false, func(c *Config, v string) error {
			c.BreakingSections = parseList(v)
			return nil
		}},
		{"SEND_RATE", "25", "messages per second in total, shared by all copies", false, func(c *Config, v string) (err error) {
			c.SendRate, err = parseFloat(v, 0.1, 1000)
			return
		}},
		{"SEND_PAID_BROADCAST", "false", "add allow_paid_broadcast (paid, up to 1000/s)", false, func(c *Config, v string) (err error) {
			c.SendPaidBroadcast, err = parseBool(v)
			return
		}},
		{"SEND_WORKERS", "8", "delivery workers per copy", false, posInt(func(c *Config) *int { return &c.SendWorkers })},
		{"REPLY_SHARE", "0.2", "share of SEND_RATE reserved for replies and editors' notices", false, func(c *Config, v string) (err error) {
			c.ReplyShare, err = parseFloat(v, 0.05, 0.9)
			return
		}},
		{"WEATHER_API_URL", "https://api.open-meteo.com/v1/forecast", "Open-Meteo forecast endpoint", false, func(c *Config, v string) (err error) {
			c.WeatherAPIURL, err = parseHTTPURL(v)
			return
		}},
		{"WEATHER_LAT", "51.2833", "latitude of the weather place", false, func(c *Config, v string) (err error) {
			c.WeatherLat, err = parseFloat(v, -90, 90)
			return
		}},
		{"WEATHER_LON", "37.55", "longitude of the weather place", false, func(c *Config, v string) (err error) {
			c.WeatherLon, err = parseFloat(v, -180, 180)
			return
		}},
		{"WEATHER_PLACE", "Губкин", "place name shown with the weather", false, str(func(c *Config) *string { return &c.WeatherPlace })},
		{"RATES_API_URL", "https://www.cbr.ru/scripts/XML_daily.asp", "Central Bank of Russia daily rates (XML)", false, func(c *Config, v string) (err error) {
			c.RatesAPIURL, err = parseHTTPURL(v)
			return
		}},
		{"RATES_CURRENCIES", "USD,EUR,CNY", "currencies shown by /rates", false, func(c *Config, v string) (err error) {
			c.RatesCurrencies, err = parseCurrencies(v)
			return
		}},
		{"UPSTREAM_TIMEOUT", "10s", "timeout of weather and rates requests", false, dur(func(c *Config) *time.Duration { return &c.UpstreamTimeout })},
		{"TYPO_ALLOWED_ORIGINS", "", "origins allowed to POST /api/typo from a browser (comma-separated; * for any)", false, func(c *Config, v string) error {
			c.TypoAllowedOrigins = parseList(v)
			return nil
		}},
		{"TRUST_PROXY", "false", "take the client IP from X-Forwarded-For (only behind your own proxy)", false, func(c *Config, v string) (err error) {
			c.TrustProxy, err = parseBool(v)
			return
		}},
		{"PUBLISH_TOKEN", "", "bearer token of POST /api/publish (empty: the hook is off)", false, str(func(c *Config) *string { return &c.PublishToken })},
		{"INSTANCE", "", "this copy's stable name for the delivery consumer group (empty: the host name)", false, str(func(c *Config) *string { return &c.Instance })},
		{"LEADER_TTL", "15s", "lease of the copy that polls and runs cron", false, dur(func(c *Config) *time.Duration { return &c.LeaderTTL })},
	}...)
}
