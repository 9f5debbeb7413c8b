package app

import (
	"bytes"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"

	"github.com/gubkin-news/newsbot/internal/config"
)

// NewLogger builds the slog logger of LOG_LEVEL and LOG_FORMAT. Whatever is
// logged passes through a writer that blanks the bot token, as a last guard
// behind the redaction of errors at their source.
func NewLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	w = &redactWriter{w: w, secrets: secrets(cfg)}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func secrets(cfg *config.Config) [][]byte {
	var out [][]byte
	for _, s := range []string{cfg.TelegramToken, cfg.PublishToken} {
		if len(s) >= 6 {
			out = append(out, []byte(s), []byte(url.QueryEscape(s)))
		}
	}
	return out
}

type redactWriter struct {
	mu      sync.Mutex
	w       io.Writer
	secrets [][]byte
}

func (r *redactWriter) Write(p []byte) (int, error) {
	out := p
	for _, s := range r.secrets {
		if bytes.Contains(out, s) {
			out = bytes.ReplaceAll(out, s, []byte("<redacted>"))
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// redactURL hides the password of a Redis URL for logs.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return strings.Replace(u.String(), "xxxxx", "***", 1)
}
