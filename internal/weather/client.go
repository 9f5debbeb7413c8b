package weather

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxBody caps what we read from Open-Meteo; three days of forecast is ~2 KB.
const maxBody = 1 << 20

// forecastDays asks for today, tomorrow and one more, so "tomorrow" still
// exists when a value cached late in the evening is shown after midnight.
const forecastDays = 3

// forecastURL is the request SOURCES.md documents, on top of cfg.APIURL's own query.
func forecastURL(cfg Config) (string, error) {
	u, err := url.Parse(cfg.APIURL)
	if err != nil {
		return "", fmt.Errorf("weather: WEATHER_API_URL %q: %w", cfg.APIURL, err)
	}
	q := u.Query()
	q.Set("latitude", strconv.FormatFloat(cfg.Latitude, 'f', -1, 64))
	q.Set("longitude", strconv.FormatFloat(cfg.Longitude, 'f', -1, 64))
	q.Set("current", "temperature_2m,apparent_temperature,relative_humidity_2m,weather_code,wind_speed_10m,wind_direction_10m,is_day")
	q.Set("daily", "weather_code,temperature_2m_max,temperature_2m_min,precipitation_probability_max")
	q.Set("timezone", cfg.Timezone)
	q.Set("forecast_days", strconv.Itoa(forecastDays))
	q.Set("wind_speed_unit", "ms")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// fetchForecast makes one request to Open-Meteo, bounded by cfg.Timeout.
func fetchForecast(ctx context.Context, cfg Config) (Forecast, error) {
	target, err := forecastURL(cfg)
	if err != nil {
		return Forecast{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return Forecast{}, fmt.Errorf("weather: build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := cfg.HTTPClient.Do(req)
	if err != nil {
		return Forecast{}, fmt.Errorf("weather: open-meteo: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return Forecast{}, fmt.Errorf("weather: open-meteo: read answer (HTTP %d): %w", resp.StatusCode, err)
	}
	if len(body) > maxBody {
		return Forecast{}, fmt.Errorf("weather: open-meteo: answer over %d bytes", maxBody)
	}
	if resp.StatusCode != http.StatusOK {
		return Forecast{}, statusError(resp.StatusCode, body)
	}
	f, err := parseForecast(body)
	if err != nil {
		return Forecast{}, fmt.Errorf("weather: open-meteo: %w", err)
	}
	return f, nil
}

// statusError names the status and, for a 400, Open-Meteo's reason.
func statusError(code int, body []byte) error {
	var e struct {
		Reason string `json:"reason"`
	}
	_ = json.Unmarshal(body, &e) // a 5xx may be an HTML page: the status says enough
	switch {
	case code == http.StatusTooManyRequests:
		return fmt.Errorf("weather: open-meteo: over the rate limit (HTTP 429): %s", e.Reason)
	case e.Reason != "":
		return fmt.Errorf("weather: open-meteo: HTTP %d: %s", code, e.Reason)
	default:
		return fmt.Errorf("weather: open-meteo: HTTP %d", code)
	}
}

// apiAnswer is Open-Meteo's columnar JSON. Pointers tell a missing or null
// value from a zero.
type apiAnswer struct {
	Error        bool   `json:"error"`
	Reason       string `json:"reason"`
	UTCOffset    *int   `json:"utc_offset_seconds"`
	CurrentUnits struct {
		WindSpeed string `json:"wind_speed_10m"`
	} `json:"current_units"`
	Current *struct {
		Time      string   `json:"time"`
		Temp      *float64 `json:"temperature_2m"`
		Feels     *float64 `json:"apparent_temperature"`
		Humidity  *float64 `json:"relative_humidity_2m"`
		Code      *float64 `json:"weather_code"`
		WindSpeed *float64 `json:"wind_speed_10m"`
		WindDir   *float64 `json:"wind_direction_10m"`
		IsDay     *float64 `json:"is_day"`
	} `json:"current"`
	Daily *struct {
		Time   []string   `json:"time"`
		Code   []*float64 `json:"weather_code"`
		Max    []*float64 `json:"temperature_2m_max"`
		Min    []*float64 `json:"temperature_2m_min"`
		Precip []*float64 `json:"precipitation_probability_max"`
	} `json:"daily"`
}

// parseForecast turns Open-Meteo's answer into a Forecast; anything missing
// that the text needs is an error, never a panic.
func parseForecast(body []byte) (Forecast, error) {
	var a apiAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return Forecast{}, fmt.Errorf("decode answer: %w", err)
	}
	if a.Error {
		return Forecast{}, fmt.Errorf("error answer: %s", a.Reason)
	}
	if a.UTCOffset == nil {
		return Forecast{}, errors.New("no utc_offset_seconds")
	}
	cur, err := parseCurrent(&a, *a.UTCOffset)
	if err != nil {
		return Forecast{}, err
	}
	days, err := parseDays(&a)
	if err != nil {
		return Forecast{}, err
	}
	return Forecast{Current: cur, Days: days}, nil
}

func parseCurrent(a *apiAnswer, offset int) (Current, error) {
	c := a.Current
	if c == nil || c.Temp == nil || c.Code == nil {
		return Current{}, errors.New("no current temperature_2m or weather_code")
	}
	// current.time has no offset: it is local to utc_offset_seconds.
	t, err := time.ParseInLocation("2006-01-02T15:04", c.Time, time.FixedZone("", offset))
	if err != nil {
		return Current{}, fmt.Errorf("current.time %q: %w", c.Time, err)
	}
	out := Current{Time: t, Temp: *c.Temp, Code: int(math.Round(*c.Code)), Feels: c.Feels,
		IsDay: c.IsDay == nil || *c.IsDay != 0}
	if c.Humidity != nil {
		h := int(math.Round(*c.Humidity))
		out.Humidity = &h
	}
	if c.WindSpeed != nil && c.WindDir != nil {
		out.Wind = &Wind{Speed: toMetresPerSecond(*c.WindSpeed, a.CurrentUnits.WindSpeed), Dir: normDegrees(*c.WindDir)}
	}
	return out, nil
}

// toMetresPerSecond honours the unit Open-Meteo reports, in case the
// wind_speed_unit parameter was dropped by a proxy or a mirror.
func toMetresPerSecond(v float64, unit string) float64 {
	switch strings.ToLower(strings.TrimSpace(unit)) {
	case "km/h":
		return v / 3.6
	case "mp/h", "mph":
		return v * 0.44704
	case "kn":
		return v * 0.514444
	default:
		return v
	}
}

func normDegrees(d float64) int {
	n := int(math.Round(d)) % 360
	if n < 0 {
		n += 360
	}
	return n
}

// parseDays reads the parallel daily arrays. Today and tomorrow must be
// complete; a later day with a gap ends the list.
func parseDays(a *apiAnswer) ([]Day, error) {
	d := a.Daily
	if d == nil {
		return nil, errors.New("no daily values")
	}
	n := len(d.Time)
	if n < 2 || len(d.Code) < n || len(d.Max) < n || len(d.Min) < n {
		return nil, fmt.Errorf("daily arrays too short: time %d, weather_code %d, max %d, min %d (need 2 days)",
			n, len(d.Code), len(d.Max), len(d.Min))
	}
	var days []Day
	for i := range n {
		if d.Code[i] == nil || d.Max[i] == nil || d.Min[i] == nil || !isDate(d.Time[i]) {
			if i < 2 {
				return nil, fmt.Errorf("daily values for %q missing", d.Time[i])
			}
			break
		}
		day := Day{Date: d.Time[i], Min: *d.Min[i], Max: *d.Max[i], Code: int(math.Round(*d.Code[i]))}
		if i < len(d.Precip) && d.Precip[i] != nil {
			p := int(math.Round(*d.Precip[i]))
			day.PrecipProb = &p
		}
		days = append(days, day)
	}
	return days, nil
}

func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}
