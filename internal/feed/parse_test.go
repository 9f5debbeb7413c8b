package feed

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/store"
)

func parseOne(t *testing.T, body string) news.Article {
	t.Helper()
	arts, err := Parse([]byte(body), "", "https://gubkin.example/rss", now)
	if err != nil || len(arts) != 1 {
		t.Fatalf("Parse = %d articles, %v", len(arts), err)
	}
	return arts[0]
}

func TestLentaSampleParses(t *testing.T) {
	body, err := os.ReadFile("testdata/rss_lenta_ru.xml")
	if err != nil {
		t.Fatal(err)
	}
	arts, err := Parse(body, "application/rss+xml", "https://lenta.ru/rss", now)
	if err != nil || len(arts) != 200 {
		t.Fatalf("Parse = %d articles, %v; want 200", len(arts), err)
	}
	a := arts[0]
	want := news.Article{
		ID:    ArticleID("https://lenta.ru/news/2022/12/03/freedman/", "", "", ""),
		URL:   "https://lenta.ru/news/2022/12/03/freedman/",
		Title: "Стало известно о задержании бизнесмена Михаила Фридмана в Лондоне",
		Image: "https://icdn.lenta.ru/images/2022/12/03/19/20221203195033803/pic_41b56afd2312ed51802e4dbd9d096487.jpg",
	}
	if a.ID != want.ID || a.URL != want.URL || a.Title != want.Title || a.Image != want.Image ||
		strings.Join(a.Categories, ",") != "Мир" || a.Source != "https://lenta.ru/rss" {
		t.Fatalf("first article = %+v", a)
	}
	if !strings.HasPrefix(a.Lead, "Полиция задержала в Лондоне") || strings.ContainsAny(a.Lead, "\n<") {
		t.Fatalf("lead = %q", a.Lead)
	}
	if !a.Published.Equal(time.Date(2022, 12, 3, 16, 43, 0, 0, time.UTC)) {
		t.Fatalf("published = %v", a.Published)
	}
	seen := map[string]bool{}
	for _, a := range arts {
		if !store.ValidID(a.ID) || len(a.Categories) == 0 {
			t.Fatalf("article %+v: invalid id or no category", a)
		}
		seen[a.ID] = true
	}
	if len(seen) != 198 { // the sample repeats two items
		t.Fatalf("%d distinct ids, want 198", len(seen))
	}
}

func TestLentaCategoriesAreLearned(t *testing.T) {
	body, err := os.ReadFile("testdata/rss_lenta_ru.xml")
	if err != nil {
		t.Fatal(err)
	}
	srv := newFeedServer(t, string(body))
	r := newRig(t, srv.URL)
	r.clock.Set(time.Date(2022, 12, 4, 0, 0, 0, 0, time.UTC)) // inside the retention window
	r.mustRun(t)
	ctx := t.Context()
	list, err := r.in.Categories().List(ctx)
	if err != nil || len(list) != 13 {
		t.Fatalf("List = %d categories, %v; want 13", len(list), err)
	}
	for name, slug := range map[string]string{"Наука и техника": "nauka-i-tekhnika", "бывший ссср": "byvshiy-sssr",
		"69-я параллель": "69-ya-parallel", "Спорт": "sport"} {
		if c, ok, err := r.in.Categories().Resolve(ctx, name); err != nil || !ok || c.Slug != slug {
			t.Errorf("Resolve(%q) = %+v %v %v, want %s", name, c, ok, err, slug)
		}
	}
	if sport, _ := r.in.Articles().Latest(ctx, "sport", 0, 100); len(sport) != 19 {
		t.Fatalf("articles:sport = %d, want 19", len(sport))
	}
}

func TestCategoriesFileMergesAliases(t *testing.T) {
	srv := newFeedServer(t, rss())
	r := newRig(t, srv.URL)
	r.cfg.CategoriesFile = "testdata/categories.toml"
	r.restart(t)
	r.mustRun(t)
	srv.set(rss(newsItem(1, time.Minute, "ЧП"), newsItem(2, time.Minute, "Общество", "Погода")))
	r.mustRun(t)
	ctx := t.Context()
	if got, _ := r.in.Articles().Latest(ctx, "proisshestviya", 0, 5); len(got) != 1 || got[0].Title != "Новость 1" {
		t.Fatalf("proisshestviya = %+v, want the «ЧП» article", got)
	}
	list, _ := r.in.Categories().List(ctx)
	var names []string
	for _, c := range list {
		names = append(names, c.Emoji+c.Name)
	}
	if got := strings.Join(names, ","); got != "🏙Город,🚨Происшествия,⚽Спорт,🎭Культура,💼Экономика,Погода" {
		t.Fatalf("List = %s", got)
	}
}

func TestAtomFeed(t *testing.T) {
	a := parseOne(t, `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Губкин</title><link href="https://gubkin.example/"/>
<id>urn:gubkin</id><updated>2024-05-01T10:00:00+03:00</updated>
<entry><title type="html">Ремонт &amp;laquo;моста&amp;raquo;</title><link rel="alternate" href="/news/7"/>
<id>tag:gubkin.example,2024:7</id><published>2024-05-01T10:00:00+03:00</published><updated>2024-05-01T11:00:00+03:00</updated>
<summary type="html">&lt;p&gt;Мост&amp;nbsp;закроют &lt;b&gt;на неделю&lt;/b&gt;&lt;/p&gt;</summary>
<content type="html">&lt;p&gt;Первый абзац.&lt;/p&gt;&lt;p&gt;Второй &lt;b&gt;абзац&lt;/b&gt;.&lt;img src="/img/most.jpg"&gt;&lt;/p&gt;</content>
<category term="Город"/><category term="Транспорт"/></entry></feed>`)
	want := news.Article{ID: ArticleID("tag:gubkin.example,2024:7", "", "", ""), URL: "https://gubkin.example/news/7",
		Title: "Ремонт «моста»", Lead: "Мост закроют на неделю", FullText: "Первый абзац.\n\nВторой абзац.",
		Image: "https://gubkin.example/img/most.jpg", Categories: []string{"Город", "Транспорт"},
		Published: time.Date(2024, 5, 1, 7, 0, 0, 0, time.UTC), Source: "https://gubkin.example/rss"}
	if !sameArticle(a, want) {
		t.Fatalf("got  %+v\nwant %+v", a, want)
	}
}

func sameArticle(a, b news.Article) bool {
	return a.ID == b.ID && a.URL == b.URL && a.Title == b.Title && a.Lead == b.Lead && a.FullText == b.FullText &&
		a.Image == b.Image && a.ImageCredit == b.ImageCredit && a.Source == b.Source && a.Published.Equal(b.Published) &&
		strings.Join(a.Categories, "|") == strings.Join(b.Categories, "|")
}

func TestYandexNewsFeed(t *testing.T) {
	a := parseOne(t, rss(item{
		link:  "https://gubkin.example/news/11?utm_source=yandex&amp;utm_medium=rss&amp;fbclid=x#top",
		title: "В Губкине открыли сквер", desc: "Сквер на улице Дзержинского", pub: now.Add(-time.Hour),
		cats: []string{" Благоустройство ", "Город", "благоустройство"},
		extra: `<enclosure url="https://gubkin.example/i/11.jpg" type="image/jpeg" length="1"/>` +
			`<media:credit>Фото: Иван Петров</media:credit>` +
			`<yandex:full-text>Сквер открыли после ремонта.
В нём появились скамейки &amp; фонари.</yandex:full-text><content:encoded>не то</content:encoded>`,
	}))
	want := news.Article{ID: ArticleID("", "https://gubkin.example/news/11", "", ""), URL: "https://gubkin.example/news/11",
		Title: "В Губкине открыли сквер", Lead: "Сквер на улице Дзержинского",
		FullText: "Сквер открыли после ремонта.\n\nВ нём появились скамейки & фонари.",
		Image:    "https://gubkin.example/i/11.jpg", ImageCredit: "Фото: Иван Петров",
		Categories: []string{"Благоустройство", "Город"}, Published: now.Add(-time.Hour), Source: "https://gubkin.example/rss"}
	if !sameArticle(a, want) {
		t.Fatalf("got  %+v\nwant %+v", a, want)
	}
}

func TestContentEncodedIsTheFullTextWithoutYandex(t *testing.T) {
	a := parseOne(t, rss(item{guid: "g", title: "t", extra: `<content:encoded><![CDATA[<p>Раз</p><script>alert(1)</script><p>Два&nbsp;три</p>]]></content:encoded>`}))
	if a.FullText != "Раз\n\nДва три" {
		t.Fatalf("full text = %q", a.FullText)
	}
}

func TestImages(t *testing.T) {
	cases := map[string]struct{ extra, desc, img, credit string }{
		"enclosure without type": {extra: `<enclosure url="/i/a.JPG"/>`, img: "https://gubkin.example/i/a.JPG"},
		"media content and credit": {extra: `<enclosure url="https://x.example/a.mp3" type="audio/mpeg"/>` +
			`<media:content url="https://x.example/p.webp" medium="image"><media:credit role="photographer">ТАСС</media:credit></media:content>`,
			img: "https://x.example/p.webp", credit: "ТАСС"},
		"media group":     {extra: `<media:group><media:content url="https://x.example/g.png" type="image/png"/><media:copyright>© Мэрия</media:copyright></media:group>`, img: "https://x.example/g.png", credit: "© Мэрия"},
		"media thumbnail": {extra: `<media:thumbnail url="https://x.example/t.jpg"/>`, img: "https://x.example/t.jpg"},
		"img in description": {desc: `&lt;p&gt;&lt;img alt="" src="/upload/1.jpg"&gt;Текст&lt;/p&gt;`,
			img: "https://gubkin.example/upload/1.jpg"},
		"no image":          {extra: `<enclosure url="https://x.example/v.mp4" type="video/mp4"/>`},
		"javascript src":    {desc: `&lt;img src="javascript:alert(1)"&gt;`},
		"credit, no image":  {extra: `<media:credit>Фото: кто-то</media:credit>`},
		"image not a video": {extra: `<media:content url="https://x.example/v.mp4" medium="video"/><media:content url="https://x.example/ok.jpg"/>`, img: "https://x.example/ok.jpg"},
	}
	for name, c := range cases {
		a := parseOne(t, rss(item{guid: "g", link: "https://gubkin.example/news/1", title: "t", desc: c.desc, extra: c.extra}))
		if a.Image != c.img || a.ImageCredit != c.credit {
			t.Errorf("%s: image %q credit %q, want %q %q", name, a.Image, a.ImageCredit, c.img, c.credit)
		}
	}
}

func TestDates(t *testing.T) {
	for name, c := range map[string]struct {
		extra string
		want  time.Time
	}{
		"missing: fetch time": {"", now},
		"future: clamped":     {"<pubDate>Thu, 02 May 2024 10:00:00 +0300</pubDate>", now},
		"dc:date when no pubDate": {`<dc:date xmlns:dc="http://purl.org/dc/elements/1.1/">2024-05-01T08:00:00Z</dc:date>`,
			time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)},
		"garbage: fetch time": {"<pubDate>вчера</pubDate>", now},
	} {
		if a := parseOne(t, rss(item{guid: "g", title: "t", extra: c.extra})); !a.Published.Equal(c.want) {
			t.Errorf("%s: published %v, want %v", name, a.Published, c.want)
		}
	}
}

func TestArticleIDs(t *testing.T) {
	tracked := parseOne(t, rss(item{link: "https://Gubkin.example/news/5?utm_source=vk&amp;fbclid=abc&amp;yclid=1&amp;gclid=2&amp;from=tg&amp;_openstat=x&amp;page=2#comments", title: "t"}))
	if tracked.URL != "https://gubkin.example/news/5?page=2" || tracked.ID != ArticleID("", "https://gubkin.example/news/5?page=2", "", "") {
		t.Fatalf("tracked link: url %q id %q", tracked.URL, tracked.ID)
	}
	guid := ArticleID("https://gubkin.example/news/5?utm_source=rss", "https://other.example/", "x", "y")
	if guid != ArticleID("https://gubkin.example/news/5", "", "", "") {
		t.Fatal("a URL GUID is canonicalised before hashing")
	}
	long := ArticleID(strings.Repeat("очень длинный guid ", 50), "", "", "")
	bare1 := ArticleID("", "", "Заголовок", "Wed, 01 May 2024 10:00:00 +0300")
	bare2 := ArticleID("", "", "Заголовок", "Wed, 01 May 2024 11:00:00 +0300")
	for _, id := range []string{guid, long, bare1} {
		if !store.ValidID(id) || len(id) != 16 {
			t.Fatalf("id %q is not 16 safe bytes", id)
		}
	}
	if bare1 == bare2 || bare1 != ArticleID("", "", " Заголовок ", "Wed, 01 May 2024 10:00:00 +0300") {
		t.Fatal("title+date ids must tell dates apart and ignore surrounding spaces")
	}
	// An item without guid, link or date keeps its id from poll to poll.
	a1 := parseOne(t, rss(item{title: "Без ссылки"}))
	a2, _ := Parse([]byte(rss(item{title: "Без ссылки"})), "", "u", now.Add(time.Hour))
	if a1.ID != a2[0].ID {
		t.Fatal("an undated item's id changed with the fetch time")
	}
}

func TestItemsWithoutTitle(t *testing.T) {
	arts, err := Parse([]byte(rss(item{guid: "a", desc: strings.Repeat("Длинный текст новости ", 20)}, item{guid: "b"})), "", "u", now)
	if err != nil || len(arts) != 1 {
		t.Fatalf("Parse = %d, %v; want the empty item skipped", len(arts), err)
	}
	if r := []rune(arts[0].Title); len(r) > titleFromLeadAt+1 || !strings.HasSuffix(arts[0].Title, "…") {
		t.Fatalf("title from lead = %q", arts[0].Title)
	}
}

func TestPlainText(t *testing.T) {
	for in, want := range map[string]string{
		"  Tom &amp; Jerry ":    "Tom & Jerry",
		"AT&T":                  "AT&T",
		"5 < 6 и 7 > 3":         "5 < 6 и 7 > 3",
		"<p>Один</p><p>Два</p>": "Один Два",
		"Строка<br>строка":      "Строка строка",
		"&laquo;Ёлка&raquo;&nbsp;&mdash; &#1087;&#x440;": "«Ёлка» — пр",
		"<style>p{}</style>Текст<script>x()</script>":    "Текст",
		"<b>не</b>закрытый <i>тег":                       "незакрытый тег",
		"":                                               "",
	} {
		if got := plainText(in, false); got != want {
			t.Errorf("plainText(%q) = %q, want %q", in, got, want)
		}
	}
}
