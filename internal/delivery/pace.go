package delivery

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/gubkin-news/newsbot/internal/telegram"
)

// Pacing is GCRA in Redis (redis_rate), shared by every copy of the bot:
//   - "all": Rate messages/s, taken by every send, bulk or reply;
//   - "bulk": (1 − ReplyShare) × Rate, taken by bulk sends too, so bulk can
//     never eat the share kept for replies, while replies may use the whole
//     rate when bulk is quiet;
//   - one key per chat: 1/s for private chats, 20/min for groups and channels.
//
// Bulk permits are fetched several at a time (AllowN) into a small pool
// per copy: one Redis call per batch instead of one per message.
const (
	permitWindow    = 50 * time.Millisecond  // one fetch takes at most this much of the bulk rate
	permitMaxAge    = 100 * time.Millisecond // unused permits older than this are dropped: no stale bursts
	allBurstShare   = 0.2                    // burst of "all", in seconds of Rate
	bulkBurstShare  = 0.1                    // burst of "bulk", in seconds of its rate
	replyChatBurst  = 2                      // replies may come in a short run; Telegram tolerates about 3
	groupPerMinute  = 20
	privatePerSecnd = 1
)

type pacer struct {
	rdb             redis.UniversalClient
	lim             *redis_rate.Limiter
	allKey, bulkKey string
	all, bulk       redis_rate.Limit
	chunk           int
	chatKey         func(int64) string

	mu        sync.Mutex
	have      int       // permits in hand
	grantedAt time.Time // when they came
	retryAt   time.Time // Redis refused until then: nobody asks before

	fill sync.Mutex // one fetch at a time
	owed int        // "bulk" permits whose "all" permit is still missing (under fill)
}

func newPacer(e *Engine) *pacer {
	bulkRate := e.cfg.Rate * (1 - e.cfg.ReplyShare)
	bulkBurst := max(1, int(math.Ceil(bulkRate*bulkBurstShare)))
	return &pacer{
		rdb:     e.s.R,
		lim:     redis_rate.NewLimiter(e.s.R),
		allKey:  e.s.K("rl", "send", "all"),
		bulkKey: e.s.K("rl", "send", "bulk"),
		all:     perSecond(e.cfg.Rate, max(1, int(math.Ceil(e.cfg.Rate*allBurstShare)))),
		bulk:    perSecond(bulkRate, bulkBurst),
		chunk:   max(1, min(bulkBurst, int(math.Ceil(bulkRate*permitWindow.Seconds())))),
		chatKey: func(c int64) string { return e.s.K("rl", "chat", id(c)) },
	}
}

// perSecond is r messages a second as a redis_rate limit (whose rate is an
// integer: fractional rates are counted per 100 s).
func perSecond(r float64, burst int) redis_rate.Limit {
	if r >= 1 && r == math.Trunc(r) {
		return redis_rate.Limit{Rate: int(r), Period: time.Second, Burst: burst}
	}
	return redis_rate.Limit{Rate: max(1, int(math.Round(r*100))), Period: 100 * time.Second, Burst: burst}
}

// take returns when this copy may make one more bulk send.
func (p *pacer) take(ctx context.Context) error {
	for {
		ok, wait := p.grab()
		if ok {
			return nil
		}
		if wait > 0 {
			if err := telegram.SleepCtx(ctx, wait); err != nil {
				return err
			}
			continue
		}
		if err := p.refill(ctx); err != nil {
			return err
		}
	}
}

// give returns a permit that was not used (the chat was not ready).
func (p *pacer) give() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.have++
}

func (p *pacer) grab() (bool, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if p.have > 0 && now.Sub(p.grantedAt) > permitMaxAge {
		p.have = 0
	}
	if p.have > 0 {
		p.have--
		return true, 0
	}
	return false, p.retryAt.Sub(now)
}

func (p *pacer) refill(ctx context.Context) error {
	p.fill.Lock()
	defer p.fill.Unlock()
	if p.ready() {
		return nil // another worker fetched (or was refused) meanwhile
	}
	got, retry, err := p.fetch(ctx)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if got > 0 {
		p.have, p.grantedAt = p.have+got, time.Now()
	} else {
		p.retryAt = time.Now().Add(max(retry, time.Millisecond))
	}
	return nil
}

func (p *pacer) ready() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.have > 0 || time.Now().Before(p.retryAt)
}

// fetch takes chunk permits from "bulk", then as many from "all"; when "all"
// refuses, they are owed and asked for again, not taken from "bulk" twice.
// AllowN, not AllowAtMost: with a fractional balance AllowAtMost charges the
// fraction but grants only the whole part, losing about 2% of the rate.
func (p *pacer) fetch(ctx context.Context) (int, time.Duration, error) {
	if p.owed == 0 {
		res, err := p.lim.AllowN(ctx, p.bulkKey, p.bulk, p.chunk)
		if err != nil {
			return 0, 0, err
		}
		if res.Allowed == 0 {
			return 0, res.RetryAfter, nil
		}
		p.owed = res.Allowed
	}
	res, err := p.lim.AllowN(ctx, p.allKey, p.all, p.owed)
	if err != nil {
		return 0, 0, err
	}
	if res.Allowed == 0 {
		return 0, res.RetryAfter, nil
	}
	p.owed = 0
	return res.Allowed, 0, nil
}

// allowChat takes the chat's permit; when refused it says how long to wait.
func (p *pacer) allowChat(ctx context.Context, chat int64, reply bool) (time.Duration, error) {
	return p.allowWith(ctx, p.lim, chat, reply)
}

func (p *pacer) allowWith(ctx context.Context, lim *redis_rate.Limiter, chat int64, reply bool) (time.Duration, error) {
	burst := 1
	if reply {
		burst = replyChatBurst
	}
	limit := redis_rate.Limit{Rate: privatePerSecnd, Period: time.Second, Burst: burst}
	if chat < 0 {
		limit = redis_rate.Limit{Rate: groupPerMinute, Period: time.Minute, Burst: burst}
	}
	res, err := lim.Allow(ctx, p.chatKey(chat), limit)
	if err != nil || res.Allowed > 0 {
		return 0, err
	}
	return max(res.RetryAfter, time.Millisecond), nil
}

// allowChats takes the permits of a batch's chats in one round trip: the
// redis_rate calls run side by side on a scriptBatch, which sends their
// scripts in one pipeline. For each chat: 0 (go) or how long to wait.
func (p *pacer) allowChats(ctx context.Context, chats []int64) ([]time.Duration, error) {
	waits := make([]time.Duration, len(chats))
	if len(chats) == 1 {
		w, err := p.allowChat(ctx, chats[0], false)
		waits[0] = w
		return waits, err
	}
	lim := redis_rate.NewLimiter(&scriptBatch{UniversalClient: p.rdb, n: len(chats)})
	errs := make([]error, len(chats))
	var wg sync.WaitGroup
	for i, c := range chats {
		wg.Add(1)
		go func() {
			defer wg.Done()
			waits[i], errs[i] = p.allowWith(ctx, lim, c, false)
		}()
	}
	wg.Wait()
	return waits, errors.Join(errs...)
}

// scriptBatch runs the EVALSHA calls of n concurrent callers as one
// pipeline: each call waits until all n have arrived. Anything else (EVAL
// after NOSCRIPT) goes straight to the client.
type scriptBatch struct {
	redis.UniversalClient
	n    int
	mu   sync.Mutex
	reqs []*scriptCall
}

type scriptCall struct {
	sha  string
	keys []string
	args []any
	done chan *redis.Cmd
}

func (b *scriptBatch) EvalSha(ctx context.Context, sha string, keys []string, args ...any) *redis.Cmd {
	call := &scriptCall{sha: sha, keys: keys, args: args, done: make(chan *redis.Cmd, 1)}
	b.mu.Lock()
	b.reqs = append(b.reqs, call)
	all := len(b.reqs) == b.n
	b.mu.Unlock()
	if all {
		cmds := make([]*redis.Cmd, len(b.reqs))
		_, _ = b.UniversalClient.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, c := range b.reqs {
				cmds[i] = p.EvalSha(ctx, c.sha, c.keys, c.args...)
			}
			return nil
		})
		for i, c := range b.reqs {
			c.done <- cmds[i]
		}
	}
	return <-call.done
}

// ReplyLimiter paces answers to commands and notices to editors
// (telegram.Limiter): the chat's own limit and the shared "all" budget, never
// the bulk queue. Plug it into telegram.Sender.Limiter of the interactive sender.
type ReplyLimiter struct{ e *Engine }

// ReplyLimiter returns the limiter for replies.
func (e *Engine) ReplyLimiter() *ReplyLimiter { return &ReplyLimiter{e: e} }

// Wait returns when a reply to chatID may go. When Redis does not answer it
// lets the reply go (a reply matters more than pacing; Telegram's 429 is still
// honoured by the Sender).
func (r *ReplyLimiter) Wait(ctx context.Context, chatID int64) error {
	p := r.e.pace
	if err := r.e.pause.wait(ctx); err != nil {
		return err
	}
	if err := r.until(ctx, func() (time.Duration, error) { return p.allowChat(ctx, chatID, true) }); err != nil {
		return err
	}
	return r.until(ctx, func() (time.Duration, error) {
		res, err := p.lim.Allow(ctx, p.allKey, p.all)
		if err != nil || res.Allowed > 0 {
			return 0, err
		}
		return max(res.RetryAfter, time.Millisecond), nil
	})
}

func (r *ReplyLimiter) until(ctx context.Context, try func() (time.Duration, error)) error {
	for {
		wait, err := try()
		if err != nil {
			r.e.log.Warn("delivery: reply limiter unavailable, sending without it", "err", err)
			return nil
		}
		if wait == 0 {
			return nil
		}
		if err := telegram.SleepCtx(ctx, wait); err != nil {
			return err
		}
	}
}
