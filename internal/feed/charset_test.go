package feed

import (
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/gubkin-news/newsbot/internal/news"
)

// cyrillicFeed is a one-item feed whose text covers the letters and the
// punctuation that differ between the charsets (Ё, «», —).
func cyrillicFeed(prolog, title, desc string) string {
	decl := `<?xml version="1.0"?>`
	if prolog != "" {
		decl = `<?xml version="1.0" encoding="` + prolog + `"?>`
	}
	return decl + "\n" + `<rss version="2.0"><channel><title>Губкин</title><item>` +
		`<guid>https://gubkin.example/news/1</guid><title>` + title + `</title>` +
		`<description>` + desc + `</description><category>Общество</category>` +
		`<pubDate>Wed, 01 May 2024 10:00:00 +0300</pubDate></item></channel></rss>`
}

const (
	titleRu = "Ёлка у ДК «Горняк» — губкинцы собрались на площади"
	descRu  = "Праздник начался в полдень; пришли сотни жителей"
	titleK  = "Ёлка у ДК Горняк: губкинцы собрались на площади" // koi8-r has no «» and —
)

func encode(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b
}

func TestCharsetsDecodeExactlyOnce(t *testing.T) {
	cp, koi, utf := charmap.Windows1251, charmap.KOI8R, encoding.Nop
	utf16 := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
	cases := []struct {
		name        string
		enc         encoding.Encoding
		prolog, ct  string
		title       string
		wantCharset string
	}{
		{"cp1251 prolog only", cp, "windows-1251", "application/rss+xml", titleRu, "windows-1251"},
		{"cp1251 http only", cp, "", "application/rss+xml; charset=windows-1251", titleRu, "windows-1251"},
		{"cp1251 both", cp, "windows-1251", "text/xml; charset=Windows-1251", titleRu, "windows-1251"},
		{"cp1251 undeclared", cp, "", "text/xml", titleRu, "windows-1251"},
		{"cp1251 prolog alias", cp, "cp1251", "", titleRu, "windows-1251"},
		{"koi8-r prolog only", koi, "koi8-r", "application/xml", titleK, "koi8-r"},
		{"koi8-r http only", koi, "", `text/xml; charset="KOI8-R"`, titleK, "koi8-r"},
		{"koi8-r both", koi, "KOI8-R", "text/xml; charset=koi8-r", titleK, "koi8-r"},
		{"prolog wins over header", koi, "koi8-r", "text/xml; charset=windows-1251", titleK, "koi8-r"},
		{"utf-8 under a wrong header", utf, "", "text/xml; charset=windows-1251", titleRu, "utf-8"},
		{"utf-8 under a wrong prolog", utf, "windows-1251", "", titleRu, "utf-8"},
		{"utf-8 declared", utf, "UTF-8", "text/xml; charset=utf-8", titleRu, "utf-8"},
		{"utf-16 with BOM", utf16, "UTF-16", "", titleRu, "utf-16le"},
		{"unknown label, cp1251 body", cp, "x-no-such-charset", "text/xml; charset=bogus", titleRu, "windows-1251"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := encode(t, c.enc, cyrillicFeed(c.prolog, c.title, descRu))
			utf8Body, cs, err := toUTF8(body, c.ct)
			if err != nil || cs != c.wantCharset {
				t.Fatalf("toUTF8 = %q, %v; want %s", cs, err, c.wantCharset)
			}
			if strings.Contains(string(utf8Body), c.prolog) && c.prolog != "" && c.prolog != "UTF-8" {
				t.Fatalf("the declaration still names %s: %.80s", c.prolog, utf8Body)
			}
			arts, err := Parse(body, c.ct, "https://gubkin.example/rss", now)
			if err != nil || len(arts) != 1 {
				t.Fatalf("Parse = %d articles, %v", len(arts), err)
			}
			a := arts[0]
			if a.Title != c.title || a.Lead != descRu || strings.Join(a.Categories, ",") != "Общество" {
				t.Fatalf("got title %q lead %q categories %q", a.Title, a.Lead, a.Categories)
			}
		})
	}
}

func TestCharsetFromHTTPHeaderEndToEnd(t *testing.T) {
	srv := newFeedServer(t, string(encode(t, charmap.Windows1251, cyrillicFeed("", titleRu, descRu))))
	srv.ctype = "application/rss+xml; charset=windows-1251"
	r := newRig(t, srv.URL)
	r.mustRun(t)
	arts, err := r.in.Articles().Latest(context.Background(), "obshchestvo", 0, 5)
	if err != nil || len(arts) != 1 || arts[0].Title != titleRu {
		t.Fatalf("stored %+v, %v", arts, err)
	}
}

func TestDeclareUTF8RewritesOnlyTheProlog(t *testing.T) {
	for in, want := range map[string]string{
		`<?xml version="1.0" encoding="windows-1251"?><rss/>`:              `<?xml version="1.0" encoding="UTF-8"?><rss/>`,
		`<?xml version='1.0' encoding='koi8-r' standalone='yes'?><rss/>`:   `<?xml version='1.0' encoding='UTF-8' standalone='yes'?><rss/>`,
		`<?xml version="1.0"?><rss><title>encoding="koi8-r"</title></rss>`: `<?xml version="1.0"?><rss><title>encoding="koi8-r"</title></rss>`,
		`<rss><title>x</title></rss>`:                                      `<rss><title>x</title></rss>`,
		"\n <?xml version=\"1.0\"   encoding = \"cp1251\" ?>\n<rss/>":      "\n <?xml version=\"1.0\"   encoding = \"UTF-8\" ?>\n<rss/>",
	} {
		if got := string(declareUTF8([]byte(in))); got != want {
			t.Errorf("declareUTF8(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBillionLaughsDoesNotExpand(t *testing.T) {
	var dtd strings.Builder
	dtd.WriteString(`<!ENTITY lol0 "lol">`)
	for i := 1; i <= 9; i++ {
		dtd.WriteString(`<!ENTITY lol` + string(rune('0'+i)) + ` "` +
			strings.Repeat("&lol"+string(rune('0'+i-1))+";", 10) + `">`)
	}
	body := `<?xml version="1.0"?><!DOCTYPE rss [` + dtd.String() + `]>` +
		`<rss version="2.0"><channel><title>&lol9;</title><item><guid>x</guid>` +
		`<title>&lol9; смех</title><description>&lol9;&lol9;</description></item></channel></rss>`
	done := make(chan struct{})
	var arts []news.Article
	var err error
	go func() {
		defer close(done)
		arts, err = Parse([]byte(body), "", "u", now)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Parse did not return in 5s")
	}
	// encoding/xml reads no DTD: the entity stays a literal, unexpanded.
	if err != nil || len(arts) != 1 || arts[0].Title != "&lol9; смех" || arts[0].Lead != "&lol9;&lol9;" {
		t.Fatalf("Parse = %+v, %v; want the entities left as text", arts, err)
	}
}

func TestDeepNestingIsRefusedQuickly(t *testing.T) {
	n := 200_000
	body := `<?xml version="1.0"?><rss version="2.0" xmlns:x="urn:x"><channel><item><title>a</title>` +
		strings.Repeat("<x:a>", n) + strings.Repeat("</x:a>", n) + `</item></channel></rss>`
	start := time.Now()
	_, err := Parse([]byte(body), "", "u", now)
	if err == nil || !strings.Contains(err.Error(), "nested") {
		t.Fatalf("Parse = %v, want a nesting error", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("refusing took %v", d)
	}
}

func TestGarbageNeverPanics(t *testing.T) {
	for _, b := range []string{"", "garbage", "<html><body>down</body></html>", "\xff\xfe\x00", "<?xml encoding=\"", "<rss><channel><item>"} {
		if arts, err := Parse([]byte(b), "text/html; charset=", "u", now); err == nil && len(arts) != 0 {
			t.Errorf("Parse(%q) = %d articles", b, len(arts))
		}
	}
	if _, _, err := toUTF8(nil, ""); err != nil {
		t.Errorf("toUTF8(nil) = %v", err)
	}
}
