package weather

import (
	"os"
	"testing"
	"time"

	"github.com/gubkin-news/newsbot/internal/i18n"
)

// FuzzParseForecast feeds the Open-Meteo parser any bytes: no panic, and
// whatever it accepts can be written out in both languages.
func FuzzParseForecast(f *testing.F) {
	for _, name := range []string{"testdata/gubkin_forecast.json", "testdata/openmeteo_forecast_penza_moscow.json"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"error":true,"reason":"Latitude must be in range"}`))
	f.Add([]byte(`{"utc_offset_seconds":99999999999,"current":{"time":"2023-13-45T99:99","temperature_2m":1e308},"daily":{"time":["x"]}}`))
	texts, err := i18n.Default("ru")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fc, err := parseForecast(body)
		if err != nil {
			return
		}
		snap := Snapshot{Forecast: fc, FetchedAt: time.Unix(0, 0)}
		for _, lang := range []string{"ru", "en"} {
			if Format(texts, lang, snap, time.Unix(0, 0)) == "" {
				t.Fatal("empty text for an accepted forecast")
			}
		}
	})
}
