package render

import (
	"strings"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/i18n"
	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

var msk, _ = time.LoadLocation("Europe/Moscow")

func texts(t *testing.T) *i18n.Bundle {
	t.Helper()
	b, err := i18n.Default("ru")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWhenAsTheSiteWritesIt(t *testing.T) {
	b := texts(t)
	now := time.Date(2026, 5, 1, 0, 30, 0, 0, msk) // just after midnight in Moscow
	cases := []struct {
		at   time.Time
		lang string
		want string
	}{
		{time.Date(2026, 5, 1, 0, 10, 0, 0, msk), "ru", "Сегодня, 00:10"},
		{time.Date(2026, 4, 30, 18, 10, 0, 0, msk), "ru", "Вчера, 18:10"},
		{time.Date(2026, 4, 30, 20, 59, 0, 0, time.UTC), "ru", "Vчера"},
		{time.Date(2026, 4, 29, 9, 34, 0, 0, msk), "ru", "29 апреля"},
		{time.Date(2025, 12, 31, 9, 0, 0, 0, msk), "ru", "31 декабря 2025"},
		{time.Date(2026, 4, 29, 9, 34, 0, 0, msk), "en", "29 April"},
		{time.Date(2026, 5, 1, 0, 10, 0, 0, msk), "en", "Today, 00:10"},
	}
	cases[2].want = "Вчера, 23:59" // 20:59 UTC is 23:59 in Moscow, the day before
	for _, c := range cases {
		if got := When(b, c.lang, c.at, now, msk); got != c.want {
			t.Errorf("When(%v, %s) = %q, want %q", c.at, c.lang, got, c.want)
		}
	}
}

func sample() news.Article {
	return news.Article{ID: "a1", URL: "https://gubkin.example/news/1?x=1&y=2", Title: "Ремонт <улицы> Комсомольской & сквера",
		Lead: "В Губкине начали ремонт.", Published: time.Date(2026, 5, 1, 9, 34, 0, 0, msk), ImageCredit: "Иван Петров"}
}

func TestArticleTextMessage(t *testing.T) {
	b := texts(t)
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, msk)
	rel := []news.Article{{URL: "https://g/2", Title: "Вторая"}, {URL: "https://g/3", Title: "Третья"}, {URL: "https://g/4", Title: "Четвёртая"}, {URL: "https://g/5", Title: "Пятая"}}
	m := Article(b, "ru", sample(), Push{Section: "Общество", Related: rel, Reasons: []string{"Комсомольская"}, TypoData: "typo:a:a1"}, now, msk)
	for _, want := range []string{"<b>Ремонт &lt;улицы&gt; Комсомольской &amp; сквера</b>", "<i>Общество · Сегодня, 09:34</i>",
		"В Губкине начали ремонт.", "Фото: Иван Петров", "упомянута: Комсомольская", "Читайте также", `<a href="https://g/4">Четвёртая</a>`} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.Contains(m.Text, "Пятая") {
		t.Error("more than 3 related links")
	}
	if m.PhotoURL != "" || m.Keyboard[0][0].URL != sample().URL || m.Keyboard[1][0].Data != "typo:a:a1" {
		t.Errorf("message = %+v", m)
	}
}

func TestPhotoCaptionFitsAndKeepsTitle(t *testing.T) {
	b := texts(t)
	a := sample()
	a.Image = "https://g/i.jpg"
	a.Lead = strings.Repeat("Очень длинный анонс. ", 200)
	m := Article(b, "ru", a, Push{Section: "Спорт"}, a.Published, msk)
	n := telegram.UTF16Len(telegram.PlainText(m.Text))
	if m.PhotoURL == "" || n > CaptionLimit || n < CaptionLimit-40 {
		t.Fatalf("caption length %d, photo %q", n, m.PhotoURL)
	}
	if !strings.Contains(m.Text, "Ремонт") || !strings.Contains(m.Text, "Фото: Иван Петров") {
		t.Fatalf("title or credit lost:\n%s", m.Text)
	}
}

func TestListPagesBack(t *testing.T) {
	b := texts(t)
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, msk)
	m := List(b, "en", "Latest", []news.Article{sample()}, true, "news:all:5", now, msk)
	if !strings.Contains(m.Text, `<a href="https://gubkin.example/news/1?x=1&amp;y=2">`) || m.Keyboard[0][0].Data != "news:all:5" {
		t.Fatalf("list = %+v", m)
	}
	if m := List(b, "en", "Latest", nil, false, "", now, msk); m.Keyboard != nil {
		t.Fatal("a button with nothing more")
	}
}
