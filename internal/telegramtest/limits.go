package telegramtest

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Per-chat flood limits of WithChatLimits, as TELEGRAM.md describes them.
const (
	PrivateChatPerSecond = 1.0 // messages/s to one private chat
	PrivateChatBurst     = 3   // short bursts Telegram tolerates
	GroupChatPerMinute   = 20  // messages/min to one group or channel
	GroupChatBurst       = 3

	// inFlightGrace: a request other than the refused one that arrives this
	// soon after a 429 was probably sent before the bot read the 429, so it
	// is not counted as an early retry.
	inFlightGrace = 250 * time.Millisecond
)

// WithRateLimit limits sendMessage/sendPhoto over all chats to perSecond with
// the given burst, answering 429 beyond it.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(c *config) { c.globalRate, c.globalBurst = perSecond, max(burst, 1) }
}

// WithChatLimits limits sends per chat: PrivateChatPerSecond for positive chat
// ids, GroupChatPerMinute for negative ones (groups and channels).
func WithChatLimits() Option {
	return func(c *config) { c.chatLimits = true }
}

type limits struct {
	mu      sync.Mutex
	global  *rate.Limiter // nil: no global limit
	perChat bool
	chats   map[int64]*rate.Limiter
	waits   map[string]*waitScope // by scope key, see scopeOf
	tooMany int
	early   int
}

// waitScope is a scope that was told to wait until until.
type waitScope struct {
	told    time.Time
	until   time.Time
	refused map[string]bool // fingerprints of the refused requests
}

func newLimits(cfg config) *limits {
	l := &limits{perChat: cfg.chatLimits, chats: map[int64]*rate.Limiter{}, waits: map[string]*waitScope{}}
	if cfg.globalRate > 0 {
		l.global = rate.NewLimiter(rate.Limit(cfg.globalRate), cfg.globalBurst)
	}
	return l
}

// TooMany is the number of 429 answers given, limits and injections alike.
func (s *Server) TooMany() int {
	s.limits.mu.Lock()
	defer s.limits.mu.Unlock()
	return s.limits.tooMany
}

// EarlyRetries counts requests that arrived in a scope (all sends, or one
// chat) that had been told to wait, before its retry_after ended: the refused
// request itself at any time, others after inFlightGrace.
func (s *Server) EarlyRetries() int {
	s.limits.mu.Lock()
	defer s.limits.mu.Unlock()
	return s.limits.early
}

func (l *limits) resetCounters() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tooMany, l.early = 0, 0
}

// scopeOf is where an injected 429 applies: the call's chat, else its method.
func scopeOf(c Call) string {
	if id, ok := chatIDOf(c); ok {
		return chatScope(id)
	}
	return "method:" + strings.ToLower(c.Method)
}

func chatScope(id int64) string { return fmt.Sprintf("chat:%d", id) }

const globalScope = "global"

// fingerprint identifies "the same request" across retries.
func fingerprint(c Call) string {
	p := c.Params
	return strings.Join([]string{strings.ToLower(c.Method), p["chat_id"], p["message_id"],
		p["text"], p["caption"], p["callback_query_id"]}, "\x00")
}

// arrive counts c as an early retry if a scope it belongs to is still waiting.
func (l *limits) arrive(c Call, now time.Time) {
	scopes := []string{scopeOf(c)}
	if sendMethods[strings.ToLower(c.Method)] {
		scopes = append(scopes, globalScope)
	}
	fp := fingerprint(c)
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, key := range scopes {
		w := l.waits[key]
		if w != nil && now.Before(w.until) && (w.refused[fp] || now.Sub(w.told) > inFlightGrace) {
			l.early++
			return
		}
	}
}

// told records a 429 given to c, telling scope to wait retryAfter seconds.
func (l *limits) told(scope string, c Call, retryAfter int, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tooMany++
	if scope == "" || retryAfter <= 0 {
		return
	}
	w := l.waits[scope]
	if w == nil || !now.Before(w.until) {
		w = &waitScope{refused: map[string]bool{}}
		l.waits[scope] = w
	}
	w.told = now
	w.until = maxTime(w.until, now.Add(time.Duration(retryAfter)*time.Second))
	w.refused[fingerprint(c)] = true
}

// admit takes a token from the global and the chat limiter, or neither: on
// refusal it answers 429 for the scope that must wait longest.
func (l *limits) admit(c Call, now time.Time) (APIError, string, bool) {
	if !sendMethods[strings.ToLower(c.Method)] {
		return APIError{}, "", true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var taken []*rate.Reservation
	var wait time.Duration
	scope := ""
	try := func(lim *rate.Limiter, key string) {
		r := lim.ReserveN(now, 1)
		taken = append(taken, r)
		if d := delayOf(r, now); d > wait {
			wait, scope = d, key
		}
	}
	if l.global != nil {
		try(l.global, globalScope)
	}
	if id, ok := chatIDOf(c); ok && l.perChat {
		try(l.chatLimiter(id), chatScope(id))
	}
	if wait == 0 {
		return APIError{}, "", true
	}
	for _, r := range taken {
		r.CancelAt(now)
	}
	return TooManyRequests(int(math.Ceil(wait.Seconds()))), scope, false
}

func delayOf(r *rate.Reservation, now time.Time) time.Duration {
	if !r.OK() {
		return time.Second
	}
	return r.DelayFrom(now)
}

// chatLimiter is created on first use; l.mu is held.
func (l *limits) chatLimiter(id int64) *rate.Limiter {
	lim := l.chats[id]
	if lim == nil {
		if id > 0 {
			lim = rate.NewLimiter(rate.Limit(PrivateChatPerSecond), PrivateChatBurst)
		} else {
			lim = rate.NewLimiter(rate.Limit(GroupChatPerMinute/60.0), GroupChatBurst)
		}
		l.chats[id] = lim
	}
	return lim
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
