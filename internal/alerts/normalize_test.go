package alerts

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// mentions is the pure core of Match: does text mention phrase?
func mentions(phrase, text string) bool {
	toks := newStemmer().tokens(text, nil)
	return len(mentioned(toks, []string{normalize(phrase)})) == 1
}

func TestGubkinPlacesMatchInEveryCase(t *testing.T) {
	cases := []struct {
		phrase string
		yes    []string
		no     []string
	}{
		{"Комсомольская",
			[]string{"Ремонт на улице Комсомольской", "перекрыли Комсомольскую", "Комсомольская, 5", "на Комсомольском проспекте"},
			[]string{"улица Космонавтов", "ветераны комсомола", "бывший комсомолец"}},
		{"Лебеди",
			[]string{"в микрорайоне Лебеди", "жители Лебедей", "в Лебедях открыли сквер", "дорога к Лебедям"},
			[]string{"Лебединский ГОК", "лебединская руда"}},
		{"Кирова",
			[]string{"на улице Кирова", "по Кирову", "в доме на Кирове"},
			[]string{"Кировский район", "кировская область"}},
		{"Мира",
			[]string{"улица Мира", "на улице Мира", "движение по улице Мира", "во всём мире"},
			[]string{"мировой рекорд", "мирный житель", "на мировом уровне"}},
		{"Дзержинского",
			[]string{"ул. Дзержинского", "на Дзержинского, 12"},
			[]string{"улица Чайковского", "Державина"}},
		{"Чайковского",
			[]string{"улица Чайковского", "по Чайковского"},
			[]string{"улица Дзержинского", "Чапаева"}},
		{"Троицкий",
			[]string{"посёлок Троицкий", "в Троицком", "жители Троицкого", "к Троицкому"},
			[]string{"праздник Троицы", "на Троицу"}},
		{"Коньшино",
			[]string{"село Коньшино", "в Коньшине", "из Коньшина"},
			[]string{"конь", "Коньково"}},
		{"Заречье",
			[]string{"в Заречье", "жители Заречья", "за Заречьем", "к Заречью"},
			[]string{"Заречный переулок", "за речкой"}},
		{"школа № 12",
			[]string{"в школе №12", "ученики школы № 12", "в школу № 12", "школой  №  12", "Школа №12"},
			[]string{"школа № 1", "школа № 120", "школа № 12а", "12 школ", "школа и 12 классов", "школа № 2 и № 12"}},
		{"Лебединский ГОК",
			[]string{"на Лебединском ГОКе", "рабочие Лебединского ГОКа", "ЛЕБЕДИНСКИЙ ГОК"},
			[]string{"ГОК", "Лебединский карьер", "Лебединский и Стойленский ГОКи", "ГОК Лебединский"}},
	}
	for _, c := range cases {
		t.Run(c.phrase, func(t *testing.T) {
			for _, text := range c.yes {
				if !mentions(c.phrase, text) {
					t.Errorf("%q should match %q (phrase %q, text %q)", c.phrase, text, normalize(c.phrase), newStemmer().tokens(text, nil))
				}
			}
			for _, text := range c.no {
				if mentions(c.phrase, text) {
					t.Errorf("%q must not match %q (phrase %q, text %q)", c.phrase, text, normalize(c.phrase), newStemmer().tokens(text, nil))
				}
			}
		})
	}
}

// TestFoldEvensOutWhatSnowballSplits pins the fallback rules of fold: each
// group is forms of one word that Snowball alone stems differently.
func TestFoldEvensOutWhatSnowballSplits(t *testing.T) {
	groups := [][]string{
		{"посёлок", "посёлка", "поселке", "посёлком"},
		{"рынок", "рынка", "рынке"},
		{"Осколец", "Оскольца", "Оскольце"},
		{"переулок", "переулка", "переулке"},
		{"фонтан", "фонтана", "фонтане"},
		{"канал", "канала", "канале"},
		{"лицей", "лицея", "лицее", "лицеем"},
		{"музей", "музея", "музее"},
		{"церковь", "церкви", "церковью"},
		{"Орёл", "Орла", "Орле"},
		{"огонёк", "огонька"},
	}
	for _, g := range groups {
		want := normalize(g[0])
		for _, w := range g[1:] {
			if got := normalize(w); got != want {
				t.Errorf("%s → %q, but %s → %q", g[0], want, w, got)
			}
		}
	}
}

// TestFoldKeepsDifferentPlacesApart: the folds must not merge names a
// resident tells apart.
func TestFoldKeepsDifferentPlacesApart(t *testing.T) {
	pairs := [][2]string{
		{"Оскол", "Осколец"}, {"Мира", "мировой"}, {"Мира", "мирный"}, {"Лебеди", "Лебединский"},
		{"Кирова", "Кировский"}, {"Заречье", "Заречный"}, {"Троицкий", "Троица"},
		{"Комсомольская", "комсомолец"}, {"Горняк", "горный"},
	}
	for _, p := range pairs {
		if a, b := normalize(p[0]), normalize(p[1]); a == b {
			t.Errorf("%s and %s both → %q", p[0], p[1], a)
		}
	}
}

func TestTokensFoldCaseYoAndInvisibleMarks(t *testing.T) {
	want := normalize("поселок троицкий")
	for _, text := range []string{
		"Посёлок Троицкий", "ПОСЕЛОК ТРОИЦКИЙ", "посе\u0308лок Троицкий", // е + combining diaeresis
		"посёлок Тро\u0301ицкий",  // stress mark
		"посё\u00adлок Троицкий",  // soft hyphen
		"посёлок\u00a0Троицкий",   // no-break space
		"посёлок&nbsp;Троицкий",   // HTML entity left by a feed
		"«посёлок» — Троицкий!!!", // punctuation only separates
	} {
		if got := normalize(text); got != want {
			t.Errorf("%q → %q, want %q", text, got, want)
		}
	}
}

func TestTokensNumbersAndLatin(t *testing.T) {
	got := newStemmer().tokens("Школа №12, дом 5б; Gubkin NEWS 2024", nil)
	want := []string{"школ", "12", "дом", "5б", "gubkin", "news", "2024"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestOverlongTokenBlocksAPhrase(t *testing.T) {
	junk := strings.Repeat("я", maxTokenRunes+1)
	if mentions("Лебединский ГОК", "Лебединский "+junk+" ГОК") {
		t.Fatal("a phrase matched across an overlong token")
	}
	if !mentions("Лебединский ГОК", junk+" Лебединский ГОК "+junk) {
		t.Fatal("overlong tokens around the phrase broke the match")
	}
}

func TestTokensOfJunkNeverPanic(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	inputs := []string{"", "   ", "!!!???…", "№№№", "\x00\x01\xff\xfe", strings.Repeat("ъ", 10),
		strings.Repeat("a", 1<<20), strings.Repeat("\u0301", 1000), "ьъ ь ъ"}
	for i := 0; i < 200; i++ {
		b := make([]byte, rnd.IntN(300))
		for j := range b {
			b[j] = byte(rnd.IntN(256))
		}
		inputs = append(inputs, string(b))
	}
	for _, in := range inputs {
		for _, tok := range newStemmer().tokens(in, nil) {
			if !utf8.ValidString(tok) || utf8.RuneCountInString(tok) > maxTokenRunes || strings.ContainsRune(tok, ' ') {
				t.Fatalf("bad token %q from %q", tok, in)
			}
		}
	}
}
