package bot

import (
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/gubkin-news/newsbot/internal/metrics"
)

// recover keeps a panic in one handler from stopping the bot; the user gets
// a polite apology.
func (b *Bot) recover(next Handler) Handler {
	return func(c *Ctx) (err error) {
		defer func() {
			if v := recover(); v != nil {
				b.Log.Error("panic in handler", "chat", c.ChatID, "cmd", c.Cmd, "data", c.Data,
					"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				b.apologize(c)
				metrics.HandlerErrors.WithLabelValues("panic").Inc()
				err = fmt.Errorf("bot: panic: %v", v)
			}
		}()
		return next(c)
	}
}

// logging logs every handled update and turns errors into replies.
func (b *Bot) logging(next Handler) Handler {
	return func(c *Ctx) error {
		start := time.Now()
		err := next(c)
		metrics.Updates.WithLabelValues(c.kind(), c.B.commandLabel(c.Cmd)).Inc()
		var ue *UserError
		switch {
		case errors.As(err, &ue):
			b.replyUserError(c, ue)
			err = nil
		case err != nil:
			metrics.HandlerErrors.WithLabelValues(c.kind()).Inc()
			b.Log.Error("handler failed", "chat", c.ChatID, "user", c.UserID(), "cmd", c.Cmd,
				"data", c.Data, "err", err, "took", time.Since(start))
			b.apologize(c)
		default:
			b.Log.Debug("handled", "chat", c.ChatID, "cmd", c.Cmd, "data", c.Data, "took", time.Since(start))
		}
		return err
	}
}

func (b *Bot) replyUserError(c *Ctx, ue *UserError) {
	text := c.T(ue.ID, ue.Data)
	if c.CB != nil {
		_ = c.Answer(text, true)
		return
	}
	if err := c.Reply(text, nil); err != nil {
		b.Log.Warn("reply to user error", "chat", c.ChatID, "err", err)
	}
}

func (b *Bot) apologize(c *Ctx) {
	text := c.T("error_generic", nil)
	if c.CB != nil {
		_ = c.Answer(text, true)
		return
	}
	if c.Msg != nil && (c.Private() || c.Msg.IsCommand()) {
		_ = c.Reply(text, nil)
	}
}

// rateLimit allows each user a number of commands and taps a minute: past
// it one «slow down» reply, then silence until the window passes.
func (b *Bot) rateLimit(next Handler) Handler {
	return func(c *Ctx) error {
		if b.Limiter == nil || c.From == nil || c.U.MyChatMember != nil || !b.counts(c) {
			return next(c)
		}
		ok, warn, err := b.Limiter.Allow(c, c.From.ID)
		if err != nil {
			b.Log.Warn("rate limit unavailable, letting the update through", "user", c.From.ID, "err", err)
			return next(c)
		}
		if ok {
			return next(c)
		}
		if c.CB != nil {
			return c.Answer(c.T("slow_down", nil), false)
		}
		if warn {
			return c.Reply(c.T("slow_down", nil), nil)
		}
		return nil
	}
}

// counts tells whether the update is one the user meant for the bot.
func (b *Bot) counts(c *Ctx) bool {
	return c.CB != nil || c.Msg != nil && (c.Msg.IsCommand() || c.Private())
}

// kind names the update for metrics.
func (c *Ctx) kind() string {
	switch {
	case c.CB != nil:
		return "callback"
	case c.U.MyChatMember != nil:
		return "member"
	case c.Msg != nil && c.Msg.IsCommand():
		return "command"
	}
	return "message"
}

// commandLabel keeps metric labels to the registered commands.
func (b *Bot) commandLabel(cmd string) string {
	if cmd == "" {
		return ""
	}
	if _, ok := b.commands[cmd]; ok {
		return cmd
	}
	return "unknown"
}
