package telegram_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/telegram"
	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

type events struct {
	mu       sync.Mutex
	gone     map[int64]string
	migrated map[int64]int64
}

func (e *events) ChatGone(_ context.Context, id int64, reason string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.gone[id] = reason
}

func (e *events) ChatMigrated(_ context.Context, from, to int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.migrated[from] = to
}

func newSender(t *testing.T) (*telegram.Sender, *telegramtest.Server, *events) {
	t.Helper()
	fake := telegramtest.New(t)
	c, err := telegram.NewClient(context.Background(), fake.Token(), fake.URL(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ev := &events{gone: map[int64]string{}, migrated: map[int64]int64{}}
	noSleep := func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	return &telegram.Sender{C: c, Events: ev, Sleep: noSleep}, fake, ev
}

// Every error class of TELEGRAM.md, served with Telegram's own bodies.
func TestErrorClasses(t *testing.T) {
	cases := []struct {
		name  string
		err   telegramtest.APIError
		class telegram.Class
	}{
		{"429", telegramtest.TooManyRequests(5), telegram.ClassRetryAfter},
		{"blocked", telegramtest.Blocked(), telegram.ClassChatGone},
		{"deactivated", telegramtest.Deactivated(), telegram.ClassChatGone},
		{"kicked", telegramtest.Kicked(), telegram.ClassChatGone},
		{"cant initiate", telegramtest.CantInitiate(), telegram.ClassChatGone},
		{"chat not found", telegramtest.ChatNotFound(), telegram.ClassChatGone},
		{"migrated", telegramtest.Migrated(-100123), telegram.ClassMigrated},
		{"entities", telegramtest.CantParseEntities(), telegram.ClassBadEntities},
		{"not modified", telegramtest.NotModified(), telegram.ClassNotModified},
		{"query too old", telegramtest.QueryTooOld(), telegram.ClassBadRequest},
		{"500", telegramtest.ServerError(500), telegram.ClassTransient},
		{"502", telegramtest.ServerError(502), telegram.ClassTransient},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, fake, _ := newSender(t)
			fake.FailNext("sendMessage", 1, tc.err)
			_, err := s.C.Call(context.Background(), "sendMessage", map[string]string{"chat_id": "1", "text": "x"})
			if got := telegram.Classify(err); got != tc.class {
				t.Fatalf("Classify(%v) = %v, want %v", err, got, tc.class)
			}
		})
	}
	t.Run("html 502", func(t *testing.T) {
		s, fake, _ := newSender(t)
		fake.FailNextHTML("sendMessage", 1)
		_, err := s.C.Call(context.Background(), "sendMessage", map[string]string{"chat_id": "1", "text": "x"})
		if got := telegram.Classify(err); got != telegram.ClassTransient {
			t.Fatalf("got %v (%v)", got, err)
		}
	})
}

func TestBlockedChatIsReportedGone(t *testing.T) {
	s, fake, ev := newSender(t)
	fake.FailChat(7, telegramtest.Blocked())
	if _, err := s.Send(context.Background(), telegram.Message{ChatID: 7, Text: "hi"}); err == nil {
		t.Fatal("no error")
	}
	if ev.gone[7] != "blocked" {
		t.Fatalf("gone = %v", ev.gone)
	}
}

func TestMigratedGroupIsMovedAndResent(t *testing.T) {
	s, fake, ev := newSender(t)
	fake.FailNext("sendMessage", 1, telegramtest.Migrated(-1001234567890))
	res, err := s.Send(context.Background(), telegram.Message{ChatID: -42, Text: "hi"})
	if err != nil || res.ChatID != -1001234567890 {
		t.Fatalf("res=%+v err=%v", res, err)
	}
	if ev.migrated[-42] != -1001234567890 || len(fake.Texts(-1001234567890)) != 1 {
		t.Fatalf("migrated=%v texts=%v", ev.migrated, fake.Texts(-1001234567890))
	}
}

func TestBadEntitiesAreResentAsPlainText(t *testing.T) {
	s, fake, _ := newSender(t)
	fake.FailNext("sendMessage", 1, telegramtest.CantParseEntities())
	if _, err := s.Send(context.Background(), telegram.Message{ChatID: 8, Text: "<b>Губкин</b> &amp; мир"}); err != nil {
		t.Fatal(err)
	}
	calls := fake.Calls("sendMessage")
	last := calls[len(calls)-1].Params
	if last["text"] != "Губкин & мир" || last["parse_mode"] != "" {
		t.Fatalf("plain resend = %v", last)
	}
}

func TestBrokenPhotoFallsBackToText(t *testing.T) {
	s, fake, _ := newSender(t)
	fake.FailNext("sendPhoto", 1, telegramtest.APIError{Code: 400, Description: "Bad Request: wrong file identifier/HTTP URL specified"})
	if _, err := s.Send(context.Background(), telegram.Message{ChatID: 9, Text: "<b>Новость</b>", PhotoURL: "http://127.0.0.1:1/x.jpg"}); err != nil {
		t.Fatal(err)
	}
	if got := fake.Texts(9); len(got) != 1 || !strings.Contains(got[0], "Новость") {
		t.Fatalf("texts = %v", got)
	}
}

func TestTransientErrorsAreRetried(t *testing.T) {
	s, fake, _ := newSender(t)
	fake.FailNext("sendMessage", 2, telegramtest.ServerError(502))
	if _, err := s.Send(context.Background(), telegram.Message{ChatID: 10, Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.Calls("sendMessage")); n != 3 {
		t.Fatalf("calls = %d, want 3", n)
	}
}

func TestLongTextIsCutNotRejected(t *testing.T) {
	s, fake, _ := newSender(t)
	long := strings.Repeat("ж", 5000)
	if _, err := s.Send(context.Background(), telegram.Message{ChatID: 11, Text: long}); err != nil {
		t.Fatal(err)
	}
	if got := []rune(fake.Texts(11)[0]); len(got) != 4096 {
		t.Fatalf("len = %d", len(got))
	}
}

func TestOptionsReachTelegram(t *testing.T) {
	s, fake, _ := newSender(t)
	s.PaidBulk = true
	_, err := s.Send(context.Background(), telegram.Message{ChatID: -100500, ThreadID: 7, ReplyTo: 3, NoPreview: true,
		PaidBroadcast: true, Text: "x", Keyboard: telegram.Keyboard{{{Text: "a", Data: "b:c"}}}})
	if err != nil {
		t.Fatal(err)
	}
	p := fake.Calls("sendMessage")[0].Params
	for k, want := range map[string]string{"message_thread_id": "7", "allow_paid_broadcast": "true", "parse_mode": "HTML"} {
		if p[k] != want {
			t.Errorf("%s = %q, want %q", k, p[k], want)
		}
	}
	if !strings.Contains(p["reply_markup"], `"callback_data":"b:c"`) || !strings.Contains(p["link_preview_options"], "is_disabled") ||
		!strings.Contains(p["reply_parameters"], `"message_id":3`) {
		t.Errorf("params = %v", p)
	}
}

func TestRedact(t *testing.T) {
	tok := "123:abc"
	got := telegram.Redact("Post http://x/bot123:abc/getMe and 123%3Aabc", tok)
	if strings.Contains(got, "abc") {
		t.Fatalf("got %q", got)
	}
}

func TestIncompleteUpdatesAreRecognised(t *testing.T) {
	for raw, want := range map[string]bool{
		`{"update_id":1,"message":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"},"text":"x"}}`: true,
		`{"update_id":1,"message":{"message_id":1,"date":1,"text":"x"}}`:                                  false,
		`{"update_id":1,"callback_query":{"id":"q","data":"x"}}`:                                          false,
		`{"update_id":1,"callback_query":{"id":"q","from":{"id":1},"message":{"message_id":1,"date":1}}}`: false,
		`{"update_id":1,"edited_message":{"message_id":1,"date":1}}`:                                      false,
		`{"update_id":1,"channel_post":{"message_id":1,"date":1}}`:                                        false,
	} {
		var u telegram.Update
		if err := json.Unmarshal([]byte(raw), &u.Update); err != nil {
			t.Fatal(err)
		}
		if got := u.Complete(); got != want {
			t.Errorf("Complete(%s) = %v", raw, got)
		}
	}
}
