package feed

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/store"
)

func TestFirstSyncPushesNothingThenOnlyTheNewItem(t *testing.T) {
	srv := newFeedServer(t, rss(newsItem(2, time.Hour), newsItem(1, 2*time.Hour)))
	r := newRig(t, srv.URL)
	r.mustRun(t)
	if got := r.pub.titles(); got != "" {
		t.Fatalf("first sync published %q", got)
	}
	if arts, _ := r.in.Articles().Latest(context.Background(), "", 0, 10); len(arts) != 2 {
		t.Fatalf("first sync stored %d articles, want 2", len(arts))
	}
	srv.set(rss(newsItem(3, 10*time.Minute), newsItem(2, time.Hour), newsItem(1, 2*time.Hour)))
	r.mustRun(t)
	if got := r.pub.titles(); got != "Новость 3" {
		t.Fatalf("second sync published %q, want only the new item", got)
	}
}

func TestPublishesSeveralNewItemsOldestFirst(t *testing.T) {
	srv := newFeedServer(t, rss(newsItem(1, 5*time.Hour)))
	r := newRig(t, srv.URL)
	r.mustRun(t)
	srv.set(rss(newsItem(3, time.Hour), newsItem(4, 30*time.Minute), newsItem(2, 2*time.Hour), newsItem(1, 5*time.Hour)))
	r.mustRun(t)
	if got := r.pub.titles(); got != "Новость 2|Новость 3|Новость 4" {
		t.Fatalf("published %q, want every new item, oldest first", got)
	}
}

func TestNothingIsPublishedTwice(t *testing.T) {
	a, b := newFeedServer(t, rss(newsItem(1, 3*time.Hour))), newFeedServer(t, rss())
	r := newRig(t, a.URL, b.URL)
	r.mustRun(t) // first sync of both feeds
	item2 := newsItem(2, time.Hour, "Общество")
	a.set(rss(item2, newsItem(1, 3*time.Hour)))
	r.mustRun(t)

	edited := item2
	edited.title, edited.desc = "Новость 2 (обновлено)", "<p>Другой текст</p>"
	second := item2
	second.cats = []string{"Спорт"}
	changedGUID := item2
	changedGUID.guid = "urn:cms:article:2:rev:7"
	steps := map[string]func(){
		"reorder":         func() { a.set(rss(newsItem(1, 3*time.Hour), item2)) },
		"edited title":    func() { a.set(rss(edited, newsItem(1, 3*time.Hour))) },
		"second category": func() { a.set(rss(item2, second, newsItem(1, 3*time.Hour))) },
		"restart":         func() { r.restart(t) },
		"second feed":     func() { b.set(rss(item2)) },
		"changed guid":    func() { a.set(rss(changedGUID)) },
	}
	for _, name := range []string{"reorder", "edited title", "second category", "restart", "second feed", "changed guid"} {
		steps[name]()
		r.mustRun(t)
		if got := r.pub.titles(); got != "Новость 2" {
			t.Fatalf("after %s published %q, want only the first push", name, got)
		}
	}
	got, ok, err := r.in.Articles().Find(context.Background(), "https://gubkin.example/news/2")
	if err != nil || !ok || got.Title != "Новость 2" || strings.Join(got.Categories, ",") != "Общество,Спорт" {
		t.Fatalf("stored article = %+v %v %v; want the latest text under both categories", got, ok, err)
	}
	if sport, _ := r.in.Articles().Latest(context.Background(), "sport", 0, 5); len(sport) != 1 {
		t.Fatalf("articles:sport has %d, want the article listed under its second category", len(sport))
	}
}

func TestTwoCopiesPublishANewItemOnce(t *testing.T) {
	srv := newFeedServer(t, rss())
	r := newRig(t, srv.URL)
	r.mustRun(t)
	other, err := New(r.cfg, r.s, r.pub, r.note)
	if err != nil {
		t.Fatal(err)
	}
	srv.set(rss(newsItem(1, time.Minute), newsItem(2, 2*time.Minute)))
	var wg sync.WaitGroup
	for _, in := range []*Ingester{r.in, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := in.RunOnce(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	// The copies publish side by side, so only the set of pushes is fixed.
	if got := r.pub.titles(); got != "Новость 2|Новость 1" && got != "Новость 1|Новость 2" {
		t.Fatalf("two copies published %q, want each item once", got)
	}
}

func TestTooOldIsStoredButNotPublished(t *testing.T) {
	srv := newFeedServer(t, rss())
	r := newRig(t, srv.URL)
	r.mustRun(t)
	srv.set(rss(newsItem(1, 25*time.Hour), newsItem(2, 23*time.Hour)))
	r.mustRun(t)
	if got := r.pub.titles(); got != "Новость 2" {
		t.Fatalf("published %q, want only the item younger than PushMaxAge", got)
	}
	if _, ok, _ := r.in.Articles().Find(context.Background(), "https://gubkin.example/news/1"); !ok {
		t.Fatal("the old item must still be stored")
	}
}

func TestPublishFailureIsRetriedNextRun(t *testing.T) {
	srv := newFeedServer(t, rss())
	r := newRig(t, srv.URL)
	r.mustRun(t)
	srv.set(rss(newsItem(1, time.Minute)))
	r.pub.fail = 1
	if err := r.run(t); err == nil || r.pub.titles() != "" {
		t.Fatalf("RunOnce = %v, published %q; want the Publish error and nothing published", err, r.pub.titles())
	}
	r.restart(t) // the retry must not depend on memory
	r.mustRun(t)
	r.mustRun(t)
	if got := r.pub.titles(); got != "Новость 1" {
		t.Fatalf("published %q, want the article once after the retry", got)
	}
}

func TestPendingOlderThanPushMaxAgeIsDropped(t *testing.T) {
	srv := newFeedServer(t, rss())
	r := newRig(t, srv.URL)
	r.mustRun(t)
	srv.set(rss(newsItem(1, 23*time.Hour)))
	r.pub.fail = 1
	_ = r.run(t)
	r.clock.Add(2 * time.Hour)
	r.mustRun(t)
	if got := r.pub.titles(); got != "" {
		t.Fatalf("published %q, want nothing: the article went stale while waiting", got)
	}
	if p, _ := r.in.Articles().Pending(context.Background(), 10); len(p) != 0 {
		t.Fatalf("pending = %v, want it dropped", p)
	}
}

func TestBrokenFeedsFailOnlyThemselves(t *testing.T) {
	good := newFeedServer(t, rss(newsItem(1, time.Hour)))
	malformed := newFeedServer(t, `<?xml version="1.0"?><rss version="2.0"><channel><item><title>x</title><description>`)
	notFound, failing := newFeedServer(t, rss()), newFeedServer(t, rss())
	notFound.setStatus(http.StatusNotFound)
	failing.setStatus(http.StatusInternalServerError)
	oversize := newFeedServer(t, rss(item{guid: "big", title: "big", desc: strings.Repeat("я", 600)}))
	slow := slowServer(t, false)
	r := newRig(t, good.URL, malformed.URL, notFound.URL, failing.URL, oversize.URL, slow.URL)
	r.cfg.Timeout, r.cfg.MaxBytes = 300*time.Millisecond, 1000
	r.restart(t)

	r.mustRun(t)
	good.set(rss(newsItem(2, time.Minute), newsItem(1, time.Hour)))
	r.mustRun(t)
	if got := r.pub.titles(); got != "Новость 2" {
		t.Fatalf("published %q, want the good feed's new item", got)
	}
	health, err := r.in.Health(context.Background())
	if err != nil || len(health) != 6 {
		t.Fatalf("Health = %d, %v", len(health), err)
	}
	wantErr := []string{"", "syntax error", "404", "500", "size limit", "deadline"}
	for i, h := range health {
		if i == 0 {
			if h.ConsecutiveErrors != 0 || !h.FirstSyncDone || h.Items != 2 {
				t.Errorf("good feed: %+v", h)
			}
			continue
		}
		if h.ConsecutiveErrors != 2 || h.FirstSyncDone || !strings.Contains(h.LastError, wantErr[i]) {
			t.Errorf("feed %d: errors %d, last error %q; want 2 failures mentioning %q", i, h.ConsecutiveErrors, h.LastError, wantErr[i])
		}
	}
}

// slowServer answers only when the client gives up; with body set it sends
// the headers first and stalls in the body.
func slowServer(t *testing.T, body bool) *feedServer {
	t.Helper()
	f := &feedServer{}
	f.Server = newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if body {
			w.Header().Set("Content-Type", "application/rss+xml")
			_, _ = w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel>`))
			w.(http.Flusher).Flush()
		}
		<-r.Context().Done()
	}))
	return f
}

func TestTimeoutCoversTheBody(t *testing.T) {
	slow := slowServer(t, true)
	r := newRig(t, slow.URL)
	r.cfg.Timeout = 200 * time.Millisecond
	r.restart(t)
	start := time.Now()
	r.mustRun(t)
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("RunOnce took %v with a 200ms timeout", d)
	}
	if h, _ := r.in.Health(context.Background()); h[0].ConsecutiveErrors != 1 {
		t.Fatalf("health = %+v, want one failure", h[0])
	}
}

func TestFeedDownOnceAndUpOnce(t *testing.T) {
	srv := newFeedServer(t, rss(newsItem(1, time.Hour)))
	srv.setStatus(http.StatusInternalServerError)
	r := newRig(t, srv.URL)
	for i := 1; i <= 7; i++ {
		r.mustRun(t)
		want := 0
		if i >= 5 {
			want = 1
		}
		if downs, _ := r.note.counts(); downs != want {
			t.Fatalf("after %d failures FeedDown was called %d times", i, downs)
		}
	}
	if !strings.Contains(r.note.downs[0], " 5 ") || !strings.Contains(r.note.downs[0], "500") {
		t.Fatalf("FeedDown(%q), want count 5 and the last error", r.note.downs[0])
	}
	srv.setStatus(0)
	for range 3 {
		r.mustRun(t)
	}
	if downs, ups := r.note.counts(); downs != 1 || ups != 1 {
		t.Fatalf("downs %d, ups %d; want one of each", downs, ups)
	}
}

func TestConditionalGetDoesNoWorkOn304(t *testing.T) {
	srv := newFeedServer(t, rss(newsItem(1, time.Hour)))
	r := newRig(t, srv.URL)
	r.mustRun(t)
	r.mustRun(t)
	full, reqs := srv.stats()
	if full != 1 || len(reqs) != 2 {
		t.Fatalf("full answers %d of %d requests, want 1 of 2", full, len(reqs))
	}
	if reqs[0].Get("If-None-Match") != "" || reqs[1].Get("If-None-Match") == "" ||
		reqs[1].Get("If-Modified-Since") != "Wed, 01 May 2024 11:00:00 GMT" {
		t.Fatalf("conditional headers: first %v, second %v", reqs[0], reqs[1])
	}
	if ua := reqs[0].Get("User-Agent"); ua != DefaultUserAgent {
		t.Fatalf("User-Agent = %q", ua)
	}
	if h, _ := r.in.Health(context.Background()); h[0].Items != 1 || h[0].ConsecutiveErrors != 0 {
		t.Fatalf("health after 304 = %+v", h[0])
	}
}

func TestPanicInOneFeedIsRecovered(t *testing.T) {
	good := newFeedServer(t, rss())
	r := newRig(t, good.URL, "http://127.0.0.1:1/panics")
	r.cfg.HTTP = &http.Client{Transport: panicky{http.DefaultTransport}}
	r.restart(t)
	r.mustRun(t)
	good.set(rss(newsItem(1, time.Minute)))
	r.mustRun(t)
	h, _ := r.in.Health(context.Background())
	if r.pub.titles() != "Новость 1" || h[1].ConsecutiveErrors != 2 || !strings.Contains(h[1].LastError, "panic") {
		t.Fatalf("published %q, health %+v", r.pub.titles(), h[1])
	}
}

type panicky struct{ next http.RoundTripper }

func (p panicky) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/panics") {
		panic("parser bug")
	}
	return p.next.RoundTrip(r)
}

func TestIngestFromTheCMSUsesTheSameDedup(t *testing.T) {
	srv := newFeedServer(t, rss())
	r := newRig(t, srv.URL)
	r.mustRun(t) // the feed's first sync is done: its new items are pushed
	ctx := context.Background()
	a := news.Article{URL: "https://gubkin.example/news/9?utm_source=cms", Title: " Срочно:  перекрыта улица ",
		Categories: []string{"ЧП"}, Source: "publish"}
	for i, want := range []bool{true, false} {
		isNew, err := r.in.Ingest(ctx, a, true)
		if err != nil || isNew != want {
			t.Fatalf("Ingest #%d = %v, %v; want %v", i+1, isNew, err, want)
		}
		if err := r.in.PublishPending(ctx); err != nil {
			t.Fatal(err)
		}
	}
	fromFeed := newsItem(9, time.Minute)
	fromFeed.guid = "cms-article-9" // the feed brings it later under its own GUID
	srv.set(rss(fromFeed))
	r.mustRun(t)
	r.mustRun(t)
	if got := r.pub.titles(); got != "Срочно: перекрыта улица" {
		t.Fatalf("published %q, want the CMS article once", got)
	}
	if !store.ValidID(r.pub.got[0].ID) || !r.pub.got[0].Published.Equal(now) {
		t.Fatalf("published %+v", r.pub.got[0])
	}
	if _, err := r.in.Ingest(ctx, news.Article{URL: "https://gubkin.example/x"}, true); err == nil {
		t.Fatal("an article without a title must be refused")
	}
}
