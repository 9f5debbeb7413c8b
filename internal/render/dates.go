// Package render turns articles into what residents read in Telegram: the
// push of one article, the /news list, digests, with dates the way the site
// writes them («Сегодня, 09:34», «Вчера, 18:10», «30 апреля»).
package render

import (
	"strconv"
	"time"

	"github.com/gubkin-news/newsbot/internal/i18n"
)

// When is a published time relative to now, in loc and lang.
func When(t *i18n.Bundle, lang string, published, now time.Time, loc *time.Location) string {
	p, n := published.In(loc), now.In(loc)
	clock := p.Format("15:04")
	switch day(n).Sub(day(p)) {
	case 0:
		return t.T(lang, "date_today", map[string]any{"Time": clock})
	case 24 * time.Hour:
		return t.T(lang, "date_yesterday", map[string]any{"Time": clock})
	}
	month := t.T(lang, "month_gen_"+strconv.Itoa(int(p.Month())), nil)
	data := map[string]any{"Day": p.Day(), "Month": month, "Year": p.Year()}
	if p.Year() != n.Year() {
		return t.T(lang, "date_day_month_year", data)
	}
	return t.T(lang, "date_day_month", data)
}

// day is the midnight starting t's calendar day (DST-safe: built from the date).
func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) // noon UTC: days differ by exactly 24h
}
