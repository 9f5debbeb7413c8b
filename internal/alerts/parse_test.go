package alerts

import (
	"errors"
	"strings"
	"testing"
)

func TestParseArgCleansPhrase(t *testing.T) {
	cases := map[string]string{
		"  Комсомольская  ":             "Комсомольская",
		"школа   №\n12":                 "школа № 12",
		"«Лебединский ГОК»":             "Лебединский ГОК",
		"\"Заречье\"":                   "Заречье",
		" « Коньшино » ":                "Коньшино",
		"ул.\tМира":                     "ул. Мира",
		"Лебе\u200bди":                  "Лебеди", // zero-width space dropped
		"\u202eМира":                    "Мира",   // bidi override dropped
		"«Мира» и «Кирова»":             "«Мира» и «Кирова»",
		"ДТП":                           "ДТП",
		"12":                            "12",
		strings.Repeat("я", 64):         strings.Repeat("я", 64),
		strings.Repeat("аб ", 21) + "в": strings.Repeat("аб ", 21) + "в", // 64 runes with spaces
		"e\u0301cole":                   "\u00e9cole",                    // NFC
	}
	for in, want := range cases {
		got, err := ParseArg(in)
		if err != nil || got != want {
			t.Errorf("ParseArg(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestParseArgRefusesBadInput(t *testing.T) {
	cases := []struct {
		in   string
		want error
	}{
		{"", ErrEmpty},
		{"   \n\t ", ErrEmpty},
		{"«»", ErrEmpty},
		{"!!! ??? …", ErrEmpty},
		{"№", ErrEmpty},
		{"— - —", ErrEmpty},
		{strings.Repeat("я", 65), ErrTooLong},
		{strings.Repeat("я", 64) + " я", ErrTooLong},
		{strings.Repeat("я", 100000), ErrTooLong},
		{"Мира\x00", ErrInvalid},
		{"\x1b[31mМира", ErrInvalid},
		{"\xff\xfeМира", ErrInvalid},
		{"Мира\ufffd", ErrInvalid},
		{"\ue000", ErrInvalid}, // private use
		{"в", ErrTooCommon},
		{"и на в", ErrTooCommon},
		{"ВСЁ", ErrTooCommon},
	}
	for _, c := range cases {
		got, err := ParseArg(c.in)
		if !errors.Is(err, c.want) {
			t.Errorf("ParseArg(%.40q) = %q, %v; want %v", c.in, got, err, c.want)
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("ParseArg(%.40q): error %v is not *Error", c.in, err)
		}
	}
}

func TestStopWordInsideAPhraseIsFine(t *testing.T) {
	if _, err := ParseArg("улица на Мира"); err != nil {
		t.Fatalf("got %v", err)
	}
}

func TestIsAll(t *testing.T) {
	for in, want := range map[string]bool{"все": true, " Всё ": true, "ALL": true, "*": true, "всех": false, "Мира": false, "": false} {
		if got := IsAll(in); got != want {
			t.Errorf("IsAll(%q) = %v, want %v", in, got, want)
		}
	}
}
