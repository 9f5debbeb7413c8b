package delivery_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gubkin-news/newsbot/internal/delivery"
	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

func article(id string) news.Article {
	return news.Article{ID: id, Title: "Новость " + id, URL: "https://gubkin.example/" + id}
}

// everyoneOnce checks each chat got at least one message and returns how
// many extra (duplicate) messages there were in all.
func (h *harness) everyoneOnce(chats []int64) int {
	h.t.Helper()
	dups := 0
	for chat, n := range h.received(chats...) {
		if n == 0 {
			h.t.Errorf("chat %d got nothing", chat)
		}
		dups += max(0, n-1)
	}
	return dups
}

func TestRestartMidFanoutDeliversToEveryoneWithDuplicatesOnlyInFlight(t *testing.T) {
	h := newHarness(t)
	chats := span(1, 300)
	h.follow("city", chats...)
	edit := func(c *delivery.Config, _ *delivery.Deps) { c.Rate = 150 }
	first := h.engine("host-1", edit)
	h.enqueue(first, article("a1"), []string{"city"}, nil)

	stop := h.run(first)
	h.waitFor(10*time.Second, func() bool { return h.tg.SentCount() >= 100 }, "100 sends before the crash")
	stop() // abrupt: sends in flight are cut off, their entries stay unacknowledged
	if n := h.tg.SentCount(); n >= len(chats) {
		t.Fatalf("the first engine finished the fan-out (%d sends) before it was stopped", n)
	}

	second := h.engine("host-1", edit) // the same consumer takes back its own entries
	h.run(second)
	h.waitSettled(second)
	if dups := h.everyoneOnce(chats); dups > 4 { // at most the 4 workers' sends in flight
		t.Fatalf("%d duplicates, want at most the 4 sends in flight", dups)
	}
}

func TestJanitorTakesOverTheEntriesOfADeadConsumer(t *testing.T) {
	h := newHarness(t)
	chats := span(1, 20)
	h.follow("city", chats...)
	e := h.engine("alive", func(c *delivery.Config, _ *delivery.Deps) { c.ClaimIdle = 400 * time.Millisecond })
	h.enqueue(e, article("a1"), []string{"city"}, nil)
	ctx := context.Background()
	stream := h.st.K("{deliveries}")
	if err := h.st.R.XGroupCreateMkStream(ctx, stream, "senders", "0").Err(); err != nil {
		t.Fatal(err)
	}
	// A consumer reads everything and dies without acknowledging.
	read, err := h.st.R.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "senders", Consumer: "dead",
		Streams: []string{stream, ">"}, Count: 100}).Result()
	if err != nil || len(read[0].Messages) != len(chats) {
		t.Fatalf("the dead consumer read %v, %v", read, err)
	}

	h.run(e)
	h.waitSettled(e)
	if dups := h.everyoneOnce(chats); dups != 0 {
		t.Fatalf("%d duplicates, want none", dups)
	}
}

func TestTooManyRequestsAreWaitedOutWithoutEarlyRetries(t *testing.T) {
	t.Run("injected 429 storm", func(t *testing.T) {
		h := newHarness(t)
		chats := span(1, 10)
		h.follow("city", chats...)
		h.tg.FailNext("sendMessage", 6, telegramtest.TooManyRequests(1))
		e := h.engine("c1", nil)
		h.enqueue(e, article("a1"), []string{"city"}, nil)
		h.run(e)
		h.waitSettled(e)
		if dups := h.everyoneOnce(chats); dups != 0 {
			t.Errorf("%d duplicates", dups)
		}
		if h.tg.TooMany() != 6 || h.tg.EarlyRetries() != 0 {
			t.Fatalf("429s %d (want 6), early retries %d (want 0)", h.tg.TooMany(), h.tg.EarlyRetries())
		}
	})
	t.Run("server slower than the engine", func(t *testing.T) {
		h := newHarness(t, telegramtest.WithRateLimit(10, 3))
		chats := span(1, 12)
		h.follow("city", chats...)
		e := h.engine("c1", func(c *delivery.Config, _ *delivery.Deps) { c.Rate = 50 })
		h.enqueue(e, article("a1"), []string{"city"}, nil)
		h.run(e)
		h.waitSettled(e)
		if dups := h.everyoneOnce(chats); dups != 0 {
			t.Errorf("%d duplicates", dups)
		}
		if h.tg.TooMany() == 0 || h.tg.EarlyRetries() != 0 {
			t.Fatalf("429s %d (want some), early retries %d (want 0)", h.tg.TooMany(), h.tg.EarlyRetries())
		}
	})
}

func TestBlockedChatIsDeactivatedAndItsDeliveriesDropped(t *testing.T) {
	h := newHarness(t)
	h.follow("city", 1, 2, 3)
	h.tg.FailChat(2, telegramtest.Blocked())
	e := h.engine("c1", nil)
	h.enqueue(e, article("a1"), []string{"city"}, nil)
	h.run(e)
	h.waitSettled(e)
	h.enqueue(e, article("a2"), []string{"city"}, nil)
	h.waitSettled(e)

	chat, _, err := (store.Chats{S: h.st}).Get(context.Background(), 2)
	if err != nil || chat.Active || chat.InactiveReason != "blocked" {
		t.Fatalf("chat 2 = %+v, %v; want inactive, blocked", chat, err)
	}
	if got := h.received(1, 2, 3); got[1] != 2 || got[2] != 0 || got[3] != 2 {
		t.Fatalf("received %v, want 2, 0, 2", got)
	}
	if calls := len(h.tg.Calls("sendMessage")); calls != 5 {
		t.Errorf("%d sendMessage calls, want 5: none to chat 2 once it was known blocked", calls)
	}
	st := h.stats(e)
	if st.Dropped["chat_blocked"] != 1 || st.Dropped["inactive"] != 1 {
		t.Fatalf("dropped %v, want chat_blocked 1 and inactive 1", st.Dropped)
	}
}

func TestMigratedGroupIsMovedAndGetsTheArticleAtItsNewID(t *testing.T) {
	const oldID, newID = int64(-4001), int64(-1004001)
	h := newHarness(t)
	h.follow("city", oldID)
	h.tg.FailChat(oldID, telegramtest.Migrated(newID))
	e := h.engine("c1", nil)
	h.enqueue(e, article("a1"), []string{"city"}, nil)
	h.run(e)
	h.waitSettled(e)

	if got := h.tg.Texts(newID); len(got) != 1 || got[0] != "Статья a1" {
		t.Fatalf("new id got %q", got)
	}
	ctx := context.Background()
	if ok, _ := (store.Chats{S: h.st}).IsActive(ctx, oldID); ok {
		t.Error("the old id is still active")
	}
	if ok, _ := (store.Chats{S: h.st}).IsActive(ctx, newID); !ok {
		t.Error("the new id is not active")
	}
	if slugs, _ := (store.Subs{S: h.st}).Of(ctx, newID); len(slugs) != 1 || slugs[0] != "city" {
		t.Errorf("the new id follows %v, want [city]", slugs)
	}
}

func TestFailingDeliveryGoesToDeadLettersAndRedriveSendsIt(t *testing.T) {
	h := newHarness(t)
	h.follow("city", 1, 2)
	h.tg.FailChat(2, telegramtest.ServerError(502))
	e := h.engine("c1", nil) // MaxAttempts 3, backoff 20 ms
	h.enqueue(e, article("a1"), []string{"city"}, nil)
	h.run(e)
	h.waitSettled(e)
	ctx := context.Background()
	if n, err := e.DeadCount(ctx); n != 1 || err != nil {
		t.Fatalf("DeadCount = %d, %v; want 1", n, err)
	}
	if calls := len(h.tg.Calls("sendMessage")); calls != 4 {
		t.Errorf("%d sends, want 1 + 3 attempts", calls)
	}
	letters, _ := e.DeadLetters(ctx, 10)
	if len(letters) != 1 || letters[0].ChatID != 2 || letters[0].Err == "" {
		t.Fatalf("dead letters %+v", letters)
	}

	h.tg.ClearChat(2)
	if n, err := e.Redrive(ctx); n != 1 || err != nil {
		t.Fatalf("Redrive = %d, %v", n, err)
	}
	h.waitFor(5*time.Second, func() bool { return len(h.tg.Sent(2)) == 1 }, "the redriven delivery")
	if n, _ := e.DeadCount(ctx); n != 0 {
		t.Fatalf("%d dead letters left", n)
	}
}

func TestGoneArticleIsDroppedWithItsReason(t *testing.T) {
	h := newHarness(t)
	h.follow("city", 1, 2)
	h.gone.Store("old", true)
	e := h.engine("c1", nil)
	h.enqueue(e, article("old"), []string{"city"}, nil)
	h.run(e)
	h.waitSettled(e)
	if st := h.stats(e); st.Dropped["article_gone"] != 2 {
		t.Fatalf("dropped %v, want article_gone 2", st.Dropped)
	}
	if n := len(h.tg.Calls("sendMessage")); n != 0 {
		t.Fatalf("%d sends of a gone article", n)
	}
}

func TestOneChatGetsAtMostOneMessageASecond(t *testing.T) {
	h := newHarness(t, telegramtest.WithChatLimits())
	h.follow("city", 1)
	e := h.engine("c1", nil)
	for _, a := range []string{"a1", "a2", "a3"} {
		h.enqueue(e, article(a), []string{"city"}, nil)
	}
	h.run(e)
	h.waitSettled(e)
	sent := h.tg.Sent(1)
	if len(sent) != 3 || h.tg.TooMany() != 0 {
		t.Fatalf("sent %d (want 3), 429s %d", len(sent), h.tg.TooMany())
	}
	for i := 1; i < len(sent); i++ {
		if gap := sent[i].At.Sub(sent[i-1].At); gap < 900*time.Millisecond {
			t.Errorf("messages %d and %d to one chat %v apart, want about 1 s", i, i+1, gap)
		}
	}
	if st := h.stats(e); st.SentToday != 3 || st.SentLastHour != 3 {
		t.Errorf("stats sent today %d, last hour %d; want 3, 3", st.SentToday, st.SentLastHour)
	}
}
