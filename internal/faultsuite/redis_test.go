//go:build integration

package faultsuite

import (
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

const helpText = "Что я умею"

// TestRedisRestartLosesNothing stops Redis (AOF, fsync always) twice under
// the bot: with kill -9 in the middle of a fan-out while users send
// commands, then with SIGTERM while only commands come. No subscription is
// lost, every follower gets the article, every command is answered exactly
// once, and sending resumes within 5 s of Redis answering again.
func TestRedisRestartLosesNothing(t *testing.T) {
	rp := startAOFRedis(t)
	fake := telegramtest.New(t)
	pfx := prefix(t)
	st := storeFor(t, rp, pfx)
	site := newSite(t)
	site.add("old-1", "Старая новость общества", "Общество", time.Now().Add(-2*time.Hour))
	const followers = 2000
	ids := chatRange(200_000, followers)
	seedFast(t, st, func() { seedFollowers(t, st, ids, "obshchestvo") })

	env := botEnv(fake, rp.url(), pfx)
	env["FEED_URLS"], env["FEED_SCHEDULE"] = site.url(), "@every 1s"
	env["SEND_RATE"], env["INSTANCE"] = "200", "copy-r"
	b := startBot(t, "redis-restart", env)
	firstSyncDone(t, st, site.url(), 30*time.Second)
	users := startCommands(fake, 300_000, 100*time.Millisecond)
	defer users.stop()

	const title = "Губкинские школьники победили в областной олимпиаде"
	site.add("new-1", title, "Общество", time.Now())
	waitUntil(t, time.Minute, "500 pushes before the outage", func() bool {
		reached, _ := tally(pushes(fake, title), ids)
		return reached >= 500
	})
	before, _ := tally(pushes(fake, title), ids)
	up := outage(t, rp, rp.kill, 3*time.Second)
	waitUntil(t, 2*time.Minute, "every follower to get the article", func() bool {
		reached, _ := tally(pushes(fake, title), ids)
		return reached == followers
	})
	sendResume := since(up, firstPush(fake, title, up))
	waitUntil(t, 30*time.Second, "the delivery stream to drain", func() bool { return streamLen(st) == 0 })

	up2 := outage(t, rp, rp.term, 2*time.Second)
	sent := users.stop()
	waitUntil(t, time.Minute, "every command answered", func() bool {
		for _, u := range sent {
			if len(fake.Texts(u)) == 0 {
				return false
			}
		}
		return fake.Pending() == 0
	})
	replyResume := firstReplyAfter(fake, sent, up2)
	b.stop()

	reached, dups := tally(pushes(fake, title), ids)
	report(t, "Redis kill -9 (AOF, fsync always) mid fan-out", "killed after ~%d of %d pushes; %d reached, %d duplicates; first push %v after Redis answered again",
		before, followers, reached, dups, sendResume.Round(time.Millisecond))
	if before >= followers {
		t.Errorf("the fan-out was over before Redis was killed")
	}
	if sendResume < 0 || sendResume > 5*time.Second {
		t.Errorf("sending resumed %v after Redis was back, want within 5 s", sendResume)
	}
	twice, wrong := 0, 0
	for _, u := range sent {
		texts := fake.Texts(u)
		switch {
		case len(texts) > 1:
			twice++
			t.Errorf("user %d got %d answers to one /help: %q", u, len(texts), texts)
		case answered(fake, u, helpText) != 1:
			wrong++
			t.Errorf("user %d got %q instead of the help", u, texts)
		}
	}
	report(t, "commands during two Redis outages", "%d sent, %d answered twice, %d answered wrongly; first reply %v after Redis (SIGTERM) answered again",
		len(sent), twice, wrong, replyResume.Round(time.Millisecond))
	checkSubscriptions(t, st, ids, "obshchestvo")
}

// startAOFRedis starts a redis-server of the test's own, with AOF and
// appendfsync always, in a directory of its own.
func startAOFRedis(t *testing.T) *redisProc {
	t.Helper()
	redisPath, _ := exec.LookPath("redis-server")
	rp, err := startRedis(redisPath, filepath.Join(suite.dir, "redis-aof-"+strconv.FormatInt(prefixes.Add(1), 10)), true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rp.stop)
	return rp
}

// seedFast runs seed with the AOF fsynced once a second, then back to every
// write: seeding is not what the test is about.
func seedFast(t *testing.T, st *store.Store, seed func()) {
	t.Helper()
	ctx := context.Background()
	if err := st.R.ConfigSet(ctx, "appendfsync", "everysec").Err(); err != nil {
		t.Fatal(err)
	}
	seed()
	if err := st.R.ConfigSet(ctx, "appendfsync", "always").Err(); err != nil {
		t.Fatal(err)
	}
}

// TestRedisOutageDuringAHandlerAnswersOnce is the outage above made certain:
// Redis dies while a /help handler waits for its reply to be sent.
func TestRedisOutageDuringAHandlerAnswersOnce(t *testing.T) {
	rp := startAOFRedis(t)
	fake := telegramtest.New(t)
	b := startBot(t, "handler-outage", botEnv(fake, rp.url(), prefix(t)))
	const user = 310_001
	start := fake.AddUpdate(telegramtest.TextMessage(user, user, "/start"))
	waitUntil(t, 30*time.Second, "the /start handled and confirmed", func() bool { return fake.Confirmed() > start })
	before := len(fake.Calls("sendMessage"))
	fake.DelayNext("sendMessage", 1, 2*time.Second)
	id := fake.AddUpdate(telegramtest.TextMessage(user, user, "/help"))
	waitUntil(t, 10*time.Second, "the reply to reach Telegram", func() bool { return len(fake.Calls("sendMessage")) > before })
	outage(t, rp, rp.kill, 8*time.Second) // longer than the Redis client's own retries
	waitUntil(t, 30*time.Second, "the /help confirmed", func() bool { return fake.Confirmed() > id })
	b.stop()
	if got := answered(fake, user, helpText); got != 1 {
		t.Errorf("one /help was answered %d times", got)
	}
}

// outage stops Redis with stop, keeps it down for d while the bot works,
// starts it again on the same port and directory and returns when it answers.
func outage(t *testing.T, rp *redisProc, stop func(), d time.Duration) time.Time {
	t.Helper()
	stop()
	time.Sleep(d) // pacing the outage, not waiting for a result
	if err := rp.start(); err != nil {
		t.Fatal(err)
	}
	return time.Now()
}

// checkSubscriptions proves every follower still follows slug, both ways.
func checkSubscriptions(t *testing.T, st *store.Store, ids []int64, slug string) {
	t.Helper()
	ctx := context.Background()
	n, err := st.R.SCard(ctx, st.K("cat", slug, "chats")).Result()
	if err != nil {
		t.Fatal(err)
	}
	lost := 0
	subs := store.Subs{S: st}
	for _, id := range ids {
		if s, err := subs.Of(ctx, id); err != nil || len(s) != 1 || s[0] != slug {
			lost++
		}
	}
	report(t, "subscriptions after the Redis restarts", "%d of %d followers in the section set, %d chats lost theirs", n, len(ids), lost)
	if n != int64(len(ids)) || lost != 0 {
		t.Errorf("subscriptions lost: section set has %d of %d, %d chats lost theirs", n, len(ids), lost)
	}
}

// since is how long after t the moment at came (-1 if it did not).
func since(t, at time.Time) time.Duration {
	if at.IsZero() {
		return -1
	}
	return at.Sub(t)
}

func firstReplyAfter(fake *telegramtest.Server, users []int64, t time.Time) time.Duration {
	first := time.Duration(-1)
	for _, u := range users {
		for _, c := range fake.Sent(u) {
			if c.At.After(t) && (first < 0 || c.At.Sub(t) < first) {
				first = c.At.Sub(t)
			}
		}
	}
	return first
}

// commands is a stream of /help, each from a new user, until stop.
type commands struct {
	mu   sync.Mutex
	sent []int64
	ids  map[int64]int64 // user → update id
	quit chan struct{}
	done chan struct{}
}

func startCommands(fake *telegramtest.Server, firstUser int64, every time.Duration) *commands {
	c := &commands{quit: make(chan struct{}), done: make(chan struct{}), ids: map[int64]int64{}}
	go func() {
		defer close(c.done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for user := firstUser; user < firstUser+2000; user++ { // bounded
			select {
			case <-c.quit:
				return
			case <-tick.C:
			}
			id := fake.AddUpdate(telegramtest.TextMessage(user, user, "/help"))
			c.mu.Lock()
			c.sent, c.ids[user] = append(c.sent, user), id
			c.mu.Unlock()
		}
	}()
	return c
}

// stop ends the stream (once) and returns the users who sent a command.
func (c *commands) stop() []int64 {
	select {
	case <-c.quit:
	default:
		close(c.quit)
	}
	<-c.done
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int64(nil), c.sent...)
}
