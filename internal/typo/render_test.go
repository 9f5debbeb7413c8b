package typo

import (
	"math"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/telegram"
)

func renderer(t *testing.T) Renderer {
	return Renderer{Texts: texts(t), Lang: "ru", Loc: moscow}
}

var tagRE = regexp.MustCompile(`</?([a-z]+)[^>]*>`)

func TestEditorsTextEscapesEveryUserField(t *testing.T) {
	evil := `<script>alert("x")</script> & co`
	r := Report{
		ID: 1, Source: SourceTelegram, Fragment: evil, Before: evil, After: evil, Comment: evil,
		URL: `https://gubkin.example/?a=1&b="><script>`, Title: evil,
		Reporter: Reporter{Name: evil, Username: evil, UserID: 5},
		Created:  time.Now(), Status: StatusFixed, StatusByName: evil, StatusAt: time.Now(),
	}
	text := renderer(t).EditorsText(r)
	mustNotContain(t, "editors' text", text, "<script", `"><`)
	if n := strings.Count(text, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co"); n < 8 {
		t.Errorf("escaped %d user fields, want 8 (fragment, before, after, comment, title, name, username, editor):\n%s", n, text)
	}
	mustContain(t, "editors' text", text, `href="https://gubkin.example/?a=1&amp;b=&#34;&gt;&lt;script&gt;"`)
	for _, m := range tagRE.FindAllStringSubmatch(text, -1) {
		if m[1] != "a" && m[1] != "b" && m[1] != "u" {
			t.Errorf("unexpected tag %q in %s", m[0], text)
		}
	}
	site := r
	site.Source, site.Reporter = SourceSite, Reporter{Name: evil, IP: "203.0.113.9"}
	text = renderer(t).EditorsText(site)
	mustContain(t, "site text", text, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co", "сайт")
	mustNotContain(t, "site text", text, "203.0.113.9", "<script")
}

func TestArticleLinkOnlyForHTTP(t *testing.T) {
	v := renderer(t)
	for raw, want := range map[string]string{
		"javascript:alert(1)":      "javascript:alert(1)",
		"":                         "статья не указана",
		"https://gubkin.example/a": `<a href="https://gubkin.example/a">Заголовок</a>`,
	} {
		if got := v.link(raw, map[bool]string{true: "Заголовок"}[strings.HasPrefix(raw, "https")], 200); got != want {
			t.Errorf("link(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestSiteReporterWithoutName(t *testing.T) {
	r := Report{ID: 3, Source: SourceSite, Fragment: "шкалу", Created: time.Now(), Status: StatusOpen,
		Reporter: Reporter{IP: "198.51.100.7"}}
	text := renderer(t).EditorsText(r)
	mustContain(t, "site text", text, "читатель сайта (без имени)", "статья не указана")
	mustNotContain(t, "site text", text, "198.51.100.7", "…")
}

func TestCallbackDataRoundTripsAndFits(t *testing.T) {
	for _, st := range []Status{StatusFixed, StatusRejected} {
		data := CallbackData(st, math.MaxInt64)
		if len(data) > 64 {
			t.Errorf("%q is %d bytes, Telegram allows 64", data, len(data))
		}
		gotSt, id, err := ParseCallback(data)
		if err != nil || gotSt != st || id != math.MaxInt64 {
			t.Errorf("ParseCallback(%q) = %s, %d, %v", data, gotSt, id, err)
		}
	}
}

func TestParseCallbackRefusesForgedData(t *testing.T) {
	for _, data := range []string{
		"", "typo:fix:", "typo:fix:0", "typo:fix:-1", "typo:fix:01", "typo:fix:1 ", " typo:fix:1",
		"typo:fix:1:2", "typo:open:1", "typo:FIX:1", "typo:fix:+1", "typo:fix:1e3", "typo:fix:١",
		"typo:fix:99999999999999999999", "typo:fix:9223372036854775808", "weather:fix:1", "typo:fix:1\n",
	} {
		if st, id, err := ParseCallback(data); err == nil {
			t.Errorf("ParseCallback(%q) accepted: %s %d", data, st, id)
		}
	}
}

func TestReportsText(t *testing.T) {
	v := renderer(t)
	if got := v.ReportsText("ru", nil, 0); got != "Открытых сообщений об опечатках нет 👌" {
		t.Errorf("empty = %q", got)
	}
	created := time.Date(2026, 3, 5, 11, 32, 0, 0, time.UTC)
	reports := []Report{
		{ID: 7, Fragment: "шкалу <b>", URL: "https://gubkin.example/n/1", Title: "Школа", Created: created,
			EditorsChatID: -1001234567890, MessageID: 55},
		{ID: 8, Fragment: "х", Created: created, EditorsChatID: -42, MessageID: 3},
	}
	text := v.ReportsText("ru", reports, 5)
	mustContain(t, "list", text, "Открыто 5 сообщений об опечатках",
		`<a href="https://t.me/c/1234567890/55">#7</a> «шкалу &lt;b&gt;» — <a href="https://gubkin.example/n/1">Школа</a> · 05.03 14:32`,
		"\n#8 «х» — статья не указана")
	many := make([]Report, 200)
	for i := range many {
		many[i] = Report{ID: int64(i + 1), Fragment: strings.Repeat("ж", 300), Created: created}
	}
	if n := telegram.UTF16Len(telegram.PlainText(v.ReportsText("ru", many, 200))); n > 4096 {
		t.Errorf("the list is %d characters, Telegram takes 4096", n)
	}
}

func TestEveryTypoTextExistsInBothLanguages(t *testing.T) {
	b := texts(t)
	ids := map[string]bool{}
	src := ""
	for _, name := range []string{"render.go", "limits.go", "site.go", "site_input.go"} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		src += string(data)
	}
	for _, m := range regexp.MustCompile(`"(typo_[a-z_]*[a-z])"`).FindAllStringSubmatch(src, -1) {
		ids[m[1]] = true
	}
	for _, suffix := range []string{"source_site", "source_telegram", "status_fixed", "status_rejected",
		"state_open", "state_fixed", "state_rejected", "marked_fixed", "marked_rejected",
		"ask_fragment", "ask_comment", "received", "button", "skip"} {
		ids["typo_"+suffix] = true // built from parts, or only for the lead's handlers
	}
	for _, lang := range []string{"ru", "en"} {
		have := map[string]bool{}
		for _, id := range b.IDs(lang) {
			have[id] = true
		}
		for id := range ids {
			if !have[id] {
				t.Errorf("%s has no %s text", id, lang)
			}
		}
	}
}
