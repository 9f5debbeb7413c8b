package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gubkin-news/newsbot/internal/metrics"
	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

// Marks in the sent hash.
const (
	markQueued    = "q"
	markSent      = "s"
	markCollected = "c"
)

// errBroken marks a delivery that can never succeed as it is (a payload that
// does not decode, a 400): it goes to the dead letters at once.
var errBroken = errors.New("delivery: broken")

// state is what one Redis round trip tells about a delivery before sending.
type state struct {
	chat     news.Chat
	settings Settings
	mark     string
	global   time.Time // end of a global pause
	paused   time.Time // end of the chat's pause
	payload  string
}

// prechecks reads, in one round trip for the whole batch, what must be
// known before sending: the chat (record, active, settings), both pauses, the
// sent mark and a stored payload.
func (e *Engine) prechecks(ctx context.Context, ds []Delivery) ([]state, error) {
	type cmds struct {
		hash                 *redis.MapStringStringCmd
		active               *redis.BoolCmd
		global, paused, mark *redis.StringCmd
		payload              *redis.StringCmd
	}
	cs := make([]cmds, len(ds))
	_, _ = e.s.R.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, d := range ds {
			c := &cs[i]
			c.hash = p.HGetAll(ctx, e.s.K("chat", id(d.ChatID))) // store.Chats' record
			c.active = p.SIsMember(ctx, e.s.K("chats", "active"), d.ChatID)
			c.global = p.Get(ctx, e.globalPauseKey())
			c.paused = p.Get(ctx, e.chatPauseKey(d.ChatID))
			c.mark = p.HGet(ctx, e.sentKey(d.Kind, d.Item), id(d.ChatID))
			if d.Kind.stored() {
				c.payload = p.Get(ctx, e.k("payload", string(d.Kind), d.Item))
			}
		}
		return nil
	})
	out := make([]state, len(ds))
	for i, c := range cs {
		if err := errors.Join(c.hash.Err(), c.active.Err()); err != nil {
			return nil, fmt.Errorf("delivery: check %d deliveries: %w", len(ds), err)
		}
		out[i] = state{chat: chatOf(ds[i].ChatID, c.hash.Val(), c.active.Val()), settings: settingsOf(c.hash.Val()),
			mark: c.mark.Val(), global: unixMilli(c.global.Val()), paused: unixMilli(c.paused.Val())}
		if c.payload != nil {
			out[i].payload = c.payload.Val()
		}
	}
	return out, nil
}

func (k Kind) stored() bool { return k == KindBroadcast || k == KindBrief || k == KindNotice }

func chatOf(chatID int64, m map[string]string, active bool) news.Chat {
	created, _ := strconv.ParseInt(m["created"], 10, 64)
	return news.Chat{ID: chatID, Type: m["type"], Title: m["title"], Lang: m["lang"], Active: active,
		InactiveReason: m["reason"], Created: time.Unix(created, 0)}
}

// handle takes a batch of deliveries as far as each can go now, then
// records the outcomes in one transaction.
func (w *worker) handle(ctx context.Context, ds []Delivery) {
	states, err := w.e.prechecks(ctx, ds)
	if err != nil {
		for _, d := range ds {
			w.r.redisTrouble(ctx, d, err)
		}
		return
	}
	seen := map[string]bool{}
	var out []outgoing
	for i, d := range ds {
		key := string(d.Kind) + "\x00" + d.Item + "\x00" + id(d.ChatID)
		if seen[key] { // two entries for one delivery: the first one goes
			w.settle(d, "duplicate", nil)
			continue
		}
		seen[key] = true
		if o, ok := w.process(ctx, d, states[i]); ok {
			out = append(out, o)
		}
	}
	w.sendAll(ctx, out)
	w.flush(ctx)
}

// outgoing is a rendered message waiting for its permits.
type outgoing struct {
	d Delivery
	m telegram.Message
}

// process settles, holds or defers the delivery, or renders it to be sent.
func (w *worker) process(ctx context.Context, d Delivery, st state) (outgoing, bool) {
	now := time.Now()
	switch {
	case st.mark == markSent || st.mark == markCollected:
		w.settle(d, "duplicate", nil)
	case !st.chat.Active:
		w.drop(d, "inactive", nil)
	case st.paused.After(now):
		w.r.later.push(d, st.paused)
	case st.global.After(now):
		w.e.pause.raise(st.global)
		w.r.later.push(d, st.global)
	default:
		if into, ok := w.e.holdFor(d, st.settings); ok {
			w.collect(d, into)
			return outgoing{}, false
		}
		return w.render(ctx, d, st)
	}
	return outgoing{}, false
}

// holdFor tells whether an article waits for the chat's digest or for the
// end of its quiet hours. Breaking news never waits.
func (e *Engine) holdFor(d Delivery, s Settings) (Kind, bool) {
	if d.Kind != KindArticle || d.Breaking {
		return "", false
	}
	if s.Mode == ModeDigest {
		return KindDigest, true
	}
	if s.Quiet != nil && s.Quiet.Contains(ClockOf(e.now().In(e.cfg.Location))) {
		return KindSummary, true
	}
	return "", false
}

func (w *worker) render(ctx context.Context, d Delivery, st state) (outgoing, bool) {
	m, err := w.e.render(ctx, d, st)
	switch {
	case errors.Is(err, ErrGone):
		w.drop(d, string(d.Kind)+"_gone", err)
	case errors.Is(err, errBroken):
		w.dead(d, err)
	case err != nil:
		w.failed(d, fmt.Errorf("render: %w", err))
	default:
		m.ChatID, m.PaidBroadcast = d.ChatID, w.e.cfg.PaidBroadcast
		return outgoing{d: d, m: m}, true
	}
	return outgoing{}, false
}

// sendAll takes a bulk permit for each message, then the chats' permits in
// one round trip, and sends what may go; the rest waits for its time.
func (w *worker) sendAll(ctx context.Context, out []outgoing) {
	for i := range out {
		if err := w.e.pace.take(ctx); err != nil {
			for range i {
				w.e.pace.give()
			}
			for _, o := range out {
				w.r.redisTrouble(ctx, o.d, err)
			}
			return
		}
	}
	chats := make([]int64, len(out))
	for i, o := range out {
		chats[i] = o.d.ChatID
	}
	waits, err := w.e.pace.allowChats(ctx, chats)
	for i, o := range out {
		if at, ok := w.r.chatReady(waits[i], err); !ok {
			w.e.pace.give() // the permit goes to another chat
			w.r.later.push(o.d, at)
			continue
		}
		start := time.Now()
		_, sendErr := w.e.send.SendOnce(ctx, o.m)
		metrics.SendLatency.WithLabelValues("bulk").Observe(time.Since(start).Seconds())
		w.outcome(ctx, o.d, sendErr)
	}
}

func (w *worker) outcome(ctx context.Context, d Delivery, err error) {
	switch telegram.Classify(err) {
	case telegram.ClassNone, telegram.ClassNotModified:
		w.sent(d)
	case telegram.ClassRetryAfter:
		w.r.tooMany(ctx, d, telegram.RetryAfterOf(err))
	case telegram.ClassChatGone:
		reason := telegram.GoneReason(err)
		w.e.events.ChatGone(ctx, d.ChatID, reason)
		w.drop(d, "chat_"+reason, err)
	case telegram.ClassMigrated:
		w.migrated(ctx, d, err)
	case telegram.ClassTransient:
		if ctx.Err() != nil {
			return // stopping: the entry stays pending and is taken back at the next start
		}
		w.failed(d, err)
	default:
		w.dead(d, err)
	}
}

// redisTrouble retries the delivery soon, unchanged: Redis (or the context),
// not the message, is at fault.
func (r *runner) redisTrouble(ctx context.Context, d Delivery, err error) {
	if ctx.Err() != nil {
		return
	}
	metrics.RedisErrors.WithLabelValues("delivery").Inc()
	r.e.log.Warn("delivery: Redis unavailable, will retry", "chat", d.ChatID, "err", err)
	r.later.push(d, time.Now().Add(time.Second))
}

// tooMany waits out a 429 and then retries the same message. The answer
// does not say which limit was hit: a group's is its own 20 a minute; for a
// private chat, whose 1 a second the engine itself keeps, it is the bulk
// limit, so every copy pauses (as it does when several groups hit at once).
func (r *runner) tooMany(ctx context.Context, d Delivery, wait time.Duration) {
	until := time.Now().Add(wait)
	scope := "chat"
	if d.ChatID > 0 || r.last429.another(d.ChatID) {
		scope = "global"
		if err := r.e.pauseGlobal(ctx, until, wait); err != nil {
			r.e.log.Warn("delivery: share the global pause", "err", err)
		}
	}
	if err := r.e.pauseChat(ctx, d.ChatID, until, wait); err != nil {
		r.e.log.Warn("delivery: save the chat's pause", "chat", d.ChatID, "err", err)
	}
	metrics.TooMany.WithLabelValues(scope).Inc()
	r.e.log.Warn("delivery: 429, pausing", "scope", scope, "chat", d.ChatID, "retry_after", wait)
	r.later.push(d, until)
}

// group429 remembers the last group that got a 429, to tell a group's own
// limit from the bulk limit.
type group429 struct {
	mu   sync.Mutex
	chat int64
	at   time.Time
}

func (g *group429) another(chat int64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	other := g.chat != chat && time.Since(g.at) < time.Second
	g.chat, g.at = chat, time.Now()
	return other
}

// render builds the message: articles by the Renderer, digests and summaries
// here, the rest from their stored payload.
func (e *Engine) render(ctx context.Context, d Delivery, st state) (telegram.Message, error) {
	switch {
	case d.Kind == KindArticle:
		return e.renderer.Render(ctx, d, st.chat)
	case d.Kind == KindDigest || d.Kind == KindSummary:
		return e.renderList(ctx, d, st.chat)
	case !d.Kind.stored():
		return telegram.Message{}, fmt.Errorf("%w: unknown kind %q", errBroken, d.Kind)
	case st.payload == "":
		return telegram.Message{}, fmt.Errorf("%w: payload %s/%s expired", ErrGone, d.Kind, d.Item)
	}
	var p Payload
	if err := json.Unmarshal([]byte(st.payload), &p); err != nil {
		return telegram.Message{}, fmt.Errorf("%w: payload %s/%s: %v", errBroken, d.Kind, d.Item, err)
	}
	return p.message(st.chat.Lang), nil
}

// chatReady tells whether a message may go now that its chat's permit was
// asked for, or until when it waits. The global pause is read last, just
// before the send, so a pause another worker learned meanwhile is honoured.
func (r *runner) chatReady(wait time.Duration, err error) (time.Time, bool) {
	now := time.Now()
	switch {
	case err != nil:
		return now.Add(time.Second), false
	case wait > 0:
		return now.Add(wait), false
	}
	if end := r.e.pause.end(); end.After(now) {
		return end, false
	}
	return now, true
}
