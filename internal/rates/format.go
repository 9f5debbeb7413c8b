package rates

import (
	"html"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gubkin-news/newsbot/internal/i18n"
)

// maxEchoedCode bounds how much of a user's unknown code is echoed back.
const maxEchoedCode = 16

// Format is the full /rates answer (HTML): the date the set is in force, one
// line per configured currency with its change against the previous set, the
// stale mark when the data is old, and the source.
func Format(b *i18n.Bundle, lang string, snap Snapshot, now time.Time) string {
	lines := []string{b.T(lang, "rates_title", map[string]any{"Date": dateText(b, lang, snap.Date, now)})}
	lines = append(lines, currencyLines(b, lang, snap)...)
	return strings.Join(append(append(lines, ""), footer(b, lang, snap, now)...), "\n")
}

// Short is the one line of the morning brief: «USD 93,28 ₽ ▲ 0,12 · EUR 98,44 ₽ ▼ 0,05».
func Short(b *i18n.Bundle, lang string, snap Snapshot) string {
	return strings.Join(currencyLines(b, lang, snap), " · ")
}

// FormatOne answers /rates <code> for any currency of the set, case-insensitive,
// per one unit and, when the bank quotes per 10 or 100, per its nominal too.
// An unknown code gets the list of the codes there are.
func FormatOne(b *i18n.Bundle, lang string, snap Snapshot, code string, now time.Time) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	r, ok := snap.Rates[code]
	if !ok {
		return unknown(b, lang, snap, code)
	}
	sep := b.T(lang, "rates_decimal_sep", nil)
	data := map[string]any{
		"Code": r.Code, "Name": html.EscapeString(r.Name), "Nominal": r.Nominal,
		"Value": r.Value.Format(2, sep), "PerUnit": r.PerUnit.Format(places(r.PerUnit), sep),
		"Change": change(snap, r, sep),
	}
	id := "rates_one_unit"
	if r.Nominal != 1 {
		id, data["Name"] = "rates_one_nominal", html.EscapeString(lowerFirst(r.Name))
	}
	lines := []string{
		b.T(lang, "rates_title", map[string]any{"Date": dateText(b, lang, snap.Date, now)}),
		b.T(lang, id, data), "",
	}
	return strings.Join(append(lines, footer(b, lang, snap, now)...), "\n")
}

// currencyLines gives «USD 93,28 ₽ ▲ 0,12» for each configured currency the set has.
func currencyLines(b *i18n.Bundle, lang string, snap Snapshot) []string {
	sep := b.T(lang, "rates_decimal_sep", nil)
	var out []string
	for _, code := range snap.Currencies {
		r, ok := snap.Rates[code]
		if !ok {
			continue
		}
		out = append(out, b.T(lang, "rates_line", map[string]any{
			"Code": r.Code, "Value": r.PerUnit.Format(places(r.PerUnit), sep), "Change": change(snap, r, sep),
		}))
	}
	if len(out) == 0 {
		out = append(out, b.T(lang, "rates_none", map[string]any{"Codes": strings.Join(snap.Currencies, ", ")}))
	}
	return out
}

// places: kopecks for rates of a rouble or more; four places below, so a yen
// (0,6165 ₽) or a dong (0,0039 ₽) does not read as zero.
func places(perUnit Decimal) int {
	if perUnit >= decimalScale {
		return 2
	}
	return 4
}

// change is « ▲ 0,12», « ▼ 0,05», or « = 0,00» when it rounds to nothing (so
// a −0,004 never prints as −0,00); empty when the previous set is unknown.
func change(snap Snapshot, r Rate, sep string) string {
	d, ok := snap.Change(r.Code)
	if !ok {
		return ""
	}
	p := places(r.PerUnit)
	switch n := d.Round(p); {
	case n > 0:
		return " ▲ " + d.Format(p, sep)
	case n < 0:
		return " ▼ " + (-d).Format(p, sep)
	default:
		return " = " + Decimal(0).Format(p, sep)
	}
}

func footer(b *i18n.Bundle, lang string, snap Snapshot, now time.Time) []string {
	var out []string
	if snap.Stale {
		out = append(out, staleLine(b, lang, snap, now))
	}
	return append(out, b.T(lang, "rates_source", nil))
}

// staleLine says when the bank last answered, in the configured zone, with
// the date when it was not today.
func staleLine(b *i18n.Bundle, lang string, snap Snapshot, now time.Time) string {
	loc := snap.Location
	if loc == nil {
		loc = now.Location()
	}
	at := snap.FetchedAt.In(loc)
	data := map[string]any{"Time": at.Format("15:04")}
	if !now.IsZero() && now.In(loc).Format(time.DateOnly) != at.Format(time.DateOnly) {
		data["Date"] = dateText(b, lang, at, now)
		return b.T(lang, "rates_stale_day", data)
	}
	return b.T(lang, "rates_stale", data)
}

// dateText is «3 ноября» / «November 3», with the year when it is not now's.
func dateText(b *i18n.Bundle, lang string, d, now time.Time) string {
	data := map[string]any{
		"Day": d.Day(), "Month": b.T(lang, "rates_month_"+strconv.Itoa(int(d.Month())), nil), "Year": d.Year(),
	}
	if now.IsZero() || now.Year() == d.Year() {
		return b.T(lang, "rates_date", data)
	}
	return b.T(lang, "rates_date_year", data)
}

func unknown(b *i18n.Bundle, lang string, snap Snapshot, code string) string {
	codes := make([]string, 0, len(snap.Rates))
	for c := range snap.Rates {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	if utf8.RuneCountInString(code) > maxEchoedCode {
		code = string([]rune(code)[:maxEchoedCode]) + "…"
	}
	return b.T(lang, "rates_unknown", map[string]any{
		"Code": html.EscapeString(code), "Codes": strings.Join(codes, ", "),
	})
}

// lowerFirst turns the bank's «Японских иен» into «японских иен» for the
// middle of a sentence, but leaves abbreviations such as «СДР» alone.
func lowerFirst(s string) string {
	first, n := utf8.DecodeRuneInString(s)
	second, _ := utf8.DecodeRuneInString(s[n:])
	if n == 0 || !unicode.IsLower(second) {
		return s
	}
	return string(unicode.ToLower(first)) + s[n:]
}
