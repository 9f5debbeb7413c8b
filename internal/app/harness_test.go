package app

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/config"
	"github.com/gubkin-news/newsbot/internal/redistest"
	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

// logs collects every line the bot logs in this test binary, so one test can
// check that the token never appears anywhere.
var allLogs syncBuffer

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is one test's world: a fake Bot API and a Redis prefix that outlive
// restarts of the bot.
type env struct {
	t    *testing.T
	fake *telegramtest.Server
	st   *store.Store
	vars map[string]string
}

func newEnv(t *testing.T, opts ...telegramtest.Option) *env {
	t.Helper()
	fake := telegramtest.New(t, append([]telegramtest.Option{telegramtest.WithLongPollCap(200 * time.Millisecond)}, opts...)...)
	st := redistest.New(t)
	return &env{t: t, fake: fake, st: st, vars: map[string]string{
		"TELEGRAM_TOKEN":   fake.Token(),
		"TELEGRAM_API_URL": fake.URL(),
		"REDIS_URL":        redistest.URL(t),
		"REDIS_PREFIX":     st.Prefix,
		"HTTP_ADDR":        "127.0.0.1:0",
		"LOG_LEVEL":        "debug",
		"POLL_TIMEOUT":     "1s",
		"SHUTDOWN_TIMEOUT": "3s",
		"EDITOR_IDS":       "900",
		"SEND_RATE":        "200",
	}}
}

func (e *env) config() *config.Config {
	e.t.Helper()
	cfg, err := config.Load(func(k string) string { return e.vars[k] })
	if err != nil {
		e.t.Fatalf("config: %v", err)
	}
	return cfg
}

// running is one started copy of the bot.
type running struct {
	App    *App
	cancel context.CancelFunc
	done   chan error
}

// build makes an App without running it (tests may register extra handlers).
func (e *env) build() *App {
	e.t.Helper()
	a, err := New(context.Background(), e.config(), NewLogger(e.config(), &allLogs))
	if err != nil {
		e.t.Fatalf("app.New: %v", err)
	}
	return a
}

var instances atomic.Int64

// start builds and runs a copy with its own consumer name.
func (e *env) start() *running {
	e.vars["INSTANCE"] = fmt.Sprintf("test-%d", instances.Add(1))
	return e.run(e.build())
}

func (e *env) run(a *App) *running {
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{App: a, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- a.Run(ctx) }()
	e.t.Cleanup(r.stop)
	return r
}

// stop cancels the copy as SIGTERM would and waits for it to exit.
func (r *running) stop() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	select {
	case <-r.done:
	case <-time.After(15 * time.Second):
		panic("app did not stop within 15s")
	}
	r.App.Close()
}

// say sends text from a private chat whose id is the user's id.
func (e *env) say(user int64, text string) int64 {
	return e.fake.AddUpdate(telegramtest.TextMessage(user, user, text))
}

// waitText waits until chat has a message containing want, and returns it.
func (e *env) waitText(chat int64, want string) string {
	e.t.Helper()
	var got string
	e.fake.WaitFor(e.t, 10*time.Second, func() bool {
		for _, s := range e.fake.Texts(chat) {
			if strings.Contains(s, want) {
				got = s
				return true
			}
		}
		return false
	}, "a message containing "+want+" in chat")
	return got
}

func httpStatus(url string) int {
	resp, err := http.Get("http://" + url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// settled waits until Telegram has no unconfirmed update and the delivery
// queue is empty: only then does «nothing more arrived» mean something.
func (e *env) settled(r *running) {
	e.t.Helper()
	e.fake.WaitFor(e.t, 20*time.Second, func() bool {
		st, err := r.App.F.Engine.Stats(context.Background())
		return err == nil && e.fake.Pending() == 0 && st.Queued == 0 && st.Pending == 0
	}, "updates handled and the delivery queue empty")
}
