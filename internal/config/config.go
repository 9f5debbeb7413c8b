// Package config loads newsbot's configuration from the environment, with
// defaults, <NAME>_FILE for secrets, and validation messages that name the
// variable and say what is wrong.
package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

// Config is every setting of the bot. Durations and sizes carry their unit.
type Config struct {
	TelegramToken   string
	TelegramAPIURL  string
	RedisURL        string
	RedisPrefix     string
	DefaultLang     string
	Timezone        *time.Location
	HTTPAddr        string
	EditorIDs       []int64
	EditorsChatID   int64
	EditorsThreadID int
	LogLevel        string
	LogFormat       string
	PollTimeout     time.Duration
	ShutdownTimeout time.Duration
	UserRatePerMin  int

	FeedURLs         []string
	FeedSchedule     string
	FeedTimeout      time.Duration
	FeedMaxBytes     int64
	FeedUserAgent    string
	ArticleRetention time.Duration
	PushMaxAge       time.Duration
	CategoriesFile   string
	BreakingSections []string

	SendRate          float64
	SendPaidBroadcast bool
	SendWorkers       int
	ReplyShare        float64

	WeatherAPIURL   string
	WeatherLat      float64
	WeatherLon      float64
	WeatherPlace    string
	RatesAPIURL     string
	RatesCurrencies []string
	UpstreamTimeout time.Duration

	TypoAllowedOrigins []string
	TrustProxy         bool
	PublishToken       string
	LeaderTTL          time.Duration
	Instance           string
}

// IsEditor tells whether a Telegram user id is in EDITOR_IDS.
func (c *Config) IsEditor(id int64) bool {
	for _, e := range c.EditorIDs {
		if e == id {
			return true
		}
	}
	return false
}

// Load reads the configuration through getenv (os.Getenv in production).
// Every problem is reported, one line per variable.
func Load(getenv func(string) string) (*Config, error) {
	c := &Config{}
	var errs []error
	for _, s := range specs {
		v, err := value(s, getenv)
		if err == nil {
			err = s.set(c, v)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.name, err))
		}
	}
	return c, errors.Join(errs...)
}

// value picks NAME, else the contents of NAME_FILE, else the default.
func value(s spec, getenv func(string) string) (string, error) {
	v := strings.TrimSpace(getenv(s.name))
	if file := getenv(s.name + "_FILE"); v == "" && file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("cannot read %s_FILE: %w", s.name, err)
		}
		v = strings.TrimSpace(string(b))
	}
	if v == "" {
		if s.required {
			return "", errors.New("is required: " + s.help)
		}
		v = s.def
	}
	return v, nil
}

// PrintHelp writes every variable with its default and meaning.
func PrintHelp(w io.Writer) {
	fmt.Fprintln(w, "newsbot is configured by environment variables (secrets may come from <NAME>_FILE):")
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VARIABLE\tDEFAULT\tMEANING")
	for _, s := range specs {
		def := s.def
		if s.required {
			def = "(required)"
		} else if def == "" {
			def = "(empty)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.name, def, s.help)
	}
	_ = tw.Flush()
}

// Names lists every variable in the order of the help (for the README test).
func Names() []string {
	out := make([]string, len(specs))
	for i, s := range specs {
		out[i] = s.name
	}
	return out
}
