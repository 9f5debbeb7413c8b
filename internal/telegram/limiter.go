package telegram

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// LocalLimiter paces sends inside one process: a total rate and, per chat,
// about one message a second (a short burst allowed, as Telegram does).
type LocalLimiter struct {
	total *rate.Limiter
	mu    sync.Mutex
	chats map[int64]*rate.Limiter
	seen  time.Time
}

// NewLocalLimiter allows perSecond messages in total.
func NewLocalLimiter(perSecond float64) *LocalLimiter {
	return &LocalLimiter{total: rate.NewLimiter(rate.Limit(perSecond), max(1, int(perSecond))),
		chats: map[int64]*rate.Limiter{}, seen: time.Now()}
}

// Wait blocks until a message to chatID may go.
func (l *LocalLimiter) Wait(ctx context.Context, chatID int64) error {
	if err := l.chat(chatID).Wait(ctx); err != nil {
		return err
	}
	return l.total.Wait(ctx)
}

func (l *LocalLimiter) chat(id int64) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if time.Since(l.seen) > 10*time.Minute { // forget idle chats
		l.chats, l.seen = map[int64]*rate.Limiter{}, time.Now()
	}
	lim, ok := l.chats[id]
	if !ok {
		lim = rate.NewLimiter(rate.Every(time.Second), 3)
		if id < 0 {
			lim = rate.NewLimiter(rate.Every(3*time.Second), 3) // 20 a minute in groups
		}
		l.chats[id] = lim
	}
	return lim
}
