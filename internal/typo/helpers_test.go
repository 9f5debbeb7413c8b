package typo

import (
	"bytes"
	"context"
	"errors"
	"github.com/gubkin-news/newsbot/internal/testkit"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/i18n"
	"github.com/gubkin-news/newsbot/internal/redistest"
	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

const (
	editorsChat   = int64(-1001234567890)
	editorsThread = 7
)

var moscow = time.FixedZone("MSK", 3*3600)

// fakeSender records what would go to Telegram; the first failFirst sends
// fail as an unreachable chat would.
type fakeSender struct {
	mu        sync.Mutex
	failFirst int
	migrateTo int64                    // answer every send as if the chat moved here
	onSend    func(m telegram.Message) // sees each message before it "goes"
	calls     int
	sent      []telegram.Message
	nextID    int
}

func (f *fakeSender) Send(_ context.Context, m telegram.Message) (telegram.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.onSend != nil {
		f.onSend(m)
	}
	if f.calls <= f.failFirst {
		return telegram.Result{}, errors.New("telegram: sendMessage: 403 Forbidden: bot is not a member of the supergroup chat")
	}
	f.sent = append(f.sent, m)
	id := m.EditID
	if id == 0 {
		f.nextID++
		id = 100 + f.nextID
	}
	chat := m.ChatID
	if f.migrateTo != 0 {
		chat = f.migrateTo
	}
	return telegram.Result{MessageID: id, ChatID: chat}, nil
}

func (f *fakeSender) messages() []telegram.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]telegram.Message(nil), f.sent...)
}

// clock is the shared test clock.
type clock = testkit.Clock

// logBuffer collects log lines safely across goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type fixture struct {
	svc   *Service
	send  *fakeSender
	clock *clock
	st    *store.Store
	log   *logBuffer
}

func texts(t *testing.T) *i18n.Bundle {
	t.Helper()
	b, err := i18n.Default("ru")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newFixture builds a service on a real Redis, sending to editorsChat
// unless chat says otherwise.
func newFixture(t *testing.T, chat int64) *fixture {
	t.Helper()
	st := redistest.New(t)
	return newFixtureOn(t, st, chat, &fakeSender{})
}

func newFixtureOn(t *testing.T, st *store.Store, chat int64, send *fakeSender) *fixture {
	t.Helper()
	f := &fixture{send: send, clock: testkit.NewClock(time.Date(2026, 3, 5, 11, 32, 0, 0, time.UTC)), st: st, log: &logBuffer{}}
	f.svc = New(st, f.send, texts(t), Config{
		EditorsChatID: chat, EditorsThreadID: editorsThread, Loc: moscow,
		Now: f.clock.Now, Log: slog.New(slog.NewTextHandler(f.log, nil)),
	})
	return f
}

func telegramReport(fragment string) Report {
	return Report{
		Source: SourceTelegram, Fragment: fragment, Before: "В городе открыли ", After: " после ремонта.",
		Comment: "должно быть «школу»", URL: "https://gubkin.example/news/42", Title: "Школа №1 открылась",
		Reporter: Reporter{Name: "Иван Петров", Username: "ivan", UserID: 321, ChatID: 321, Lang: "en"},
	}
}

func submit(t *testing.T, f *fixture, r Report) Report {
	t.Helper()
	got, err := f.svc.Submit(context.Background(), r)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	return got
}

func get(t *testing.T, f *fixture, id int64) Report {
	t.Helper()
	r, err := f.svc.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get(%d): %v", id, err)
	}
	return r
}

func mustContain(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s does not contain %q:\n%s", what, sub, s)
		}
	}
}

func mustNotContain(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			t.Errorf("%s contains %q:\n%s", what, sub, s)
		}
	}
}
