package cache

import (
	"bytes"
	"context"
	"errors"
	"github.com/gubkin-news/newsbot/internal/testkit"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/redistest"
	"github.com/gubkin-news/newsbot/internal/store"
)

// clock is the shared test clock.
type clock = testkit.Clock

// upstream is a fake fetcher: it counts calls and answers value or err.
type upstream struct {
	calls atomic.Int64
	mu    sync.Mutex
	value string
	err   error
	gate  chan struct{} // when set, each call waits for it to close
}

func (u *upstream) fetch(ctx context.Context, _ *Entry[string]) (string, error) {
	u.calls.Add(1)
	u.mu.Lock()
	gate := u.gate
	u.mu.Unlock()
	if gate != nil {
		<-gate
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.value, u.err
}

func (u *upstream) set(value string, err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.value, u.err = value, err
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type fixture struct {
	st    *store.Store
	clk   *clock
	up    *upstream
	c     *Cache[string]
	logs  *syncBuffer
	retry time.Duration
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{st: redistest.New(t), clk: testkit.NewClock(time.Date(2023, 11, 8, 14, 30, 0, 0, time.UTC)),
		up: &upstream{value: "v1"}, logs: &syncBuffer{}, retry: time.Minute}
	f.c = f.newCache()
	t.Cleanup(f.c.Wait)
	return f
}

func (f *fixture) newCache() *Cache[string] {
	log := slog.New(slog.NewTextHandler(f.logs, nil))
	cfg := Config{Name: "test", Fresh: 15 * time.Minute, RetryInterval: f.retry, Now: f.clk.Now}
	return New(cfg, f.st, log, f.up.fetch)
}

func mustGet(t *testing.T, c *Cache[string]) (Entry[string], bool) {
	t.Helper()
	e, stale, err := c.Get(context.Background())
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	return e, stale
}

func TestHundredConcurrentGetsOnEmptyCacheAskUpstreamOnce(t *testing.T) {
	f := newFixture(t)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, _, err := f.c.Get(context.Background())
			if err == nil && e.Value != "v1" {
				err = errors.New("got " + e.Value)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.up.calls.Load(); n != 1 {
		t.Fatalf("upstream calls = %d, want 1", n)
	}
}

func TestFreshValueIsServedWithoutAskingUpstream(t *testing.T) {
	f := newFixture(t)
	mustGet(t, f.c)
	f.clk.Add(14 * time.Minute)
	e, stale := mustGet(t, f.c)
	f.c.Wait()
	if stale || e.Value != "v1" || f.up.calls.Load() != 1 {
		t.Fatalf("got %q stale=%v calls=%d, want v1 fresh 1 call", e.Value, stale, f.up.calls.Load())
	}
}

func TestStaleValueIsServedAtOnceAndRefreshedInBackground(t *testing.T) {
	f := newFixture(t)
	mustGet(t, f.c)
	f.clk.Add(16 * time.Minute)
	f.up.set("v2", nil)
	gate := make(chan struct{})
	f.up.mu.Lock()
	f.up.gate = gate
	f.up.mu.Unlock()

	e, stale := mustGet(t, f.c) // must not wait on the gated upstream
	if !stale || e.Value != "v1" {
		t.Fatalf("got %q stale=%v, want the old v1 marked stale", e.Value, stale)
	}
	close(gate)
	f.c.Wait()
	e, stale = mustGet(t, f.c)
	if stale || e.Value != "v2" || !e.FetchedAt.Equal(f.clk.Now()) {
		t.Fatalf("after refresh got %q stale=%v at %v", e.Value, stale, e.FetchedAt)
	}
}

func TestFailedRefreshKeepsLastGoodValueAndBacksOff(t *testing.T) {
	f := newFixture(t)
	first, _ := mustGet(t, f.c)
	f.clk.Add(time.Hour)
	f.up.set("", errors.New("HTTP 503"))
	if err := f.c.Refresh(context.Background()); err == nil {
		t.Fatal("Refresh with a failing upstream gave no error")
	}
	calls := f.up.calls.Load()
	e, stale := mustGet(t, f.c)
	f.c.Wait()
	if !stale || e.Value != "v1" || !e.FetchedAt.Equal(first.FetchedAt) {
		t.Fatalf("got %q stale=%v at %v, want v1 stale from %v", e.Value, stale, e.FetchedAt, first.FetchedAt)
	}
	if n := f.up.calls.Load(); n != calls {
		t.Fatalf("a Get during the backoff asked the upstream (%d calls, want %d)", n, calls)
	}
	if !strings.Contains(f.logs.String(), "HTTP 503") {
		t.Fatalf("the failure was not logged: %s", f.logs.String())
	}
}

func TestNothingCachedAndUpstreamDownIsErrUnavailable(t *testing.T) {
	f := newFixture(t)
	f.up.set("", errors.New("connection refused"))
	for i := range 2 {
		if _, _, err := f.c.Get(context.Background()); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("Get #%d: err = %v, want ErrUnavailable", i+1, err)
		}
	}
	if n := f.up.calls.Load(); n != 1 {
		t.Fatalf("upstream calls = %d, want 1 (the second Get is inside the backoff)", n)
	}
	// The cron refresh ignores the backoff, and its success lifts it.
	f.up.set("v2", nil)
	if err := f.c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if e, _ := mustGet(t, f.c); e.Value != "v2" {
		t.Fatalf("got %q, want v2", e.Value)
	}
	if n, _ := f.st.R.Exists(context.Background(), f.c.backoffKey()).Result(); n != 0 {
		t.Fatal("backoff key survived a successful refresh")
	}
}

func TestValueSurvivesRestart(t *testing.T) {
	f := newFixture(t)
	mustGet(t, f.c)
	again := f.newCache() // a new process on the same Redis
	if e, _ := mustGet(t, again); e.Value != "v1" || f.up.calls.Load() != 1 {
		t.Fatalf("got %q with %d calls, want the cached v1 with 1 call", e.Value, f.up.calls.Load())
	}
}

func TestUndecodableEntryCountsAsEmpty(t *testing.T) {
	f := newFixture(t)
	if err := f.st.R.Set(context.Background(), f.c.Key(), "{not json", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if e, _ := mustGet(t, f.c); e.Value != "v1" {
		t.Fatalf("got %q, want a fresh v1", e.Value)
	}
}

func TestCallerLeavingDoesNotCancelTheFill(t *testing.T) {
	f := newFixture(t)
	gate := make(chan struct{})
	f.up.gate = gate
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, _, err := f.c.Get(ctx); done <- err }()
	waitFor(t, func() bool { return f.up.calls.Load() == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	close(gate)
	waitFor(t, func() bool {
		n, _ := f.st.R.Exists(context.Background(), f.c.Key()).Result()
		return n == 1
	})
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not a wait for correctness
	}
	t.Fatal("condition not met within 5s")
}

// A caller that read an empty cache just before another caller's fill stored
// a value must not ask the upstream again.
func TestLateFillerFindsTheStoredValue(t *testing.T) {
	f := newFixture(t)
	mustGet(t, f.c)
	e, err := f.c.share(context.Background(), "fill", f.c.fill) // what that late caller runs
	if err != nil || e.Value != "v1" || f.up.calls.Load() != 1 {
		t.Fatalf("got %q, %v with %d calls; want the stored v1 and 1 call", e.Value, err, f.up.calls.Load())
	}
}
