package alerts

import (
	"testing"
	"unicode/utf8"
)

// FuzzParseArg: a phrase argument is either refused with an error or valid,
// short and free of control characters.
func FuzzParseArg(f *testing.F) {
	for _, s := range []string{"Комсомольская", "школа № 12", "«Лебеди»", "\x00\x01", "в на", "", "ё", "улица\u200bМира"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, args string) {
		p, err := ParseArg(args)
		if err != nil {
			return
		}
		if !utf8.ValidString(p) || utf8.RuneCountInString(p) > MaxPhraseRunes || p == "" {
			t.Fatalf("ParseArg(%q) accepted %q", args, p)
		}
		for _, r := range p {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("ParseArg(%q) kept a control character: %q", args, p)
			}
		}
	})
}
