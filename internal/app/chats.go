package app

import (
	"context"

	"github.com/gubkin-news/newsbot/internal/store"
)

// chatEvents hears from the sender what it learned about chats.
type chatEvents struct{ a *App }

func (e chatEvents) ChatGone(ctx context.Context, chatID int64, reason string) {
	if err := (store.Chats{S: e.a.Store}).Deactivate(ctx, chatID, reason); err != nil {
		e.a.Log.Warn("mark chat inactive", "chat", chatID, "reason", reason, "err", err)
		return
	}
	e.a.Log.Info("chat marked inactive", "chat", chatID, "reason", reason)
}

func (e chatEvents) ChatMigrated(ctx context.Context, from, to int64) { e.a.migrate(ctx, from, to) }

// migrate moves a group that became a supergroup, with everything it set up.
func (a *App) migrate(ctx context.Context, from, to int64) {
	for _, move := range a.movers() {
		if err := move(ctx, from, to); err != nil {
			a.Log.Warn("move chat after migration", "from", from, "to", to, "err", err)
		}
	}
	a.Log.Info("chat migrated", "from", from, "to", to)
}

func (a *App) movers() []func(ctx context.Context, from, to int64) error {
	return append([]func(ctx context.Context, from, to int64) error{store.Chats{S: a.Store}.Move}, a.extraMovers...)
}
