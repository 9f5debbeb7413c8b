package app

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// upstream serves a file until it is told to fail.
type upstream struct {
	srv   *httptest.Server
	down  atomic.Bool
	calls atomic.Int64
}

func newUpstream(t *testing.T, file, contentType string) *upstream {
	body, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	u := &upstream{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.calls.Add(1)
		if u.down.Load() {
			http.Error(w, "<html>502 Bad Gateway</html>", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(body)
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func TestWeatherAndRatesAnswerFromCacheAndSurviveUpstreamOutage(t *testing.T) {
	e := newEnv(t)
	wx := newUpstream(t, "../weather/testdata/gubkin_forecast.json", "application/json")
	cbr := newUpstream(t, "../rates/testdata/cbr_XML_daily.xml", "application/xml; charset=windows-1251")
	e.vars["WEATHER_API_URL"] = wx.srv.URL + "/v1/forecast"
	e.vars["RATES_API_URL"] = cbr.srv.URL + "/scripts/XML_daily.asp"
	e.start()
	e.say(3001, "/weather")
	got := e.waitText(3001, "Open-Meteo.com")
	for _, want := range []string{"−3 °С", "Губкин"} {
		if !strings.Contains(got, want) {
			t.Errorf("/weather lacks %q:\n%s", want, got)
		}
	}
	e.say(3001, "/rates")
	e.waitText(3001, "93,28")
	e.say(3001, "/rates jpy")
	e.waitText(3001, "100 ")
	e.say(3001, "/rates xyz")
	e.waitText(3001, "XYZ")
	wx.down.Store(true)
	cbr.down.Store(true)
	before := len(e.fake.Texts(3001))
	e.say(3001, "/weather")
	e.say(3001, "/rates")
	e.fake.WaitFor(t, 10*time.Second, func() bool { return len(e.fake.Texts(3001)) == before+2 }, "answers while upstreams are down")
	texts := e.fake.Texts(3001)
	if !strings.Contains(texts[before], "Open-Meteo") || !strings.Contains(texts[before+1], "93,28") {
		t.Fatalf("the last good values were not served:\n%s", strings.Join(texts[before:], "\n---\n"))
	}
}

func TestWeatherWithNothingCachedAndUpstreamDownApologizes(t *testing.T) {
	e := newEnv(t)
	wx := newUpstream(t, "../weather/testdata/gubkin_forecast.json", "application/json")
	wx.down.Store(true)
	e.vars["WEATHER_API_URL"] = wx.srv.URL
	e.start()
	e.say(3002, "/weather")
	e.waitText(3002, "Не удалось узнать погоду")
}
