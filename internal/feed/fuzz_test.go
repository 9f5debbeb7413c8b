package feed

import (
	"os"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParse feeds the decoder and parser any body and Content-Type: no
// panic, and every article it accepts has an id, a title and valid UTF-8.
func FuzzParse(f *testing.F) {
	lenta, err := os.ReadFile("testdata/rss_lenta_ru.xml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(lenta[:4096], "application/rss+xml")
	f.Add([]byte("<?xml version=\"1.0\" encoding=\"windows-1251\"?><rss><channel><item><title>\xcd\xee\xe2\xee\xf1\xf2\xfc</title></item></channel></rss>"), "text/xml")
	f.Add([]byte("<rss><channel><item><title>\xce\xc2\xd9\xc5\xd3\xd4\xd7\xcf</title><guid>1</guid></item></channel></rss>"), "text/xml; charset=koi8-r")
	f.Add([]byte(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><rss><channel><item><title>&lol2;</title></item></channel></rss>`), "")
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>Атом</title><id>urn:1</id><updated>2999-01-01T00:00:00Z</updated></entry></feed>`), "application/atom+xml")
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		as, err := Parse(body, contentType, "https://gubkin.example/rss", now)
		if err != nil {
			return
		}
		for _, a := range as {
			if a.ID == "" || a.Title == "" || !utf8.ValidString(a.Title+a.Lead+a.FullText) {
				t.Fatalf("accepted a bad article: %+v", a)
			}
			if a.Published.After(now) {
				t.Fatalf("a date in the future was kept: %v", a.Published)
			}
		}
	})
}
