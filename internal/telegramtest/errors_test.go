package telegramtest

import (
	"net/http"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestFailNextGivesTelegramErrors(t *testing.T) {
	cases := []struct {
		name  string
		err   APIError
		check func(e *tgbotapi.Error) bool
	}{
		{"flood", TooManyRequests(5), func(e *tgbotapi.Error) bool {
			return e.Code == 429 && e.RetryAfter == 5 && e.Message == "Too Many Requests: retry after 5"
		}},
		{"blocked", Blocked(), func(e *tgbotapi.Error) bool {
			return e.Code == 403 && e.Message == "Forbidden: bot was blocked by the user"
		}},
		{"migrated", Migrated(-1001234567890), func(e *tgbotapi.Error) bool {
			return e.Code == 400 && e.MigrateToChatID == -1001234567890 &&
				e.Message == "Bad Request: group chat was upgraded to a supergroup chat"
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := New(t)
			bot := newBot(t, srv)
			srv.FailNext("sendMessage", 1, tc.err)
			_, err := bot.Send(tgbotapi.NewMessage(-42, "новость"))
			if e := apiError(t, err); !tc.check(e) {
				t.Fatalf("got %+v", e)
			}
			if _, err := bot.Send(tgbotapi.NewMessage(-42, "новость")); err != nil {
				t.Fatalf("FailNext(…, 1, …) failed a second call: %v", err)
			}
			if got := srv.Texts(-42); len(got) != 1 {
				t.Fatalf("Texts: got %q, want only the successful send", got)
			}
		})
	}
}

func TestErrorBodiesAreExactlyTelegrams(t *testing.T) {
	cases := []struct {
		err  APIError
		want string
	}{
		{TooManyRequests(5), `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 5",` +
			`"parameters":{"retry_after":5}}`},
		{Migrated(-1001234567890), `{"ok":false,"error_code":400,"description":"Bad Request: group chat was ` +
			`upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001234567890}}`},
		{CantInitiate(), `{"ok":false,"error_code":403,"description":"Forbidden: bot can't initiate conversation with a user"}`},
		{Conflict(), `{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request; ` +
			`make sure that only one bot instance is running"}`},
		{ServerError(502), `{"ok":false,"error_code":502,"description":"Bad Gateway"}`},
	}
	srv := New(t)
	for _, tc := range cases {
		srv.FailNext("getChat", 1, tc.err)
		status, body := post(t, methodURL(srv, "getChat"), "application/x-www-form-urlencoded", "chat_id=1")
		if status != tc.err.Code || body != tc.want {
			t.Errorf("got %d %s\nwant %d %s", status, body, tc.err.Code, tc.want)
		}
	}
}

func TestHTMLBadGatewayGivesAnError(t *testing.T) {
	srv := New(t)
	bot := newBot(t, srv)
	srv.FailNextHTML("sendMessage", 1)
	if _, err := bot.Send(tgbotapi.NewMessage(1, "новость")); err == nil {
		t.Fatal("an HTML 502 page was taken for success")
	}
	if got := srv.Calls("sendMessage"); len(got) != 1 || got[0].Status != http.StatusBadGateway {
		t.Fatalf("recorded: %+v", got)
	}
}

func TestFailChatUntilCleared(t *testing.T) {
	srv := New(t)
	bot := newBot(t, srv)
	srv.FailChat(5, Blocked())
	for range 2 {
		if _, err := bot.Send(tgbotapi.NewMessage(5, "новость")); apiError(t, err).Code != 403 {
			t.Fatalf("send to a failing chat: %v", err)
		}
	}
	if _, err := bot.Send(tgbotapi.NewMessage(6, "новость")); err != nil {
		t.Fatalf("another chat failed too: %v", err)
	}
	srv.ClearChat(5)
	if _, err := bot.Send(tgbotapi.NewMessage(5, "новость")); err != nil {
		t.Fatalf("after ClearChat: %v", err)
	}
}

func TestDelayNextHoldsTheAnswer(t *testing.T) {
	srv := New(t)
	bot := newBot(t, srv)
	const delay = 50 * time.Millisecond
	srv.DelayNext("sendMessage", 1, delay)
	start := time.Now()
	if _, err := bot.Send(tgbotapi.NewMessage(1, "новость")); err != nil {
		t.Fatalf("delayed send: %v", err)
	}
	if took := time.Since(start); took < delay {
		t.Fatalf("answered after %v, want at least %v", took, delay)
	}
}

func TestDelayNextEndsWhenTheClientGivesUp(t *testing.T) {
	srv := New(t)
	impatient, err := tgbotapi.NewBotAPIWithClient(srv.Token(), srv.Endpoint(), &http.Client{Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	srv.DelayNext("sendMessage", 1, time.Hour)
	if _, err := impatient.Send(tgbotapi.NewMessage(1, "новость")); err == nil {
		t.Fatal("a request held for an hour succeeded")
	}
	srv.WaitFor(t, clientTimeout, func() bool {
		c := srv.Calls("sendMessage")
		return len(c) == 1 && c[0].Status == statusClientGone
	}, "the abandoned call to be marked 499")
}

func TestHookAnswersFirst(t *testing.T) {
	srv := New(t)
	srv.SetHook(func(c Call) (bool, int, string) {
		if strings.EqualFold(c.Method, "sendDice") {
			return true, 200, `{"ok":true,"result":{"message_id":1,"date":0,"chat":{"id":1,"type":"private"}}}`
		}
		return false, 0, ""
	})
	if status, _ := post(t, methodURL(srv, "sendDice"), "application/x-www-form-urlencoded", "chat_id=1"); status != 200 {
		t.Fatalf("hooked unknown method: got %d, want 200", status)
	}
	if status, _ := post(t, methodURL(srv, "sendPoll"), "", ""); status != 404 {
		t.Fatalf("unhooked unknown method: got %d, want 404", status)
	}
}
