package feed

import (
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"github.com/gubkin-news/newsbot/internal/testkit"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/redistest"
	"github.com/gubkin-news/newsbot/internal/store"
)

// now is the tests' wall clock: 1 May 2024, 15:00 in Gubkin.
var now = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// clock is the shared test clock.
type clock = testkit.Clock

// item is one RSS item of a test feed; empty fields are left out.
type item struct {
	guid, link, title, desc string
	pub                     time.Time
	cats                    []string
	extra                   string // raw XML inside <item>
}

func rss(items ...item) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<rss version="2.0" xmlns:yandex="http://news.yandex.ru" xmlns:media="http://search.yahoo.com/mrss/" ` +
		`xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Губкин</title>` +
		`<link>https://gubkin.example/</link>`)
	for _, it := range items {
		b.WriteString("<item>")
		for tag, v := range map[string]string{"guid": it.guid, "link": it.link, "title": it.title, "description": it.desc} {
			if v != "" {
				fmt.Fprintf(&b, "<%s>%s</%s>", tag, v, tag)
			}
		}
		if !it.pub.IsZero() {
			fmt.Fprintf(&b, "<pubDate>%s</pubDate>", it.pub.In(time.FixedZone("MSK", 3*3600)).Format(time.RFC1123Z))
		}
		for _, c := range it.cats {
			fmt.Fprintf(&b, "<category>%s</category>", c)
		}
		b.WriteString(it.extra + "</item>\n")
	}
	b.WriteString("</channel></rss>")
	return b.String()
}

// news item n of the test site, published ago before now.
func newsItem(n int, ago time.Duration, cats ...string) item {
	return item{guid: fmt.Sprintf("https://gubkin.example/news/%d", n), link: fmt.Sprintf("https://gubkin.example/news/%d", n),
		title: fmt.Sprintf("Новость %d", n), desc: "<p>Текст новости</p>", pub: now.Add(-ago), cats: cats}
}

// feedServer is a feed site on 127.0.0.1 that honours If-None-Match.
type feedServer struct {
	*httptest.Server
	mu       sync.Mutex
	body     []byte
	ctype    string
	status   int // 0: 200 with body
	full     int // 200 answers sent
	requests []http.Header
}

func newFeedServer(t *testing.T, body string) *feedServer {
	t.Helper()
	f := &feedServer{body: []byte(body), ctype: "application/rss+xml"}
	f.Server = newServer(t, http.HandlerFunc(f.serve))
	return f
}

// newServer starts a loopback server closed (connections first, so a
// handler still waiting cannot block) when the test ends.
func newServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv
}

func (f *feedServer) set(body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.body = []byte(body)
}

func (f *feedServer) setStatus(code int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status = code
}

func (f *feedServer) stats() (full int, reqs []http.Header) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.full, append([]http.Header(nil), f.requests...)
}

func (f *feedServer) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Header.Clone())
	if f.status != 0 {
		http.Error(w, "boom", f.status)
		return
	}
	etag := fmt.Sprintf(`"%x"`, sha1.Sum(f.body))
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", "Wed, 01 May 2024 11:00:00 GMT")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	f.full++
	w.Header().Set("Content-Type", f.ctype)
	_, _ = w.Write(f.body)
}

// publisher records what it is given; fail makes the next calls fail.
type publisher struct {
	mu   sync.Mutex
	got  []news.Article
	fail int
}

func (p *publisher) Publish(_ context.Context, a news.Article) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail > 0 {
		p.fail--
		return errors.New("fan-out unavailable")
	}
	p.got = append(p.got, a)
	return nil
}

func (p *publisher) titles() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var s []string
	for _, a := range p.got {
		s = append(s, a.Title)
	}
	return strings.Join(s, "|")
}

// notifier records FeedDown and FeedUp calls.
type notifier struct {
	mu         sync.Mutex
	downs, ups []string
}

func (n *notifier) FeedDown(_ context.Context, url, lastErr string, count int) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.downs = append(n.downs, fmt.Sprintf("%s %d %s", url, count, lastErr))
	return nil
}

func (n *notifier) FeedUp(_ context.Context, url string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.ups = append(n.ups, url)
	return nil
}

func (n *notifier) counts() (int, int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.downs), len(n.ups)
}

// rig is an ingester on a real Redis with a fake clock, publisher and notifier.
type rig struct {
	in    *Ingester
	s     *store.Store
	clock *clock
	pub   *publisher
	note  *notifier
	cfg   Config
}

func newRig(t *testing.T, urls ...string) *rig {
	t.Helper()
	r := &rig{s: redistest.New(t), clock: testkit.NewClock(now), pub: &publisher{}, note: &notifier{}}
	r.cfg = Config{URLs: urls, Timeout: 2 * time.Second, Now: r.clock.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	r.restart(t)
	return r
}

// restart builds a new ingester on the same Redis, as after a process restart.
func (r *rig) restart(t *testing.T) {
	t.Helper()
	in, err := New(r.cfg, r.s, r.pub, r.note)
	if err != nil {
		t.Fatal(err)
	}
	r.in = in
}

func (r *rig) run(t *testing.T) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return r.in.RunOnce(ctx)
}

func (r *rig) mustRun(t *testing.T) {
	t.Helper()
	if err := r.run(t); err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
}
