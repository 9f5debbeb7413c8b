package bot

import (
	"strings"

	"github.com/gubkin-news/newsbot/internal/brief"
)

// RegisterBrief adds /brief on | HH:MM | off.
func (b *Bot) RegisterBrief(s brief.Schedule) {
	b.Command("brief", func(c *Ctx) error { return briefCmd(c, s) }, InMenu)
}

func briefCmd(c *Ctx, s brief.Schedule) error {
	arg := strings.ToLower(strings.TrimSpace(c.Args))
	switch arg {
	case "":
		t, err := s.Get(c, c.Recipient)
		if err != nil {
			return err
		}
		if t == "" {
			return c.Reply(c.T("brief_status_off", nil), nil)
		}
		return c.Reply(c.T("brief_status_on", map[string]any{"Time": t}), nil)
	case "off", "выкл", "нет":
		if err := c.RequireManager(); err != nil {
			return err
		}
		if err := s.Set(c, c.Recipient, ""); err != nil {
			return err
		}
		return c.Reply(c.T("brief_off", nil), nil)
	case "on", "вкл", "да":
		arg = brief.DefaultTime
	}
	t, err := brief.ParseTime(arg)
	if err != nil {
		return Reply("brief_bad_time", nil)
	}
	if err := c.RequireManager(); err != nil {
		return err
	}
	if err := c.EnsureChat(); err != nil {
		return err
	}
	if err := s.Set(c, c.Recipient, t); err != nil {
		return err
	}
	return c.Reply(c.T("brief_on", map[string]any{"Time": t}), nil)
}
