package render

import (
	"strings"
	"time"

	"github.com/gubkin-news/newsbot/internal/i18n"
	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

// Caption and text limits of Telegram, in characters.
const (
	CaptionLimit = 1024
	TextLimit    = 4096
)

// Push is what goes with one pushed article besides the article itself.
type Push struct {
	Section  string         // the display name of its section
	Related  []news.Article // up to 3 «Читайте также»
	Reasons  []string       // followed phrases it mentions («упомянута: …»)
	TypoData string         // callback data of «Нашли опечатку?», "" for none
}

// Article builds the message of a pushed article: a photo with a caption
// when it has an image, else text with the link preview.
func Article(t *i18n.Bundle, lang string, a news.Article, p Push, now time.Time, loc *time.Location) telegram.Message {
	limit := TextLimit
	if a.Image != "" {
		limit = CaptionLimit
	}
	m := telegram.Message{Text: articleText(t, lang, a, p, now, loc, limit), PhotoURL: a.Image}
	m.Keyboard = telegram.Keyboard{{{Text: t.T(lang, "article_read", nil), URL: a.URL}}}
	if p.TypoData != "" {
		m.Keyboard = append(m.Keyboard, []telegram.Button{{Text: t.T(lang, "article_typo", nil), Data: p.TypoData}})
	}
	return m
}

// articleText puts the parts together and shortens the lead (never the
// title or the links) until the visible text fits limit.
func articleText(t *i18n.Bundle, lang string, a news.Article, p Push, now time.Time, loc *time.Location, limit int) string {
	head := "<b>" + telegram.Esc(a.Title) + "</b>"
	meta := When(t, lang, a.Published, now, loc)
	if p.Section != "" {
		meta = telegram.Esc(p.Section) + " · " + meta
	}
	head += "\n<i>" + meta + "</i>"
	var tail []string
	if a.ImageCredit != "" {
		tail = append(tail, "<i>"+telegram.Esc(t.T(lang, "article_photo_credit", map[string]any{"Credit": a.ImageCredit}))+"</i>")
	}
	if len(p.Reasons) > 0 {
		tail = append(tail, "🔔 "+telegram.Esc(t.T(lang, "article_reason", map[string]any{"Phrases": strings.Join(p.Reasons, ", ")})))
	}
	if rel := related(t, lang, p.Related); rel != "" {
		tail = append(tail, rel)
	}
	return fit(head, a.Lead, strings.Join(tail, "\n\n"), limit)
}

func related(t *i18n.Bundle, lang string, rs []news.Article) string {
	if len(rs) == 0 {
		return ""
	}
	lines := []string{"<b>" + telegram.Esc(t.T(lang, "article_related", nil)) + "</b>"}
	for i, r := range rs {
		if i == 3 {
			break
		}
		lines = append(lines, "• "+Link(r.URL, r.Title))
	}
	return strings.Join(lines, "\n")
}

// Link is an HTML link with the title escaped and the URL quoted safely.
func Link(url, title string) string {
	return `<a href="` + telegram.Esc(url) + `">` + telegram.Esc(title) + "</a>"
}

// fit joins head, lead and tail, cutting the lead to stay within limit
// visible characters (UTF-16, as Telegram counts).
func fit(head, lead, tail string, limit int) string {
	join := func(lead string) string {
		parts := []string{head}
		if lead != "" {
			parts = append(parts, telegram.Esc(lead))
		}
		if tail != "" {
			parts = append(parts, tail)
		}
		return strings.Join(parts, "\n\n")
	}
	full := join(lead)
	over := telegram.UTF16Len(telegram.PlainText(full)) - limit
	if over <= 0 {
		return full
	}
	keep := telegram.UTF16Len(lead) - over - 1
	if keep < 20 {
		return join("")
	}
	return join(telegram.Truncate(lead, keep))
}
