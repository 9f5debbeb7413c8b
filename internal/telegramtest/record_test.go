package telegramtest

import (
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestWaitCallsFailsWithWhatItSaw(t *testing.T) {
	srv := New(t)
	newBot(t, srv)
	fake := &fakeTB{TB: t}
	srv.WaitCalls(fake, "sendMessage", 1, 20*time.Millisecond)
	if !strings.Contains(fake.failure, "sendMessage") || !strings.Contains(fake.failure, "getMe 200×1") {
		t.Fatalf("failure message: %q", fake.failure)
	}
	fake.failure = ""
	srv.WaitFor(fake, 20*time.Millisecond, func() bool { return false }, "the impossible")
	if !strings.Contains(fake.failure, "the impossible") {
		t.Fatalf("WaitFor failure message: %q", fake.failure)
	}
}

func TestConcurrentSendsAreAllRecorded(t *testing.T) {
	srv := New(t)
	bot := newBot(t, srv)
	const workers, each = 8, 10
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for range each {
				if _, err := bot.Send(tgbotapi.NewMessage(int64(w%2+1), "новость")); err != nil {
					t.Errorf("send: %v", err)
				}
			}
		})
	}
	_ = srv.Calls() // read while writers run, for the race detector
	wg.Wait()
	if got := len(srv.WaitCalls(t, "sendMessage", workers*each, clientTimeout)); got != workers*each {
		t.Fatalf("recorded %d sends, want %d", got, workers*each)
	}
	if got := len(srv.Sent(1)) + len(srv.Sent(2)); got != workers*each || srv.SentCount() != got {
		t.Fatalf("Sent: %d, SentCount %d, want %d", got, srv.SentCount(), workers*each)
	}
	srv.Reset()
	if len(srv.Calls()) != 0 || srv.SentCount() != 0 {
		t.Fatalf("after Reset: %d calls, SentCount %d", len(srv.Calls()), srv.SentCount())
	}
}
