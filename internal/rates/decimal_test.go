package rates

import "testing"

func TestParseDecimal(t *testing.T) {
	good := map[string]Decimal{
		"93,2801": 9_328_010_000, "93.2801": 9_328_010_000, "59,065": 5_906_500_000,
		"0,00387231": 387_231, " 1 ": 100_000_000, "0": 0, "9999999999,99999999": 999_999_999_999_999_999,
	}
	for in, want := range good {
		if got, err := ParseDecimal(in); err != nil || got != want {
			t.Errorf("ParseDecimal(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", ",", ",5", "1,2,3", "-1", "+1", "1e5", "12345678901", "0,123456789", "1 000,00", "NaN"} {
		if got, err := ParseDecimal(in); err == nil {
			t.Errorf("ParseDecimal(%q) = %d, want an error", in, got)
		}
	}
}

func TestRoundAndFormat(t *testing.T) {
	cases := []struct {
		in     Decimal
		places int
		want   string
	}{
		{9_328_010_000, 2, "93,28"},
		{61_652_400, 4, "0,6165"},
		{387_231, 4, "0,0039"},
		{500_000, 2, "0,01"}, // 0,005 rounds away from zero
		{-500_000, 2, "-0,01"},
		{-400_000, 2, "0,00"}, // never «-0,00»
		{100_000_000, 0, "1"},
		{5, 8, "0,00000005"},
	}
	for _, tc := range cases {
		if got := tc.in.Format(tc.places, ","); got != tc.want {
			t.Errorf("%d.Format(%d) = %q, want %q", tc.in, tc.places, got, tc.want)
		}
	}
}

func TestDivByNominal(t *testing.T) {
	d, err := Decimal(6_165_240_000).Div(100)
	if err != nil || d != 61_652_400 {
		t.Fatalf("61,6524/100 = %d, %v", d, err)
	}
	if d, _ := Decimal(5).Div(10); d != 1 {
		t.Fatalf("half rounds away from zero: %d", d)
	}
	if _, err := Decimal(1).Div(0); err == nil {
		t.Fatal("division by a zero nominal must fail")
	}
}
