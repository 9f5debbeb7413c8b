package brief

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/i18n"
	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/redistest"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

var msk = time.FixedZone("MSK", 3*3600)

type outbox struct {
	sent []telegram.Message
	fail bool
}

func (o *outbox) send(_ context.Context, m telegram.Message) error {
	if o.fail {
		return errors.New("telegram is down")
	}
	o.sent = append(o.sent, m)
	return nil
}

func newBriefs(t *testing.T) (*Briefs, *outbox) {
	t.Helper()
	texts, err := i18n.Default("ru")
	if err != nil {
		t.Fatal(err)
	}
	o := &outbox{}
	articles := []news.Article{
		{ID: "1", Title: "Первая", URL: "https://g/1", Published: time.Date(2026, 11, 27, 6, 0, 0, 0, msk)},
		{ID: "2", Title: "Вторая", URL: "https://g/2", Published: time.Date(2026, 11, 27, 5, 0, 0, 0, msk)},
	}
	b := &Briefs{Schedule: Schedule{S: redistest.New(t)}, Texts: texts, Loc: msk, Send: o.send,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Sources: Sources{
			Latest:   func(context.Context, string, int, int) ([]news.Article, error) { return articles, nil },
			Sections: func(context.Context, int64) ([]string, error) { return []string{"sport"}, nil },
			Lang:     func(context.Context, int64) string { return "ru" },
		}}
	return b, o
}

func TestBriefFiresAtTheChosenMinuteAndNotTwice(t *testing.T) {
	b, o := newBriefs(t)
	ctx := context.Background()
	if err := b.Schedule.Set(ctx, 42, "07:30"); err != nil {
		t.Fatal(err)
	}
	at := func(h, m int) time.Time { return time.Date(2026, 11, 27, h, m, 0, 0, msk) }
	if n, _ := b.RunDue(ctx, at(7, 29)); n != 0 {
		t.Fatalf("sent %d before its time", n)
	}
	if n, _ := b.RunDue(ctx, at(7, 30)); n != 1 {
		t.Fatalf("sent %d at its minute, want 1", n)
	}
	for _, m := range []int{30, 31, 45} {
		if n, _ := b.RunDue(ctx, at(7, m)); n != 0 {
			t.Fatalf("sent again at 07:%d", m)
		}
	}
	if n, _ := b.RunDue(ctx, at(7, 30).AddDate(0, 0, 1)); n != 1 {
		t.Fatal("not sent the next day")
	}
	text := o.sent[0].Text
	for _, want := range []string{"Доброе утро", "27 ноября", "Первая", "Вторая"} {
		if !strings.Contains(text, want) {
			t.Errorf("brief lacks %q:\n%s", want, text)
		}
	}
}

func TestBriefCatchesUpAfterARestartAndRetriesAFailedSend(t *testing.T) {
	b, o := newBriefs(t)
	ctx := context.Background()
	_ = b.Schedule.Set(ctx, 7, "07:00")
	o.fail = true
	if n, _ := b.RunDue(ctx, time.Date(2026, 11, 27, 7, 0, 0, 0, msk)); n != 0 {
		t.Fatal("counted a failed send")
	}
	o.fail = false
	// The bot was down for 40 minutes: the brief still goes, once.
	if n, _ := b.RunDue(ctx, time.Date(2026, 11, 27, 7, 40, 0, 0, msk)); n != 1 {
		t.Fatal("a late brief was not caught up")
	}
	if n, _ := b.RunDue(ctx, time.Date(2026, 11, 27, 8, 30, 0, 0, msk)); n != 0 {
		t.Fatal("sent twice")
	}
}

func TestBriefOffAndMove(t *testing.T) {
	b, _ := newBriefs(t)
	ctx := context.Background()
	_ = b.Schedule.Set(ctx, -1, "08:00")
	if err := b.Schedule.Move(ctx, -1, -1001); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.Schedule.Get(ctx, -1001); got != "08:00" {
		t.Fatalf("moved time = %q", got)
	}
	_ = b.Schedule.Set(ctx, -1001, "")
	if n, _ := b.RunDue(ctx, time.Date(2026, 11, 27, 8, 0, 0, 0, msk)); n != 0 {
		t.Fatal("sent after /brief off")
	}
	for _, bad := range []string{"25:00", "7", "утром", ""} {
		if _, err := ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q) accepted", bad)
		}
	}
	if got, _ := ParseTime("7:05"); got != "07:05" {
		t.Errorf("ParseTime(7:05) = %q", got)
	}
}
