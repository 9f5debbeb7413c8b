package news

import "testing"

func TestSlugify(t *testing.T) {
	cases := map[string]string{
		"Общество":         "obshchestvo",
		"Происшествия":     "proisshestviya",
		"  Спорт ":         "sport",
		"ЧП":               "chp",
		"Культура и досуг": "kultura-i-dosug",
		"Ёлки, 2024!":      "elki-2024",
		"Economy":          "economy",
	}
	for in, want := range cases {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}
