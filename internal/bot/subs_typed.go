package bot

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/gubkin-news/newsbot/internal/telegram"
)

// maxArg bounds a typed argument; anything longer is junk, not a section.
const maxArg = 200

func (h *subsHandlers) subscribe(c *Ctx) error {
	if c.Args == "" {
		return h.keyboard(c)
	}
	return h.typed(c, true)
}

func (h *subsHandlers) unsubscribe(c *Ctx) error {
	if c.Args == "" {
		return Reply("subs_unsubscribe_usage", nil)
	}
	if strings.EqualFold(c.Args, "all") || strings.EqualFold(c.Args, "все") {
		if err := c.RequireManager(); err != nil {
			return err
		}
		n, err := h.Subs.UnfollowAll(c, c.Recipient)
		if err != nil {
			return err
		}
		return c.Reply(c.N("subs_removed_all", n, nil), nil)
	}
	return h.typed(c, false)
}

// typed handles /subscribe <name> and /unsubscribe <name>.
func (h *subsHandlers) typed(c *Ctx, follow bool) error {
	if utf8.RuneCountInString(c.Args) > maxArg || !utf8.ValidString(c.Args) {
		return Reply("subs_unknown", map[string]any{"Name": "…", "Names": h.names(c)})
	}
	cat, ok, err := h.resolve(c, c.Args)
	if err != nil {
		return err
	}
	if !ok {
		return Reply("subs_unknown", map[string]any{"Name": telegram.Esc(c.Args), "Names": h.names(c)})
	}
	if err := c.RequireManager(); err != nil {
		return err
	}
	if err := c.EnsureChat(); err != nil {
		return err
	}
	changed := false
	if follow {
		changed, err = h.Subs.Follow(c, c.Recipient, cat.Slug)
	} else {
		changed, err = h.Subs.Unfollow(c, c.Recipient, cat.Slug)
	}
	if err != nil {
		return err
	}
	return c.Reply(c.T(typedReply(follow, changed), map[string]any{"Name": telegram.Esc(cat.Name)}), nil)
}

func typedReply(follow, changed bool) string {
	switch {
	case follow && changed:
		return "subs_added"
	case follow:
		return "subs_already"
	case changed:
		return "subs_removed"
	}
	return "subs_not_following"
}

func (h *subsHandlers) mine(c *Ctx) error {
	slugs, err := h.Subs.Of(c, c.Recipient)
	if err != nil {
		return err
	}
	if len(slugs) == 0 {
		return c.Reply(c.T("subs_none", nil), nil)
	}
	var names []string
	for _, s := range slugs {
		if cat, ok, err := h.resolve(c, s); err == nil && ok {
			names = append(names, "• "+telegram.Esc(cat.Name))
		}
	}
	sort.Strings(names)
	return c.Reply(c.T("subs_mine", nil)+"\n"+strings.Join(names, "\n"), nil)
}
