//go:build integration

package faultsuite

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

// TestKill9DuringFanoutLosesNobody kills the bot with SIGKILL in the middle
// of a fan-out and starts it again under the same INSTANCE: every follower
// gets the article, and the only repeats are the sends that had reached
// Telegram but were not yet recorded in Redis when the process died.
func TestKill9DuringFanoutLosesNobody(t *testing.T) {
	for _, tc := range []struct {
		chats, killAt, workers int
		rate                   float64
	}{
		{chats: 5000, killAt: 1000, workers: 8, rate: 1000},
		{chats: 2000, killAt: 500, workers: 8, rate: 150}, // batches of one: the bound is SEND_WORKERS
	} {
		t.Run(fmt.Sprintf("%d_chats_rate_%v", tc.chats, tc.rate), func(t *testing.T) {
			killDuringFanout(t, tc.chats, tc.killAt, tc.workers, tc.rate)
		})
	}
}

func killDuringFanout(t *testing.T, chats, killAt, workers int, rate float64) {
	fake := telegramtest.New(t)
	pfx := prefix(t)
	st := storeFor(t, suite.redis, pfx)
	site := newSite(t)
	site.add("old-1", "Старая новость общества", "Общество", time.Now().Add(-2*time.Hour))
	ids := chatRange(100_000, chats)
	seedFollowers(t, st, ids, "obshchestvo")

	env := botEnv(fake, suite.redis.url(), pfx)
	env["FEED_URLS"], env["FEED_SCHEDULE"] = site.url(), "@every 1s"
	env["SEND_RATE"], env["SEND_WORKERS"], env["INSTANCE"] = fmt.Sprint(rate), strconv.Itoa(workers), "copy-a"
	first := startBot(t, "first", env)
	firstSyncDone(t, st, site.url(), 30*time.Second)

	const title = "В Губкине открыли новый сквер на улице Дзержинского"
	site.add("new-1", title, "Общество", time.Now())
	waitEvery(t, time.Millisecond, 2*time.Minute, fmt.Sprintf("%d sends before the kill", killAt), func() bool { return fake.SentCount() >= killAt })
	first.kill()
	killed := time.Now()
	atKill := settledCount(fake)
	recorded := sentMarks(t, st)
	unrecorded := atKill - recorded
	rateBefore := float64(atKill) / killed.Sub(firstPush(fake, title, time.Time{})).Seconds()

	second := startBot(t, "after-kill", env)
	waitUntil(t, 3*time.Minute, "every follower to get the article", func() bool {
		reached, _ := tally(pushes(fake, title), ids)
		return reached == chats
	})
	waitUntil(t, 30*time.Second, "the delivery stream to drain", func() bool { return streamLen(st) == 0 })
	resumed := firstSendAfter(fake, killed)
	second.stop()

	got := pushes(fake, title)
	reached, dups := tally(got, ids)
	bound := workers * batchFor(rate)
	name := fmt.Sprintf("kill -9 at %d of %d sends (SEND_RATE=%v, SEND_WORKERS=%d)", atKill, chats, rate, workers)
	report(t, name, "%d of %d reached, %d duplicates; sent but unrecorded at the kill: %d; bound workers×batch = %d×%d = %d",
		reached, chats, dups, unrecorded, workers, batchFor(rate), bound)
	report(t, name+": resume", "first send %v after the kill (restart included); rate before the kill %.0f/s",
		resumed.Round(time.Millisecond), rateBefore)
	if reached != chats {
		t.Errorf("%d followers never got the article", chats-reached)
	}
	if dups > unrecorded || dups > bound {
		t.Errorf("%d duplicates, more than the %d sends unrecorded at the kill (bound %d)", dups, unrecorded, bound)
	}
	if extra := len(got) - reached; extra != 0 {
		t.Errorf("the article reached %d chats that do not follow its section", extra)
	}
}

// batchFor mirrors delivery.batchFor: a worker sends this many entries
// before it records them together, so this many per worker may be unrecorded.
func batchFor(rate float64) int { return max(1, min(16, int(rate*0.01))) }

// settledCount is the fake's count of successful sends once it stops moving
// (requests of a killed process may still be answered for a moment).
func settledCount(fake *telegramtest.Server) int {
	last := -1
	poll(5*time.Second, 100*time.Millisecond, func() bool {
		n := fake.SentCount()
		same := n == last
		last = n
		return same
	})
	return last
}

// sentMarks counts the article sends recorded in Redis ("s" marks).
func sentMarks(t testing.TB, st *store.Store) int {
	t.Helper()
	ctx := context.Background()
	keys, err := st.R.Keys(ctx, st.K("{deliveries}", "sent", "article", "*")).Result()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, k := range keys {
		vals, err := st.R.HVals(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if v == "s" {
				n++
			}
		}
	}
	return n
}

// streamLen is the length of the delivery stream (-1 if Redis does not answer).
func streamLen(st *store.Store) int64 {
	n, err := st.R.XLen(context.Background(), st.K("{deliveries}")).Result()
	if err != nil {
		return -1
	}
	return n
}

// firstSendAfter is how long after t the first successful send arrived.
func firstSendAfter(fake *telegramtest.Server, t time.Time) time.Duration {
	for _, c := range fake.Calls("sendMessage", "sendPhoto") {
		if c.Status == 200 && c.At.After(t) {
			return c.At.Sub(t)
		}
	}
	return -1
}
