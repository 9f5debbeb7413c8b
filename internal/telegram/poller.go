package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/gubkin-news/newsbot/internal/metrics"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Offsets keeps the getUpdates position and which updates were handled, so a
// restart neither re-handles nor loses an update.
type Offsets interface {
	Offset(ctx context.Context) (int64, error)
	SetOffset(ctx context.Context, next int64) error
	Handled(ctx context.Context, updateID int64) (bool, error)
	MarkHandled(ctx context.Context, updateID int64) error
}

// Update is one decoded update with its raw JSON (for fields the library lacks).
type Update struct {
	tgbotapi.Update
	Raw json.RawMessage
}

// AllowedUpdates is sent with every getUpdates (the server remembers it).
var AllowedUpdates = []string{"message", "edited_message", "channel_post", "callback_query", "my_chat_member"}

// Poller runs getUpdates on the request layer: each update decoded alone,
// confirmed only after it was handled, 429/409/network errors waited out.
type Poller struct {
	C               *Client
	Store           Offsets
	Handle          func(ctx context.Context, u Update)
	Log             *slog.Logger
	Timeout         time.Duration // long-poll timeout, ≤ 50 s
	ShutdownTimeout time.Duration // how long handlers in flight may finish
	OnConflict      func()        // a 409: another poller or a webhook

	healthy  atomic.Bool
	lastPoll atomic.Int64
}

// Healthy tells whether the last getUpdates succeeded recently.
func (p *Poller) Healthy() bool {
	return p.healthy.Load() && time.Since(time.Unix(p.lastPoll.Load(), 0)) < p.Timeout+time.Minute
}

// Run polls until ctx ends, then lets handlers in flight finish (bounded).
func (p *Poller) Run(ctx context.Context) error {
	hctx, cancel := p.handlerContext(ctx)
	defer cancel()
	offset, err := p.Store.Offset(ctx)
	if err != nil {
		return fmt.Errorf("telegram: read offset: %w", err)
	}
	failures := 0
	for ctx.Err() == nil {
		raws, err := p.fetch(ctx, offset)
		if err != nil {
			failures++
			p.wait(ctx, err, failures)
			continue
		}
		failures = 0
		offset = p.handleBatch(hctx, ctx, raws, offset)
	}
	return nil
}

// handlerContext outlives ctx by ShutdownTimeout, so handlers can finish.
func (p *Poller) handlerContext(ctx context.Context) (context.Context, context.CancelFunc) {
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	go func() {
		select {
		case <-ctx.Done():
			_ = SleepCtx(hctx, p.ShutdownTimeout)
			cancel()
		case <-hctx.Done():
		}
	}()
	return hctx, cancel
}

func (p *Poller) fetch(ctx context.Context, offset int64) ([]json.RawMessage, error) {
	allowed, _ := json.Marshal(AllowedUpdates)
	params := tgbotapi.Params{
		"offset":          strconv.FormatInt(offset, 10),
		"timeout":         strconv.Itoa(int(p.Timeout.Seconds())),
		"allowed_updates": string(allowed),
	}
	cctx, cancel := context.WithTimeout(ctx, p.Timeout+10*time.Second)
	defer cancel()
	res, err := p.C.Call(cctx, "getUpdates", params)
	if err != nil {
		p.healthy.Store(false)
		metrics.PollerUp.WithLabelValues().Set(0)
		return nil, err
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(res, &raws); err != nil {
		p.healthy.Store(false)
		return nil, fmt.Errorf("telegram: getUpdates: result is not a list: %w", err)
	}
	p.healthy.Store(true)
	metrics.PollerUp.WithLabelValues().Set(1)
	p.lastPoll.Store(time.Now().Unix())
	return raws, nil
}

func (p *Poller) wait(ctx context.Context, err error, failures int) {
	if ctx.Err() != nil {
		return
	}
	var d time.Duration
	var ae *APIError
	switch {
	case Classify(err) == ClassRetryAfter:
		d = RetryAfterOf(err)
		p.Log.Warn("getUpdates: too many requests, waiting", "retry_after", d)
	case errors.As(err, &ae) && ae.Code == 409:
		d = Backoff(failures + 2)
		p.Log.Error("getUpdates: conflict: another copy of the bot polls with this token, or a webhook is set", "err", err, "backoff", d)
		if p.OnConflict != nil {
			p.OnConflict()
		}
	default:
		d = Backoff(failures)
		p.Log.Warn("getUpdates failed, backing off", "err", err, "backoff", d)
	}
	_ = SleepCtx(ctx, d)
}

// handleBatch handles the updates (one chat's in order, chats in parallel)
// and returns the next offset: past every update that is marked handled.
func (p *Poller) handleBatch(hctx, ctx context.Context, raws []json.RawMessage, offset int64) int64 {
	if len(raws) == 0 {
		return offset
	}
	groups, order := p.group(raws)
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := int64(-1)
	for _, key := range order {
		wg.Add(1)
		go func(us []rawUpdate) {
			defer wg.Done()
			if id, ok := p.handleGroup(hctx, us); !ok {
				mu.Lock()
				if failed < 0 || id < failed {
					failed = id
				}
				mu.Unlock()
			}
		}(groups[key])
	}
	wg.Wait()
	next := maxID(raws) + 1
	if failed >= 0 {
		next = failed // Redis did not record it: fetch it again
		_ = SleepCtx(ctx, time.Second)
	}
	if err := p.Store.SetOffset(hctx, next); err != nil {
		p.Log.Warn("save getUpdates offset", "err", err, "offset", next)
	}
	return next
}
