//go:build integration

package faultsuite

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// feedFarm serves many feeds from one 127.0.0.1 server: one good, the others
// broken in every way a feed can be. What a feed serves depends on the phase
// (0: before the editors publish, 1: after, 2: after an edit).
type feedFarm struct {
	srv       *httptest.Server
	phase     atomic.Int32
	mu        sync.Mutex
	hits      map[string]int
	hugeMax   int // most bytes one request of /huge got out before the bot hung up (under mu)
	gzipBomb  []byte
	published time.Time
}

const (
	hugeBody   = 100 << 20 // bytes /huge would send, streamed
	bombBody   = 100 << 20 // bytes /gzip-bomb inflates to
	dripBytes  = 60        // /drip sends at most this many bytes, one a second
	oldItemAge = 2 * time.Hour
)

func newFeedFarm(t testing.TB) *feedFarm {
	f := &feedFarm{hits: map[string]int{}, gzipBomb: gzipBomb(t), published: time.Now()}
	mux := http.NewServeMux()
	for path, h := range map[string]http.HandlerFunc{
		"/good": f.good, "/malformed": f.malformed, "/laughs": f.laughs, "/huge": f.huge,
		"/gzip-bomb": f.bomb, "/drip": f.drip, "/status-500": f.status500, "/redirect-loop": f.redirectLoop,
		"/cp1251-declared-utf8": f.cp1251AsUTF8, "/utf8-declared-cp1251": f.utf8AsCP1251,
		"/cp1251-undeclared": f.cp1251Undeclared, "/guids": f.guids, "/future": f.future,
	} {
		mux.Handle(path, f.count(path, h))
	}
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *feedFarm) url(path string) string { return f.srv.URL + path }

func (f *feedFarm) count(path string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.hits[path]++
		f.mu.Unlock()
		h(w, r)
	})
}

func (f *feedFarm) hitsOf(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[path]
}

// items is the feed's old item, and its new ones from phase 1 on.
func (f *feedFarm) items(slug, section string, fresh ...string) string {
	out := item(slug+"-old", "Старое: "+section, section, f.published.Add(-oldItemAge))
	if f.phase.Load() >= 1 {
		out = strings.Join(fresh, "") + out
	}
	return out
}

func serve(w http.ResponseWriter, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	_, _ = w.Write(body)
}

const goodTitle = "В Губкине откроют новый парк у Лебединского карьера"

func (f *feedFarm) good(w http.ResponseWriter, _ *http.Request) {
	body := rss(f.items("good", "Город", item("good-new", goodTitle, "Город", f.published)))
	serve(w, "application/rss+xml; charset=utf-8", []byte(body))
}

// The three feeds whose charset is missing or wrong, and the titles they publish.
const (
	cp1251Title     = "Выставка «Курская магнитная аномалия» открылась в музее"
	utf8Title       = "Губкинские борцы взяли три золота на первенстве области"
	undeclaredTitle = "Цены на молоко в Губкине выросли — подсчёт «Губкинского вестника»"
)

func win1251(s string) []byte {
	out, err := charmap.Windows1251.NewEncoder().String(s)
	if err != nil {
		panic(err) // our own titles only
	}
	return []byte(out)
}

func (f *feedFarm) cp1251AsUTF8(w http.ResponseWriter, _ *http.Request) {
	body := rss(f.items("culture", "Культура", item("culture-new", cp1251Title, "Культура", f.published)))
	serve(w, "application/rss+xml; charset=utf-8", win1251(body)) // rss() declares UTF-8 too
}

func (f *feedFarm) utf8AsCP1251(w http.ResponseWriter, _ *http.Request) {
	body := strings.Replace(rss(f.items("sport", "Спорт", item("sport-new", utf8Title, "Спорт", f.published))),
		`encoding="UTF-8"`, `encoding="windows-1251"`, 1)
	serve(w, "text/xml; charset=windows-1251", []byte(body))
}

func (f *feedFarm) cp1251Undeclared(w http.ResponseWriter, _ *http.Request) {
	body := strings.Replace(rss(f.items("economy", "Экономика", item("economy-new", undeclaredTitle, "Экономика", f.published))),
		` encoding="UTF-8"`, "", 1)
	serve(w, "text/xml", win1251(body))
}

// guids publishes one GUID twice, an item without GUID, another GUID with
// the same link, an item with neither GUID nor link; in phase 2 the first
// item's title is edited. Three articles in all, each to be pushed once.
func (f *feedFarm) guids(w http.ResponseWriter, _ *http.Request) {
	first := "Пожар на складе на улице Лазарева потушен"
	if f.phase.Load() >= 2 {
		first += " (обновлено)"
	}
	at := f.published.Format(time.RFC1123Z)
	fresh := []string{
		item("dup-1", first, "Происшествия", f.published),
		item("dup-1", "Пожар на складе: подробности", "Происшествия", f.published),
		`<item><title>ДТП на перекрёстке Кирова и Победы</title><link>https://gubkin.example/news/no-guid</link><category>Происшествия</category><pubDate>` + at + `</pubDate></item>`,
		`<item><guid>other-guid</guid><title>ДТП на перекрёстке: видео</title><link>https://gubkin.example/news/no-guid?utm_source=rss</link><category>Происшествия</category><pubDate>` + at + `</pubDate></item>`,
		`<item><title>Сильный ветер ожидается в Губкине завтра</title><description>Без ссылки и без GUID.</description><category>Происшествия</category><pubDate>` + at + `</pubDate></item>`,
	}
	serve(w, "application/rss+xml; charset=utf-8", []byte(rss(f.items("guids", "Происшествия", fresh...))))
}

const futureTitle = "Новый учебный год начнётся с открытия школы"

func (f *feedFarm) future(w http.ResponseWriter, _ *http.Request) {
	body := rss(f.items("school", "Образование", item("school-new", futureTitle, "Образование", time.Date(2099, 9, 1, 8, 0, 0, 0, time.UTC))))
	serve(w, "application/rss+xml; charset=utf-8", []byte(body))
}

func (f *feedFarm) malformed(w http.ResponseWriter, _ *http.Request) {
	serve(w, "application/rss+xml", []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Сломан<item><title>Нет закрывающих тегов`+
		"\x00\x01\xff<<<&&&]]>--></rss></item"))
}

func (f *feedFarm) laughs(w http.ResponseWriter, _ *http.Request) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol "lol"><!ENTITY xxe SYSTEM "file:///etc/passwd">`)
	for i := 1; i <= 9; i++ {
		prev := "lol"
		if i > 1 {
			prev = fmt.Sprintf("lol%d", i-1)
		}
		fmt.Fprintf(&b, `<!ENTITY lol%d "%s">`, i, strings.Repeat("&"+prev+";", 10))
	}
	b.WriteString(`]><rss version="2.0"><channel><title>&lol9;</title>`)
	for i := range f.phase.Load() + 1 { // a new bomb once the editors publish
		fmt.Fprintf(&b, `<item><guid>laughs-%d</guid><title>Бомба &lol9; &xxe;</title><link>https://gubkin.example/news/laughs-%d</link>`+
			`<category>Мусор</category><description>&lol9;</description></item>`, i, i)
	}
	b.WriteString(`</channel></rss>`)
	serve(w, "application/rss+xml", []byte(b.String()))
}

// huge streams a 100 MB feed in 64 KB writes, never holding it in memory,
// until the bot hangs up.
func (f *feedFarm) huge(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/rss+xml")
	chunk := []byte(strings.Repeat(`<item><title>x</title><description>`+strings.Repeat("я", 500)+`</description></item>`, 64))
	written, _ := w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Огромный</title>`))
	for written < hugeBody {
		n, err := w.Write(chunk)
		written += n
		if err != nil {
			break
		}
	}
	f.mu.Lock()
	f.hugeMax = max(f.hugeMax, written)
	f.mu.Unlock()
}

func (f *feedFarm) bomb(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/rss+xml")
	w.Header().Set("Content-Encoding", "gzip")
	_, _ = w.Write(f.gzipBomb)
}

// gzipBomb is a small gzip body that inflates to bombBody bytes of a feed:
// one member of 1 MB of spaces, compressed once and repeated (a gzip stream
// may hold many members), between the feed's head and tail.
func gzipBomb(t testing.TB) []byte {
	member := func(data []byte) []byte {
		var buf bytes.Buffer
		z, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if _, err := z.Write(data); err != nil {
			t.Fatal(err)
		}
		if err := z.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	out := member([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Бомба</title><item><title>`))
	out = append(out, bytes.Repeat(member(bytes.Repeat([]byte{' '}, 1<<20)), bombBody>>20)...)
	return append(out, member([]byte(`</title></item></channel></rss>`))...)
}

// drip sends a valid feed one byte a second, until the bot hangs up.
func (f *feedFarm) drip(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/rss+xml")
	body := rss(item("drip-1", "Капля", "Мусор", f.published))
	fl, _ := w.(http.Flusher)
	for i := 0; i < min(dripBytes, len(body)); i++ {
		if _, err := w.Write([]byte{body[i]}); err != nil {
			return
		}
		if fl != nil {
			fl.Flush()
		}
		select {
		case <-r.Context().Done():
			return
		case <-time.After(time.Second): // pacing a hostile server
		}
	}
}

func (f *feedFarm) status500(w http.ResponseWriter, _ *http.Request) {
	http.Error(w, "<html>Internal Server Error</html>", http.StatusInternalServerError)
}

func (f *feedFarm) redirectLoop(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/redirect-loop", http.StatusFound)
}

func (f *feedFarm) hugeMaxKB() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hugeMax >> 10
}
