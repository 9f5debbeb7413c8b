package rates

import (
	"fmt"
	"github.com/gubkin-news/newsbot/internal/testkit"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/gubkin-news/newsbot/internal/i18n"
)

// bundle loads only this feature's locale files, so a half-written locale of
// another feature cannot break these tests.
func bundle(t *testing.T) *i18n.Bundle { return testkit.Bundle(t, "rates") }

func sample(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "cbr_XML_daily.xml"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// entry is one currency of a built set: value with the bank's decimal comma.
type entry struct {
	code, name string
	nominal    int
	value      string
}

// encodeSet builds an XML_daily.asp answer as the bank sends it: windows-1251
// declared in the prolog, decimal commas, no VunitRate (as before late 2023).
func encodeSet(t *testing.T, date time.Time, entries ...entry) []byte {
	t.Helper()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="windows-1251"?>`)
	fmt.Fprintf(&b, `<ValCurs Date="%s" name="Foreign Currency Market">`, date.Format("02.01.2006"))
	for i, e := range entries {
		fmt.Fprintf(&b, `<Valute ID="R%05d"><NumCode>%03d</NumCode><CharCode>%s</CharCode><Nominal>%d</Nominal>`+
			`<Name>%s</Name><Value>%s</Value></Valute>`, i, i, e.code, e.nominal, e.name, e.value)
	}
	b.WriteString(`</ValCurs>`)
	out, err := charmap.Windows1251.NewEncoder().String(b.String())
	if err != nil {
		t.Fatal(err)
	}
	return []byte(out)
}

// usdEur is a built set with a dollar and a euro.
func usdEur(t *testing.T, date time.Time, usd, eur string) []byte {
	return encodeSet(t, date, entry{"USD", "Доллар США", 1, usd}, entry{"EUR", "Евро", 1, eur})
}

// fakeCBR answers like the bank: without date_req the newest set; with
// date_req=dd/mm/yyyy the last set in force on or before that day.
type fakeCBR struct {
	*httptest.Server
	mu       sync.Mutex
	sets     map[time.Time][]byte
	override map[time.Time]time.Time // asked day → set answered instead (quirks)
	status   int
	asked    []string // date_req values, "" for the latest
	latest   atomic.Int64
	dated    atomic.Int64
}

func newFakeCBR(t *testing.T) *fakeCBR {
	t.Helper()
	f := &fakeCBR{sets: map[time.Time][]byte{}, override: map[time.Time]time.Time{}, status: http.StatusOK}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// publish adds a set, as the bank does each working day.
func (f *fakeCBR) publish(date time.Time, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sets[date] = body
}

func (f *fakeCBR) fail(status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status = status
}

func (f *fakeCBR) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	req := r.URL.Query().Get("date_req")
	f.asked = append(f.asked, req)
	if req == "" {
		f.latest.Add(1)
	} else {
		f.dated.Add(1)
	}
	if f.status != http.StatusOK {
		w.WriteHeader(f.status)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=windows-1251")
	if req == "" {
		_, _ = w.Write(f.sets[f.newestOnOrBefore(day(9999, 1, 1))])
		return
	}
	asked, err := time.Parse("02/01/2006", req)
	if err != nil {
		_, _ = io.WriteString(w, "<ValCurs>Error in parameters</ValCurs>")
		return
	}
	if d, ok := f.override[asked]; ok {
		_, _ = w.Write(f.sets[d])
		return
	}
	_, _ = w.Write(f.sets[f.newestOnOrBefore(asked)])
}

func (f *fakeCBR) newestOnOrBefore(d time.Time) time.Time {
	var dates []time.Time
	for k := range f.sets {
		if !k.After(d) {
			dates = append(dates, k)
		}
	}
	sort.Slice(dates, func(i, j int) bool { return dates[i].Before(dates[j]) })
	if len(dates) == 0 {
		return time.Time{}
	}
	return dates[len(dates)-1]
}

func (f *fakeCBR) askedDates() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.asked...)
}

// clock is the shared test clock.
type clock = testkit.Clock

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

var msk = time.FixedZone("MSK", 3*3600)

// dec is ParseDecimal for literals known to be good.
func dec(t *testing.T, s string) Decimal {
	t.Helper()
	d, err := ParseDecimal(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
