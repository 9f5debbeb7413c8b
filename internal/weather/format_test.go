package weather

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// gubkinSnapshot is testdata/gubkin_forecast.json as Get returns it.
func gubkinSnapshot(t *testing.T) Snapshot {
	t.Helper()
	f, err := parseForecast(readFile(t, "gubkin_forecast.json"))
	if err != nil {
		t.Fatal(err)
	}
	return Snapshot{Forecast: f, FetchedAt: time.Date(2023, 11, 8, 14, 31, 0, 0, msk)}
}

func TestFormatRussianExact(t *testing.T) {
	now := time.Date(2023, 11, 8, 15, 0, 0, 0, msk)
	got := Format(bundle(t), "ru", gubkinSnapshot(t), now)
	want := "🌨 <b>Губкин</b>: −3 °С, небольшой снег\n" +
		"Ощущается как −7 °С\n" +
		"Ветер: северо-западный, 5 м/с\n" +
		"Влажность: 86%\n" +
		"\n" +
		"<b>Сегодня</b>: −5…0 °С, небольшой снег, вероятность осадков 80%\n" +
		"<b>Завтра</b>: −3…+2 °С, пасмурно, вероятность осадков 10%\n" +
		"\n" +
		"Погода: Open-Meteo.com"
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(got, "°\u0421") {
		t.Fatal("Russian text must use the Cyrillic С in °С, as the site does")
	}
}

func TestFormatEnglishExact(t *testing.T) {
	now := time.Date(2023, 11, 8, 15, 0, 0, 0, msk)
	got := Format(bundle(t), "en", gubkinSnapshot(t), now)
	want := "🌨 <b>Gubkin</b>: −3 °C, light snow\n" +
		"Feels like −7 °C\n" +
		"Wind: 5 m/s from the northwest\n" +
		"Humidity: 86%\n" +
		"\n" +
		"<b>Today</b>: −5…0 °C, light snow, chance of precipitation 80%\n" +
		"<b>Tomorrow</b>: −3…+2 °C, overcast, chance of precipitation 10%\n" +
		"\n" +
		"Weather: Open-Meteo.com"
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestStaleTextSaysWhenTheDataIsFrom(t *testing.T) {
	b, snap := bundle(t), gubkinSnapshot(t)
	snap.Stale = true
	cases := []struct {
		lang string
		now  time.Time
		want string
	}{
		{"ru", time.Date(2023, 11, 8, 16, 0, 0, 0, msk), "\n<i>Данные на 14:30</i>\nПогода: Open-Meteo.com"},
		{"en", time.Date(2023, 11, 8, 16, 0, 0, 0, msk), "\n<i>Data as of 14:30</i>\nWeather: Open-Meteo.com"},
		// A day later the time alone would mislead: the date is added, in the data's zone.
		{"ru", time.Date(2023, 11, 9, 9, 0, 0, 0, time.UTC), "<i>Данные на 08.11, 14:30</i>"},
		{"en", time.Date(2023, 11, 9, 9, 0, 0, 0, time.UTC), "<i>Data as of Nov 8, 14:30</i>"},
	}
	for _, tc := range cases {
		if got := Format(b, tc.lang, snap, tc.now); !strings.Contains(got, tc.want) {
			t.Errorf("%s at %v:\n%s\nwant it to contain %q", tc.lang, tc.now, got, tc.want)
		}
	}
	snap.Stale = false
	if got := Format(b, "ru", snap, time.Date(2023, 11, 8, 16, 0, 0, 0, msk)); strings.Contains(got, "Данные на") {
		t.Errorf("fresh text marked stale:\n%s", got)
	}
}

func TestTodayAndTomorrowFollowTheClock(t *testing.T) {
	b, snap := bundle(t), gubkinSnapshot(t)
	// 23:30 UTC on the 8th is already the 9th in Moscow.
	got := Format(b, "en", snap, time.Date(2023, 11, 8, 23, 30, 0, 0, time.UTC))
	if !strings.Contains(got, "<b>Today</b>: −3…+2 °C, overcast") || !strings.Contains(got, "<b>Tomorrow</b>: 0…+5 °C, light rain\n") {
		t.Fatalf("on the 9th, today must be the 9th and tomorrow the 10th (no precipitation chance known):\n%s", got)
	}
	got = Format(b, "en", snap, time.Date(2023, 11, 12, 12, 0, 0, 0, msk))
	if strings.Contains(got, "Today") || strings.Contains(got, "Tomorrow") {
		t.Fatalf("days not in the forecast must not be shown:\n%s", got)
	}
}

func TestEveryWMOCodeHasWordsInBothLanguages(t *testing.T) {
	b := bundle(t)
	for _, lang := range []string{"ru", "en"} {
		unknown := b.T(lang, "weather_code_unknown", nil)
		for _, code := range Codes {
			got := Condition(b, lang, code)
			if got == "" || got == unknown || strings.HasPrefix(got, "weather_") {
				t.Errorf("%s: code %d reads %q", lang, code, got)
			}
		}
		for _, code := range []int{-1, 4, 50, 100, 1 << 30} {
			if got := Condition(b, lang, code); got != unknown || got == "" || strings.HasPrefix(got, "weather_") {
				t.Errorf("%s: unknown code %d reads %q, want %q", lang, code, got, unknown)
			}
		}
	}
	if Condition(b, "ru", 0) != "ясно" || Condition(b, "en", 95) != "thunderstorm" || Condition(b, "ru", 99) != "гроза с градом" {
		t.Error("code words differ from SOURCES.md")
	}
}

func TestSignedWritesTheSiteSign(t *testing.T) {
	for in, want := range map[float64]string{21: "+21", 20.6: "+21", -3: "\u22123", -2.6: "\u22123",
		0: "0", -0.4: "0", 0.4: "0", 0.5: "+1", -0.5: "\u22121", -30.2: "\u221230"} {
		if got := Signed(in); got != want {
			t.Errorf("Signed(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestWindDirectionInEightPoints(t *testing.T) {
	for deg, want := range map[int]string{0: "n", 22: "n", 23: "ne", 45: "ne", 90: "e", 135: "se", 180: "s",
		240: "sw", 270: "w", 315: "nw", 337: "nw", 338: "n", 360: "n", -90: "w", 725: "n"} {
		if got := compassPoint(deg); got != want {
			t.Errorf("compassPoint(%d) = %q, want %q", deg, got, want)
		}
	}
	b := bundle(t)
	if got := wind(b, "ru", Wind{Speed: 0.4, Dir: 90}); got != "Ветер: штиль" {
		t.Errorf("light air = %q, want calm", got)
	}
}

func TestShortAndKeyboard(t *testing.T) {
	b, snap := bundle(t), gubkinSnapshot(t)
	if got := Short(b, "ru", snap); got != "−3 °С, небольшой снег" {
		t.Errorf("ru short = %q", got)
	}
	snap.Current.Temp, snap.Current.Code = 21.2, 0
	if got := Short(b, "en", snap); got != "+21 °C, clear" {
		t.Errorf("en short = %q", got)
	}
	kb := Keyboard(b, "ru")
	if len(kb) != 1 || len(kb[0]) != 1 || kb[0][0].Data != RefreshData || kb[0][0].Text != "🔄 Обновить" || RefreshData != "wx:refresh" {
		t.Errorf("keyboard = %+v", kb)
	}
	if Keyboard(b, "en")[0][0].Text != "🔄 Refresh" {
		t.Error("English refresh button")
	}
}

func TestConfiguredPlaceIsEscaped(t *testing.T) {
	snap := gubkinSnapshot(t)
	snap.Place = "Губкин <центр>"
	if got := Format(bundle(t), "en", snap, time.Time{}); !strings.Contains(got, "<b>Губкин &lt;центр&gt;</b>") {
		t.Fatalf("got %s", got)
	}
}

func TestMinimalSnapshotNeverPanics(t *testing.T) {
	b := bundle(t)
	for _, lang := range []string{"ru", "en", "de"} {
		got := Format(b, lang, Snapshot{}, time.Time{})
		if !strings.Contains(got, "0 °") || strings.Contains(got, "<no value>") {
			t.Errorf("%s: %q", lang, got)
		}
	}
}

func TestWeatherTextsExistInBothLanguages(t *testing.T) {
	b := bundle(t)
	ru, en := b.IDs("ru"), b.IDs("en")
	if !reflect.DeepEqual(ru, en) {
		t.Fatalf("ids differ:\nru %v\nen %v", ru, en)
	}
	for _, id := range ru {
		if !strings.HasPrefix(id, "weather_") {
			t.Errorf("id %q lacks the weather_ prefix", id)
		}
	}
	for _, code := range Codes {
		if id := "weather_code_" + strconv.Itoa(code); b.T("en", id, nil) == id {
			t.Errorf("%s missing", id)
		}
	}
}
