package i18n

import (
	"reflect"
	"testing"
)

func mustLoad(t *testing.T) *Bundle {
	t.Helper()
	b, err := Default("ru")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRussianPlurals(t *testing.T) {
	b := mustLoad(t)
	for n, want := range map[int]string{1: "1 статья", 2: "2 статьи", 5: "5 статей", 21: "21 статья", 11: "11 статей", 104: "104 статьи"} {
		if got := b.N("ru", "articles_count", n, nil); got != want {
			t.Errorf("N(ru, %d) = %q, want %q", n, got, want)
		}
	}
	if got := b.N("en", "articles_count", 1, nil); got != "1 article" {
		t.Errorf("en one = %q", got)
	}
}

func TestEveryMessageInBothLanguages(t *testing.T) {
	b := mustLoad(t)
	ru, en := b.IDs("ru"), b.IDs("en")
	if len(ru) == 0 || !reflect.DeepEqual(ru, en) {
		t.Fatalf("message ids differ:\nru only: %v\nen only: %v", diff(ru, en), diff(en, ru))
	}
}

func TestPickLanguage(t *testing.T) {
	b := mustLoad(t)
	for code, want := range map[string]string{"ru": "ru", "en-US": "en", "uk": "ru", "": "ru", "EN": "en"} {
		if got := b.Pick(code); got != want {
			t.Errorf("Pick(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestMissingMessageShowsID(t *testing.T) {
	if got := mustLoad(t).T("ru", "no_such_key", nil); got != "no_such_key" {
		t.Fatalf("got %q", got)
	}
}

func diff(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	return out
}
