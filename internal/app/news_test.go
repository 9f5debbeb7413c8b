package app

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

// siteFeed is the city site's RSS, changed by tests as the editors publish.
type siteFeed struct {
	mu    sync.Mutex
	items []string
	srv   *httptest.Server
}

func newSiteFeed(t *testing.T) *siteFeed {
	f := &siteFeed{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Губкин</title>%s</channel></rss>`, strings.Join(f.items, ""))
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *siteFeed) add(guid, title, category string, at time.Time) {
	f.addLink(guid, "https://gubkin.example/news/"+guid, title, category, at)
}

func (f *siteFeed) addLink(guid, link, title, category string, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items = append([]string{fmt.Sprintf(`<item><guid>%s</guid><title>%s</title><link>%s</link><description>Подробности %s.</description><category>%s</category><pubDate>%s</pubDate></item>`,
		guid, title, link, title, category, at.Format(time.RFC1123Z))}, f.items...)
}

func newsEnv(t *testing.T) (*env, *siteFeed) {
	e := newEnv(t)
	site := newSiteFeed(t)
	site.add("old-1", "Старая новость общества", "Общество", time.Now().Add(-2*time.Hour))
	site.add("old-2", "Старая спортивная новость", "Спорт", time.Now().Add(-3*time.Hour))
	e.vars["FEED_URLS"] = site.srv.URL + "/rss"
	e.vars["FEED_SCHEDULE"] = "@every 1s"
	return e, site
}

func TestNewArticleIsPushedOnceToItsSectionOnly(t *testing.T) {
	e, site := newsEnv(t)
	r := e.start()
	e.say(2001, "/start")
	e.waitText(2001, "Здравствуйте")
	waitSection(e, r, "Спорт")
	e.say(2001, "/subscribe общество")
	e.say(2002, "/subscribe Спорт")
	e.waitText(2001, "Подписка оформлена")
	e.waitText(2002, "Подписка оформлена")
	site.add("new-1", "На улице Комсомольской отремонтировали тротуар", "Общество", time.Now())
	got := e.waitText(2001, "отремонтировали тротуар")
	if !strings.Contains(got, "Общество") {
		t.Errorf("push lacks its section:\n%s", got)
	}
	r.stop()
	r = e.start()
	site.add("new-2", "Футболисты Губкина победили", "Спорт", time.Now())
	e.waitText(2002, "Футболисты")
	e.settled(r)
	for _, chat := range []int64{2001, 2002} {
		for _, s := range e.fake.Texts(chat) {
			if strings.HasPrefix(s, "<b>Старая") { // (it may be linked under «Читайте также»)
				t.Errorf("the first sync pushed an old article to %d", chat)
			}
		}
	}
	if n := countPushes(e, 2001, "На улице Комсомольской"); n != 1 {
		t.Errorf("the article came %d times, want once (also after the restart)", n)
	}
	if countPushes(e, 2002, "На улице") != 0 || countPushes(e, 2001, "Футболисты") != 0 {
		t.Error("an article reached a chat that does not follow its section")
	}
}

// waitSection waits until the feed's first sync taught the bot a section.
func waitSection(e *env, r *running, name string) {
	e.t.Helper()
	e.fake.WaitFor(e.t, 10*time.Second, func() bool {
		_, ok, _ := r.App.F.Cats.Resolve(context.Background(), name)
		return ok
	}, "section "+name+" learned from the feed")
}

// countPushes counts the pushes of an article by its title (a title may
// also appear as a «Читайте также» link under another push).
func countPushes(e *env, chat int64, title string) int {
	n := 0
	for _, s := range e.fake.Texts(chat) {
		if strings.HasPrefix(s, "<b>"+title) {
			n++
		}
	}
	return n
}

func countTexts(e *env, chat int64, want string) int {
	n := 0
	for _, s := range e.fake.Texts(chat) {
		if strings.Contains(s, want) {
			n++
		}
	}
	return n
}

func TestNewsListAndPaging(t *testing.T) {
	e, site := newsEnv(t)
	for i := 0; i < 7; i++ {
		site.add(fmt.Sprintf("n-%d", i), fmt.Sprintf("Новость номер %d", i), "Общество", time.Now().Add(-time.Duration(i)*time.Minute))
	}
	r := e.start()
	e.fake.WaitFor(t, 10*time.Second, func() bool {
		as, _ := r.App.F.Articles.Latest(context.Background(), "all", 0, 10)
		return len(as) == 9
	}, "the first sync stored the articles")
	e.say(2101, "/news")
	e.waitText(2101, "Новость номер 0")
	list := e.fake.Texts(2101)
	last := list[len(list)-1]
	if !strings.Contains(last, "Сегодня, ") || strings.Contains(last, "Новость номер 5") {
		t.Fatalf("first page:\n%s", last)
	}
	e.fake.AddUpdate(telegramtest.CallbackQuery(2101, 2101, 1, "news:all:5"))
	e.waitText(2101, "Новость номер 5")
}
