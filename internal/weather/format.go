package weather

import (
	"html"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gubkin-news/newsbot/internal/i18n"
	"github.com/gubkin-news/newsbot/internal/telegram"
)

// Codes lists every WMO weather code Open-Meteo uses (SOURCES.md); each has a
// "weather_code_<n>" text in every language. Any other code reads as
// "weather_code_unknown".
var Codes = []int{0, 1, 2, 3, 45, 48, 51, 53, 55, 56, 57, 61, 63, 65, 66, 67,
	71, 73, 75, 77, 80, 81, 82, 85, 86, 95, 96, 99}

// compass holds the ids of the 8 compass points, clockwise from north.
var compass = [8]string{"n", "ne", "e", "se", "s", "sw", "w", "nw"}

// Format is the full /weather answer (HTML): now, today, tomorrow, the stale
// mark when the data is old, and the attribution CC BY requires. now picks
// which forecast day is "today".
func Format(b *i18n.Bundle, lang string, snap Snapshot, now time.Time) string {
	c := snap.Current
	lines := []string{b.T(lang, "weather_now", map[string]any{
		"Icon": icon(c.Code, c.IsDay), "Place": place(b, lang, snap),
		"Temp": temp(b, lang, c.Temp), "Condition": Condition(b, lang, c.Code),
	})}
	if c.Feels != nil {
		lines = append(lines, b.T(lang, "weather_feels", map[string]any{"Temp": temp(b, lang, *c.Feels)}))
	}
	if c.Wind != nil {
		lines = append(lines, wind(b, lang, *c.Wind))
	}
	if c.Humidity != nil {
		lines = append(lines, b.T(lang, "weather_humidity", map[string]any{"Value": *c.Humidity}))
	}
	if days := dayLines(b, lang, snap, now); len(days) > 0 {
		lines = append(append(lines, ""), days...)
	}
	lines = append(lines, "")
	if snap.Stale {
		lines = append(lines, staleLine(b, lang, c.Time, now))
	}
	lines = append(lines, b.T(lang, "weather_source", nil))
	return strings.Join(lines, "\n")
}

// Short is the one line of the morning brief: «+21 °С, ясно».
func Short(b *i18n.Bundle, lang string, snap Snapshot) string {
	return b.T(lang, "weather_short", map[string]any{
		"Temp": temp(b, lang, snap.Current.Temp), "Condition": Condition(b, lang, snap.Current.Code),
	})
}

// Keyboard is the one «🔄 Обновить» button under the answer; its data is RefreshData.
func Keyboard(b *i18n.Bundle, lang string) telegram.Keyboard {
	return telegram.Keyboard{{{Text: b.T(lang, "weather_refresh", nil), Data: RefreshData}}}
}

// Condition is the WMO code in words; an unknown code gets a neutral word.
func Condition(b *i18n.Bundle, lang string, code int) string {
	for _, known := range Codes {
		if code == known {
			return b.T(lang, "weather_code_"+strconv.Itoa(code), nil)
		}
	}
	return b.T(lang, "weather_code_unknown", nil)
}

// Signed writes a temperature as the site does: «+21», «−3» (U+2212 minus),
// «0». It rounds first, so −0.4 is «0», never «−0».
func Signed(t float64) string {
	n := int(math.Round(t))
	switch {
	case n > 0:
		return "+" + strconv.Itoa(n)
	case n < 0:
		return "\u2212" + strconv.Itoa(-n)
	default:
		return "0"
	}
}

func temp(b *i18n.Bundle, lang string, t float64) string {
	return b.T(lang, "weather_temp", map[string]any{"Value": Signed(t)})
}

func place(b *i18n.Bundle, lang string, snap Snapshot) string {
	if snap.Place != "" {
		return html.EscapeString(snap.Place)
	}
	return b.T(lang, "weather_place", nil)
}

func wind(b *i18n.Bundle, lang string, w Wind) string {
	speed := int(math.Round(w.Speed))
	if speed <= 0 {
		return b.T(lang, "weather_wind_calm", nil)
	}
	return b.T(lang, "weather_wind", map[string]any{
		"Speed": speed, "Dir": b.T(lang, "weather_wind_"+compassPoint(w.Dir), nil),
	})
}

// compassPoint is the nearest of the 8 points, 45° apart: 23° is already
// north-east, 338° north again.
func compassPoint(deg int) string {
	deg = (deg%360 + 360) % 360
	return compass[(2*deg+45)/90%8]
}

// dayLines gives today's and tomorrow's lines, found by date so a value
// cached yesterday never passes yesterday off as today.
func dayLines(b *i18n.Bundle, lang string, snap Snapshot, now time.Time) []string {
	loc := snap.Current.Time.Location()
	if now.IsZero() {
		now = snap.Current.Time
	}
	today := now.In(loc)
	var out []string
	for i, label := range []string{"weather_today", "weather_tomorrow"} {
		date := today.AddDate(0, 0, i).Format(time.DateOnly)
		for _, d := range snap.Days {
			if d.Date == date {
				out = append(out, dayLine(b, lang, b.T(lang, label, nil), d))
			}
		}
	}
	return out
}

func dayLine(b *i18n.Bundle, lang, label string, d Day) string {
	data := map[string]any{
		"Label": label, "Min": Signed(d.Min), "Max": Signed(d.Max), "Condition": Condition(b, lang, d.Code),
	}
	if d.PrecipProb == nil {
		return b.T(lang, "weather_day", data)
	}
	data["Precip"] = *d.PrecipProb
	return b.T(lang, "weather_day_precip", data)
}

// staleLine says when the values are from, with the date when not today.
func staleLine(b *i18n.Bundle, lang string, at, now time.Time) string {
	data := map[string]any{"Time": at.Format("15:04")}
	if !now.IsZero() && now.In(at.Location()).Format(time.DateOnly) != at.Format(time.DateOnly) {
		data["Date"] = at.Format(b.T(lang, "weather_date_layout", nil))
		return b.T(lang, "weather_stale_day", data)
	}
	return b.T(lang, "weather_stale", data)
}

// icon is a picture for the condition; night matters only for clear skies.
func icon(code int, isDay bool) string {
	switch {
	case code == 0 || code == 1:
		if !isDay {
			return "🌙"
		}
		if code == 0 {
			return "☀️"
		}
		return "🌤"
	case code == 2:
		return "⛅"
	case code == 3:
		return "☁️"
	case code == 45 || code == 48:
		return "🌫"
	case code >= 51 && code <= 67, code >= 80 && code <= 82:
		return "🌧"
	case code >= 71 && code <= 77, code == 85 || code == 86:
		return "🌨"
	case code >= 95 && code <= 99:
		return "⛈"
	default:
		return "🌡"
	}
}
