package bot

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/gubkin-news/newsbot/internal/i18n"
	"github.com/gubkin-news/newsbot/internal/redistest"
	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

// outbox records what the router sends and which Bot API calls it makes.
type outbox struct {
	mu    sync.Mutex
	sent  []telegram.Message
	calls []string
}

func (o *outbox) Send(_ context.Context, m telegram.Message) (telegram.Result, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, m)
	return telegram.Result{MessageID: len(o.sent), ChatID: m.ChatID}, nil
}

func (o *outbox) Call(_ context.Context, method string, _ tgbotapi.Params) (json.RawMessage, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, method)
	if method == "getChatMember" {
		return json.RawMessage(`{"status":"member"}`), nil
	}
	return json.RawMessage(`true`), nil
}

func (o *outbox) count(method string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, c := range o.calls {
		if c == method {
			n++
		}
	}
	return n
}

func newTestBot(tb testing.TB) (*Bot, *outbox, *store.Store) {
	tb.Helper()
	texts, err := i18n.Default("ru")
	if err != nil {
		tb.Fatal(err)
	}
	st := redistest.New(tb)
	o := &outbox{}
	b := New(Deps{Username: "gubkin_news_bot", Sender: o, API: o, Texts: texts, Chats: store.Chats{S: st},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), IsEditor: func(id int64) bool { return id == 900 }})
	return b, o, st
}

func update(tb testing.TB, raw string) telegram.Update {
	tb.Helper()
	var u telegram.Update
	if err := json.Unmarshal([]byte(raw), &u.Update); err != nil {
		tb.Fatal(err)
	}
	u.Raw = json.RawMessage(raw)
	return u
}

func TestSplitCommand(t *testing.T) {
	cases := []struct{ text, cmd, at, args string }{
		{"/start", "start", "", ""},
		{"/subscribe  Спорт и культура ", "subscribe", "", "Спорт и культура"},
		{"/help@gubkin_news_bot", "help", "gubkin_news_bot", ""},
		{"/typo\nфрагмент — комментарий", "typo", "", "фрагмент — комментарий"},
		{"/", "", "", ""},
		{"/x@", "x", "", ""},
	}
	for _, c := range cases {
		cmd, at, args := splitCommand(c.text)
		if cmd != c.cmd || at != c.at || args != c.args {
			t.Errorf("splitCommand(%q) = %q %q %q", c.text, cmd, at, args)
		}
	}
}

// A bot_command entity longer than the text made the library's Command()
// slice past the end; the router must answer normally.
func TestCommandEntityLongerThanTextIsHandled(t *testing.T) {
	b, o, _ := newTestBot(t)
	raw := `{"update_id":1,"message":{"message_id":5,"date":1,"chat":{"id":77,"type":"private"},"from":{"id":77,"is_bot":false,"first_name":"A"},"text":"/help","entities":[{"type":"bot_command","offset":0,"length":50}]}}`
	b.HandleUpdate(context.Background(), update(t, raw))
	if len(o.sent) != 1 || o.sent[0].Text == "" || strings.Contains(o.sent[0].Text, "пошло не так") {
		t.Fatalf("sent %+v", o.sent)
	}
}
