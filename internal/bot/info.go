package bot

import (
	"errors"
	"strings"

	"github.com/gubkin-news/newsbot/internal/rates"
	"github.com/gubkin-news/newsbot/internal/weather"
)

// InfoDeps are the weather and rates services (either may be nil).
type InfoDeps struct {
	Weather *weather.Service
	Rates   *rates.Service
}

// RegisterInfo adds /weather (with its refresh button) and /rates [code].
// Both answer from the cache at once; the services refresh in the background.
func (b *Bot) RegisterInfo(d InfoDeps) {
	if d.Weather != nil {
		b.Command("weather", func(c *Ctx) error { return weatherReply(c, d.Weather, false) }, InMenu)
		b.Callback("wx", func(c *Ctx) error {
			if c.Data != weather.RefreshData {
				return c.Answer(c.T("callback_stale", nil), false)
			}
			return weatherReply(c, d.Weather, true)
		})
	}
	if d.Rates != nil {
		b.Command("rates", func(c *Ctx) error { return ratesReply(c, d.Rates) }, InMenu)
	}
}

func weatherReply(c *Ctx, s *weather.Service, edit bool) error {
	snap, err := s.Get(c)
	if errors.Is(err, weather.ErrUnavailable) {
		return Reply("weather_unavailable", nil)
	}
	if err != nil {
		return err
	}
	text := weather.Format(c.B.Texts, c.Lang, snap, c.B.Now())
	kb := weather.Keyboard(c.B.Texts, c.Lang)
	if edit {
		_ = c.Answer("", false)
		return c.Edit(text, kb)
	}
	return c.Reply(text, kb)
}

func ratesReply(c *Ctx, s *rates.Service) error {
	snap, err := s.Get(c)
	if errors.Is(err, rates.ErrUnavailable) {
		return Reply("rates_unavailable", nil)
	}
	if err != nil {
		return err
	}
	if code := strings.TrimSpace(c.Args); code != "" {
		return c.Reply(rates.FormatOne(c.B.Texts, c.Lang, snap, code, c.B.Now()), nil)
	}
	return c.Reply(rates.Format(c.B.Texts, c.Lang, snap, c.B.Now()), nil)
}
