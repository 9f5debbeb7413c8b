package bot

import (
	"context"
	"strings"

	"github.com/gubkin-news/newsbot/internal/alerts"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

// RegisterAlerts adds /follow, /unfollow, /following, /mute and /unmute.
func (b *Bot) RegisterAlerts(a *alerts.Alerts) {
	h := alertHandlers{a}
	b.Command("follow", h.follow, InMenu)
	b.Command("unfollow", h.unfollow)
	b.Command("following", h.following, InMenu)
	b.Command("mute", h.mute)
	b.Command("unmute", h.unmute)
}

type alertHandlers struct{ a *alerts.Alerts }

// alertError turns the package's typed errors into replies.
func alertError(err error) error {
	if id, data, ok := alerts.ErrorMessage(err); ok {
		return Reply(id, escapeData(data))
	}
	return err
}

func escapeData(data map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range data {
		if s, ok := v.(string); ok {
			v = telegram.Esc(s)
		}
		out[k] = v
	}
	return out
}

func (h alertHandlers) change(c *Ctx, help, ok string, do func(context.Context, int64, string) error) error {
	if c.Args == "" {
		return Reply(help, nil)
	}
	phrase, err := alerts.ParseArg(c.Args)
	if err != nil {
		return alertError(err)
	}
	if err := c.RequireManager(); err != nil {
		return err
	}
	if err := c.EnsureChat(); err != nil {
		return err
	}
	if err := do(c, c.Recipient, phrase); err != nil {
		return alertError(err)
	}
	return c.Reply(c.T(ok, map[string]any{"Phrase": telegram.Esc(phrase)}), nil)
}

func (h alertHandlers) follow(c *Ctx) error {
	return h.change(c, alerts.MsgHelpFollow, alerts.MsgFollowOK, h.a.Follow)
}

func (h alertHandlers) unfollow(c *Ctx) error {
	if alerts.IsAll(c.Args) {
		return h.all(c, h.a.UnfollowAll, alerts.MsgUnfollowAll, alerts.MsgUnfollowNone)
	}
	return h.change(c, alerts.MsgHelpUnfollow, alerts.MsgUnfollowOK, h.a.Unfollow)
}

func (h alertHandlers) mute(c *Ctx) error {
	if c.Args == "" {
		return h.list(c, h.a.Muted, alerts.MsgMutedHead, alerts.MsgMutedEmpty)
	}
	return h.change(c, alerts.MsgHelpMute, alerts.MsgMuteOK, h.a.Mute)
}

func (h alertHandlers) unmute(c *Ctx) error {
	if alerts.IsAll(c.Args) {
		return h.all(c, h.a.UnmuteAll, alerts.MsgUnmuteAll, alerts.MsgUnmuteNone)
	}
	return h.change(c, alerts.MsgHelpUnmute, alerts.MsgUnmuteOK, h.a.Unmute)
}

func (h alertHandlers) following(c *Ctx) error {
	return h.list(c, h.a.Following, alerts.MsgFollowingHead, alerts.MsgFollowingEmpty)
}

func (h alertHandlers) all(c *Ctx, do func(context.Context, int64) (int, error), some, none string) error {
	if err := c.RequireManager(); err != nil {
		return err
	}
	n, err := do(c, c.Recipient)
	if err != nil {
		return err
	}
	if n == 0 {
		return c.Reply(c.T(none, nil), nil)
	}
	return c.Reply(c.N(some, n, nil), nil)
}

func (h alertHandlers) list(c *Ctx, get func(context.Context, int64) ([]string, error), head, empty string) error {
	items, err := get(c, c.Recipient)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return c.Reply(c.T(empty, nil), nil)
	}
	lines := []string{c.T(head, map[string]any{"Count": len(items), "Max": alerts.MaxPhrases})}
	for _, p := range items {
		lines = append(lines, c.T(alerts.MsgListItem, map[string]any{"Phrase": telegram.Esc(p)}))
	}
	return c.Reply(strings.Join(lines, "\n"), nil)
}
