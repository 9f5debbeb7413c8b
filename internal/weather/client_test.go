package weather

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func testConfig(apiURL string) Config {
	return Config{APIURL: apiURL, Timeout: 2 * time.Second}.withDefaults()
}

func TestParsesRealSampleWithLocalTimes(t *testing.T) {
	f, err := parseForecast(readFile(t, "openmeteo_forecast_penza_moscow.json"))
	if err != nil {
		t.Fatal(err)
	}
	c := f.Current
	// 17:45 local at UTC+3 is 14:45 UTC.
	if want := time.Date(2023, 11, 8, 14, 45, 0, 0, time.UTC); !c.Time.Equal(want) || c.Time.Format("15:04") != "17:45" {
		t.Errorf("current time = %v, want %v shown as 17:45", c.Time, want)
	}
	if c.Temp != 7.8 || c.Feels == nil || *c.Feels != 5.8 || c.Code != 2 || c.IsDay {
		t.Errorf("current = %+v", c)
	}
	// The sample reports km/h: 7.1 km/h is 1.97 m/s.
	if c.Wind == nil || math.Abs(c.Wind.Speed-7.1/3.6) > 1e-9 || c.Wind.Dir != 240 {
		t.Errorf("wind = %+v, want 1.97 m/s from 240°", c.Wind)
	}
	if c.Humidity != nil {
		t.Errorf("humidity = %v, want nil (the sample has none)", *c.Humidity)
	}
	if len(f.Days) != 7 || f.Days[0] != (Day{Date: "2023-11-08", Min: 5.3, Max: 10.1, Code: 45}) ||
		f.Days[1] != (Day{Date: "2023-11-09", Min: 5.1, Max: 7.1, Code: 61}) {
		t.Errorf("days = %+v", f.Days)
	}
}

func TestParsesFullGubkinAnswer(t *testing.T) {
	f, err := parseForecast(readFile(t, "gubkin_forecast.json"))
	if err != nil {
		t.Fatal(err)
	}
	c := f.Current
	if c.Time.Format(time.RFC3339) != "2023-11-08T14:30:00+03:00" || c.Temp != -2.6 || *c.Feels != -7.4 ||
		*c.Humidity != 86 || c.Code != 71 || *c.Wind != (Wind{Speed: 4.6, Dir: 315}) || !c.IsDay {
		t.Errorf("current = %+v", c)
	}
	if len(f.Days) != 3 || *f.Days[0].PrecipProb != 80 || *f.Days[1].PrecipProb != 10 || f.Days[2].PrecipProb != nil {
		t.Errorf("days = %+v", f.Days)
	}
}

func TestRequestAsksWhatSourcesDocuments(t *testing.T) {
	fake := newFakeMeteo(t, readFile(t, "gubkin_forecast.json"))
	if _, err := fetchForecast(context.Background(), testConfig(fake.URL+"/v1/forecast")); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(fake.lastURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	want := map[string]string{
		"latitude": "51.2833", "longitude": "37.55", "timezone": "Europe/Moscow",
		"wind_speed_unit": "ms", "forecast_days": "3",
		"current": "temperature_2m,apparent_temperature,relative_humidity_2m,weather_code,wind_speed_10m,wind_direction_10m,is_day",
		"daily":   "weather_code,temperature_2m_max,temperature_2m_min,precipitation_probability_max",
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if u.Path != "/v1/forecast" {
		t.Errorf("path = %q", u.Path)
	}
}

func TestUpstreamFailuresAreErrorsWithContext(t *testing.T) {
	short := `{"utc_offset_seconds":10800,"current":{"time":"2023-11-08T14:30","temperature_2m":1,"weather_code":0},` +
		`"daily":{"time":["2023-11-08"],"weather_code":[0],"temperature_2m_max":[1],"temperature_2m_min":[0]}}`
	cases := []struct {
		name, body, want string
		status           int
	}{
		{"400 with reason", `{"error":true,"reason":"Latitude must be in range of -90 to 90°. Given: 951.0."}`, "Latitude must be", 400},
		{"429", `{"error":true,"reason":"Minutely API request limit exceeded"}`, "429", 429},
		{"500 html page", `<html><body>Bad Gateway</body></html>`, "HTTP 500", 500},
		{"garbage", `not json at all`, "decode answer", 200},
		{"empty body", ``, "decode answer", 200},
		{"empty object", `{}`, "utc_offset_seconds", 200},
		{"error flag with 200", `{"error":true,"reason":"Cannot initialize WeatherVariable"}`, "Cannot initialize", 200},
		{"no current", `{"utc_offset_seconds":0,"daily":{}}`, "current", 200},
		{"null temperature", strings.Replace(short, `"temperature_2m":1`, `"temperature_2m":null`, 1), "current", 200},
		{"bad current time", strings.Replace(short, "2023-11-08T14:30", "yesterday", 1), "current.time", 200},
		{"one day only", short, "too short", 200},
		{"empty daily arrays", strings.Replace(short, `"daily":{`, `"daily":{"x":0},"y":{`, 1), "too short", 200},
		{"no daily", strings.Replace(short, `"daily":`, `"weekly":`, 1), "no daily", 200},
		{"null max tomorrow", strings.Replace(strings.Replace(short, `"2023-11-08"]`, `"2023-11-08","2023-11-09"]`, 1),
			`"temperature_2m_max":[1]`, `"temperature_2m_max":[1,null]`, 1), "too short", 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFakeMeteo(t, []byte(tc.body))
			fake.answer(tc.status, []byte(tc.body))
			_, err := fetchForecast(context.Background(), testConfig(fake.URL))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "weather: open-meteo") {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestMissingDayValuesAreErrors(t *testing.T) {
	body := `{"utc_offset_seconds":10800,"current":{"time":"2023-11-08T14:30","temperature_2m":1,"weather_code":0},` +
		`"daily":{"time":["2023-11-08","2023-11-09","2023-11-10"],"weather_code":[0,1,null],` +
		`"temperature_2m_max":[1,null,3],"temperature_2m_min":[0,0,0]}}`
	if _, err := parseForecast([]byte(body)); err == nil || !strings.Contains(err.Error(), "2023-11-09") {
		t.Fatalf("err = %v, want tomorrow's gap named", err)
	}
	body = strings.Replace(body, "[1,null,3]", "[1,2,3]", 1) // only the third day has a gap
	f, err := parseForecast([]byte(body))
	if err != nil || len(f.Days) != 2 {
		t.Fatalf("got %d days, err %v; want the third day dropped", len(f.Days), err)
	}
}

func TestSlowUpstreamTimesOut(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers; returns when the client gives up
	}))
	t.Cleanup(srv.Close)
	cfg := Config{APIURL: srv.URL, Timeout: 50 * time.Millisecond}.withDefaults()
	start := time.Now()
	_, err := fetchForecast(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "deadline exceeded") && !strings.Contains(err.Error(), "Timeout") {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("gave up after %v, want about 50ms", d)
	}
}
