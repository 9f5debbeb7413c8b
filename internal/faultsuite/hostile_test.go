//go:build integration

package faultsuite

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

const hostileUpdates = 10_000

// TestHostileUpdatesNeverStopTheBot feeds the bot 10,000 hostile updates:
// random Unicode, 4096-character texts, commands with control characters
// and 10 KB arguments, forged and stale callback data, every update kind,
// malformed JSON, groups joined, left and migrated. The process never dies,
// confirms every update, answers every callback, keeps its memory bounded
// and still answers /help at the end.
func TestHostileUpdatesNeverStopTheBot(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("FAULTSUITE_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("seed %d (FAULTSUITE_SEED=%d repeats this run)", seed, seed)
	fake := telegramtest.New(t)
	pfx := prefix(t)
	st := storeFor(t, suite.redis, pfx)
	env := botEnv(fake, suite.redis.url(), pfx)
	env["SEND_RATE"], env["USER_RATE_PER_MIN"], env["LOG_LEVEL"] = "1000", "600", "debug"
	b := startBot(t, "hostile", env)
	const probe = 499_999
	fake.AddUpdate(telegramtest.TextMessage(probe, probe, "/help"))
	waitUntil(t, 30*time.Second, "the first /help answered", func() bool { return answered(fake, probe, helpText) == 1 })
	rssBefore, _ := b.memory()

	groups := groupLifecycle(fake)
	h := newHostile(seed)
	began := time.Now()
	next := int64(0)
	for sent := 0; sent < hostileUpdates; {
		for range min(500, hostileUpdates-sent) {
			if h.rnd.IntN(50) == 0 && next > 0 {
				next = fake.AddRawUpdate(h.rawUpdate(next)) + 1
			} else {
				next = fake.AddUpdate(h.next()) + 1
			}
			sent++
		}
		waitUntil(t, 2*time.Minute, "the bot to catch up", func() bool { return fake.Pending() < 300 || !b.alive() })
		if !b.alive() {
			t.Fatalf("the bot died after %d hostile updates:\n%s", sent, b.tail(40))
		}
	}
	waitUntil(t, 2*time.Minute, "every update confirmed", func() bool { return fake.Pending() == 0 || !b.alive() })
	took := time.Since(began)
	if !b.alive() {
		t.Fatalf("the bot died:\n%s", b.tail(40))
	}
	const last = 499_998
	fake.AddUpdate(telegramtest.TextMessage(last, last, "/help"))
	waitUntil(t, 30*time.Second, "/help answered after the flood", func() bool { return answered(fake, last, helpText) == 1 })
	rssAfter, peak := b.memory()
	b.stop()

	unanswered := 0
	for _, c := range fake.Calls("answerCallbackQuery") {
		delete(h.callbacks, c.Params["callback_query_id"])
	}
	unanswered = len(h.callbacks)
	report(t, "10,000 hostile updates", "all confirmed in %v (%s); the bot still answers /help", took.Round(time.Second), kinds(h.kinds))
	report(t, "10,000 hostile updates: memory", "RSS %.0f MB before, %.0f MB after, peak %.0f MB", rssBefore, rssAfter, peak)
	report(t, "10,000 hostile updates: callbacks", "%d well-formed callbacks left unanswered", unanswered)
	report(t, "10,000 hostile updates: Bot API answers", "%s", statuses(fake))
	if unanswered != 0 {
		t.Errorf("%d callbacks were never answered", unanswered)
	}
	if peak > memoryLimitMB(300) {
		t.Errorf("peak RSS %.0f MB, want under %.0f MB", peak, memoryLimitMB(300))
	}
	ps := panics(b)
	report(t, "10,000 hostile updates: recovered panics", "%d", len(ps))
	if len(ps) > 0 {
		t.Errorf("the bot recovered from %d panics; first: %s", len(ps), ps[0])
	}
	groups.check(t, st)
}

// TestPoisonUpdateDoesNotKillTheBot sends updates that decode but lack the
// chat or the sender (a callback without from, a message without chat), then
// /help: the bot must skip them and answer.
func TestPoisonUpdateDoesNotKillTheBot(t *testing.T) {
	for i, poison := range poisonUpdates(510_001) {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			fake := telegramtest.New(t)
			env := botEnv(fake, suite.redis.url(), prefix(t))
			b := startBot(t, "poison", env)
			fake.AddUpdate(poison)
			fake.AddUpdate(telegramtest.TextMessage(510_002, 510_002, "/help"))
			if !poll(20*time.Second, 10*time.Millisecond, func() bool { return answered(fake, 510_002, helpText) == 1 || !b.alive() }) || !b.alive() {
				again := startBot(t, "poison-restart", env)
				loop := poll(5*time.Second, 10*time.Millisecond, func() bool { return !again.alive() })
				t.Fatalf("the bot died on %v (dies again at once after a restart: %v):\n%s", poison, loop, b.tail(12))
			}
			b.stop()
		})
	}
}

// lifecycle is a group the bot joins and a group it joins, speaks in and
// sees migrate to a supergroup; another it is removed from.
type lifecycle struct{ migrated, kicked, super int64 }

func groupLifecycle(fake *telegramtest.Server) lifecycle {
	g := lifecycle{migrated: -700_001, kicked: -700_002, super: -1_000_000_700_001}
	fake.AddUpdate(telegramtest.MyChatMember(g.migrated, 700_100, "left", "member"))
	fake.AddUpdate(telegramtest.GroupMessage(g.migrated, 700_100, "/lang en"))
	fake.AddUpdate(telegramtest.MigrateMessage(g.migrated, g.super))
	fake.AddUpdate(telegramtest.MyChatMember(g.kicked, 700_100, "left", "member"))
	fake.AddUpdate(telegramtest.MyChatMember(g.kicked, 700_100, "member", "kicked"))
	return g
}

func (g lifecycle) check(t *testing.T, st *store.Store) {
	t.Helper()
	chats := store.Chats{S: st}
	ctx := context.Background()
	super, ok, err := chats.Get(ctx, g.super)
	if err != nil || !ok || !super.Active || super.Lang != "en" {
		t.Errorf("the migrated group's supergroup: %+v (found %v, err %v), want active with its language en", super, ok, err)
	}
	old, _, _ := chats.Get(ctx, g.migrated)
	kicked, _, _ := chats.Get(ctx, g.kicked)
	if old.Active || kicked.Active {
		t.Errorf("the migrated group (active %v) and the group that removed the bot (active %v) must be inactive", old.Active, kicked.Active)
	}
}

// panics are the panics the bot logged (and recovered from): none is
// expected, whatever the input.
func panics(b *bot) []string {
	var out []string
	for _, r := range b.records() {
		if msg, _ := r["msg"].(string); strings.Contains(msg, "panic") {
			out = append(out, fmt.Sprintf("%s: %v (cmd %v, data %q, update %v)", msg, r["panic"], r["cmd"], r["data"], r["update_id"]))
		}
	}
	return out
}

// statuses counts the bot's calls by method and HTTP status.
func statuses(fake *telegramtest.Server) string {
	counts := map[string]int{}
	for _, c := range fake.Calls() {
		if c.Method != "getUpdates" {
			counts[fmt.Sprintf("%s %d", c.Method, c.Status)]++
		}
	}
	return kinds(counts)
}

func kinds(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s ×%d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
