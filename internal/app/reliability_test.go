package app

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

func TestMalformedUpdateIsSkippedAndTheNextHandled(t *testing.T) {
	e := newEnv(t)
	e.start()
	bad := e.fake.AddRawUpdate(`{"update_id": 0, "message": "oops"}`)
	e.say(1101, "/help")
	e.waitText(1101, "Что я умею")
	e.fake.WaitFor(t, 5*time.Second, func() bool { return e.fake.Confirmed() > bad }, "the malformed update confirmed")
}

func TestTooManyRequestsIsWaitedOut(t *testing.T) {
	e := newEnv(t)
	e.fake.FailNext("sendMessage", 1, telegramtest.TooManyRequests(1))
	e.start()
	e.say(1102, "/help")
	e.waitText(1102, "Что я умею")
	calls := e.fake.Calls("sendMessage")
	if len(calls) != 2 {
		t.Fatalf("sendMessage calls = %d, want 2 (429, then the retry)", len(calls))
	}
	if gap := calls[1].At.Sub(calls[0].At); gap < time.Second {
		t.Fatalf("retried after %v, before retry_after=1s", gap)
	}
	if e.fake.EarlyRetries() != 0 {
		t.Fatal("a request reached the paused scope early")
	}
}

func TestGetUpdatesTooManyRequestsAndServerErrorsAreWaitedOut(t *testing.T) {
	e := newEnv(t)
	e.fake.FailNext("getUpdates", 1, telegramtest.TooManyRequests(1))
	e.fake.FailNextHTML("getUpdates", 1)
	e.start()
	e.say(1103, "/help")
	e.waitText(1103, "Что я умею")
}

func TestRestartHandlesEveryUpdateExactlyOnce(t *testing.T) {
	e := newEnv(t)
	r := e.start()
	var last int64
	for u := int64(1200); u < 1205; u++ {
		last = e.say(u, "/help")
	}
	e.waitText(1204, "Что я умею")
	r.stop()
	// The next copy crashes after handling a batch, before Telegram hears the
	// new offset and before Redis has it: getUpdates never confirms anything.
	var crashing atomic.Bool
	crashing.Store(true)
	e.fake.SetHook(func(c telegramtest.Call) (bool, int, string) {
		off, _ := strconv.ParseInt(c.Params["offset"], 10, 64)
		if crashing.Load() && strings.EqualFold(c.Method, "getUpdates") && off > last+1 {
			return true, 502, "<html><body>502 Bad Gateway</body></html>"
		}
		return false, 0, ""
	})
	for u := int64(1205); u < 1210; u++ {
		e.say(u, "/help")
	}
	r = e.start()
	e.waitText(1209, "Что я умею")
	r.stop()
	if err := e.st.R.Del(context.Background(), e.st.K("tg", "offset")).Err(); err != nil {
		t.Fatal(err)
	}
	crashing.Store(false)
	// Telegram sends the unconfirmed updates again to the restarted bot.
	for u := int64(1210); u < 1215; u++ {
		e.say(u, "/help")
	}
	r = e.start()
	e.waitText(1214, "Что я умею")
	e.settled(r)
	for u := int64(1200); u < 1215; u++ {
		if n := len(e.fake.Texts(u)); n != 1 {
			t.Errorf("chat %d got %d answers, want exactly 1", u, n)
		}
	}
}

func TestBlockedUserIsMarkedInactiveAndStartReactivates(t *testing.T) {
	e := newEnv(t)
	e.start()
	chats := store.Chats{S: e.st}
	ctx := context.Background()
	e.say(1301, "/start")
	e.waitText(1301, "Здравствуйте")
	e.fake.FailChat(1301, telegramtest.Blocked())
	e.say(1301, "/help")
	e.fake.WaitFor(t, 5*time.Second, func() bool {
		ch, _, _ := chats.Get(ctx, 1301)
		return !ch.Active && ch.InactiveReason == "blocked"
	}, "chat marked inactive (blocked)")
	ch, ok, _ := chats.Get(ctx, 1301)
	if !ok || ch.Lang != "ru" {
		t.Fatalf("the record must be kept: %+v", ch)
	}
	e.fake.ClearChat(1301)
	e.say(1301, "/start")
	e.fake.WaitFor(t, 5*time.Second, func() bool {
		ch, _, _ := chats.Get(ctx, 1301)
		return ch.Active
	}, "chat active again")
}

func TestKickedFromGroupByMemberUpdate(t *testing.T) {
	e := newEnv(t)
	e.start()
	chats := store.Chats{S: e.st}
	e.fake.AddUpdate(telegramtest.MyChatMember(-3001, 1302, "left", "member"))
	e.fake.WaitFor(t, 5*time.Second, func() bool {
		ch, ok, _ := chats.Get(context.Background(), -3001)
		return ok && ch.Active
	}, "group recorded when the bot is added")
	e.fake.AddUpdate(telegramtest.MyChatMember(-3001, 1302, "member", "kicked"))
	e.fake.WaitFor(t, 5*time.Second, func() bool {
		ch, _, _ := chats.Get(context.Background(), -3001)
		return !ch.Active
	}, "group inactive after the bot was removed")
}

func TestGroupMigrationMovesTheChat(t *testing.T) {
	e := newEnv(t)
	e.start()
	chats := store.Chats{S: e.st}
	e.fake.AddUpdate(telegramtest.GroupMessage(-3101, 1303, "/lang en"))
	e.waitText(-3101, "I speak English")
	e.fake.AddUpdate(telegramtest.MigrateMessage(-3101, -1003101))
	e.fake.WaitFor(t, 5*time.Second, func() bool {
		ch, ok, _ := chats.Get(context.Background(), -1003101)
		return ok && ch.Lang == "en" && ch.Active
	}, "settings moved to the supergroup")
}

func TestWrongTokenSaysSo(t *testing.T) {
	e := newEnv(t)
	e.vars["TELEGRAM_TOKEN"] = "999:wrong-token"
	_, err := New(context.Background(), e.config(), NewLogger(e.config(), &allLogs))
	if err == nil || !strings.Contains(err.Error(), "TELEGRAM_TOKEN is wrong") {
		t.Fatalf("err = %v", err)
	}
}

func TestRedisDownNamesRedisURL(t *testing.T) {
	e := newEnv(t)
	e.vars["REDIS_URL"] = "redis://127.0.0.1:1/0"
	_, err := New(context.Background(), e.config(), NewLogger(e.config(), &allLogs))
	if err == nil || !strings.Contains(err.Error(), "REDIS_URL=redis://127.0.0.1:1/0") || !strings.Contains(err.Error(), "redis-server") {
		t.Fatalf("err = %v", err)
	}
}

func TestUnreachableTelegramErrorHasNoToken(t *testing.T) {
	e := newEnv(t)
	e.vars["TELEGRAM_API_URL"] = "http://127.0.0.1:1"
	_, err := New(context.Background(), e.config(), NewLogger(e.config(), &allLogs))
	if err == nil || strings.Contains(err.Error(), e.fake.Token()) {
		t.Fatalf("err = %v", err)
	}
	allLogs.Write([]byte(err.Error() + "\n"))
}

func TestHealthAndReadiness(t *testing.T) {
	e := newEnv(t)
	r := e.start()
	e.fake.WaitCalls(t, "getUpdates", 1, 5*time.Second)
	addr := r.App.HTTPAddr()
	e.fake.WaitFor(t, 5*time.Second, func() bool { return httpStatus(addr+"/readyz") == 200 }, "ready")
	if s := httpStatus(addr + "/healthz"); s != 200 {
		t.Fatalf("/healthz = %d", s)
	}
}

// TestMain runs every test of the package, then scans all they logged: the
// token must appear nowhere, in any form.
func TestMain(m *testing.M) {
	code := m.Run()
	logs := allLogs.String()
	switch {
	case code != 0:
	case len(logs) < 1000: // a run of one small test: nothing to judge
		fmt.Printf("token check skipped: only %d bytes were logged\n", len(logs))
	default:
		for _, secret := range []string{telegramtest.Token, strings.ReplaceAll(telegramtest.Token, ":", "%3A")} {
			if i := strings.Index(logs, secret); i >= 0 {
				fmt.Printf("FAIL: the token appears in the logs: …%s…\n", logs[max(0, i-200):i])
				code = 1
			}
		}
	}
	os.Exit(code)
}
