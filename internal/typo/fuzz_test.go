package typo

import (
	"time"

	"github.com/gubkin-news/newsbot/internal/i18n"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseCallback: only the exact editors' button data is accepted.
func FuzzParseCallback(f *testing.F) {
	for _, s := range []string{"typo:fix:1", "typo:rej:42", "typo:fix:0", "typo:fix:99999999999999999999", "typo:del:1", "typo:fix:1:2", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		st, id, err := ParseCallback(data)
		if err != nil {
			return
		}
		if id <= 0 || CallbackData(st, id) != data {
			t.Fatalf("accepted %q as %v %d", data, st, id)
		}
	})
}

// FuzzParseCommand: /typo <fragment> — <comment> never loses or invents text.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"превед — надо привет", "a - b - c", "—", "", "фрагмент", " – "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, args string) {
		if !utf8.ValidString(args) {
			return
		}
		frag, comment := ParseCommand(args)
		if !strings.Contains(args, strings.TrimSpace(frag)) || !strings.Contains(args, strings.TrimSpace(comment)) {
			t.Fatalf("ParseCommand(%q) = %q, %q", args, frag, comment)
		}
	})
}

// FuzzSitePayload feeds the site's JSON decoding and checks any body: a
// report it accepts keeps every limit, and the editors' text escapes it.
func FuzzSitePayload(f *testing.F) {
	for _, s := range []string{`{"url":"https://g.example/1","text":"апечатка","before":"x","after":"y"}`,
		`{"url":"javascript:alert(1)","text":"x"}`, `{"url":"https://g/1","text":"<script>&</script>","comment":"<b>"}`,
		`{"url":1}`, `[]`, `{"url":"https://g/1","text":""}`} {
		f.Add([]byte(s))
	}
	texts, err := i18n.Default("ru")
	if err != nil {
		f.Fatal(err)
	}
	v := Renderer{Texts: texts, Lang: "ru", Loc: time.UTC}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, apiErr := decodeJSON(body)
		if apiErr != nil {
			return
		}
		r, apiErr := in.report()
		if apiErr != nil {
			return
		}
		if n := utf8.RuneCountInString(r.Fragment); n < 1 || n > MaxFragmentRunes || utf8.RuneCountInString(r.Comment) > MaxCommentRunes {
			t.Fatalf("limits not kept: %+v", r)
		}
		if strings.Contains(v.EditorsText(r), "<script>") {
			t.Fatal("unescaped user text")
		}
	})
}
