package config

import (
	"fmt"
	"strconv"
	"time"

	"github.com/gubkin-news/newsbot/internal/i18n"
)

type spec struct {
	name, def, help string
	required        bool
	set             func(c *Config, v string) error
}

// specs is the operator's contract: names, defaults and meanings. The README's
// configuration table is checked against it by a test.
var specs = []spec{
	{name: "TELEGRAM_TOKEN", required: true, help: "bot token from @BotFather", set: func(c *Config, v string) (err error) {
		c.TelegramToken, err = parseToken(v)
		return
	}},
	{"TELEGRAM_API_URL", "https://api.telegram.org", "Bot API base URL; the bot calls {URL}/bot{token}/{method}", false, func(c *Config, v string) (err error) {
		c.TelegramAPIURL, err = parseHTTPURL(v)
		return
	}},
	{"REDIS_URL", "redis://127.0.0.1:6379/0", "redis://, rediss://, redis-sentinel://h1,h2/0?master=m, redis-cluster://h1,h2, or memory:// (in-process, nothing survives a restart)", false, func(c *Config, v string) error {
		c.RedisURL = v
		return nil
	}},
	{"REDIS_PREFIX", "newsbot:", "prefix of every Redis key", false, str(func(c *Config) *string { return &c.RedisPrefix })},
	{"DEFAULT_LANG", "ru", "language for new chats and the editors' chat: ru or en", false, func(c *Config, v string) error {
		if !i18n.IsSupported(v) {
			return fmt.Errorf("%q is not ru or en", v)
		}
		c.DefaultLang = v
		return nil
	}},
	{"TIMEZONE", "Europe/Moscow", "time zone for shown times, digests, quiet hours and the brief", false, func(c *Config, v string) error {
		loc, err := time.LoadLocation(v)
		if err != nil {
			return fmt.Errorf("%q is not an IANA time zone (example: Europe/Moscow)", v)
		}
		c.Timezone = loc
		return nil
	}},
	{"HTTP_ADDR", "127.0.0.1:8080", "address of /healthz, /readyz, /metrics, /api/typo, /api/publish, /typo.js", false, str(func(c *Config) *string { return &c.HTTPAddr })},
	{"EDITOR_IDS", "", "comma-separated Telegram user ids of editors", false, func(c *Config, v string) (err error) {
		c.EditorIDs, err = parseIDs(v)
		return
	}},
	{"EDITORS_CHAT_ID", "", "chat id of the editors' group (typo reports, feed alerts)", false, func(c *Config, v string) (err error) {
		c.EditorsChatID, err = optInt64(v)
		return
	}},
	{"EDITORS_THREAD_ID", "", "forum topic id in the editors' group (optional)", false, func(c *Config, v string) error {
		n, err := optInt64(v)
		c.EditorsThreadID = int(n)
		return err
	}},
	{"LOG_LEVEL", "info", "debug, info, warn or error", false, func(c *Config, v string) (err error) {
		c.LogLevel, err = oneOf(v, "debug", "info", "warn", "error")
		return
	}},
	{"LOG_FORMAT", "text", "text or json", false, func(c *Config, v string) (err error) {
		c.LogFormat, err = oneOf(v, "text", "json")
		return
	}},
	{"POLL_TIMEOUT", "50s", "getUpdates long-poll timeout (at most 50s)", false, func(c *Config, v string) (err error) {
		c.PollTimeout, err = parseDuration(v)
		if err == nil && c.PollTimeout > 50*time.Second {
			err = fmt.Errorf("%q is above Telegram's 50s", v)
		}
		return
	}},
	{"SHUTDOWN_TIMEOUT", "10s", "how long handlers in flight may finish after SIGTERM", false, dur(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
	{"USER_RATE_PER_MIN", "20", "commands a user may send per minute before «slow down»", false, posInt(func(c *Config) *int { return &c.UserRatePerMin })},
}

func str(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *field(c) = v; return nil }
}

func dur(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) (err error) { *field(c), err = parseDuration(v); return }
}

func posInt(field func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) (err error) { *field(c), err = parsePositiveInt(v); return }
}

func optInt64(v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", v)
	}
	return n, nil
}
