//go:build integration

package faultsuite

import (
	"context"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

// storm answers a fifth of the sends with a failure: JSON 5xx, nginx's HTML
// 502 page, or (a few times) a hold past the client's 30 s timeout.
type storm struct {
	fake                 *telegramtest.Server
	mu                   sync.Mutex
	rnd                  *rand.Rand
	sends, json5xx, html atomic.Int64
	holds                atomic.Int64
	maxHolds             int64
}

const clientTimeout = 30 * time.Second // telegram.Client's timeout of a send (app.connectTelegram)

func (s *storm) hook(c telegramtest.Call) (bool, int, string) {
	if !strings.EqualFold(c.Method, "sendMessage") && !strings.EqualFold(c.Method, "sendPhoto") {
		return false, 0, ""
	}
	s.sends.Add(1)
	s.mu.Lock()
	roll, kind := s.rnd.Float64(), s.rnd.IntN(3)
	s.mu.Unlock()
	if roll >= 0.2 {
		return false, 0, ""
	}
	switch {
	case kind == 2 && s.holds.Load() < s.maxHolds:
		s.holds.Add(1)
		s.fake.DelayNext(c.Method, 1, clientTimeout+5*time.Second) // applies to this very call
		return false, 0, ""
	case kind == 1:
		s.html.Add(1)
		s.fake.FailNextHTML(c.Method, 1)
		return false, 0, ""
	}
	s.json5xx.Add(1)
	codes := []int{500, 502, 503, 504}
	code := codes[int(s.json5xx.Load())%len(codes)]
	e := telegramtest.ServerError(code)
	return true, code, `{"ok":false,"error_code":` + strconv.Itoa(code) + `,"description":"` + e.Description + `"}`
}

// TestTelegramStormDeliversEverything fans an article out to 500 chats
// while the Bot API fails a fifth of the sends (5xx, HTML, timeouts), holds
// the bot to 45 messages/s with 429s (SEND_RATE is 50, as a bot set a little
// above what its Telegram allows), and answers bursts of injected 429s
// with retry_after 1–2: everything arrives once, and no request reaches a
// paused scope before its retry_after ends.
func TestTelegramStormDeliversEverything(t *testing.T) {
	t.Parallel() // mostly waiting (a 30 s timeout, a drip feed): runs beside the other
	fake := telegramtest.New(t, telegramtest.WithRateLimit(45, 5))
	s := &storm{fake: fake, rnd: rand.New(rand.NewPCG(1, 2)), maxHolds: 3}
	fake.SetHook(s.hook)
	pfx := prefix(t)
	st := storeFor(t, suite.redis, pfx)
	site := newSite(t)
	site.add("old-1", "Старая новость общества", "Общество", time.Now().Add(-2*time.Hour))
	const followers = 500
	ids := chatRange(400_000, followers)
	seedFollowers(t, st, ids, "obshchestvo")
	env := botEnv(fake, suite.redis.url(), pfx)
	env["FEED_URLS"], env["FEED_SCHEDULE"] = site.url(), "@every 1s"
	env["SEND_RATE"], env["INSTANCE"] = "50", "copy-s"
	b := startBot(t, "storm", env)
	firstSyncDone(t, st, site.url(), 30*time.Second)

	const title = "Ливень затопил подземный переход на улице Кирова"
	began := time.Now()
	site.add("new-1", title, "Общество", began)
	bursts := injectBursts(fake, 5, 1500*time.Millisecond)
	waitUntil(t, 3*time.Minute, "every follower to get the article through the storm", func() bool {
		reached, _ := tally(pushes(fake, title), ids)
		return reached == followers
	})
	took := time.Since(began)
	<-bursts
	b.stop()

	reached, dups := tally(pushes(fake, title), ids)
	dead, _ := st.R.XLen(context.Background(), st.K("{deliveries}", "dead")).Result()
	report(t, "Telegram storm: 500 recipients", "%d reached, %d duplicates, %d dead letters in %v",
		reached, dups, dead, took.Round(100*time.Millisecond))
	report(t, "Telegram storm: faults", "%d send attempts: %d JSON 5xx, %d HTML 502, %d held past the 30 s timeout, %d × 429 (limit 45/s and bursts); early retries %d",
		s.sends.Load(), s.json5xx.Load(), s.html.Load(), s.holds.Load(), fake.TooMany(), fake.EarlyRetries())
	if reached != followers || dups != 0 || dead != 0 {
		t.Errorf("reached %d of %d, %d duplicates, %d dead letters", reached, followers, dups, dead)
	}
	if n := fake.EarlyRetries(); n != 0 {
		t.Errorf("%d requests reached a paused scope before its retry_after ended", n)
	}
	if s.holds.Load() == 0 || s.html.Load() == 0 || s.json5xx.Load() == 0 || fake.TooMany() == 0 {
		t.Errorf("the storm missed a kind of fault: holds %d, HTML %d, 5xx %d, 429 %d", s.holds.Load(), s.html.Load(), s.json5xx.Load(), fake.TooMany())
	}
}

// injectBursts queues n bursts of three 429s (retry_after 1 or 2), one every
// gap; the channel closes after the last.
func injectBursts(fake *telegramtest.Server, n int, gap time.Duration) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range n {
			time.Sleep(gap) // pacing the storm
			fake.FailNext("sendMessage", 3, telegramtest.TooManyRequests(1+i%2))
		}
	}()
	return done
}
