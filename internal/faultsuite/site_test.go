//go:build integration

package faultsuite

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/store"
	"github.com/gubkin-news/newsbot/internal/telegramtest"
)

// site is the city site's RSS feed on 127.0.0.1, changed as editors publish.
type site struct {
	mu    sync.Mutex
	items []string
	hits  atomic.Int64
	srv   *httptest.Server
}

func newSite(t testing.TB) *site {
	s := &site{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		body := rss(strings.Join(s.items, ""))
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *site) url() string { return s.srv.URL + "/rss" }

// add publishes an item on top of the feed.
func (s *site) add(guid, title, section string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items = append([]string{item(guid, title, section, at)}, s.items...)
}

func rss(items string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Губкин</title>` +
		`<link>https://gubkin.example/</link>` + items + `</channel></rss>`
}

func item(guid, title, section string, at time.Time) string {
	return fmt.Sprintf(`<item><guid>%s</guid><title>%s</title><link>https://gubkin.example/news/%s</link>`+
		`<description>Подробности: %s.</description><category>%s</category><pubDate>%s</pubDate></item>`,
		html.EscapeString(guid), html.EscapeString(title), html.EscapeString(guid), html.EscapeString(title),
		html.EscapeString(section), at.Format(time.RFC1123Z))
}

// seedFollowers records the chats (private, id = user) following slug,
// straight through the store, as /start and /subscribe would.
func seedFollowers(t testing.TB, st *store.Store, ids []int64, slug string) {
	t.Helper()
	ctx := context.Background()
	chats, subs := store.Chats{S: st}, store.Subs{S: st}
	work := make(chan int64)
	errs := make(chan error, 16)
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				ch := news.Chat{ID: id, Type: "private", Lang: "ru", Title: "user" + strconv.FormatInt(id, 10)}
				if _, _, err := chats.Ensure(ctx, ch, time.Now()); err != nil {
					errs <- err
					return
				}
				if _, err := subs.Follow(ctx, id, slug); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for _, id := range ids {
		select {
		case work <- id:
		case err := <-errs:
			close(work)
			wg.Wait()
			t.Fatalf("seed followers: %v", err)
		}
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatalf("seed followers: %v", err)
	default:
	}
}

func chatRange(from int64, n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = from + int64(i)
	}
	return out
}

// pushes counts, per chat, the successful sends whose text (or caption)
// is the push of the article titled title.
func pushes(fake *telegramtest.Server, title string) map[int64]int {
	out := map[int64]int{}
	for _, c := range fake.Calls("sendMessage", "sendPhoto") {
		if isPush(c, title) {
			id, _ := strconv.ParseInt(c.Params["chat_id"], 10, 64)
			out[id]++
		}
	}
	return out
}

// isPush tells whether c is a successful push of the article titled title
// (a title may also appear lower, as a «Читайте также» link).
func isPush(c telegramtest.Call, title string) bool {
	return c.Status == http.StatusOK && strings.HasPrefix(c.Params["text"]+c.Params["caption"], "<b>"+html.EscapeString(title))
}

// firstPush is when the first push of the article titled title after
// after arrived (zero if none did).
func firstPush(fake *telegramtest.Server, title string, after time.Time) time.Time {
	for _, c := range fake.Calls("sendMessage", "sendPhoto") {
		if c.At.After(after) && isPush(c, title) {
			return c.At
		}
	}
	return time.Time{}
}

// tally is how many of want were reached, and the sends beyond one per chat.
func tally(got map[int64]int, want []int64) (reached, duplicates int) {
	for _, id := range want {
		if n := got[id]; n > 0 {
			reached++
			duplicates += n - 1
		}
	}
	return reached, duplicates
}

// firstSyncDone waits until the bot has synced url once (and so will push
// what is added next).
func firstSyncDone(t testing.TB, st *store.Store, url string, timeout time.Duration) {
	t.Helper()
	feeds := store.Feeds{S: st}
	waitUntil(t, timeout, "the first sync of "+url, func() bool {
		fs, err := feeds.Get(context.Background(), url)
		return err == nil && fs.FirstSyncDone
	})
}

// answered counts the successful messages to chat containing want.
func answered(fake *telegramtest.Server, chat int64, want string) int {
	n := 0
	for _, s := range fake.Texts(chat) {
		if strings.Contains(s, want) {
			n++
		}
	}
	return n
}
