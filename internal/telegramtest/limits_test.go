package telegramtest

import (
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestRateLimitAnswers429AndCountsAnEarlyRetry(t *testing.T) {
	srv := New(t, WithRateLimit(1, 2))
	bot := newBot(t, srv)
	for chat := int64(1); chat <= 2; chat++ {
		if _, err := bot.Send(tgbotapi.NewMessage(chat, "новость")); err != nil {
			t.Fatalf("send within the burst: %v", err)
		}
	}
	third := tgbotapi.NewMessage(3, "новость")
	_, err := bot.Send(third)
	if e := apiError(t, err); e.Code != 429 || e.RetryAfter < 1 {
		t.Fatalf("beyond the limit: got %d retry_after %d, want 429 with retry_after ≥ 1", e.Code, e.RetryAfter)
	}
	if srv.TooMany() != 1 || srv.EarlyRetries() != 0 {
		t.Fatalf("after one 429: TooMany %d EarlyRetries %d, want 1 and 0", srv.TooMany(), srv.EarlyRetries())
	}
	_, _ = bot.Send(third) // at once, ignoring retry_after
	if srv.EarlyRetries() != 1 {
		t.Fatalf("EarlyRetries: got %d, want 1", srv.EarlyRetries())
	}
	if srv.SentCount() != 2 {
		t.Fatalf("SentCount: got %d, want 2", srv.SentCount())
	}
}

func TestChatLimitsArePerChat(t *testing.T) {
	srv := New(t, WithChatLimits())
	bot := newBot(t, srv)
	for i := range PrivateChatBurst {
		if _, err := bot.Send(tgbotapi.NewMessage(1, "новость")); err != nil {
			t.Fatalf("send %d within the burst: %v", i, err)
		}
	}
	if _, err := bot.Send(tgbotapi.NewMessage(1, "лишняя")); apiError(t, err).Code != 429 {
		t.Fatalf("over the private chat's burst: %v", err)
	}
	if _, err := bot.Send(tgbotapi.NewMessage(2, "новость")); err != nil {
		t.Fatalf("another chat was limited too: %v", err)
	}
	const group = -1001234567890
	for range GroupChatBurst {
		_, _ = bot.Send(tgbotapi.NewMessage(group, "новость"))
	}
	_, err := bot.Send(tgbotapi.NewMessage(group, "лишняя"))
	if e := apiError(t, err); e.Code != 429 || e.RetryAfter != 60/GroupChatPerMinute {
		t.Fatalf("over the group's limit: got %d retry_after %d, want 429 and %d", e.Code, e.RetryAfter, 60/GroupChatPerMinute)
	}
}

func TestEarlyRetryRules(t *testing.T) {
	t0 := time.Now()
	refused := Call{Method: "sendMessage", Params: map[string]string{"chat_id": "1", "text": "a"}}
	other := Call{Method: "sendMessage", Params: map[string]string{"chat_id": "1", "text": "b"}}
	cases := []struct {
		name  string
		call  Call
		at    time.Duration
		early bool
	}{
		{"the refused request, retried at once", refused, time.Millisecond, true},
		{"the refused request, retried after retry_after", refused, 2 * time.Second, false},
		{"another request already in flight", other, inFlightGrace / 2, false},
		{"another request sent while told to wait", other, time.Second, true},
		{"a request to another chat", Call{Method: "sendMessage", Params: map[string]string{"chat_id": "2"}}, time.Second, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := newLimits(config{})
			l.told(chatScope(1), refused, 2, t0)
			l.arrive(tc.call, t0.Add(tc.at))
			if got := l.early == 1; got != tc.early {
				t.Fatalf("early: got %v, want %v", got, tc.early)
			}
		})
	}
}

func TestInjected429TellsTheChatToWait(t *testing.T) {
	srv := New(t)
	bot := newBot(t, srv)
	srv.FailNext("sendMessage", 1, TooManyRequests(30))
	msg := tgbotapi.NewMessage(9, "новость")
	_, _ = bot.Send(msg)
	if _, err := bot.Send(msg); err != nil {
		t.Fatalf("the fake refused twice: %v", err)
	}
	if srv.TooMany() != 1 || srv.EarlyRetries() != 1 {
		t.Fatalf("TooMany %d EarlyRetries %d, want 1 and 1", srv.TooMany(), srv.EarlyRetries())
	}
}

func TestWithoutSendRecordingOnlyCounts(t *testing.T) {
	srv := New(t, WithoutSendRecording())
	bot := newBot(t, srv)
	for range 5 {
		if _, err := bot.Send(tgbotapi.NewMessage(1, "новость")); err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	if srv.SentCount() != 5 || len(srv.Calls("sendMessage")) != 0 || len(srv.Calls("getMe")) != 1 {
		t.Fatalf("SentCount %d, recorded sends %d, getMe %d; want 5, 0, 1",
			srv.SentCount(), len(srv.Calls("sendMessage")), len(srv.Calls("getMe")))
	}
}
