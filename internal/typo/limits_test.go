package typo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestTelegramFragmentLengthAtAndPastTheEdge(t *testing.T) {
	f := newFixture(t, editorsChat)
	cases := []struct {
		name     string
		fragment string
		want     error
	}{
		{"1 character", "ш", nil},
		{"300 characters", strings.Repeat("ё", 300), nil},
		{"301 characters", strings.Repeat("ё", 301), ErrTooLong},
		{"300 after trimming", "  " + strings.Repeat("я", 300) + "\n", nil},
		{"empty", "", ErrEmpty},
		{"only spaces", " \t\n ", ErrEmpty},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := telegramReport(c.fragment)
			r.Reporter.UserID = int64(1000 + i) // each case its own rate budget
			_, err := f.svc.SubmitTelegram(context.Background(), r)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestTelegramFiveReportsInTenMinutes(t *testing.T) {
	f := newFixture(t, editorsChat)
	ctx := context.Background()
	for i := 1; i <= TelegramReportsPerWindow; i++ {
		if _, err := f.svc.SubmitTelegram(ctx, telegramReport(fmt.Sprintf("ошибка %d", i))); err != nil {
			t.Fatalf("report %d: %v", i, err)
		}
	}
	_, err := f.svc.SubmitTelegram(ctx, telegramReport("ошибка 6"))
	var rl *RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter <= 0 || rl.RetryAfter > TelegramWindow {
		t.Fatalf("6th report: err = %v", err)
	}
	other := telegramReport("ошибка 6")
	other.Reporter.UserID = 777
	if _, err := f.svc.SubmitTelegram(ctx, other); err != nil {
		t.Fatalf("another reader was limited too: %v", err)
	}
}

func TestTelegramSameFragmentOfSameArticleOnceAnHour(t *testing.T) {
	f := newFixture(t, editorsChat)
	ctx := context.Background()
	first, err := f.svc.SubmitTelegram(ctx, telegramReport("шкалу"))
	if err != nil {
		t.Fatal(err)
	}
	again := telegramReport("  ШКАЛУ ")
	again.URL += "#comments"
	again.Reporter.UserID = 2 // another reader: still the same typo
	_, err = f.svc.SubmitTelegram(ctx, again)
	var dup *DuplicateError
	if !errors.As(err, &dup) || dup.ID != first.ID {
		t.Fatalf("same fragment again: err = %v, want duplicate of #%d", err, first.ID)
	}
	key := f.svc.dupKey(SourceTelegram, first.URL, "шкалу")
	if ttl := f.st.R.TTL(ctx, key).Val(); ttl < TelegramDuplicateTTL-time.Minute || ttl > TelegramDuplicateTTL {
		t.Errorf("duplicate kept for %s, want %s", ttl, TelegramDuplicateTTL)
	}
	elsewhere := telegramReport("шкалу")
	elsewhere.URL = "https://gubkin.example/news/43"
	if _, err := f.svc.SubmitTelegram(ctx, elsewhere); err != nil {
		t.Fatalf("same fragment in another article: %v", err)
	}
	if got := len(f.send.messages()); got != 2 {
		t.Fatalf("editors got %d messages, want 2", got)
	}
}

func TestReaderTextForEveryRefusal(t *testing.T) {
	b := texts(t)
	cases := []struct {
		err  error
		want string
	}{
		{ErrTooLong, "не больше 300 символов"},
		{fmt.Errorf("wrapped: %w", &RateLimitedError{RetryAfter: 90 * time.Second}), "через 2 мин."},
		{&RateLimitedError{RetryAfter: time.Second}, "через 1 мин."},
		{&DuplicateError{ID: 5}, "уже сообщили"},
		{ErrEmpty, "/typo"},
		{ErrNotFound, "не найдено"},
	}
	for _, c := range cases {
		id, data, ok := ReaderText(c.err)
		if !ok {
			t.Errorf("%v: no reader text", c.err)
			continue
		}
		mustContain(t, id, b.T("ru", id, data), c.want)
	}
	if _, _, ok := ReaderText(errors.New("redis down")); ok {
		t.Error("an internal error got a reader text")
	}
}
