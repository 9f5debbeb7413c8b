package delivery_test

import (
	"context"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/delivery"
	"github.com/gubkin-news/newsbot/internal/telegram"
	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

func TestRepliesOvertakeABulkFanout(t *testing.T) {
	h := newHarness(t)
	chats := span(1, 2000)
	h.follow("city", chats...)
	e := h.engine("c1", func(c *delivery.Config, _ *delivery.Deps) { c.Rate = 10 })
	h.enqueue(e, article("a1"), []string{"city"}, nil)
	h.run(e)
	h.waitFor(5*time.Second, func() bool { return h.tg.SentCount() >= 5 }, "the fan-out to start")

	replies := &telegram.Sender{C: h.client, Limiter: e.ReplyLimiter()}
	for i := range int64(5) {
		start := time.Now()
		if _, err := replies.Send(context.Background(), telegram.Message{ChatID: 900_000 + i, Text: "Погода: +3"}); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took > time.Second {
			t.Fatalf("reply %d took %v behind %d queued deliveries, want under 1 s", i+1, took, len(chats))
		}
	}
	if st := h.stats(e); st.Queued+st.Pending < 1900 {
		t.Fatalf("the fan-out is nearly done (%d left): the replies did not overtake anything", st.Queued+st.Pending)
	}
}

func TestRepliesToOneChatKeepItsPace(t *testing.T) {
	h := newHarness(t, telegramtest.WithChatLimits())
	e := h.engine("c1", nil)
	replies := &telegram.Sender{C: h.client, Limiter: e.ReplyLimiter()}
	start := time.Now()
	for range 5 {
		if _, err := replies.Send(context.Background(), telegram.Message{ChatID: 42, Text: "ответ"}); err != nil {
			t.Fatal(err)
		}
	}
	if h.tg.TooMany() != 0 {
		t.Fatalf("%d 429s", h.tg.TooMany())
	}
	// A burst of 2, then 1 a second.
	if took := time.Since(start); took < 1500*time.Millisecond {
		t.Fatalf("5 replies to one chat took %v, want about 2 s", took)
	}
}
