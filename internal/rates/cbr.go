package rates

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html/charset"
)

// maxBody caps what we read from the bank; a day's file is about 10 KB.
const maxBody = 1 << 20

// maxStepsBack bounds the walk to the previous set: the longest Russian
// holiday (New Year) leaves about ten days without a new set.
const maxStepsBack = 10

// Set is one file of the bank: the rates in force from Date.
type Set struct {
	Date    time.Time       // the day the set takes effect (UTC midnight), not the day asked for
	Rates   map[string]Rate // by CharCode
	Skipped []string        // entries that could not be read
}

// valCurs is XML_daily.asp's shape.
type valCurs struct {
	XMLName xml.Name `xml:"ValCurs"`
	Date    string   `xml:"Date,attr"`
	Valutes []struct {
		CharCode  string `xml:"CharCode"`
		Nominal   string `xml:"Nominal"`
		Name      string `xml:"Name"`
		Value     string `xml:"Value"`
		VunitRate string `xml:"VunitRate"`
	} `xml:"Valute"`
}

// fetchSet asks the bank for the set in force on date, or the latest set
// when date is nil. One call, bounded by cfg.Timeout.
func fetchSet(ctx context.Context, cfg Config, date *time.Time) (Set, error) {
	target, err := setURL(cfg.APIURL, date)
	if err != nil {
		return Set{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return Set{}, fmt.Errorf("rates: build request: %w", err)
	}
	resp, err := cfg.HTTPClient.Do(req)
	if err != nil {
		return Set{}, fmt.Errorf("rates: cbr %s: %w", asked(date), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	switch {
	case err != nil:
		return Set{}, fmt.Errorf("rates: cbr %s: read answer: %w", asked(date), err)
	case len(body) > maxBody:
		return Set{}, fmt.Errorf("rates: cbr %s: answer over %d bytes", asked(date), maxBody)
	case resp.StatusCode == http.StatusTooManyRequests:
		return Set{}, fmt.Errorf("rates: cbr %s: over the rate limit (HTTP 429)", asked(date))
	case resp.StatusCode != http.StatusOK:
		return Set{}, fmt.Errorf("rates: cbr %s: HTTP %d", asked(date), resp.StatusCode)
	}
	s, err := parseSet(body)
	if err != nil {
		return Set{}, fmt.Errorf("rates: cbr %s: %w", asked(date), err)
	}
	return s, nil
}

func asked(date *time.Time) string {
	if date == nil {
		return "latest"
	}
	return "date_req=" + date.Format("02/01/2006")
}

// setURL adds date_req=dd/mm/yyyy with its slashes as the bank's own links write them.
func setURL(apiURL string, date *time.Time) (string, error) {
	u, err := url.Parse(apiURL)
	if err != nil {
		return "", fmt.Errorf("rates: RATES_API_URL %q: %w", apiURL, err)
	}
	if date != nil {
		q := u.Query()
		q.Del("date_req")
		u.RawQuery = strings.TrimPrefix(q.Encode()+"&date_req="+date.Format("02/01/2006"), "&")
	}
	return u.String(), nil
}

// parseSet reads the windows-1251 file with decimal commas. One unreadable
// entry is skipped (named in Skipped); a file with none readable is an error.
func parseSet(body []byte) (Set, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.CharsetReader = charset.NewReaderLabel // the prolog declares windows-1251
	var vc valCurs
	if err := dec.Decode(&vc); err != nil {
		return Set{}, fmt.Errorf("decode XML: %w", err)
	}
	date, err := time.Parse("02.01.2006", strings.TrimSpace(vc.Date))
	if err != nil {
		return Set{}, fmt.Errorf("ValCurs Date %q: %w", vc.Date, err)
	}
	s := Set{Date: date, Rates: make(map[string]Rate, len(vc.Valutes))}
	for _, v := range vc.Valutes {
		r, err := newRate(v.CharCode, v.Nominal, v.Name, v.Value, v.VunitRate)
		if _, dup := s.Rates[r.Code]; err == nil && dup {
			err = errors.New("duplicate CharCode")
		}
		if err != nil {
			s.Skipped = append(s.Skipped, fmt.Sprintf("%q: %v", v.CharCode, err))
			continue
		}
		s.Rates[r.Code] = r
	}
	if len(s.Rates) == 0 {
		return Set{}, fmt.Errorf("set of %s has no readable rates (%d entries)", vc.Date, len(vc.Valutes))
	}
	return s, nil
}

// newRate checks one entry; the rate per unit is VunitRate when the bank gives
// it (since late 2023), else Value / Nominal.
func newRate(code, nominal, name, value, vunit string) (Rate, error) {
	r := Rate{Code: strings.ToUpper(strings.TrimSpace(code)), Name: strings.TrimSpace(name)}
	if len(r.Code) != 3 || !letters(r.Code) {
		return Rate{}, errors.New("bad CharCode")
	}
	n, err := strconv.Atoi(strings.TrimSpace(nominal))
	if err != nil || n <= 0 {
		return Rate{}, fmt.Errorf("%s: bad Nominal %q", r.Code, nominal)
	}
	r.Nominal = n
	if r.Value, err = ParseDecimal(value); err != nil || r.Value <= 0 {
		return Rate{}, fmt.Errorf("%s: bad Value %q", r.Code, value)
	}
	if r.PerUnit, err = ParseDecimal(vunit); err != nil || r.PerUnit <= 0 {
		r.PerUnit, _ = r.Value.Div(n)
	}
	return r, nil
}

func letters(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// previousSet finds the last set published before cur. It asks for the day
// before cur.Date; when the bank answers with a set that is not earlier
// (weekends, holidays, an evening answer already for tomorrow) it steps back
// a day more, at most maxStepsBack times.
func previousSet(ctx context.Context, cfg Config, cur Set) (Set, error) {
	ask := cur.Date
	for range maxStepsBack {
		ask = ask.AddDate(0, 0, -1)
		s, err := fetchSet(ctx, cfg, &ask)
		if err != nil {
			return Set{}, err
		}
		if s.Date.Before(cur.Date) {
			return s, nil
		}
	}
	return Set{}, fmt.Errorf("rates: no set before %s within %d days", cur.Date.Format(time.DateOnly), maxStepsBack)
}
