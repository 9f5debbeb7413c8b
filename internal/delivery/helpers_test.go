package delivery_test

import (
	"bytes"
	"context"
	"fmt"
	"github.com/gubkin-news/newsbot/internal/testkit"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/delivery"
	"github.com/gubkin-news/newsbot/internal/i18n"
	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/redistest"
	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/telegram"
	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

var moscow = mustLocation("Europe/Moscow")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// harness is one Redis prefix, one fake Bot API and what an engine needs.
type harness struct {
	t      *testing.T
	st     *store.Store
	tg     *telegramtest.Server
	client *telegram.Client
	texts  *i18n.Bundle
	clock  *clock
	logs   *logBuffer
	gone   sync.Map // article ids the renderer says are gone
}

func newHarness(t *testing.T, opts ...telegramtest.Option) *harness {
	t.Helper()
	return newHarnessOn(t, redistest.New(t), opts...)
}

// newHarnessOn uses the given store (a Redis the test controls).
func newHarnessOn(t *testing.T, st *store.Store, opts ...telegramtest.Option) *harness {
	t.Helper()
	h := &harness{t: t, st: st, tg: telegramtest.New(t, opts...), logs: &logBuffer{},
		clock: testkit.NewClock(time.Date(2025, 11, 27, 12, 0, 0, 0, moscow))}
	return h.connect()
}

// connect builds the Telegram client and texts for h.st and h.tg.
func (h *harness) connect() *harness {
	h.t.Helper()
	c, err := telegram.NewClient(context.Background(), h.tg.Token(), h.tg.URL(), 10*time.Second)
	if err != nil {
		h.t.Fatalf("connect to the fake Bot API: %v", err)
	}
	texts, err := i18n.Default("ru")
	if err != nil {
		h.t.Fatal(err)
	}
	h.client, h.texts = c, texts
	return h
}

// engine builds an engine with fast test timings; edit adjusts it.
func (h *harness) engine(consumer string, edit func(*delivery.Config, *delivery.Deps)) *delivery.Engine {
	h.t.Helper()
	cfg := delivery.Config{Rate: 200, ReplyShare: 0.2, Workers: 4, Consumer: consumer, Location: moscow,
		MaxAttempts: 3, ClaimIdle: 2 * time.Second}
	deps := delivery.Deps{Store: h.st, Sender: &telegram.Sender{C: h.client}, Renderer: delivery.RendererFunc(h.render),
		Texts: h.texts, Now: h.clock.Now, Log: slog.New(slog.NewTextHandler(h.logs, nil)),
		Backoff: func(int) time.Duration { return 20 * time.Millisecond }}
	if edit != nil {
		edit(&cfg, &deps)
	}
	e, err := delivery.New(cfg, deps)
	if err != nil {
		h.t.Fatal(err)
	}
	return e
}

func (h *harness) render(_ context.Context, d delivery.Delivery, chat news.Chat) (telegram.Message, error) {
	if _, gone := h.gone.Load(d.Item); gone {
		return telegram.Message{}, fmt.Errorf("article %s: %w", d.Item, delivery.ErrGone)
	}
	text := "Статья " + d.Item
	if d.Reason != "" {
		text += " (" + d.Reason + ")"
	}
	return telegram.Message{Text: text}, nil
}

// run starts e and returns a stop that cancels it and waits until Run returned.
func (h *harness) run(e *delivery.Engine) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = e.Run(ctx) }()
	stop = func() { cancel(); <-done }
	h.t.Cleanup(stop)
	return sync.OnceFunc(stop)
}

// chats creates active private chats (or groups for negative ids).
func (h *harness) chats(ids ...int64) {
	h.t.Helper()
	for _, id := range ids {
		typ := "private"
		if id < 0 {
			typ = "group"
		}
		if _, _, err := (store.Chats{S: h.st}).Ensure(context.Background(), news.Chat{ID: id, Type: typ, Lang: "ru"}, h.clock.Now()); err != nil {
			h.t.Fatal(err)
		}
	}
}

func (h *harness) follow(slug string, ids ...int64) {
	h.t.Helper()
	h.chats(ids...)
	for _, id := range ids {
		if _, err := (store.Subs{S: h.st}).Follow(context.Background(), id, slug); err != nil {
			h.t.Fatal(err)
		}
	}
}

func (h *harness) enqueue(e *delivery.Engine, a news.Article, slugs []string, extra map[int64]string) int {
	h.t.Helper()
	n, err := e.Enqueue(context.Background(), a, slugs, extra)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

// waitFor polls cond until it holds or timeout passes.
func (h *harness) waitFor(timeout time.Duration, cond func() bool, format string, args ...any) {
	h.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("waited %v for "+format, append([]any{timeout}, args...)...)
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not a correctness wait
	}
}

// waitSettled waits until the stream holds nothing: every entry settled.
func (h *harness) waitSettled(e *delivery.Engine) {
	h.t.Helper()
	h.waitFor(20*time.Second, func() bool {
		st, err := e.Stats(context.Background())
		return err == nil && st.Queued == 0 && st.Pending == 0
	}, "the delivery stream to drain")
}

// received counts successful sends per chat.
func (h *harness) received(ids ...int64) map[int64]int {
	out := map[int64]int{}
	for _, id := range ids {
		out[id] = len(h.tg.Sent(id))
	}
	return out
}

func (h *harness) stats(e *delivery.Engine) delivery.Stats {
	h.t.Helper()
	st, err := e.Stats(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return st
}

func span(from, to int64) []int64 {
	out := make([]int64, 0, to-from+1)
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// clock is the shared test clock.
type clock = testkit.Clock

// logBuffer collects the engine's log for tests that wait for what it noticed.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) Contains(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Contains(l.buf.String(), s)
}
