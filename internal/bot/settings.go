package bot

import (
	"context"
	"errors"

	"github.com/gubkin-news/newsbot/internal/delivery"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

// DeliverySettings are a chat's delivery modes (the delivery engine).
type DeliverySettings interface {
	Settings(ctx context.Context, chatID int64) (delivery.Settings, error)
	ChangeSettings(ctx context.Context, chatID int64, c delivery.Change) (delivery.Settings, error)
}

// settingsButtons maps button data to the typed command it stands for.
var settingsButtons = map[string]string{
	"set:instant": "instant", "set:digest": "digest 19:00",
	"set:quiet": "quiet 23:00-07:00", "set:quietoff": "quiet off",
}

// RegisterSettings adds /settings (buttons, or typed: digest 19:00, quiet
// 23:00-07:00, quiet off, instant).
func (b *Bot) RegisterSettings(s DeliverySettings) {
	b.Command("settings", func(c *Ctx) error { return settingsCmd(c, s, c.Args) }, InMenu)
	b.Callback("set", func(c *Ctx) error {
		args, ok := settingsButtons[c.Data]
		if !ok {
			return c.Answer(c.T("callback_stale", nil), false)
		}
		_ = c.Answer("", false)
		return settingsCmd(c, s, args)
	})
}

func settingsCmd(c *Ctx, s DeliverySettings, args string) error {
	change, err := delivery.ParseSettings(args)
	var se *delivery.SettingsError
	if errors.As(err, &se) {
		return c.Reply(se.Text(c.B.Texts, c.Lang), nil)
	}
	if change.IsZero() {
		cur, err := s.Settings(c, c.Recipient)
		if err != nil {
			return err
		}
		return c.Reply(cur.Text(c.B.Texts, c.Lang), settingsKeyboard(c))
	}
	if err := c.RequireManager(); err != nil {
		return err
	}
	if err := c.EnsureChat(); err != nil {
		return err
	}
	if _, err := s.ChangeSettings(c, c.Recipient, change); err != nil {
		return err
	}
	return c.Reply(change.Text(c.B.Texts, c.Lang), nil)
}

func settingsKeyboard(c *Ctx) telegram.Keyboard {
	return telegram.Keyboard{
		{{Text: c.T("settings_btn_instant", nil), Data: "set:instant"}, {Text: c.T("settings_btn_digest", nil), Data: "set:digest"}},
		{{Text: c.T("settings_btn_quiet", nil), Data: "set:quiet"}, {Text: c.T("settings_btn_quiet_off", nil), Data: "set:quietoff"}},
	}
}
