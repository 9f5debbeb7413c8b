package rates

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// knownSnapshot is the real 02.11.2023 set against a built 01.11.2023 one:
// USD +0,12, EUR −0,05, CNY unchanged, JPY +0,0012 per yen.
func knownSnapshot(t *testing.T) Snapshot {
	t.Helper()
	s, err := parseSet(sample(t))
	if err != nil {
		t.Fatal(err)
	}
	return Snapshot{
		Payload: Payload{Date: s.Date, Rates: s.Rates, PrevDate: day(2023, 11, 1), Prev: map[string]Decimal{
			"USD": dec(t, "93,1601"), "EUR": dec(t, "98,4865"), "CNY": dec(t, "12,7052"), "JPY": dec(t, "0,615324"),
		}},
		Currencies: []string{"USD", "EUR", "CNY"},
		FetchedAt:  time.Date(2023, 11, 2, 11, 30, 0, 0, time.UTC),
		Location:   msk,
	}
}

var nov2 = time.Date(2023, 11, 2, 15, 0, 0, 0, msk)

func TestFormatRussianExact(t *testing.T) {
	got := Format(bundle(t), "ru", knownSnapshot(t), nov2)
	want := "💱 <b>Курс ЦБ на 2 ноября</b>\n" +
		"USD 93,28 ₽ ▲ 0,12\n" +
		"EUR 98,44 ₽ ▼ 0,05\n" +
		"CNY 12,71 ₽ = 0,00\n" +
		"\n" +
		"Источник: Банк России"
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestFormatEnglishExact(t *testing.T) {
	got := Format(bundle(t), "en", knownSnapshot(t), nov2)
	want := "💱 <b>CBR rates for November 2</b>\n" +
		"USD 93.28 ₽ ▲ 0.12\n" +
		"EUR 98.44 ₽ ▼ 0.05\n" +
		"CNY 12.71 ₽ = 0.00\n" +
		"\n" +
		"Source: Bank of Russia"
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestShort(t *testing.T) {
	b, snap := bundle(t), knownSnapshot(t)
	if got := Short(b, "ru", snap); got != "USD 93,28 ₽ ▲ 0,12 · EUR 98,44 ₽ ▼ 0,05 · CNY 12,71 ₽ = 0,00" {
		t.Errorf("ru short = %q", got)
	}
	snap.Currencies = []string{"XXX"}
	if got := Short(b, "en", snap); got != "No CBR rates for XXX right now." {
		t.Errorf("short without rates = %q", got)
	}
}

func TestFormatOneAnyCodeCaseInsensitive(t *testing.T) {
	b, snap := bundle(t), knownSnapshot(t)
	cases := []struct{ lang, code, want string }{
		{"ru", "jpy", "100 японских иен (JPY) = 61,65 ₽, за 1 — 0,6165 ₽ ▲ 0,0012"},
		{"en", " JPY ", "100 JPY = 61.65 ₽, 1 JPY = 0.6165 ₽ ▲ 0.0012"},
		{"ru", "Usd", "Доллар США (USD) = 93,28 ₽ ▲ 0,12"},
		{"en", "usd", "1 USD = 93.28 ₽ ▲ 0.12"},
		{"ru", "vnd", "10000 вьетнамских донгов (VND) = 38,72 ₽, за 1 — 0,0039 ₽"}, // no previous VND: no change
		{"ru", "xdr", "СДР (специальные права заимствования) (XDR) = 122,58 ₽"},
	}
	for _, tc := range cases {
		got := FormatOne(b, tc.lang, snap, tc.code, nov2)
		lines := strings.Split(got, "\n")
		if len(lines) != 4 || lines[1] != tc.want || !strings.Contains(lines[0], "2") {
			t.Errorf("%s %q:\n%s\nwant second line %q", tc.lang, tc.code, got, tc.want)
		}
	}
}

func TestFormatOneUnknownCodeListsValidOnes(t *testing.T) {
	b, snap := bundle(t), knownSnapshot(t)
	got := FormatOne(b, "ru", snap, "btc", nov2)
	if !strings.HasPrefix(got, "Валюты «BTC» нет в курсах ЦБ. Можно спросить: AED, AMD, AUD, AZN,") ||
		!strings.HasSuffix(got, "XDR, ZAR.") || strings.Count(got, ", ")+1 != 43 {
		t.Fatalf("got %q", got)
	}
	got = FormatOne(b, "en", snap, "<b>"+strings.Repeat("x", 100), nov2)
	if !strings.Contains(got, "«&lt;B&gt;XXXXXXXXXXXXX…»") || strings.Contains(got, "<b>") {
		t.Fatalf("user input must be escaped and cut: %q", got)
	}
	if got := FormatOne(b, "en", snap, "", nov2); !strings.HasPrefix(got, "The CBR has no rate for «»") {
		t.Fatalf("empty code: %q", got)
	}
}

func TestChangeThatRoundsToZeroIsNeverNegative(t *testing.T) {
	b, snap := bundle(t), knownSnapshot(t)
	cases := map[string]string{
		"93,2841": "USD 93,28 ₽ = 0,00", // −0,004
		"93,2751": "USD 93,28 ₽ ▲ 0,01", // +0,005 rounds away from zero
		"93,2851": "USD 93,28 ₽ ▼ 0,01", // −0,005
		"93,2801": "USD 93,28 ₽ = 0,00",
		"95,0000": "USD 93,28 ₽ ▼ 1,72",
	}
	for prev, want := range cases {
		snap.Prev["USD"] = dec(t, prev)
		snap.Currencies = []string{"USD"}
		if got := Short(b, "ru", snap); got != want {
			t.Errorf("prev %s: got %q, want %q", prev, got, want)
		}
	}
}

func TestDatesAndStaleMark(t *testing.T) {
	b, snap := bundle(t), knownSnapshot(t)
	if got := Format(b, "ru", snap, time.Date(2024, 1, 3, 10, 0, 0, 0, msk)); !strings.Contains(got, "Курс ЦБ на 2 ноября 2023 г.") {
		t.Errorf("another year must be named:\n%s", got)
	}
	snap.Stale = true
	cases := []struct {
		lang string
		now  time.Time
		want string
	}{
		{"ru", nov2, "\n<i>Данные на 14:30</i>\nИсточник: Банк России"},
		{"en", nov2, "\n<i>Data as of 14:30</i>\nSource: Bank of Russia"},
		{"ru", time.Date(2023, 11, 3, 9, 0, 0, 0, msk), "<i>Данные на 2 ноября, 14:30</i>"},
		{"en", time.Date(2023, 11, 3, 9, 0, 0, 0, msk), "<i>Data as of November 2, 14:30</i>"},
	}
	for _, tc := range cases {
		if got := Format(b, tc.lang, snap, tc.now); !strings.Contains(got, tc.want) {
			t.Errorf("%s at %v:\n%s\nwant %q", tc.lang, tc.now, got, tc.want)
		}
	}
}

func TestEmptySnapshotNeverPanics(t *testing.T) {
	b := bundle(t)
	for _, lang := range []string{"ru", "en", "de"} {
		for _, got := range []string{Format(b, lang, Snapshot{}, time.Time{}), Short(b, lang, Snapshot{}),
			FormatOne(b, lang, Snapshot{}, "usd", time.Time{})} {
			if got == "" || strings.Contains(got, "<no value>") {
				t.Errorf("%s: %q", lang, got)
			}
		}
	}
}

func TestRatesTextsExistInBothLanguages(t *testing.T) {
	b := bundle(t)
	ru, en := b.IDs("ru"), b.IDs("en")
	if !reflect.DeepEqual(ru, en) || len(ru) == 0 {
		t.Fatalf("ids differ:\nru %v\nen %v", ru, en)
	}
	for _, id := range ru {
		if !strings.HasPrefix(id, "rates_") {
			t.Errorf("id %q lacks the rates_ prefix", id)
		}
	}
}

func TestLowerFirst(t *testing.T) {
	for in, want := range map[string]string{"Японских иен": "японских иен", "СДР (x)": "СДР (x)", "": "", "Я": "Я"} {
		if got := lowerFirst(in); got != want {
			t.Errorf("lowerFirst(%q) = %q, want %q", in, got, want)
		}
	}
}
