package rates

import (
	"os"
	"testing"
)

// FuzzParseSet feeds the Central Bank parser any bytes: it must never
// panic, and a set it accepts has sane, positive per-unit rates.
func FuzzParseSet(f *testing.F) {
	sample, err := os.ReadFile("testdata/cbr_XML_daily.xml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sample)
	f.Add([]byte(`<?xml version="1.0" encoding="windows-1251"?><ValCurs Date="02.11.2023"><Valute><CharCode>USD</CharCode><Nominal>1</Nominal><Value>93,2801</Value></Valute></ValCurs>`))
	f.Add([]byte(`<ValCurs Date="x"><Valute><CharCode>JPY</CharCode><Nominal>0</Nominal><Value>-1,0</Value></Valute></ValCurs>`))
	f.Add([]byte("Error in parameters"))
	f.Fuzz(func(t *testing.T, body []byte) {
		set, err := parseSet(body)
		if err != nil {
			return
		}
		for code, r := range set.Rates {
			if len(code) != 3 || r.Code != code || r.Nominal <= 0 {
				t.Fatalf("accepted a bad rate %q: %+v", code, r)
			}
		}
	})
}
