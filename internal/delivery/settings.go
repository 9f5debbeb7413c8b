package delivery

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gubkin-news/newsbot/internal/i18n"
)

// Mode is how a chat gets its articles.
type Mode string

// The modes. Breaking news ignores both the digest and quiet hours.
const (
	ModeInstant Mode = "instant" // each article when it comes (the default)
	ModeDigest  Mode = "digest"  // one message a day at DigestAt listing the day's articles
)

// Clock is a time of day, in minutes after midnight (in the configured zone).
type Clock int

// ClockOf is t's time of day.
func ClockOf(t time.Time) Clock { return Clock(t.Hour()*60 + t.Minute()) }

func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// slot names the minute in index keys ("0700").
func (c Clock) slot() string { return fmt.Sprintf("%02d%02d", int(c)/60, int(c)%60) }

// Span is a stretch of the day from From up to To, across midnight when To < From.
type Span struct{ From, To Clock }

// Contains tells whether c falls in the span (From included, To not).
func (s Span) Contains(c Clock) bool {
	if s.From <= s.To {
		return c >= s.From && c < s.To
	}
	return c >= s.From || c < s.To
}

func (s Span) String() string { return s.From.String() + "-" + s.To.String() }

// Settings are a chat's delivery settings, kept in its chat:{id} hash
// (fields mode, digest_at, quiet) so they move with it when a group migrates.
type Settings struct {
	Mode     Mode
	DigestAt Clock // in ModeDigest
	Quiet    *Span // nil: no quiet hours
}

// Change is what /settings asks to change.
type Change struct {
	Mode     Mode  // "" keeps the mode
	DigestAt Clock // with ModeDigest
	SetQuiet bool  // the quiet hours change: to Quiet, or off when Quiet is nil
	Quiet    *Span
}

// IsZero tells that nothing was asked (plain /settings: show them).
func (c Change) IsZero() bool { return c.Mode == "" && !c.SetQuiet }

func (c Change) apply(s Settings) Settings {
	if c.Mode != "" {
		s.Mode, s.DigestAt = c.Mode, c.DigestAt
	}
	if c.SetQuiet {
		s.Quiet = c.Quiet
	}
	return s
}

// SettingsError is a mistake in /settings arguments; Text says it to the user.
type SettingsError struct {
	ID   string // message id in locales/delivery.*.toml
	Data map[string]any
}

func (e *SettingsError) Error() string { return fmt.Sprintf("delivery: settings: %s %v", e.ID, e.Data) }

// Text is the error in lang, with how to write it right.
func (e *SettingsError) Text(t *i18n.Bundle, lang string) string { return t.T(lang, e.ID, e.Data) }

func settingsErr(id string, value string) *SettingsError {
	return &SettingsError{ID: id, Data: map[string]any{"Value": value}}
}

var settingWords = map[string]string{
	"instant": "instant", "now": "instant", "сразу": "instant",
	"digest": "digest", "дайджест": "digest", "подборка": "digest",
	"quiet": "quiet", "тихо": "quiet", "тишина": "quiet", "тихие": "quiet",
}

var offWords = map[string]bool{"off": true, "no": true, "выкл": true, "нет": true, "отключить": true}

// ParseSettings reads the arguments of /settings: "instant", "digest 19:00",
// "quiet 23:00-07:00", "quiet off" (and their Russian words). No arguments
// give a zero Change. Errors are *SettingsError.
func ParseSettings(args string) (Change, error) {
	f := strings.Fields(strings.ToLower(args))
	if len(f) == 0 {
		return Change{}, nil
	}
	switch settingWords[f[0]] {
	case "instant":
		if len(f) > 1 {
			return Change{}, settingsErr("delivery_settings_err_extra", strings.Join(f[1:], " "))
		}
		return Change{Mode: ModeInstant}, nil
	case "digest":
		if len(f) != 2 {
			return Change{}, settingsErr("delivery_settings_err_digest", strings.Join(f[1:], " "))
		}
		c, err := ParseClock(f[1])
		return Change{Mode: ModeDigest, DigestAt: c}, err
	case "quiet":
		rest := strings.Join(f[1:], " ")
		if rest == "" {
			return Change{}, settingsErr("delivery_settings_err_quiet", "")
		}
		if offWords[rest] {
			return Change{SetQuiet: true}, nil
		}
		s, err := ParseSpan(rest)
		return Change{SetQuiet: true, Quiet: &s}, err
	}
	return Change{}, settingsErr("delivery_settings_err_unknown", f[0])
}

// ParseClock reads a time of day: "19:00", "9:05", "19.00" or "19".
func ParseClock(s string) (Clock, error) {
	h, m, found := strings.Cut(strings.ReplaceAll(strings.TrimSpace(s), ".", ":"), ":")
	hour, errH := strconv.Atoi(h)
	minute, errM := 0, error(nil)
	if found {
		minute, errM = strconv.Atoi(m)
	}
	if errH != nil || errM != nil || !digits(h, 1, 2) || (found && !digits(m, 2, 2)) ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return 0, settingsErr("delivery_settings_err_time", s)
	}
	return Clock(hour*60 + minute), nil
}

func digits(s string, least, most int) bool {
	if len(s) < least || len(s) > most {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ParseSpan reads quiet hours: "23:00-07:00" (also with a dash or a space).
func ParseSpan(s string) (Span, error) {
	norm := strings.NewReplacer("–", "-", "—", "-", " ", "-").Replace(strings.TrimSpace(s))
	parts := strings.FieldsFunc(norm, func(r rune) bool { return r == '-' })
	if len(parts) != 2 {
		return Span{}, settingsErr("delivery_settings_err_span", s)
	}
	from, err := ParseClock(parts[0])
	if err != nil {
		return Span{}, err
	}
	to, err := ParseClock(parts[1])
	if err != nil {
		return Span{}, err
	}
	if from == to {
		return Span{}, settingsErr("delivery_settings_err_span_empty", s)
	}
	return Span{From: from, To: to}, nil
}

// settingsOf reads the settings from a chat:{id} hash; anything unreadable
// falls back to the defaults.
func settingsOf(m map[string]string) Settings {
	s := Settings{Mode: ModeInstant}
	if Mode(m["mode"]) == ModeDigest {
		if at, err := ParseClock(m["digest_at"]); err == nil {
			s.Mode, s.DigestAt = ModeDigest, at
		}
	}
	if q := m["quiet"]; q != "" {
		if span, err := ParseSpan(q); err == nil {
			s.Quiet = &span
		}
	}
	return s
}

// Settings returns the chat's delivery settings.
func (e *Engine) Settings(ctx context.Context, chatID int64) (Settings, error) {
	vals, err := e.s.R.HMGet(ctx, e.s.K("chat", id(chatID)), "mode", "digest_at", "quiet").Result()
	if err != nil {
		return Settings{}, fmt.Errorf("delivery: read settings of chat %d: %w", chatID, err)
	}
	m := map[string]string{}
	for i, f := range []string{"mode", "digest_at", "quiet"} {
		m[f], _ = vals[i].(string)
	}
	return settingsOf(m), nil
}

// ChangeSettings applies c and returns the new settings. What a chat held
// for a digest or quiet hours it turns off is sent at once.
func (e *Engine) ChangeSettings(ctx context.Context, chatID int64, c Change) (Settings, error) {
	old, err := e.Settings(ctx, chatID)
	if err != nil {
		return old, err
	}
	next := c.apply(old)
	quiet, at := "", ""
	if next.Quiet != nil {
		quiet = next.Quiet.String()
	}
	if next.Mode == ModeDigest {
		at = next.DigestAt.String()
	}
	_, err = e.s.R.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, e.s.K("chat", id(chatID)), "mode", string(next.Mode), "digest_at", at, "quiet", quiet)
		e.index(ctx, p, chatID, old, false)
		e.index(ctx, p, chatID, next, true)
		return nil
	})
	if err != nil {
		return old, fmt.Errorf("delivery: save settings of chat %d: %w", chatID, err)
	}
	stamp := e.now().In(e.cfg.Location).Format("2006-01-02T15:04")
	if old.Mode == ModeDigest && next.Mode != ModeDigest {
		_, err = e.freeze(ctx, KindDigest, chatID, stamp)
	}
	if old.Quiet != nil && next.Quiet == nil {
		_, err2 := e.freeze(ctx, KindSummary, chatID, stamp)
		err = errors.Join(err, err2)
	}
	return next, err
}

// index adds (or removes) the chat in the sets RunDue reads: the minute of
// its digest and the minute its quiet hours end.
func (e *Engine) index(ctx context.Context, p redis.Pipeliner, chatID int64, s Settings, add bool) {
	op := p.SRem
	if add {
		op = p.SAdd
	}
	if s.Mode == ModeDigest {
		op(ctx, e.k("at", string(KindDigest), s.DigestAt.slot()), chatID)
	}
	if s.Quiet != nil {
		op(ctx, e.k("at", string(KindSummary), s.Quiet.To.slot()), chatID)
	}
}

// MoveChat carries the chat's digest and quiet-hours schedule and what it
// holds to its new id (a group became a supergroup). Register it with the
// app's movers, after store.Chats.Move (which copies the settings fields).
func (e *Engine) MoveChat(ctx context.Context, from, to int64) error {
	s, err := e.Settings(ctx, from)
	if err != nil {
		return err
	}
	_, err = e.s.R.Pipelined(ctx, func(p redis.Pipeliner) error {
		e.index(ctx, p, from, s, false)
		e.index(ctx, p, to, s, true)
		return nil
	})
	for _, kind := range []Kind{KindDigest, KindSummary} {
		if n, _ := e.s.R.Exists(ctx, e.listKey(kind, from)).Result(); n == 1 && err == nil {
			err = e.s.R.RenameNX(ctx, e.listKey(kind, from), e.listKey(kind, to)).Err()
		}
	}
	if err != nil {
		return fmt.Errorf("delivery: move chat %d to %d: %w", from, to, err)
	}
	return nil
}

// Text describes the settings in lang (for plain /settings).
func (s Settings) Text(t *i18n.Bundle, lang string) string {
	lines := []string{t.T(lang, "delivery_settings_mode_instant", nil)}
	if s.Mode == ModeDigest {
		lines[0] = t.T(lang, "delivery_settings_mode_digest", map[string]any{"Time": s.DigestAt.String()})
	}
	if s.Quiet != nil {
		lines = append(lines, t.T(lang, "delivery_settings_quiet", map[string]any{"From": s.Quiet.From.String(), "To": s.Quiet.To.String()}))
	} else {
		lines = append(lines, t.T(lang, "delivery_settings_quiet_none", nil))
	}
	return strings.Join(append(lines, "", t.T(lang, "delivery_settings_usage", nil)), "\n")
}

// Text confirms the change in lang.
func (c Change) Text(t *i18n.Bundle, lang string) string {
	switch {
	case c.Mode == ModeInstant:
		return t.T(lang, "delivery_settings_set_instant", nil)
	case c.Mode == ModeDigest:
		return t.T(lang, "delivery_settings_set_digest", map[string]any{"Time": c.DigestAt.String()})
	case c.SetQuiet && c.Quiet != nil:
		return t.T(lang, "delivery_settings_set_quiet", map[string]any{"From": c.Quiet.From.String(), "To": c.Quiet.To.String()})
	case c.SetQuiet:
		return t.T(lang, "delivery_settings_set_quiet_off", nil)
	}
	return ""
}
