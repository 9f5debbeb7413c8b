package rates

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func cbrConfig(apiURL string) Config {
	cfg, _ := Config{APIURL: apiURL, Timeout: 2 * time.Second}.withDefaults(quietLog())
	return cfg
}

func TestParsesRealWindows1251Sample(t *testing.T) {
	s, err := parseSet(sample(t))
	if err != nil {
		t.Fatal(err)
	}
	if !s.Date.Equal(day(2023, 11, 2)) || len(s.Rates) != 43 || len(s.Skipped) != 0 {
		t.Fatalf("date %v, %d rates, skipped %v", s.Date, len(s.Rates), s.Skipped)
	}
	want := map[string]Rate{
		"USD": {Code: "USD", Name: "Доллар США", Nominal: 1, Value: dec(t, "93,2801"), PerUnit: dec(t, "93,2801")},
		"EUR": {Code: "EUR", Name: "Евро", Nominal: 1, Value: dec(t, "98,4365"), PerUnit: dec(t, "98,4365")},
		"JPY": {Code: "JPY", Name: "Японских иен", Nominal: 100, Value: dec(t, "61,6524"), PerUnit: dec(t, "0,616524")},
		"VND": {Code: "VND", Name: "Вьетнамских донгов", Nominal: 10000, Value: dec(t, "38,7231"), PerUnit: dec(t, "0,00387231")},
	}
	for code, w := range want {
		if got := s.Rates[code]; got != w {
			t.Errorf("%s = %+v, want %+v", code, got, w)
		}
	}
}

func TestPerUnitIsValueOverNominalWithoutVunitRate(t *testing.T) {
	body := encodeSet(t, day(2019, 3, 1),
		entry{"JPY", "Японских иен", 100, "59,3912"},
		entry{"VND", "Вьетнамских донгов", 10000, "28,3615"},
		entry{"HUF", "Венгерских форинтов", 100, "23,5"})
	s, err := parseSet(body)
	if err != nil {
		t.Fatal(err)
	}
	for code, want := range map[string]string{"JPY": "0,593912", "VND": "0,00283615", "HUF": "0,235"} {
		if got := s.Rates[code].PerUnit; got != dec(t, want) {
			t.Errorf("%s per unit = %d, want %s", code, got, want)
		}
	}
	if s.Rates["JPY"].Name != "Японских иен" {
		t.Errorf("name decoded as %q", s.Rates["JPY"].Name)
	}
}

func TestUnreadableEntriesAreSkippedNotFatal(t *testing.T) {
	body := encodeSet(t, day(2023, 11, 2),
		entry{"USD", "Доллар США", 1, "93,2801"},
		entry{"EUR", "Евро", 1, "девяносто"},
		entry{"JPY", "Японских иен", 0, "61,6524"},
		entry{"US", "Нечто", 1, "1,0"},
		entry{"USD", "Доллар США ещё раз", 1, "1,0"})
	s, err := parseSet(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Rates) != 1 || s.Rates["USD"].Value != dec(t, "93,2801") || len(s.Skipped) != 4 {
		t.Fatalf("rates %v, skipped %v", s.Rates, s.Skipped)
	}
	if _, err := parseSet(encodeSet(t, day(2023, 11, 2), entry{"EUR", "Евро", 1, "x"})); err == nil {
		t.Fatal("a set with no readable rate must be an error")
	}
}

func TestBadAnswersAreErrorsWithContext(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"500", 500, "", "HTTP 500"},
		{"429", 429, "", "HTTP 429"},
		{"502 html page", 502, "<html><body>Bad Gateway</body></html>", "HTTP 502"},
		{"garbage", 200, "this is not xml", "decode XML"},
		{"empty", 200, "", "decode XML"},
		{"html page with 200", 200, "<html><body>maintenance</body></html>", "decode XML"},
		{"bank's parameter error", 200, "<ValCurs>Error in parameters</ValCurs>", "ValCurs Date"},
		{"no currencies", 200, `<?xml version="1.0" encoding="windows-1251"?><ValCurs Date="02.11.2023"></ValCurs>`, "no readable rates"},
		{"unknown charset", 200, `<?xml version="1.0" encoding="x-unheard-of"?><ValCurs Date="02.11.2023"/>`, "decode XML"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			t.Cleanup(srv.Close)
			_, err := fetchSet(context.Background(), cbrConfig(srv.URL), nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "rates: cbr latest") {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestDateReqIsWrittenAsTheBankExpects(t *testing.T) {
	var raw string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw = r.URL.RawQuery
		_, _ = w.Write(sample(t))
	}))
	t.Cleanup(srv.Close)
	d := day(2023, 11, 2)
	if _, err := fetchSet(context.Background(), cbrConfig(srv.URL+"/scripts/XML_daily.asp?x=1"), &d); err != nil {
		t.Fatal(err)
	}
	if raw != "x=1&date_req=02/11/2023" {
		t.Fatalf("query = %q", raw)
	}
}

func TestSlowBankTimesOut(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	cfg, _ := Config{APIURL: srv.URL, Timeout: 50 * time.Millisecond}.withDefaults(quietLog())
	start := time.Now()
	if _, err := fetchSet(context.Background(), cfg, nil); err == nil {
		t.Fatal("no error from a bank that never answers")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("gave up after %v, want about 50ms", d)
	}
}
