package render

import (
	"strconv"
	"strings"
	"time"

	"github.com/gubkin-news/newsbot/internal/i18n"
	"github.com/gubkin-news/newsbot/internal/news"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

// PageSize is how many articles /news shows at a time.
const PageSize = 5

// List is the /news page: title links with the site's dates, and a button
// that pages further back when there may be more.
func List(t *i18n.Bundle, lang, header string, as []news.Article, more bool, nextData string, now time.Time, loc *time.Location) telegram.Message {
	lines := []string{"<b>" + telegram.Esc(header) + "</b>"}
	for _, a := range as {
		lines = append(lines, Link(a.URL, a.Title)+"\n<i>"+When(t, lang, a.Published, now, loc)+"</i>")
	}
	m := telegram.Message{Text: strings.Join(lines, "\n\n"), NoPreview: true}
	if more {
		m.Keyboard = telegram.Keyboard{{{Text: t.T(lang, "news_more", nil), Data: nextData}}}
	}
	return m
}

// Links is a numbered list of article links (digests, summaries, briefs).
func Links(as []news.Article) string {
	lines := make([]string, len(as))
	for i, a := range as {
		lines[i] = strconv.Itoa(i+1) + ". " + Link(a.URL, a.Title)
	}
	return strings.Join(lines, "\n")
}
