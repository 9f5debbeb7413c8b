package main

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gubkin-news/newsbot/internal/delivery"
	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

const (
	replyEvery = 200 * time.Millisecond
	replyChats = 10 // replies rotate over 10 chats: one chat may get only 1 a second
)

// measure queues the fan-out, runs the engine until every recipient has it
// (or the timeout), and formats the figures.
func measure(ctx context.Context, o options, st *store.Store, fake *fakeAPI, eng *delivery.Engine, client *telegram.Client) (string, error) {
	t0 := time.Now()
	a := news.Article{ID: "bench-1", Title: "Новость для замера", URL: "https://gubkin.example/bench-1"}
	if _, err := eng.Enqueue(ctx, a, []string{"bench"}, nil); err != nil {
		return "", err
	}
	enqueue := time.Since(t0)
	memQueued := deliveryMemory(ctx, st)

	cpu0, redis0 := processCPU(), redisCPU(ctx, st)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = eng.Run(runCtx) }()
	start := time.Now()
	replies := startReplies(runCtx, eng, client, o.recipients)
	waitDelivered(ctx, fake, o)
	lat := replies.stop()
	cpu, redisUsed := processCPU()-cpu0, redisCPU(ctx, st)-redis0
	waitSettled(ctx, eng)
	stop()
	<-done

	elapsed := time.Unix(0, fake.lastBulk.Load()).Sub(start)
	reached, dups := fake.tally()
	perRecipient := func(m int64) int64 { return m / max(1, o.recipients) }
	bulkLimit := o.rate * (1 - o.share)
	limit := o.rate
	if o.serverRate > 0 {
		bulkLimit, limit = min(bulkLimit, o.serverRate), min(limit, o.serverRate)
	}
	achieved := float64(fake.bulk.Load()) / elapsed.Seconds()
	total := float64(fake.bulk.Load()+fake.replies.Load()) / elapsed.Seconds()
	return fmt.Sprintf("recipients=%d rate=%g server_rate=%g paid=%t workers=%d reply_share=%g "+
		"bulk_limit=%.0f/s achieved=%.1f/s ratio=%.3f total=%.1f/s total_ratio=%.3f "+
		"429s=%d lost=%d duplicates=%d reply_p50=%s reply_p95=%s replies=%d "+
		"redis_bytes_per_recipient=%d_queued/%d_after cpu_per_msg=%s+redis_%s enqueue=%s elapsed=%s",
		o.recipients, o.rate, o.serverRate, o.paid, o.workers, o.share,
		bulkLimit, achieved, achieved/bulkLimit, total, total/limit,
		fake.tooMany.Load(), o.recipients-reached, dups, lat.pct(0.50), lat.pct(0.95), len(lat),
		perRecipient(memQueued), perRecipient(deliveryMemory(ctx, st)), perMsg(cpu, fake), perMsg(redisUsed, fake),
		enqueue.Round(time.Millisecond), elapsed.Round(time.Millisecond)), nil
}

// waitDelivered polls until every recipient got the article or time is up.
func waitDelivered(ctx context.Context, fake *fakeAPI, o options) {
	timeout := o.timeout
	if timeout == 0 {
		expected := float64(o.recipients) / math.Min(o.rate*(1-o.share), orInf(o.serverRate))
		timeout = 2*time.Duration(expected*float64(time.Second)) + time.Minute
	}
	deadline := time.Now().Add(timeout)
	for fake.bulk.Load() < o.recipients && time.Now().Before(deadline) && ctx.Err() == nil {
		_ = telegram.SleepCtx(ctx, 10*time.Millisecond)
	}
	// Duplicates or losses would show in tally; give stragglers a moment.
	for reached, _ := fake.tally(); reached < o.recipients && time.Now().Before(deadline) && ctx.Err() == nil; reached, _ = fake.tally() {
		_ = telegram.SleepCtx(ctx, 50*time.Millisecond)
	}
}

func waitSettled(ctx context.Context, eng *delivery.Engine) {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && ctx.Err() == nil; {
		if st, err := eng.Stats(ctx); err == nil && st.Queued == 0 && st.Pending == 0 {
			return
		}
		_ = telegram.SleepCtx(ctx, 20*time.Millisecond)
	}
}

func orInf(v float64) float64 {
	if v <= 0 {
		return math.Inf(1)
	}
	return v
}

// replyRun sends a command reply every 200 ms through ReplyLimiter+Sender.
type replyRun struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	took   latencies
}

func startReplies(ctx context.Context, eng *delivery.Engine, client *telegram.Client, recipients int64) *replyRun {
	ctx, cancel := context.WithCancel(ctx)
	r := &replyRun{cancel: cancel}
	s := &telegram.Sender{C: client, Limiter: eng.ReplyLimiter()}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		t := time.NewTicker(replyEvery)
		defer t.Stop()
		for i := int64(0); ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			r.wg.Add(1)
			go r.one(ctx, s, recipients+1+i%replyChats)
		}
	}()
	return r
}

func (r *replyRun) one(ctx context.Context, s *telegram.Sender, chat int64) {
	defer r.wg.Done()
	start := time.Now()
	if _, err := s.Send(ctx, telegram.Message{ChatID: chat, Text: "Погода в Губкине: +3 °C"}); err != nil {
		return
	}
	r.mu.Lock()
	r.took = append(r.took, time.Since(start))
	r.mu.Unlock()
}

func (r *replyRun) stop() latencies {
	r.cancel()
	r.wg.Wait()
	return r.took
}

type latencies []time.Duration

func (l latencies) pct(p float64) string {
	if len(l) == 0 {
		return "n/a"
	}
	s := slices.Clone(l)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))].Round(time.Millisecond).String()
}

// seed creates the recipients as active chats following section "bench".
func seed(ctx context.Context, st *store.Store, n int64) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(32)
	now := time.Now()
	for id := int64(1); id <= n; id++ {
		g.Go(func() error {
			if _, _, err := (store.Chats{S: st}).Ensure(gctx, news.Chat{ID: id, Type: "private", Lang: "ru"}, now); err != nil {
				return err
			}
			_, err := store.Subs{S: st}.Follow(gctx, id, "bench")
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("seed %d chats: %w", n, err)
	}
	return nil
}

// processCPU is the CPU time this process used so far (engine and fake).
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// redisCPU is the Redis server's CPU time so far (all its clients).
func redisCPU(ctx context.Context, st *store.Store) time.Duration {
	info, _ := st.R.Info(ctx, "cpu").Result()
	var total float64
	for _, line := range strings.Split(info, "\n") {
		for _, k := range []string{"used_cpu_sys:", "used_cpu_user:"} {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), k); ok {
				f, _ := strconv.ParseFloat(v, 64)
				total += f
			}
		}
	}
	return time.Duration(total * float64(time.Second))
}

// perMsg is CPU time per message sent: what 2 free cores allow is 2 s over
// the sum of the two figures.
func perMsg(d time.Duration, fake *fakeAPI) string {
	n := max(1, fake.bulk.Load()+fake.replies.Load())
	return (d / time.Duration(n)).Round(time.Microsecond).String()
}

// deliveryMemory is the memory of the engine's keys ({deliveries}…: the
// stream, the sent marks, the article's links), by MEMORY USAGE: exact, and
// blind to whatever else the Redis holds.
func deliveryMemory(ctx context.Context, st *store.Store) int64 {
	var total int64
	iter := st.R.Scan(ctx, 0, st.Prefix+"{deliveries}*", 1000).Iterator()
	for iter.Next(ctx) {
		n, _ := st.R.MemoryUsage(ctx, iter.Val(), 0).Result()
		total += n
	}
	return total
}

// cleanup deletes the benchmark's keys (and redis_rate's, which it prefixes with "rate:").
func cleanup(st *store.Store) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, pattern := range []string{st.Prefix + "*", "rate:" + st.Prefix + "*"} {
		iter := st.R.Scan(ctx, 0, pattern, 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			if keys = append(keys, iter.Val()); len(keys) >= 1000 {
				st.R.Del(ctx, keys...)
				keys = keys[:0]
			}
		}
		if len(keys) > 0 {
			st.R.Del(ctx, keys...)
		}
	}
}

// warnLog shows the engine's warnings (429s, Redis trouble) on stderr.
func warnLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
